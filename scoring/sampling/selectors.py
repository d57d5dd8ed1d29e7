"""Reads for sampling: plans, supervisors' queues, and progress against a plan."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from org.models import Agent, User
from qa_center.periods import WEEK, period_of
from qa_center.permissions import scope_queryset, visible_sampling_plans
from scoring.calls.models import Review
from scoring.sampling.models import Assignment, SamplingPlan
from scoring.sampling.services import plan_calls


def plans_for(user: User) -> QuerySet[SamplingPlan]:
    """Plans the user may see: their department's and the center-wide ones."""
    plans = SamplingPlan.objects.select_related("scorecard", "department").annotate(
        supervisor_count=Count("supervisors", distinct=True)
    )
    return visible_sampling_plans(user, plans)


def to_confirm_first():
    """An ordering term: calls whose critical zero awaits a supervisor (CallCheck.review "to
    confirm") before the others, so a provisional zero does not wait behind the routine."""
    return Case(
        When(call__auto_check__review=Review.TO_CONFIRM, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def queue_for(user: User, *, include_done: bool = False) -> QuerySet[Assignment]:
    """The supervisor's assignments: calls to confirm first, then soonest due first."""
    qs = Assignment.objects.filter(supervisor=user).select_related(
        "call__agent", "call__team", "call__auto_check", "plan"
    )
    if not include_done:
        qs = qs.filter(status=Assignment.Status.OPEN)
    return qs.order_by(to_confirm_first(), "due_at", "pk")


def assignments_for(user: User) -> QuerySet[Assignment]:
    return scope_queryset(user, Assignment.objects.all()).select_related("call", "plan")


@dataclass
class ProgressRow:
    """One agent's sampling progress for a week."""

    agent: Agent
    calls: int
    target: int
    sampled: int
    evaluated: int

    @property
    def short(self) -> bool:
        return self.sampled < self.target

    @property
    def percent_evaluated(self) -> int:
        return round(100 * self.evaluated / self.sampled) if self.sampled else 0


def sampling_progress(
    user: User, *, plan: SamplingPlan, week_start: datetime.date
) -> list[ProgressRow]:
    """Per agent in the plan's reach (and the user's scope): calls taken that week, the target
    (N, or fewer when the agent took fewer calls), calls sampled, and how many were scored."""
    week = period_of(WEEK, week_start)
    calls = scope_queryset(user, plan_calls(plan, week.start, week.end))
    call_counts = dict(
        calls.values("agent_id").annotate(n=Count("pk")).values_list("agent_id", "n")
    )
    assignments = scope_queryset(
        user, Assignment.objects.filter(plan=plan, period_start=week_start)
    ).exclude(status=Assignment.Status.CANCELLED)
    sampled: dict[int, int] = defaultdict(int)
    evaluated: dict[int, int] = defaultdict(int)
    for agent_id, status in assignments.values_list("call__agent_id", "status"):
        sampled[agent_id] += 1
        if status == Assignment.Status.DONE:
            evaluated[agent_id] += 1
    agents = scope_queryset(user, Agent.objects.filter(is_active=True)).select_related("team")
    if plan.department_id:
        agents = agents.filter(team__department_id=plan.department_id)
    ids = set(call_counts) | set(sampled)
    agents = scope_queryset(user, Agent.objects.select_related("team")).filter(
        Q(pk__in=ids) | Q(pk__in=agents.values("pk"))
    )
    rows = []
    for agent in agents.order_by("team__code", "name_sort"):
        n_calls = call_counts.get(agent.pk, 0)
        rows.append(
            ProgressRow(
                agent=agent,
                calls=n_calls,
                target=min(plan.calls_per_agent, n_calls),
                sampled=sampled.get(agent.pk, 0),
                evaluated=evaluated.get(agent.pk, 0),
            )
        )
    return rows


def overdue(assignment: Assignment, now: datetime.datetime | None = None) -> bool:
    return assignment.status == Assignment.Status.OPEN and assignment.due_at < (
        now or timezone.now()
    )


__all__ = [
    "assignments_for",
    "overdue",
    "plans_for",
    "queue_for",
    "sampling_progress",
    "to_confirm_first",
]
