"""The three-layer quality structure (服务质量架构), read from the apps that hold each layer:

- support (质量支撑层): the standards library (audits.standards);
- improvement (提升落地层): rollouts (audits.standards), corrective actions and improvement
  targets (audits.actions);
- audit (稽核验证层): inspections (audits.inspections), sampling plans (scoring.sampling) and
  the monthly walk-throughs (audits.walkthroughs).

Models of the other audits apps are looked up by label (`_model`), so a layer shows what is
installed and never fails on an app still being built. Everything goes through the user's
scope. Each layer is a handful of aggregate queries, whatever the number of rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.standards.models import (
    OPEN_STATUSES,
    Acknowledgement,
    Kind,
    Rollout,
    Standard,
    StandardVersion,
    Status,
)
from org.models import Agent, WorkingGroup
from qa_center.permissions import scope_queryset, visible_standards

SUPPORT, IMPROVEMENT, AUDIT = "support", "improvement", "audit"
LAYERS = (SUPPORT, IMPROVEMENT, AUDIT)
# A draft (or a version in review) older than this is overdue: a revision must not linger.
DRAFT_DAYS = 30
# The working groups that carry each layer (org.WorkingGroup codes, migration org 0004).
LAYER_GROUPS = {
    SUPPORT: ("wording",),
    IMPROVEMENT: ("service_quality", "outsourcing"),
    AUDIT: ("frontline_qa", "phone_manager_qa", "full_process_qa", "dispute_review"),
}


def layer_title(layer: str) -> str:
    return {
        SUPPORT: _("Support layer (质量支撑层)"),
        IMPROVEMENT: _("Improvement layer (提升落地层)"),
        AUDIT: _("Audit layer (稽核验证层)"),
    }[layer]


def layer_purpose(layer: str) -> str:
    return {
        SUPPORT: _("The standards: systems, standard work processes and answer specifications."),
        IMPROVEMENT: _(
            "Making standards land: rollout, improvement targets, corrective actions, follow-up."
        ),
        AUDIT: _(
            "Verification: full self-inspection, special sampling inspection, third-party "
            "evaluation and the monthly process walk-through."
        ),
    }[layer]


def _model(label: str, name: str):
    try:
        return apps.get_model(label, name)
    except LookupError:
        return None


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@dataclass
class Line:
    """One thing a layer holds: a label, a figure, how many of them are overdue, a link."""

    label: str
    value: object
    overdue: int = 0
    url: str = ""
    testid: str = ""


@dataclass
class Layer:
    key: str
    title: str
    purpose: str
    lines: list[Line] = field(default_factory=list)
    groups: list[WorkingGroup] = field(default_factory=list)
    overdue_rows: list[dict] = field(default_factory=list)  # {"label", "url", "meta"}

    @property
    def overdue(self) -> int:
        return sum(line.overdue for line in self.lines)


def _groups(layer: str) -> list[WorkingGroup]:
    return list(
        WorkingGroup.objects.filter(code__in=LAYER_GROUPS[layer])
        .prefetch_related("memberships__user")
        .annotate(standard_count=Count("standards"))
        .order_by("code")
    )


def _visible_standards(user) -> QuerySet[Standard]:
    return visible_standards(user, Standard.objects.all())


# --- Support layer ---------------------------------------------------------------------------


def support_layer(user, *, today: datetime.date | None = None, details: bool = False) -> Layer:
    today = today or timezone.localdate()
    layer = Layer(SUPPORT, layer_title(SUPPORT), layer_purpose(SUPPORT))
    standards = _visible_standards(user)
    counts = {
        (row["kind"], row["status"]): row["n"]
        for row in standards.values("kind", "status").annotate(n=Count("pk")).order_by()
    }
    cutoff = timezone.now() - datetime.timedelta(days=DRAFT_DAYS)
    stale = StandardVersion.objects.filter(
        standard__in=standards, status__in=OPEN_STATUSES, created_at__lt=cutoff
    )
    unowned = standards.exclude(status=Status.ABOLISHED).filter(
        Q(owner__isnull=True) | Q(monitor__isnull=True) | Q(owner__is_active=False)
    )
    list_url = _url("standards:list")
    for kind, label in Kind.choices:
        in_force = counts.get((kind, Status.PUBLISHED), 0)
        total = sum(n for (k, _s), n in counts.items() if k == kind)
        layer.lines.append(
            Line(
                label=str(label),
                value=_("%(in_force)s in force of %(total)s")
                % {"in_force": in_force, "total": total},
                url=f"{list_url}?kind={kind}",
                testid=f"kind-{kind}",
            )
        )
    stale_count = stale.count()
    layer.lines.append(
        Line(
            label=_("Versions being written for more than %(days)s days") % {"days": DRAFT_DAYS},
            value=stale_count,
            overdue=stale_count,
            url=f"{list_url}?status={Status.DRAFT}",
            testid="stale-drafts",
        )
    )
    unowned_count = unowned.count()
    layer.lines.append(
        Line(
            label=_("Standards without an active owner or a monitor"),
            value=unowned_count,
            overdue=unowned_count,
            testid="unowned",
        )
    )
    if details:
        for version in stale.select_related("standard").order_by("created_at")[:50]:
            layer.overdue_rows.append(
                {
                    "label": f"{version.standard.code} {version.title}",
                    "url": _url("standards:detail", version.standard_id),
                    "meta": _("version %(number)s %(status)s since %(date)s")
                    % {
                        "number": version.number,
                        "status": version.get_status_display(),
                        "date": timezone.localdate(version.created_at),
                    },
                }
            )
        for standard in unowned.order_by("code")[:50]:
            layer.overdue_rows.append(
                {
                    "label": f"{standard.code} {standard.title}",
                    "url": _url("standards:detail", standard.pk),
                    "meta": _("no active owner or monitor"),
                }
            )
    layer.groups = _groups(SUPPORT)
    return layer


# --- Improvement layer -----------------------------------------------------------------------


def _rollouts(user) -> QuerySet[Rollout]:
    return scope_queryset(user, Rollout.objects.filter(version__status=Status.PUBLISHED))


def rollout_summary(user, *, today: datetime.date) -> dict:
    """Rollouts of versions in force in the user's scope: agents to read, read, and the
    rollouts past their read-by date with someone who has not read yet."""
    rollouts = list(_rollouts(user).select_related("version__standard", "team"))
    if not rollouts:
        return {"rollouts": 0, "agents": 0, "read": 0, "percent": None, "late": []}
    team_ids = {r.team_id for r in rollouts}
    agents_by_team = dict(
        Agent.objects.filter(team_id__in=team_ids, is_active=True)
        .values_list("team_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    read = {
        (version_id, team_id): n
        for version_id, team_id, n in Acknowledgement.objects.filter(
            version_id__in={r.version_id for r in rollouts},
            agent__team_id__in=team_ids,
            agent__is_active=True,
        )
        .values_list("version_id", "agent__team_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    agents = done = 0
    late = []
    for rollout in rollouts:
        team_agents = agents_by_team.get(rollout.team_id, 0)
        team_read = read.get((rollout.version_id, rollout.team_id), 0)
        agents += team_agents
        done += team_read
        if rollout.due_on and rollout.due_on < today and team_read < team_agents:
            late.append((rollout, team_agents - team_read))
    return {
        "rollouts": len(rollouts),
        "agents": agents,
        "read": done,
        "percent": round(100.0 * done / agents, 1) if agents else None,
        "late": late,
    }


def improvement_layer(user, *, today: datetime.date | None = None, details: bool = False) -> Layer:
    today = today or timezone.localdate()
    layer = Layer(IMPROVEMENT, layer_title(IMPROVEMENT), layer_purpose(IMPROVEMENT))
    rollouts = rollout_summary(user, today=today)
    layer.lines.append(
        Line(
            label=_("Rollouts (宣贯) of standards in force"),
            value=_("%(rollouts)s to teams, %(read)s of %(agents)s agents have read") % rollouts,
            overdue=len(rollouts["late"]),
            testid="rollouts",
        )
    )
    if details:
        for rollout, missing in rollouts["late"][:50]:
            layer.overdue_rows.append(
                {
                    "label": f"{rollout.version.standard.code} {rollout.version.title} → "
                    f"{rollout.team.name}",
                    "url": _url("standards:detail", rollout.version.standard_id),
                    "meta": _("%(missing)s not read, due %(date)s")
                    % {"missing": missing, "date": rollout.due_on},
                }
            )
    action_model = _model("actions", "CorrectiveAction")
    if action_model is not None:
        from qa_center.permissions import visible_corrective_actions

        actions = visible_corrective_actions(user, action_model.objects.all())
        open_statuses = ("open", "done")
        figures = actions.aggregate(
            open=Count("pk", filter=Q(status__in=open_statuses)),
            overdue=Count("pk", filter=Q(status="open", due_on__lt=today)),
            awaiting=Count("pk", filter=Q(status="done")),
        )
        layer.lines.append(
            Line(
                label=_("Corrective actions (措施)"),
                value=_("%(open)s open, %(awaiting)s awaiting verification") % figures,
                overdue=figures["overdue"],
                url=_url("actions:list"),
                testid="actions",
            )
        )
        if details:
            overdue = actions.filter(status="open", due_on__lt=today).select_related("owner")
            for action in overdue.order_by("due_on")[:50]:
                layer.overdue_rows.append(
                    {
                        "label": action.title,
                        "url": _url("actions:detail", action.pk),
                        "meta": _("%(owner)s, due %(date)s")
                        % {"owner": action.owner.display_name, "date": action.due_on},
                    }
                )
    target_model = _model("actions", "ImprovementTarget")
    if target_model is not None:
        targets = scope_queryset(user, target_model.objects.all())
        figures = targets.aggregate(
            open=Count("pk", filter=Q(status="open")),
            overdue=Count("pk", filter=Q(status="open", due_week__lt=today)),
            met=Count("pk", filter=Q(status="met")),
        )
        layer.lines.append(
            Line(
                label=_("Improvement targets"),
                value=_("%(open)s open, %(met)s met") % figures,
                overdue=figures["overdue"],
                testid="targets",
            )
        )
    layer.groups = _groups(IMPROVEMENT)
    return layer


# --- Audit layer -----------------------------------------------------------------------------


def audit_layer(user, *, today: datetime.date | None = None, details: bool = False) -> Layer:
    today = today or timezone.localdate()
    now = timezone.now()
    layer = Layer(AUDIT, layer_title(AUDIT), layer_purpose(AUDIT))
    walkthrough_model = _model("walkthroughs", "Walkthrough")
    if walkthrough_model is not None:
        month = today.replace(day=1)
        walks = _visible_walkthroughs(user, walkthrough_model.objects.all())
        late = Q(status="started", documents_due_at__lt=now) | Q(status="drawn", month__lt=month)
        figures = walks.filter(month=month).aggregate(
            drawn=Count("pk"),
            started=Count("pk", filter=Q(status="started")),
            concluded=Count("pk", filter=Q(status="concluded")),
        )
        overdue = walks.filter(late)
        layer.lines.append(
            Line(
                label=_("Process walk-throughs (流程制度穿越) this month"),
                value=_("%(drawn)s drawn, %(started)s running, %(concluded)s concluded") % figures,
                overdue=overdue.count(),
                url=_url("walkthroughs:list"),
                testid="walkthroughs",
            )
        )
        if details:
            for walk in overdue.select_related("standard", "department").order_by("month")[:50]:
                layer.overdue_rows.append(
                    {
                        "label": f"{walk.month:%Y-%m} {walk.department.name} "
                        f"{walk.standard.code} {walk.standard.title}",
                        "url": _url("walkthroughs:detail", walk.pk),
                        "meta": walk.get_status_display(),
                    }
                )
        finding_model = _model("walkthroughs", "Finding")
        if finding_model is not None:
            findings = finding_model.objects.filter(walkthrough__in=walks)
            counts = findings.aggregate(
                major=Count("pk", filter=Q(grade="major")),
                minor=Count("pk", filter=Q(grade="minor")),
                n=Count("pk"),
            )
            layer.lines.append(
                Line(
                    label=_("Walk-through findings"),
                    value=_("%(n)s, of which %(major)s major and %(minor)s minor nonconformities")
                    % counts,
                    testid="findings",
                )
            )
    inspection_model = _model("inspections", "Inspection")
    if inspection_model is not None:
        inspections = scope_queryset(user, inspection_model.objects.all())
        by_kind = (
            dict(inspections.values_list("kind").annotate(n=Count("pk")).order_by())
            if _has_field(inspection_model, "kind")
            else {}
        )
        overdue = 0
        if _has_field(inspection_model, "due_on") and _has_field(inspection_model, "status"):
            overdue = (
                inspections.filter(due_on__lt=today)
                .exclude(status__in=["done", "closed", "completed"])
                .count()
            )
        layer.lines.append(
            Line(
                label=_("Inspections"),
                value=", ".join(f"{k}: {n}" for k, n in sorted(by_kind.items()))
                or inspections.count(),
                overdue=overdue,
                url=_url("inspections:list"),
                testid="inspections",
            )
        )
    plan_model = _model("sampling", "SamplingPlan")
    if plan_model is not None:
        from qa_center.permissions import visible_sampling_plans

        plans = visible_sampling_plans(user, plan_model.objects.all())
        layer.lines.append(
            Line(
                label=_("Special sampling plans (专项抽检)"),
                value=plans.count(),
                testid="sampling",
            )
        )
    layer.groups = _groups(AUDIT)
    return layer


def _visible_walkthroughs(user, qs):
    # The walk-throughs' own rule (helper app audits.walkthroughs), or the scope alone.
    from qa_center import permissions

    rule = getattr(permissions, "visible_walkthroughs", permissions.scope_queryset)
    return rule(user, qs)


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


BUILDERS = {SUPPORT: support_layer, IMPROVEMENT: improvement_layer, AUDIT: audit_layer}


def all_layers(user, *, today: datetime.date | None = None) -> list[Layer]:
    return [BUILDERS[key](user, today=today) for key in LAYERS]


# --- The closed loop of one standard ---------------------------------------------------------


def standard_loop(user, standard: Standard, *, today: datetime.date | None = None) -> dict:
    """The life of one standard (标准制定-落实-执行-监督-反馈及优化): its versions, the rollout of
    the version in force, the compliance of the rules it enforces, the walk-throughs and
    inspections of it, and what they fed back (findings, actions, revisions)."""
    from audits.standards.selectors import (
        coverage_totals,
        rollout_coverage,
        rule_compliance_this_week,
    )
    from org.models import Team

    today = today or timezone.localdate()
    versions = list(
        standard.versions.select_related("created_by", "published_by", "origin_type").order_by(
            "-number"
        )
    )
    in_force = next((v for v in versions if v.status == Status.PUBLISHED), None)
    coverage = (
        rollout_coverage(in_force, teams_qs=scope_queryset(user, Team.objects.all()))
        if in_force
        else []
    )
    codes = list(in_force.rule_links.values_list("rule_code", flat=True)) if in_force else []
    compliance = (
        rule_compliance_this_week(codes, department_id=standard.department_id, today=today)
        if codes
        else {}
    )
    walkthroughs: list = []
    findings: list = []
    walkthrough_model = _model("walkthroughs", "Walkthrough")
    if walkthrough_model is not None:
        walks = _visible_walkthroughs(user, walkthrough_model.objects.filter(standard=standard))
        walkthroughs = list(walks.select_related("version", "owner").order_by("-month"))
        finding_model = _model("walkthroughs", "Finding")
        if finding_model is not None:
            findings = list(
                finding_model.objects.filter(walkthrough__in=walks)
                .select_related("walkthrough", "action__owner")
                .order_by("-created_at")
            )
    inspections: list = []
    inspection_model = _model("inspections", "Inspection")
    if inspection_model is not None and _has_field(inspection_model, "standard"):
        inspections = list(
            scope_queryset(user, inspection_model.objects.filter(standard=standard))[:50]
        )
    revisions = [v for v in versions if v.origin_id is not None]
    return {
        "versions": versions,
        "in_force": in_force,
        "transitions": list(standard.transitions.select_related("by", "version")),
        "coverage": coverage,
        "coverage_totals": coverage_totals(coverage),
        "rules": [
            {
                "code": c,
                "percent": compliance.get(c, (None, 0))[0],
                "n": compliance.get(c, (None, 0))[1],
            }
            for c in codes
        ],
        "walkthroughs": walkthroughs,
        "inspections": inspections,
        "findings": findings,
        "revisions": revisions,
    }
