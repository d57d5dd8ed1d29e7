"""Who may see and do what: the one place every page and API asks.

Two questions, answered here and nowhere else:
- *capability*: may this user use this part of the product at all (`has_capability`)?
- *scope*: which rows may they see (`scope_queryset`), and this one row (`get_scoped_or_404`)?

Scoped models declare `scope_paths`, a mapping from scope level to the lookup that reaches the
department, the team and the agent from the model (None: that level cannot see the model
through this path). For example a call: {"department": "team__department", "team": "team",
"agent": "agent"} — the team is the one the agent was in at the time of the call, so moving an
agent to another team does not carry their past calls with them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from rest_framework.permissions import BasePermission

from qa_center.levels import NO_SCOPE, Level

if TYPE_CHECKING:
    from org.models import User

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    level: str
    department_id: int | None = None
    team_id: int | None = None
    agent_id: int | None = None


# What each role may use. Pages and API endpoints name a capability; the navigation shows
# only what the user has.
CAPABILITIES: dict[str, frozenset[str]] = {
    "agent": frozenset({"own_results", "read_standards"}),
    "teamlead": frozenset(
        {
            "view_org",
            "view_results",
            "read_bulletins",
            "follow_up",
            "read_standards",
            "assign_calls",
        }
    ),
    "supervisor": frozenset(
        {"view_org", "view_results", "score_calls", "calibrate", "import", "assign_calls"}
    ),
    "manager": frozenset(
        {"view_org", "view_results", "read_bulletins", "issue_bulletins", "kpi", "standards"}
    ),
    "auditor": frozenset(
        {
            "view_org",
            "view_results",
            "audit",
            "audit_walkthroughs",
            "kpi",
            "standards",
            "manage_standards",
        }
    ),
    "admin": frozenset(
        {
            "view_org",
            "manage_org",
            "view_results",
            "score_calls",
            "assign_calls",
            "calibrate",
            "import",
            "manage_rules",
            "read_bulletins",
            "issue_bulletins",
            "follow_up",
            "audit",
            "audit_walkthroughs",
            "kpi",
            "review_disputes",
            "view_health",
            "standards",
            "manage_standards",
            "read_standards",
        }
    ),
}


def has_capability(user: User | Any, capability: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if capability == "review_disputes" and getattr(user, "is_reviewer", False):
        return True
    if capability == "audit_walkthroughs" and getattr(user, "is_process_auditor", False):
        return True
    return capability in CAPABILITIES.get(user.role, frozenset())


def capabilities_of(user: User | Any) -> frozenset[str]:
    """Every capability the user has (for templates: `{% if "import" in capabilities %}`)."""
    every = frozenset().union(*CAPABILITIES.values())
    return frozenset(cap for cap in every if has_capability(user, cap))


def user_scope(user: User | Any) -> Scope:
    """The part of the organization whose data this user may see."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(NO_SCOPE)
    role = user.role
    if role == "admin":
        return Scope(Level.CENTER)
    if role == "agent":
        if not user.agent_id:
            return Scope(NO_SCOPE)
        return Scope(Level.AGENT, agent_id=user.agent_id)
    if role == "teamlead":
        return Scope(Level.TEAM, team_id=user.team_id) if user.team_id else Scope(NO_SCOPE)
    if user.department_id:
        return Scope(Level.DEPARTMENT, department_id=user.department_id)
    return Scope(Level.CENTER)


@dataclass(frozen=True)
class Units:
    """Org units, as the rows set at them see them: the center (there is one, see
    org.models.Center: a center row names neither department nor team), departments and teams.
    `every`: all units, whatever the ids."""

    every: bool = False
    center: bool = False
    department_ids: frozenset[int] = frozenset()
    team_ids: frozenset[int] = frozenset()

    def q(self, *, department: str = "department", team: str = "team") -> Any:
        """A filter for rows set at one of these units (a bulletin, an improvement target, a
        KPI target): at a team, at a department (no team), or at the center (neither).
        `department` and `team` name the row's fields."""
        from django.db.models import Q

        if self.every:
            return Q()
        at = Q(pk__in=[])
        if self.team_ids:
            at |= Q(**{f"{team}_id__in": sorted(self.team_ids)})
        if self.department_ids:
            at |= Q(
                **{f"{department}_id__in": sorted(self.department_ids), f"{team}__isnull": True}
            )
        if self.center:
            at |= Q(**{f"{department}__isnull": True, f"{team}__isnull": True})
        return at


