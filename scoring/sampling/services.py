"""专项抽检: sampling plans, the weekly draw of calls, and supervisors' assignments.

A plan asks for N calls per agent per week (Monday–Sunday in the center's time zone). The draw
is stratified by team (each team's calls are drawn within the team, and with "by team"
assignment every team goes to one supervisor), optionally weighted toward calls the engine
scored low or flagged as critical, and never picks a call that was already evaluated or
sampled. Running it again for the same plan and week only tops up what is missing.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from org.models import User
from qa_center.periods import WEEK, period_of, week_start_of
from qa_center.permissions import has_capability, may_manage_sampling_plan
from scoring.calls.models import Call, Review
from scoring.evaluations.models import Evaluation
from scoring.sampling.models import Assignment, SamplingPlan

# Beyond the base weight of 1: a call scored 0 by the engine counts 1 + 4 = 5 times as likely
# as a perfect one; a critical hit adds 3 more. Strong enough to matter, never exclusive.
LOW_SCORE_WEIGHT = 4.0
CRITICAL_WEIGHT = 3.0

DONE_EVALUATION_STATUSES = (
    Evaluation.Status.SUBMITTED,
    Evaluation.Status.ACKNOWLEDGED,
    Evaluation.Status.DISPUTED,
    Evaluation.Status.FINAL,
)


@dataclass
class SamplingResult:
    """What one run of a plan for one week did."""

    plan_id: int
    week_start: datetime.date
    created: int = 0
    already: int = 0
    short_agents: list[int] = field(default_factory=list)  # agents with fewer calls than N


# --- Plans ------------------------------------------------------------------------------------


@transaction.atomic
def sampling_plan_save(
    *,
    actor: User,
    plan: SamplingPlan | None = None,
    supervisors: list[User],
    **fields,
) -> SamplingPlan:
    """Creates or updates a plan. Supervisors of another department cannot be assigned work."""
    plan = plan or SamplingPlan()
    if plan.pk and not may_manage_sampling_plan(actor, plan=plan):
        raise ValidationError(_("You may not change this sampling plan."))
    for name, value in fields.items():
        setattr(plan, name, value)
    if not may_manage_sampling_plan(actor, department=plan.department):
        raise ValidationError(
            {"department": _("You may only manage sampling plans of your own department.")}
        )
    if not supervisors:
        raise ValidationError({"supervisors": _("Choose at least one supervisor.")})
    for supervisor in supervisors:
        if not has_capability(supervisor, "score_calls"):
            raise ValidationError(
                {"supervisors": _("%(name)s cannot score calls.") % {"name": supervisor}}
            )
        if (
            plan.department_id
            and supervisor.department_id
            and supervisor.department_id != plan.department_id
        ):
            raise ValidationError(
                {"supervisors": _("%(name)s works in another department.") % {"name": supervisor}}
            )
    plan.full_clean()
    plan.save()
    plan.supervisors.set(supervisors)
    return plan


# --- The draw ---------------------------------------------------------------------------------


def call_weight(*, plan: SamplingPlan, auto_score: Decimal | float | None, critical: bool) -> float:
    weight = 1.0
    if plan.weight_low_scores and auto_score is not None:
        weight += LOW_SCORE_WEIGHT * max(0.0, min(100.0, 100.0 - float(auto_score))) / 100.0
    if plan.weight_critical and critical:
        weight += CRITICAL_WEIGHT
    return weight


def weighted_sample(items: list, weights: list[float], k: int, rng: random.Random) -> list:
    """k items without replacement, each draw proportional to weight (Efraimidis–Spirakis:
    keep the k largest u^(1/w))."""
    if k <= 0:
        return []
    keyed = [(rng.random() ** (1.0 / w), index) for index, w in enumerate(weights)]
    keyed.sort(reverse=True)
    return [items[index] for _key, index in keyed[:k]]


def plan_calls(plan: SamplingPlan, start: datetime.datetime, end: datetime.datetime):
    calls = Call.objects.filter(started_at__gte=start, started_at__lt=end)
    if plan.department_id:
        calls = calls.filter(team__department_id=plan.department_id)
    return calls


def sampling_candidates(plan: SamplingPlan, week_start: datetime.date):
    """The week's calls in the plan's reach that nobody has evaluated or sampled yet."""
    week = period_of(WEEK, week_start)
    evaluated = Evaluation.objects.filter(call=OuterRef("pk"), is_calibration=False)
    sampled = Assignment.objects.filter(call=OuterRef("pk")).exclude(
        status=Assignment.Status.CANCELLED
    )
    return (
        plan_calls(plan, week.start, week.end)
        .filter(~Exists(evaluated), ~Exists(sampled))
        .values_list(
            "pk",
            "agent_id",
            "team_id",
            "auto_check__score",
            "auto_check__critical_failed",
            "auto_check__review",
        )
        .order_by("pk")
    )


def _seed_for(plan: SamplingPlan, week_start: datetime.date) -> int:
    return plan.pk * 100_003 + week_start.toordinal()


def _supervisor_for_team(
    plan: SamplingPlan, supervisors: list[User], existing: list[Assignment], teams: list[int]
) -> dict[int, int]:
    """A supervisor per team, spread evenly: keep last run's choices for this week, give each
    new team to the supervisor with the fewest teams so far."""
    mapping: dict[int, int] = {}
    for assignment in existing:
        mapping.setdefault(assignment.call.team_id, assignment.supervisor_id)
    load = {s.pk: 0 for s in supervisors}
    for supervisor_id in mapping.values():
        if supervisor_id in load:
            load[supervisor_id] += 1
    order = [s.pk for s in supervisors]
    for team_id in sorted(teams):
        if team_id in mapping and mapping[team_id] in load:
            continue
        chosen = min(order, key=lambda pk: (load[pk], order.index(pk)))
        mapping[team_id] = chosen
        load[chosen] += 1
    return mapping


@transaction.atomic
def sampling_run(
    *,
    plan: SamplingPlan,
    week_start: datetime.date,
    seed: int | None = None,
    now: datetime.datetime | None = None,
) -> SamplingResult:
    """Draws up to `calls_per_agent` calls per agent for the week and assigns them."""
    if week_start != week_start_of(week_start):
        raise ValidationError({"week_start": _("A sampling week starts on a Monday.")})
    # The row lock makes two concurrent runs of the same plan take turns; the second one then
    # sees the first one's assignments and tops up nothing.
    plan = SamplingPlan.objects.select_for_update().get(pk=plan.pk)
    supervisors = list(plan.supervisors.filter(is_active=True).order_by("pk"))
    if not supervisors:
        raise ValidationError({"supervisors": _("The plan has no active supervisors.")})
    now = now or timezone.now()
    rng = random.Random(_seed_for(plan, week_start) if seed is None else seed)
    result = SamplingResult(plan_id=plan.pk, week_start=week_start)

    existing = list(
        Assignment.objects.filter(plan=plan, period_start=week_start)
        .exclude(status=Assignment.Status.CANCELLED)
        .select_related("call")
    )
    per_agent_existing: dict[int, int] = defaultdict(int)
    for assignment in existing:
        per_agent_existing[assignment.call.agent_id] += 1
    result.already = len(existing)

    # Strata: team → agent → candidate calls.
    strata: dict[int, dict[int, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for row in sampling_candidates(plan, week_start):
        strata[row[2]][row[1]].append(row)

    drawn: list[tuple[int, int]] = []  # (call id, team id)
    for team_id in sorted(strata):
        for agent_id in sorted(strata[team_id]):
            need = plan.calls_per_agent - per_agent_existing[agent_id]
            rows = strata[team_id][agent_id]
            # A call to confirm (a provisional critical zero on weak evidence) is always drawn:
            # it counts in the agent's quota, and goes beyond it when the agent has more calls
            # to confirm than the quota; it must not wait for a lucky draw.
            picked = [r for r in rows if r[5] == Review.TO_CONFIRM]
            rows = [r for r in rows if r[5] != Review.TO_CONFIRM]
            need -= len(picked)
            if need <= 0 and not picked:
                continue
            weights = [call_weight(plan=plan, auto_score=r[3], critical=bool(r[4])) for r in rows]
            drawn_at_random = weighted_sample(rows, weights, need, rng)
            picked += drawn_at_random
            # An agent who moved team mid-week may have calls in two strata; the quota is the
            # agent's, so count as we go.
            per_agent_existing[agent_id] += len(picked)
            if len(drawn_at_random) < need:
                result.short_agents.append(agent_id)
            drawn.extend((row[0], team_id) for row in picked)

    if not drawn:
        return result
    week_end = period_of(WEEK, week_start).end
    due_at = max(now, week_end) + datetime.timedelta(days=plan.due_days)
    if plan.assignment == SamplingPlan.Assign.BY_TEAM:
        team_of = _supervisor_for_team(plan, supervisors, existing, [t for _c, t in drawn])
        supervisor_for = [team_of[team_id] for _call, team_id in drawn]
    else:
        # Round robin, continuing from whoever has the least of this week's work.
        load = {s.pk: 0 for s in supervisors}
        for assignment in existing:
            if assignment.supervisor_id in load:
                load[assignment.supervisor_id] += 1
        order = [s.pk for s in supervisors]
        supervisor_for = []
        for _call in drawn:
            chosen = min(order, key=lambda pk: (load[pk], order.index(pk)))
            load[chosen] += 1
            supervisor_for.append(chosen)
    Assignment.objects.bulk_create(
        [
            Assignment(
                plan=plan,
                call_id=call_id,
                supervisor_id=supervisor_id,
                period_start=week_start,
                due_at=due_at,
            )
            for (call_id, _team), supervisor_id in zip(drawn, supervisor_for, strict=True)
        ]
    )
    result.created = len(drawn)
    return result


def sampling_run_active(*, week_start: datetime.date) -> list[SamplingResult]:
    results = []
    for plan in SamplingPlan.objects.filter(is_active=True).order_by("pk"):
        try:
            results.append(sampling_run(plan=plan, week_start=week_start))
        except ValidationError:
            continue  # a plan without supervisors: nothing to assign, the others still run
    return results


# --- Completing assignments ----------------------------------------------------------------


def assignments_sync_done(*, supervisor: User | None = None) -> int:
    """Closes open assignments whose call the assigned supervisor has already scored (through
    the linked evaluation or any submitted evaluation of the same call)."""
    submitted = Evaluation.objects.filter(
        call=OuterRef("call"),
        evaluator=OuterRef("supervisor"),
        is_calibration=False,
        status__in=DONE_EVALUATION_STATUSES,
    )
    open_ = Assignment.objects.filter(status=Assignment.Status.OPEN)
    if supervisor is not None:
        open_ = open_.filter(supervisor=supervisor)
    return open_.filter(Exists(submitted)).update(status=Assignment.Status.DONE)


__all__ = [
    "SamplingResult",
    "assignments_reassign",
    "assignments_sync_done",
    "call_weight",
    "sampling_candidates",
    "sampling_plan_save",
    "sampling_run",
    "sampling_run_active",
]


# --- Reassigning --------------------------------------------------------------------------


@transaction.atomic
def assignments_reassign(*, actor: User, assignment_ids: list[int], to: User) -> int:
    """Gives open assignments to another supervisor, all or nothing. The actor must see every
    one of them (their scope) and `to` must be able to score every call (the score_calls
    capability and the call in their scope); otherwise nothing changes and the error names
    each call that cannot go. Returns how many were reassigned."""
    from qa_center.permissions import scope_queryset

    if not has_capability(actor, "assign_calls"):
        raise PermissionDenied(_("You may not reassign calls."))
    ids = sorted(set(assignment_ids))
    if not ids:
        raise ValidationError(_("Choose at least one call to reassign."))
    if not to.is_active or not has_capability(to, "score_calls"):
        raise ValidationError(
            _("%(name)s cannot score calls.") % {"name": to.display_name}, code="supervisor"
        )
    rows = list(
        scope_queryset(actor, Assignment.objects.select_for_update().filter(pk__in=ids))
        .select_related("call")
        .order_by("pk")
    )
    problems = []
    missing = len(ids) - len(rows)
    if missing:
        problems.append(
            ngettext(
                "%(n)s of the chosen calls is not in your scope.",
                "%(n)s of the chosen calls are not in your scope.",
                missing,
            )
            % {"n": missing}
        )
    scorable = set(
        scope_queryset(to, Call.objects.filter(pk__in=[r.call_id for r in rows])).values_list(
            "pk", flat=True
        )
    )
    for row in rows:
        if row.status != Assignment.Status.OPEN:
            problems.append(
                _("Call %(call)s is no longer waiting to be scored.") % {"call": row.call.call_id}
            )
        elif row.call_id not in scorable:
            problems.append(
                _("Call %(call)s is outside %(name)s's scope: they may not score it.")
                % {"call": row.call.call_id, "name": to.display_name}
            )
    if problems:
        raise ValidationError(problems)
    moved = Assignment.objects.filter(pk__in=[r.pk for r in rows]).update(supervisor=to)
    _notify_reassigned(actor=actor, to=to, rows=[r for r in rows if r.supervisor_id != to.pk])
    return moved


def _notify_reassigned(*, actor: User, to: User, rows: list[Assignment]) -> None:
    """Tells the supervisor who received the calls (not the one who gave them to themselves):
    one notification naming the calls they may open (qa_center.permissions.may_open, checked
    per call; the queue page is where they are scored)."""
    from django.urls import reverse

    from qa_center.notifications import notify
    from qa_center.permissions import may_open

    if to.pk == actor.pk or not rows:
        return
    calls = [r.call for r in rows if may_open(to, r.call)]
    if not calls:
        return
    shown = [c.call_id for c in calls[:10]]
    if len(calls) > len(shown):
        shown.append("…")
    notify(
        users=[to],
        about=calls[0],
        title=ngettext(
            "%(name)s gave you %(n)s call to score",
            "%(name)s gave you %(n)s calls to score",
            len(calls),
        )
        % {"name": actor.display_name, "n": len(calls)},
        body=_("Calls: %(calls)s") % {"calls": "、".join(shown)},
        url=reverse("sampling:queue"),
    )
