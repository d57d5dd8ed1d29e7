"""Writing bulletins: generating a week's or a month's bulletins, revising, issuing notices,
improvement targets and their follow-up, read markers.

Idempotence: (kind, scope, period, revision) is unique in the database. A run takes a
PostgreSQL advisory lock for its period, skips scopes that already have a bulletin, and writes
all of its bulletins, follow-ups and notifications in one transaction — so two runs at once
yield one bulletin per scope, and a run killed half-way leaves nothing and is simply retried.
A revision is of the revision current when it was asked for: re-read under the lock, a scope
that another run revised meanwhile is skipped, so two requests for a revision at once (the
command run twice, a double click on "correct") make one revision, not two.
"""

from __future__ import annotations

import datetime
import logging
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audits.actions import services as action_services
from audits.actions.models import ImprovementTarget, TargetFollowUp
from bulletins.figures import (
    Acc,
    Collected,
    collect,
    pct,
)
from bulletins.models import (
    Bulletin,
    BulletinRead,
    Kind,
    NoticeSequence,
    scope_key,
)
from bulletins.report import Builder, Org, ScopeRef, scope_accs
from org.models import Role, User
from qa_center import periods
from qa_center.levels import Level
from qa_center.notifications import notify
from qa_center.permissions import has_capability, may_write_bulletin, user_scope

log = logging.getLogger(__name__)
OPEN_STATUSES = (ImprovementTarget.Status.OPEN, ImprovementTarget.Status.ESCALATED)
# Memory for the run's GROUP BYs and sorts (this transaction only; bench/bulletin.py gives its
# reference query the same).
RUN_WORK_MEM = "64MB"


@dataclass
class RunResult:
    created: list[Bulletin]
    skipped: int