def units_with_ancestors(user: User | Any) -> Units:
    """The org units whose targets the user may see: their own unit and every unit above it.

    An agent: their (current) team, its department and the center; a team lead the same for
    their team; a supervisor, manager or auditor of a department: that department and the
    center; an administrator, or anyone whose scope is the whole center: every unit. Nobody
    (anonymous, inactive, an account without its unit): none. The KPI cascade reads a unit's
    targets together with the ones above it, never a sibling's."""
    scope = user_scope(user)
    if scope.level == Level.CENTER:
        return Units(every=True)
    if scope.level == NO_SCOPE:
        return Units()
    if scope.level == Level.DEPARTMENT:
        return Units(center=True, department_ids=frozenset({scope.department_id}))
    team = user.agent.team if scope.level == Level.AGENT else user.team
    return Units(
        center=True,
        department_ids=frozenset({team.department_id}),
        team_ids=frozenset({team.pk}),
    )


def scope_paths_via(relation: str, paths: dict[str, str | None]) -> dict[str, str | None]:
    """The scope paths of a model reached through `relation`: an evaluation is in the scope of
    its call (`scope_paths_via("call", Call.scope_paths)`), an answer in that of its evaluation."""
    return {level: f"{relation}__{path}" if path else None for level, path in paths.items()}


def scope_queryset(user: User | Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """Only the rows of `queryset` within the user's scope."""
    scope = user_scope(user)
    if scope.level == Level.CENTER:
        return queryset
    if scope.level == NO_SCOPE:
        return queryset.none()
    paths: dict[str, str | None] = getattr(queryset.model, "scope_paths", {})
    path = paths.get(scope.level)
    if path is None:
        return queryset.none()
    value = {
        Level.DEPARTMENT: scope.department_id,
        Level.TEAM: scope.team_id,
        Level.AGENT: scope.agent_id,
    }[scope.level]
    return queryset.filter(**{path: value})


def visible_evaluations(user: User | Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """The evaluations of `queryset` the user may see: in scope; a blind calibration score only
    by its own evaluator; an agent only submitted ones (a draft is the supervisor's, unseen)."""
    from django.db.models import Q

    queryset = scope_queryset(user, queryset).filter(Q(blind=False) | Q(evaluator=user))
    if not has_capability(user, "view_results"):
        queryset = queryset.filter(submitted_at__isnull=False)
    return queryset


def get_scoped_or_404(user: User | Any, queryset: QuerySet[M], **lookup: Any) -> M:
    """The row, if it exists and the user may see it. Out of scope is a 404, like a row that
    does not exist, so nobody learns what lies outside their scope by probing ids."""
    try:
        return scope_queryset(user, queryset).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def can_view(user: User | Any, obj: Model) -> bool:
    return scope_queryset(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def capability_required(capability: str) -> Callable:
    """View decorator: log in first, then 403 without the capability."""
    from django.contrib.auth.decorators import login_required

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_capability(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


class IsAuthenticatedWithRole(BasePermission):
    """The API's default: an active, logged-in user with a role."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.role)


def HasCapability(capability: str) -> type[BasePermission]:  # noqa: N802 - reads like a class
    """A DRF permission class for one capability: `permission_classes = [HasCapability("x")]`."""

    class _HasCapability(IsAuthenticatedWithRole):
        def has_permission(self, request, view) -> bool:
            return super().has_permission(request, view) and has_capability(
                request.user, capability
            )

    _HasCapability.__name__ = f"HasCapability_{capability}"
    return _HasCapability


class ScopedQuerysetMixin:
    """For DRF viewsets: `get_queryset` returns only the rows in the user's scope."""

    def get_queryset(self):
        return scope_queryset(self.request.user, super().get_queryset())


# --- Rows: may this user do this to this row? --------------------------------------------------


def _is_admin(user: User | Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active) and (
        user.role == "admin"
    )


def may_manage_sampling_plan(user: User | Any, *, plan: Any = None, department: Any = None) -> bool:
    """May `user` change (and run) this sampling plan, or create one for `department`?

    An administrator manages every plan, the center-wide ones (no department) included; a
    supervisor only the plans of their own department. Pass the plan, or for a new plan the
    department it is for (None: center-wide)."""
    if not has_capability(user, "score_calls"):
        return False
    if _is_admin(user):
        return True
    if user.role != "supervisor" or not user.department_id:
        return False
    department_id = plan.department_id if plan is not None else getattr(department, "pk", None)
    return department_id == user.department_id


def may_create_sampling_plan(user: User | Any) -> bool:
    """May `user` create a sampling plan at all: an administrator, or a supervisor of a
    department (for that department; which one is `may_manage_sampling_plan`'s question)."""
    if _is_admin(user):
        return has_capability(user, "score_calls")
    return may_manage_sampling_plan(user, department=getattr(user, "department", None))


def visible_sampling_plans(user: User | Any, plans: QuerySet[M]) -> QuerySet[M]:
    """The sampling plans of `plans` the user may see: an administrator or a user without a
    department every plan; others their department's and the center-wide ones."""
    from django.db.models import Q

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return plans.none()
    if _is_admin(user) or not user.department_id:
        return plans
    return plans.filter(Q(department_id=user.department_id) | Q(department__isnull=True))


def may_manage_calibration_session(user: User | Any, session: Any) -> bool:
    """May `user` close this calibration session and set its reference score: its owner (who
    created it) or an administrator, and only with the calibrate capability."""
    return has_capability(user, "calibrate") and (
        session.created_by_id == user.pk or _is_admin(user)
    )


def may_decide_dispute(user: User | Any, dispute: Any) -> bool:
    """May `user` rule on this dispute now: it is still open, they are in the review group
    (or an administrator), and they did not score the disputed evaluation themselves."""
    return (
        dispute.status == dispute.Status.OPEN
        and has_capability(user, "review_disputes")
        and dispute.evaluation.evaluator_id != user.pk
    )


def visible_import_jobs(user: User | Any, jobs: QuerySet[M]) -> QuerySet[M]:
    """The call imports of `jobs` the user may see: an administrator every import, anyone
    else (with the import capability) only the ones they started."""
    if _is_admin(user):
        return jobs
    if not has_capability(user, "import"):
        return jobs.none()
    return jobs.filter(created_by=user)


def visible_evaluators(user: User | Any, evaluations: QuerySet) -> QuerySet:
    """The people who evaluated calls in the user's scope: those who wrote an evaluation of
    `evaluations` the user may see (`visible_evaluations`). The evaluator filter of the
    evaluation list offers exactly these: a team lead sees the evaluators of their team's
    calls, not of the whole department; nobody sees who scores blind in an open calibration."""
    users = evaluations.model._meta.get_field("evaluator").related_model._default_manager
    return users.filter(pk__in=visible_evaluations(user, evaluations).values("evaluator_id"))


def dispute_refusal(evaluation: Any, user: User | Any, *, now: Any = None) -> str | None:
    """Why `user` may not dispute `evaluation` now, or None when they may: only the agent of
    the call, only a submitted evaluation, within the dispute window."""
    import datetime

    from django.utils import timezone
    from django.utils.translation import gettext as _

    if not getattr(user, "agent_id", None) or user.agent_id != evaluation.call.agent_id:
        return _("Only the agent of the call can dispute its evaluation.")
    if evaluation.is_calibration:
        return _("Calibration scores cannot be disputed.")
    if not evaluation.is_disputable:
        if evaluation.status == evaluation.Status.DISPUTED:
            return _("This evaluation is already being disputed.")
        return _("Only a submitted evaluation can be disputed.")
    deadline: datetime.date | None = evaluation.dispute_deadline()
    today = timezone.localdate(now or timezone.now())
    if deadline is None or today > deadline:
        return _("The %(days)s days to dispute this evaluation ended on %(date)s.") % {
            "days": evaluation.dispute_window_days(),
            "date": deadline,
        }
    return None


# --- Opening a row: who may follow a link to it ---------------------------------------------


def visible_bulletins(user: User | Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """The bulletins of `queryset` the user may read: those in their scope (a team lead the
    team's; a department's manager the department's and its teams'; the center's managers
    all), and the issued red-header notices, which are addressed to every department; a draft
    notice only those who issue notices. Writing one is narrower: `may_write_bulletin`."""
    from django.db.models import Q

    if not has_capability(user, "read_bulletins"):
        return queryset.none()
    visible = queryset.filter(
        Q(pk__in=scope_queryset(user, queryset.model._default_manager.all()).values("pk"))
        | Q(kind="monthly", status="issued")
    )
    if not has_capability(user, "issue_bulletins"):
        visible = visible.exclude(kind="monthly", status="draft")
    return visible


def may_write_bulletin(user: User | Any, bulletin: Model, *, capability: str | None) -> bool:
    """May `user` change `bulletin` or act on it (revise or correct it, write its decisions,
    issue it, set a target on it): the capability (None: the page's gate asked already), and
    the bulletin in their own scope. Every department reads the center's issued notice; only
    the center's managers correct it."""
    if capability is not None and not has_capability(user, capability):
        return False
    return can_view(user, bulletin)


def visible_calibration_sessions(user: User | Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """The calibration sessions of `queryset` the user may open: those in their scope, and
    every session they take part in."""
    from django.db.models import Q

    scoped = scope_queryset(user, queryset.model._default_manager.all()).values("pk")
    return queryset.filter(Q(pk__in=scoped) | Q(participants=user)).distinct()


# --- Corrective actions (audits.actions) ----------------------------------------------------

# Who may set, follow up, cancel and verify corrective actions of a unit in their scope: the
# auditors, the managers, the team leads (their team's) and the administrators.
ACTION_CAPABILITIES = frozenset({"audit", "issue_bulletins", "follow_up"})


def visible_corrective_actions(user: User | Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """The corrective actions of `queryset` the user may open: those of the units in their
    scope (a department's auditor or manager the department's and its teams', a team lead the
    team's, the center's people all) and every action they own, wherever it is."""
    from django.db.models import Q

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    scoped = scope_queryset(user, queryset.model._default_manager.all()).values("pk")
    return queryset.filter(Q(pk__in=scoped) | Q(owner=user))


def may_manage_actions(user: User | Any, *, department: Any = None, team: Any = None) -> bool:
    """May `user` set (and cancel, verify) corrective actions of this unit: a capability of
    ACTION_CAPABILITIES and the unit in their scope: the center's people every unit, a
    department's its department and teams, a team lead their own team only. department and
    team: the unit's rows or ids (None: the center)."""
    if not any(has_capability(user, cap) for cap in ACTION_CAPABILITIES):
        return False
    department_id = getattr(department, "pk", department)
    team_id = getattr(team, "pk", team)
    scope = user_scope(user)
    if scope.level == Level.CENTER:
        return True
    if scope.level == Level.DEPARTMENT:
        return department_id is not None and department_id == scope.department_id
    if scope.level == Level.TEAM:
        return team_id is not None and team_id == scope.team_id
    return False


# --- Inspections (audits.inspections) -------------------------------------------------------


def may_run_inspections(user: User | Any, *, department: Any) -> bool:
    """May `user` open and record a department's self-inspections and import third-party
    results for it: the auditors and managers (and administrators) whose scope holds the
    department (the center's every department)."""
    if not (has_capability(user, "audit") or has_capability(user, "issue_bulletins")):
        return False
    department_id = getattr(department, "pk", department)
    scope = user_scope(user)
    if scope.level == Level.CENTER:
        return True
    return scope.level == Level.DEPARTMENT and department_id == scope.department_id


# The process-and-system building project group (制度流程建设项目组, org.WorkingGroup code
# below) audits the processes on the spot (domain brief §3): its members run walk-throughs of
# their scope whatever their role, beside the auditors. `User.is_process_auditor` is the
# denormalised membership (like `is_reviewer`), so the check needs no query; its lead also
# approves the abolition of a standard (`may_approve_abolition`).
PROCESS_AUDIT_GROUP = "process_audit"


def in_process_audit_group(user: User | Any, *, lead: bool = False) -> bool:
    """Is `user` a member (with `lead`: the lead) of the 制度流程建设项目组?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not lead:
        return bool(getattr(user, "is_process_auditor", False))
    return user.working_group_memberships.filter(
        group__code=PROCESS_AUDIT_GROUP, is_lead=True
    ).exists()


def may_audit_walkthroughs(user: User | Any) -> bool:
    """The walk-through auditor's capability (`audit_walkthroughs`): the auditors and
    administrators, and every member of the 制度流程建设项目组."""
    return has_capability(user, "audit_walkthroughs")


def visible_walkthroughs(user: User | Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """The process walk-throughs of `queryset` the user may open: a walk-through auditor
    (`may_audit_walkthroughs`) and a manager those of their scope (an auditor of one department
    never another's); everyone the walk-throughs of the standards they own."""
    from django.db.models import Q

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    own = Q(owner=user)
    if may_audit_walkthroughs(user) or user.role == "manager":
        scoped = scope_queryset(user, queryset.model._default_manager.all()).values("pk")
        return queryset.filter(Q(pk__in=scoped) | own)
    return queryset.filter(own)


def may_run_walkthrough(user: User | Any, walkthrough: Any) -> bool:
    """May `user` conduct this walk-through (start, record the drill, findings and the
    verdict): a walk-through auditor (an auditor, an administrator or a member of the
    制度流程建设项目组) with the walk-through's department in scope, who does not own the
    walked standard (nobody audits their own process)."""
    return (
        may_audit_walkthroughs(user)
        and walkthrough.owner_id != user.pk
        and can_view(user, walkthrough)
    )


def may_draw_walkthroughs(user: User | Any) -> bool:
    """The month's draw covers every department: walk-through auditors of the whole center
    and administrators."""
    return may_audit_walkthroughs(user) and user_scope(user).level == Level.CENTER


# --- Standards (audits.standards) ----------------------------------------------------------


def visible_standards(user: User | Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """The standards of `queryset` (audits.standards.Standard) the user may open: with the
    library's capability, those of their scope; anyone, the ones they own (专人负责) or monitor
    (专人监控); agents and team leads, the published ones rolled out to their team. Written as
    plain conditions on the rows (no subquery over the whole library), so a search stays an
    index lookup."""
    from django.db.models import Q

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    visible = Q(owner=user) | Q(monitor=user)
    if has_capability(user, "standards"):
        scope = user_scope(user)
        if scope.level == Level.CENTER:
            return queryset
        if scope.level == Level.DEPARTMENT:
            return queryset.filter(visible | Q(department_id=scope.department_id))
    elif has_capability(user, "read_standards"):
        team_id = user.agent.team_id if user.role == "agent" and user.agent_id else user.team_id
        if team_id:
            rolled_out = queryset.model._default_manager.filter(
                versions__rollouts__team_id=team_id
            ).values("pk")
            visible |= Q(status="published", pk__in=rolled_out)
    return queryset.filter(visible)


def may_manage_standard(user: User | Any, *, department_id: int | None) -> bool:
    """May `user` create, publish, revise, abolish and roll out standards of this department:
    the library's managers (auditors of the 制度流程建设项目组, administrators) whose scope holds
    the department (the center's every department)."""
    if not has_capability(user, "manage_standards"):
        return False
    scope = user_scope(user)
    if scope.level == Level.CENTER:
        return True
    return scope.level == Level.DEPARTMENT and department_id == scope.department_id


def may_edit_standard(user: User | Any, standard: Any) -> bool:
    """May `user` write the content of this standard's open version and submit it: its owner
    (专人负责), or one who manages the department's standards."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return standard.owner_id == user.pk or may_manage_standard(
        user, department_id=standard.department_id
    )


def _scope_holds_department(user: User | Any, department_id: int | None) -> bool:
    scope = user_scope(user)
    if scope.level == Level.CENTER:
        return True
    return scope.level == Level.DEPARTMENT and department_id == scope.department_id


def may_request_abolition(user: User | Any, standard: Any) -> bool:
    """May `user` propose to abolish this standard: one who manages the department's
    standards (`may_manage_standard`), or a walk-through auditor (`may_audit_walkthroughs`)
    whose scope holds the department (the walk-through's verdict "abolish")."""
    if may_manage_standard(user, department_id=standard.department_id):
        return True
    return may_audit_walkthroughs(user) and _scope_holds_department(user, standard.department_id)


def may_approve_abolition(user: User | Any, request: Any) -> bool:
    """May `user` approve (or reject) this proposal to abolish a standard: the manager of the
    standard's department or a manager of the whole center, the lead of the
    制度流程建设项目组 whose scope holds the department (with the library's capability: the
    decision is taken on the standard's page), or an administrator; never the one who proposed
    it (four eyes)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if request.requested_by_id == user.pk:
        return False
    if _is_admin(user):
        return True
    department_id = request.standard.department_id
    if not _scope_holds_department(user, department_id):
        return False
    if not has_capability(user, "standards"):  # the page the decision is taken on
        return False
    return user.role == "manager" or in_process_audit_group(user, lead=True)


def visible_abolition_requests(user: User | Any, queryset: QuerySet[M]) -> QuerySet[M]:
    """The abolition proposals of `queryset` the user may open: those of the standards they
    may open (`visible_standards`) with the library's capability, and those of the standards
    they own or monitor (an agent reading a rolled-out standard sees none)."""
    from django.db.models import Q

    standards = queryset.model._meta.get_field("standard").related_model._default_manager
    visible = visible_standards(user, standards.all())
    if not has_capability(user, "standards"):
        visible = visible.filter(Q(owner=user) | Q(monitor=user))
    return queryset.filter(standard__in=visible.values("pk"))


# Opening a row of these models: the capabilities (any one) of the pages that show it, and the
# rule that says which rows the user sees there. Keyed by model label (the core imports no app).
# A model not listed: its scope alone.
DISPUTE_CAPABILITIES = frozenset({"review_disputes", "own_results", "view_results"})
_OPEN_RULES: dict[str, tuple[frozenset[str] | None, Callable[[Any, QuerySet], QuerySet]]] = {
    "evaluations.Evaluation": (
        frozenset({"own_results", "view_results", "score_calls"}),
        visible_evaluations,
    ),
    "disputes.Dispute": (DISPUTE_CAPABILITIES, scope_queryset),
    "calibration.CalibrationSession": (frozenset({"calibrate"}), visible_calibration_sessions),
    "bulletins.Bulletin": (frozenset({"read_bulletins"}), visible_bulletins),
    "actions.ImprovementTarget": (frozenset({"read_bulletins"}), scope_queryset),
    "walkthroughs.Walkthrough": (None, visible_walkthroughs),
    "actions.CorrectiveAction": (None, visible_corrective_actions),
    "standards.Standard": (None, visible_standards),
    "standards.AbolitionRequest": (None, visible_abolition_requests),
    "standards.Rollout": (frozenset({"standards", "read_standards"}), scope_queryset),
    "kpi.Shortfall": (frozenset({"view_results", "own_results"}), scope_queryset),
}


def may_open(user: User | Any, obj: Model) -> bool:
    """May `user` open `obj` (its page, its API row): the capability of its pages and the row
    among those they see there. A notification goes only to people for whom this is true."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    capabilities, rule = _OPEN_RULES.get(type(obj)._meta.label, (None, scope_queryset))
    if capabilities is not None and not any(has_capability(user, c) for c in capabilities):
        return False
    return rule(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def notification_recipients(users: Any, obj: Model) -> list:
    """The `users` who may open `obj` (`may_open`), each once, in the order given."""
    seen: set[int] = set()
    recipients = []
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        if may_open(user, obj):
            recipients.append(user)
    return recipients