def _lock_period(kind: str, period_start: datetime.date) -> None:
    """Serialize runs of the same period across processes (PostgreSQL; SQLite serializes all
    writers anyway). Held until the transaction ends. The run's grouping and its window sort
    of example calls get enough memory not to spill to disk (this transaction only)."""
    if connection.vendor != "postgresql":
        return
    key = zlib.crc32(f"bulletins:{kind}:{period_start.isoformat()}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4242, key - 2**31])
        cursor.execute("SET LOCAL work_mem = %s", [RUN_WORK_MEM])


def _current_revisions(kind: str, period_start: datetime.date) -> dict[str, int]:
    """The highest revision of each scope's bulletin of the period: {scope_key: revision}."""
    return dict(
        Bulletin.objects.filter(kind=kind, period_start=period_start)
        .values("scope_key")
        .annotate(rev=Max("revision"))
        .values_list("scope_key", "rev")
    )


def _title(kind: str, scope: ScopeRef, period_start: datetime.date, org: Org) -> str:
    # A bulletin is a document of the center, in the center's language, whoever runs the job.
    with translation.override(settings.LANGUAGE_CODE):
        return _title_text(kind, scope, period_start)


def _title_text(kind: str, scope: ScopeRef, period_start: datetime.date) -> str:
    if kind == Kind.MONTHLY:
        return _("Service quality notice for %(month)s") % {"month": period_start.strftime("%Y-%m")}
    year, week, _day = period_start.isocalendar()
    where = scope.label or _("Center")
    return _("%(scope)s weekly bulletin, %(year)s week %(week)s") % {
        "scope": where,
        "year": year,
        "week": week,
    }


def _scope_of(bulletin: Bulletin) -> ScopeRef:
    return ScopeRef(
        bulletin.level,
        department_id=bulletin.department_id,
        team_id=bulletin.team_id,
        label=bulletin.scope_label if bulletin.level != Level.CENTER else "",
    )


def _hook(stage: str) -> None:
    """A seam for tests that simulate a worker dying at a given stage."""


# --- weekly ---------------------------------------------------------------------------------
def bulletins_generate_week(
    *,
    week_start: datetime.date,
    scopes: Iterable[str] | None = None,
    revise: bool = False,
    reason: str = "",
    notify_readers: bool = True,
    of_revisions: dict[str, int] | None = None,
) -> RunResult:
    """Generate the weekly bulletins of the week starting `week_start` (a Monday) for every
    scope (or those whose scope_key is in `scopes`). Without `revise`, scopes that already
    have a bulletin are skipped; with it, each gets a new revision carrying `reason` — a
    revision of the one current when this was called (or given in `of_revisions`, {scope_key:
    revision}); a scope revised by someone else meanwhile is skipped, not revised twice."""
    week = periods.period_of(periods.WEEK, week_start)
    week_start = week.first_day
    if revise and not reason.strip():
        raise ValidationError({"reason": _("Say why the bulletin is regenerated.")})
    if revise and of_revisions is None:
        # Read before waiting for the lock: what this request asks to revise. A run that holds
        # the lock now has not committed its revision, so it is not seen here, and it is
        # found under the lock below.
        of_revisions = _current_revisions(Kind.WEEKLY, week_start)
    period = (week_start, week.last_day)
    start, end = week.start, week.end
    prev_start = periods.previous(week).start
    wanted = set(scopes) if scopes else None

    with transaction.atomic():
        _lock_period(Kind.WEEKLY, week_start)
        org = Org()
        all_scopes = [s for s in org.scopes() if wanted is None or s.key in wanted]
        latest = _current_revisions(Kind.WEEKLY, week_start)
        if revise:
            todo = [s for s in all_scopes if latest.get(s.key, 0) == of_revisions.get(s.key, 0)]
        else:
            todo = [s for s in all_scopes if s.key not in latest]
        if not todo:
            return RunResult([], len(all_scopes))
        collected = collect(
            start=start,
            end=end,
            prev_start=prev_start,
            previous=_previous_figures(periods.previous(week).first_day, org),
        )
        _hook("collected")
        builder = Builder(collected=collected, org=org, period=period)
        trends = _trends(week_start)
        follow = _follow_up_targets(collected, org, week_start)
        now = timezone.now()
        bulletins = []
        for scope in todo:
            data, summary = builder.build(
                scope,
                trend=trends.get(scope.key, []),
                targets=_targets_for(scope, follow),
            )
            bulletins.append(
                Bulletin(
                    kind=Kind.WEEKLY,
                    level=scope.level,
                    department_id=scope.department_id if scope.level != Level.CENTER else None,
                    team_id=scope.team_id,
                    scope_key=scope.key,
                    period_start=period[0],
                    period_end=period[1],
                    revision=latest.get(scope.key, 0) + 1,
                    reason=reason if revise else "",
                    status=Bulletin.Status.ISSUED,
                    title=_title(Kind.WEEKLY, scope, week_start, org),
                    data=data,
                    summary=summary,
                    generated_at=now,
                    issued_at=now,
                )
            )
        created = _insert(bulletins)
        _hook("inserted")
        by_key = {b.scope_key: b for b in created}
        _record_follow_ups(follow, by_key, week_start, org)
        _hook("followed_up")
        if notify_readers:
            _announce(created)
    return RunResult(created, len(all_scopes) - len(todo))


def _previous_figures(week_start: datetime.date, org: Org) -> dict[int, Acc] | None:
    """Last week's figures of every team as its bulletin (latest revision) recorded them, or
    None — and the run scans last week again — unless every team has one. The job runs every
    week, so normally they are there; they are last week's figures as last week's bulletins
    reported them (a call imported late for last week shows in a revision, not in this
    week's change). One query over 500 small JSON values instead of a second week of calls."""
    rows = (
        Bulletin.objects.filter(kind=Kind.WEEKLY, level=Level.TEAM, period_start=week_start)
        .order_by("team_id", "revision")
        .values_list("team_id", "data__figures")
    )
    latest = {}
    for team_id, figures in rows:
        latest[team_id] = figures  # the highest revision comes last
    if not org.teams or any(not latest.get(team_id) for team_id in org.teams):
        return None
    return {team_id: Acc.from_figures(latest[team_id]) for team_id in org.teams}


def _insert(bulletins: list[Bulletin]) -> list[Bulletin]:
    """Insert in bulk; if another run slipped in (no advisory lock on SQLite), keep what is
    there and insert the rest one by one, each in a savepoint."""
    try:
        with transaction.atomic():
            return Bulletin.objects.bulk_create(bulletins, batch_size=200)
    except IntegrityError:
        created = []
        for bulletin in bulletins:
            try:
                with transaction.atomic():
                    bulletin.save()
                created.append(bulletin)
            except IntegrityError:
                continue
        return created


def _trends(week_start: datetime.date) -> dict[str, list[dict]]:
    """The headline figures of the previous 11 weeks as their bulletins reported them, per
    scope: one query over the small `summary` column."""
    first = week_start - datetime.timedelta(weeks=11)
    rows = (
        Bulletin.objects.filter(
            kind=Kind.WEEKLY, period_start__gte=first, period_start__lt=week_start
        )
        .order_by("scope_key", "period_start", "revision")
        .values_list("scope_key", "period_start", "summary")
    )
    latest: dict[tuple[str, datetime.date], dict] = {}
    for key, start, summary in rows:
        latest[(key, start)] = summary  # the highest revision comes last
    trends: dict[str, list[dict]] = {}
    for (key, start), summary in sorted(latest.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        trends.setdefault(key, []).append({"week": start.isoformat(), **summary})
    return trends


# --- improvement targets ------------------------------------------------------------------
def _metric_value(target: ImprovementTarget, collected: Collected, org: Org) -> float | None:
    if target.level == Level.TEAM:
        scope = ScopeRef(Level.TEAM, target.department_id, target.team_id)
    else:
        scope = ScopeRef(Level.DEPARTMENT, target.department_id)
    cur, _prev = scope_accs(collected, org, org.team_ids(scope))
    if target.metric == ImprovementTarget.Metric.RULE:
        return cur.rule_compliance(target.code)[0]
    if target.metric == ImprovementTarget.Metric.ITEM:
        return cur.item_compliance(target.code)[0]
    return pct(cur.passed, cur.evaluated)


@dataclass
class FollowUp:
    target: ImprovementTarget
    actual: float | None
    met: bool
    new_status: str
    existing: bool


def _follow_up_targets(collected: Collected, org: Org, week_start: datetime.date) -> list[dict]:
    """This week's verdict on every target still open (or escalated), decided once: a week
    already followed up keeps its first verdict."""
    targets = list(
        ImprovementTarget.objects.filter(
            Q(status__in=OPEN_STATUSES) | Q(follow_ups__week_start=week_start)
        )
        # Followed up from the week after the bulletin that showed the shortfall.
        .filter(
            Q(
                source_bulletin_id__in=Bulletin.objects.filter(period_start__lt=week_start).values(
                    "pk"
                )
            )
            | Q(
                source_bulletin_id__isnull=True,
                created_at__lt=periods.period_of(periods.WEEK, week_start).end,
            )
        )
        .select_related("action__owner", "team", "department")
        .distinct()
    )
    done = {
        f.target_id: f
        for f in TargetFollowUp.objects.filter(
            target__in=[t.pk for t in targets], week_start=week_start
        )
    }
    result = []
    for target in targets:
        if target.pk in done:
            actual = float(done[target.pk].actual) if done[target.pk].actual is not None else None
            met = done[target.pk].met
            new_status = target.status
            existing = True
        else:
            actual = _metric_value(target, collected, org)
            met = actual is not None and actual >= float(target.target_value)
            new_status = target.status
            if met:
                new_status = ImprovementTarget.Status.MET
            elif week_start >= target.due_week and target.status == ImprovementTarget.Status.OPEN:
                new_status = (
                    ImprovementTarget.Status.ESCALATED
                    if target.level == Level.TEAM
                    else ImprovementTarget.Status.MISSED
                )
            existing = False
        result.append(
            {
                "target": target,
                "actual": actual,
                "met": met,
                "new_status": new_status,
                "existing": existing,
                "row": {
                    "id": target.pk,
                    "label": target.label,
                    "metric": target.metric,
                    "team": target.team.name if target.team_id else "",
                    "team_id": target.team_id,
                    "department_id": target.department_id,
                    "measure": target.measure,
                    "owner": target.owner.display_name,
                    "baseline": float(target.baseline) if target.baseline is not None else None,
                    "target": float(target.target_value),
                    "due_week": target.due_week.isoformat(),
                    "due_iso_week": target.due_iso_week,
                    "actual": actual,
                    "met": met,
                    "status": new_status,
                },
            }
        )
    return result


def _targets_for(scope: ScopeRef, follow: list[dict]) -> list[dict]:
    """A team's bulletin follows its own targets; a department's follows its own targets and
    the team targets escalated to it; the center's shows every escalated or missed one."""
    rows = []
    for item in follow:
        target, status = item["target"], item["new_status"]
        if scope.level == Level.TEAM:
            keep = target.team_id == scope.team_id
        elif scope.level == Level.DEPARTMENT:
            keep = target.department_id == scope.department_id and (
                target.level == Level.DEPARTMENT or status == ImprovementTarget.Status.ESCALATED
            )
        else:
            keep = status in (ImprovementTarget.Status.ESCALATED, ImprovementTarget.Status.MISSED)
        if keep:
            rows.append(item["row"])
    return rows


def _record_follow_ups(
    follow: list[dict], bulletins: dict[str, Bulletin], week_start: datetime.date, org: Org
) -> None:
    now = timezone.now()
    new_rows = []
    escalated = []
    for item in follow:
        if item["existing"]:
            continue
        target = item["target"]
        key = scope_key(target.level, target.department_id, target.team_id)
        source = bulletins.get(key)
        new_rows.append(
            TargetFollowUp(
                target=target,
                week_start=week_start,
                actual=Decimal(str(item["actual"])) if item["actual"] is not None else None,
                met=item["met"],
                bulletin_id=source.pk if source else None,
            )
        )
        action_services.improvement_target_follow_up_note(target, week_start, item["actual"])
        if item["new_status"] != target.status:
            was = target.status
            target.status = item["new_status"]
            if target.status == ImprovementTarget.Status.MET:
                target.closed_at = now
            elif target.status == ImprovementTarget.Status.ESCALATED:
                target.escalated_at = now
            else:
                target.closed_at = now
            # Only if nobody changed it since it was read: a target amended meanwhile (a new
            # measure recorded for its item) stays amended and is not marked missed.
            changed = ImprovementTarget.objects.filter(pk=target.pk, status=was).update(
                status=target.status,
                closed_at=target.closed_at,
                escalated_at=target.escalated_at,
            )
            if changed:
                # The target's corrective action follows: met is verified effective and
                # closed, escalated is marked so (see improvement_target_settle).
                action_services.improvement_target_settle(
                    target=target,
                    status=target.status,
                    week_start=week_start,
                    actual=item["actual"],
                )
            if changed and target.status == ImprovementTarget.Status.ESCALATED:
                escalated.append(target)
    TargetFollowUp.objects.bulk_create(new_rows, ignore_conflicts=True)
    for target in escalated:
        managers = User.objects.filter(
            role=Role.MANAGER, department_id=target.department_id, is_active=True
        )
        notify(
            users=managers,
            about=target,
            title=_("Target missed and escalated: %(team)s, %(label)s")
            % {"team": target.team.name if target.team_id else "", "label": target.label},
            body=_("Target %(target)s%% by week %(week)s, measure: %(measure)s")
            % {
                "target": target.target_value,
                "week": target.due_iso_week,
                "measure": target.measure,
            },
            url=reverse("bulletins:list"),
            email=True,
        )


def improvement_target_create(
    *,
    actor: User,
    bulletin: Bulletin,
    metric: str,
    code: str,
    label: str,
    target_value: Decimal,
    due_week: datetime.date,
    measure: str,
) -> ImprovementTarget:
    """A team lead's (or department's) measure and target for a shortfall seen in `bulletin`.
    A target still open for the same item is replaced by this one: it amends the measure, so
    the old one is closed as amended, never as missed (the monthly notice lists misses)."""
    if not may_write_bulletin(actor, bulletin, capability=None):
        raise PermissionDenied(_("You may set targets only on your own scope's bulletins."))
    if bulletin.level == Level.CENTER:
        raise ValidationError(_("Targets are set for a team or a department."))
    baseline = None
    for row in bulletin.data.get("rules", []) + bulletin.data.get("items", []):
        if row["kind"] == metric and row["code"] == code:
            baseline = row["compliance"]
            label = label or row["label"]
    if metric == ImprovementTarget.Metric.PASS_RATE:
        baseline = bulletin.data.get("headline", {}).get("pass_rate")
        label = label or _("Pass rate")
    if due_week < bulletin.period_start:
        raise ValidationError({"due_week": _("The due week must come after the bulletin's week.")})
    return action_services.improvement_target_create(
        by=actor,
        level=bulletin.level,
        department_id=bulletin.department_id,
        team_id=bulletin.team_id if bulletin.level == Level.TEAM else None,
        metric=metric,
        code=code,
        label=label or code,
        baseline=Decimal(str(baseline)) if baseline is not None else None,
        target_value=target_value,
        due_week=periods.week_start_of(due_week),
        measure=measure,
        source_bulletin_id=bulletin.pk,
    )


# --- monthly ------------------------------------------------------------------------------
def bulletin_generate_month(
    *,
    month: datetime.date,
    revise: bool = False,
    reason: str = "",
    notify_readers: bool = True,
    actor: User | None = None,
    of_revision: int | None = None,
) -> RunResult:
    """Draft the monthly red-header notice of `month` (the center's). Without `revise` an
    existing notice is kept; with it a new revision is drafted which, if the latest was
    issued, is a correction that will get its own number — a revision of `of_revision` (by
    default the one current when this was called): if someone revised it meanwhile, nothing
    is drafted. `actor`: who asked (a page; the periodic job and the command have none), who
    must have the notice in their scope: a department's manager does not correct the
    center's notice."""
    period = periods.period_of(periods.MONTH, month)
    month = period.first_day
    if revise and not reason.strip():
        raise ValidationError({"reason": _("Say why the notice is redrafted.")})
    center = scope_key(Level.CENTER)
    if revise and of_revision is None:
        # Read before waiting for the lock (see bulletins_generate_week).
        of_revision = _current_revisions(Kind.MONTHLY, month).get(center, 0)
    with transaction.atomic():
        _lock_period(Kind.MONTHLY, month)
        previous = (
            Bulletin.objects.filter(kind=Kind.MONTHLY, scope_key=center, period_start=month)
            .order_by("-revision")
            .first()
        )
        if actor is not None and not (
            may_write_bulletin(actor, previous, capability="issue_bulletins")
            if previous
            else has_capability(actor, "issue_bulletins")
            and user_scope(actor).level == Level.CENTER
        ):
            raise PermissionDenied(_("Only the center's managers draft the center's notice."))
        if previous and not revise:
            return RunResult([], 1)
        if revise and (previous.revision if previous else 0) != of_revision:
            return RunResult([], 1)  # revised meanwhile by another request: that is the one
        if previous and previous.status == Bulletin.Status.DRAFT:
            # A draft is not a record yet: it is replaced by its next revision.
            pass
        org = Org()
        collected = collect(
            start=period.start,
            end=period.end,
            prev_start=periods.previous(period).start,
            examples_per_team=0,
        )
        _hook("collected")
        data = _month_data(collected, org, period)
        bulletin = Bulletin(
            kind=Kind.MONTHLY,
            level=Level.CENTER,
            scope_key=scope_key(Level.CENTER),
            period_start=month,
            period_end=period.last_day,
            revision=(previous.revision + 1) if previous else 1,
            reason=reason if revise else "",
            status=Bulletin.Status.DRAFT,
            title=_title(Kind.MONTHLY, ScopeRef(Level.CENTER), month, org),
            data=data,
            summary={k: data["headline"][k] for k in ("checked", "auto_mean", "pass_rate")},
            generated_at=timezone.now(),
            decisions=previous.decisions if previous else "",
            corrects=previous
            if previous and previous.status == Bulletin.Status.ISSUED
            else (previous.corrects if previous else None),
        )
        created = _insert([bulletin])
        _hook("inserted")
        if created and notify_readers:
            issuers = [
                u
                for u in User.objects.filter(
                    role__in=[Role.MANAGER, Role.ADMIN], department__isnull=True, is_active=True
                )
            ]
            notify(
                users=issuers,
                about=bulletin,
                title=_("Monthly notice drafted: %(title)s") % {"title": bulletin.title},
                body=_("Review the draft, write the decisions and issue it."),
                url=reverse("bulletins:detail", args=[bulletin.pk]),
                email=True,
            )
    return RunResult(created, 0)


def _month_data(collected: Collected, org: Org, month: periods.Period) -> dict:
    builder = Builder(collected=collected, org=org, period=(month.first_day, month.last_day))
    center, _summary = builder.build(ScopeRef(Level.CENTER), trend=[], targets=[])
    departments = []
    for dep in sorted(org.departments.values(), key=lambda d: d.code):
        data, _s = builder.build(
            ScopeRef(Level.DEPARTMENT, department_id=dep.pk, label=dep.name), trend=[], targets=[]
        )
        departments.append(
            {
                "id": dep.pk,
                "label": dep.name,
                **{
                    k: data["headline"][k]
                    for k in ("checked", "auto_mean", "evaluated", "eval_mean", "pass_rate")
                },
                "change": data["headline"]["change"],
                "shortfalls": [
                    {"label": r["label"], "compliance": r["compliance"]}
                    for r in data["shortfalls"][:5]
                ],
                "teams_below": sum(1 for t in data["teams"] if t["below"]),
            }
        )
    start, end = month.start, month.end
    closed = ImprovementTarget.objects.filter(
        Q(closed_at__gte=start, closed_at__lt=end)
        | Q(escalated_at__gte=start, escalated_at__lt=end)
    ).select_related("team", "department")
    targets = [
        {
            "label": t.label,
            "team": t.team.name if t.team_id else "",
            "department": t.department.name,
            "target": float(t.target_value),
            "due_iso_week": t.due_iso_week,
            "status": t.status,
            "measure": t.measure,
        }
        for t in closed
    ]
    return {
        "version": 1,
        "period": center["period"],
        "standards": center["standards"],
        "headline": center["headline"],
        "departments": departments,
        "rules": center["rules"],
        "shortfalls": center["shortfalls"],
        "targets_met": [t for t in targets if t["status"] == "met"],
        "targets_missed": [t for t in targets if t["status"] in ("missed", "escalated")],
        "walkthroughs": _walkthrough_results(month.first_day),
    }


def _walkthrough_results(month: datetime.date) -> dict:
    """The month's process walk-throughs (audits.walkthroughs) for the notice."""
    from audits.walkthroughs.selectors import month_results

    return month_results(month)


def bulletin_update_decisions(*, bulletin: Bulletin, decisions: str, actor: User) -> Bulletin:
    """The manager's decisions (处理决定) on a draft notice."""
    if not may_write_bulletin(actor, bulletin, capability="issue_bulletins"):
        raise PermissionDenied(_("You may write decisions only on your own scope's notices."))
    with transaction.atomic():
        locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if locked.status != Bulletin.Status.DRAFT:
            raise ValidationError(_("An issued notice cannot be changed; issue a correction."))
        locked.decisions = decisions
        locked.full_clean()
        locked.save(update_fields=["decisions"])
    return locked


def bulletin_next_number(*, now: datetime.datetime | None = None) -> str:
    """The number the next issued notice will take (shown in the issue confirmation). Only a
    forecast: bulletin_issue takes the number under a lock, and refuses when it has moved."""
    year = timezone.localdate(now or timezone.now()).year
    last = NoticeSequence.objects.filter(year=year).values_list("last", flat=True).first() or 0
    return settings.QA_NOTICE_NUMBER_FORMAT.format(year=year, seq=last + 1)


def bulletin_issue(
    *,
    bulletin: Bulletin,
    actor: User,
    decisions: str | None = None,
    expected_number: str | None = None,
) -> Bulletin:
    """Issue a drafted monthly notice: give it the next number of the year and freeze it.
    The year's sequence row is locked, so numbers are consecutive and never given twice.

    A notice goes out with its decisions written (an issued notice is never edited, so an
    empty one would stay empty). `expected_number` is the number the manager confirmed: when
    another notice took it meanwhile, nothing is issued and the error names the new one."""
    if not may_write_bulletin(actor, bulletin, capability="issue_bulletins"):
        raise PermissionDenied(_("You may issue only your own scope's notices."))
    with transaction.atomic():
        locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if locked.kind != Kind.MONTHLY:
            raise ValidationError(_("Only monthly notices are issued."))
        if locked.status != Bulletin.Status.DRAFT:
            raise ValidationError(_("This notice has already been issued."))
        if decisions is not None:
            locked.decisions = decisions
        if not locked.decisions.strip():
            raise ValidationError(
                _("Write the decisions before issuing: an issued notice cannot be changed.")
            )
        newer = Bulletin.objects.filter(
            kind=locked.kind,
            scope_key=locked.scope_key,
            period_start=locked.period_start,
            revision__gt=locked.revision,
        ).exists()
        if newer:
            raise ValidationError(_("A newer revision of this notice exists; issue that one."))
        now = timezone.now()
        year = timezone.localdate(now).year
        NoticeSequence.objects.get_or_create(year=year)
        sequence = NoticeSequence.objects.select_for_update().get(year=year)
        number = settings.QA_NOTICE_NUMBER_FORMAT.format(year=year, seq=sequence.last + 1)
        if expected_number is not None and expected_number != number:
            raise ValidationError(
                _(
                    "Notice number %(expected)s has been taken meanwhile; this notice would be "
                    "%(number)s. Confirm again."
                )
                % {"expected": expected_number, "number": number}
            )
        sequence.last += 1
        sequence.save(update_fields=["last"])
        locked.number_year = year
        locked.number_seq = sequence.last
        locked.number = number
        locked.status = Bulletin.Status.ISSUED
        locked.issued_by = actor
        locked.issued_at = now
        locked.full_clean()
        locked.save()
        _announce([locked])
    return locked


# --- reading ------------------------------------------------------------------------------
def bulletin_mark_read(*, bulletin: Bulletin, user: User) -> None:
    BulletinRead.objects.get_or_create(user=user, bulletin=bulletin)


def _announce(bulletins: list[Bulletin]) -> None:
    """Tell the readers of each new bulletin, in the app and by email: the center's to the
    center's managers, a department's to its managers, a team's to its team lead."""
    if not bulletins:
        return
    readers = list(
        User.objects.filter(is_active=True, role__in=[Role.MANAGER, Role.TEAM_LEAD]).only(
            # What the permission module reads to tell who may open the bulletin, too.
            *("pk", "role", "department_id", "team_id", "agent_id", "is_active", "is_reviewer"),
            "email",
        )
    )
    for bulletin in bulletins:
        if bulletin.kind == Kind.MONTHLY:
            users = [u for u in readers if u.role == Role.MANAGER]
        elif bulletin.level == Level.CENTER:
            users = [u for u in readers if u.role == Role.MANAGER and not u.department_id]
        elif bulletin.level == Level.DEPARTMENT:
            users = [
                u
                for u in readers
                if u.role == Role.MANAGER and u.department_id == bulletin.department_id
            ]
        else:
            users = [
                u for u in readers if u.role == Role.TEAM_LEAD and u.team_id == bulletin.team_id
            ]
        if users:
            notify(
                users=users,
                about=bulletin,
                title=_("New bulletin: %(title)s") % {"title": bulletin.title},
                url=reverse("bulletins:detail", args=[bulletin.pk]),
                email=True,
            )
