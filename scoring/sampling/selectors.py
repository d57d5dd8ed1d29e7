"""Reads for sampling: plans, supervisors' queues, and progress against a plan."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import Agent, User
from qa_center import filters
from qa_center.periods import DAY, WEEK, current, period_of
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


# --- The queue page: filters, sorting, search --------------------------------------------

QUEUE_SORTS = {
    "due": ("due_at", "pk"),
    "-due": ("-due_at", "-pk"),
    "started": ("call__started_at", "pk"),
    "-started": ("-call__started_at", "-pk"),
    "score": ("call__auto_check__score", "due_at", "pk"),
    "-score": ("-call__auto_check__score", "due_at", "pk"),
    "agent": ("call__agent__name_sort", "due_at", "pk"),
}
QUEUE_DUE = ("overdue", "today", "week")
QUEUE_WHO = ("mine", "all")


def _phrase(raw: str | None) -> str | None:
    from scoring.calls.search import MIN_PHRASE, normalize

    value = filters.text(100)(raw)
    if value is not None and len(normalize(value)) < MIN_PHRASE:
        raise filters.FilterError(
            _("Search for at least %(n)s letters or characters.") % {"n": MIN_PHRASE}
        )
    return value


@dataclass
class QueueFilters:
    """What the queue page shows: whose assignments (the user's own, or every open one in
    their scope, for reassigning), filtered, searched and sorted."""

    who: str = "mine"
    agent: int | None = None
    team: int | None = None
    plan: int | None = None
    due: str | None = None
    score_min: Decimal | None = None
    score_max: Decimal | None = None
    critical: bool | None = None
    q: str | None = None  # call id
    said: str | None = None  # a phrase of the transcript
    sort: str = "due"

    @staticmethod
    def spec() -> dict:
        return {
            "who": filters.choice(QUEUE_WHO),
            "agent": filters.id_,
            "team": filters.id_,
            "plan": filters.id_,
            "due": filters.choice(QUEUE_DUE),
            "score_min": filters.decimal(min_value=0, max_value=100),
            "score_max": filters.decimal(min_value=0, max_value=100),
            "critical": filters.yes_no,
            "q": filters.text(64),
            "said": _phrase,
            "sort": filters.choice(QUEUE_SORTS),
        }

    @classmethod
    def from_parsed(cls, parsed: filters.Parsed, *, default_who: str = "mine") -> QueueFilters:
        values = {k: v for k, v in parsed.values.items() if v is not None}
        values.setdefault("who", default_who)
        return cls(**values)

    @property
    def narrowed(self) -> bool:
        """Whether anything but `who` and `sort` is set (the page offers "show all")."""
        names = ("agent", "team", "plan", "due", "score_min", "score_max", "critical", "q")
        return any(getattr(self, n) not in (None, "") for n in names) or bool(self.said)


def queue_rows(user: User, flt: QueueFilters) -> QuerySet[Assignment]:
    """Open assignments for the queue page: the user's own (`who=mine`) or every open one in
    the user's scope (`who=all`), filtered and sorted (by due date: calls to confirm first)."""
    qs = Assignment.objects.filter(status=Assignment.Status.OPEN).select_related(
        "call__agent", "call__team", "call__auto_check", "plan", "supervisor"
    )
    if flt.who == "mine":
        qs = qs.filter(supervisor=user)
    else:
        qs = scope_queryset(user, qs)
    if flt.agent:
        qs = qs.filter(call__agent_id=flt.agent)
    if flt.team:
        qs = qs.filter(call__team_id=flt.team)
    if flt.plan:
        qs = qs.filter(plan_id=flt.plan)
    if flt.due:
        now = timezone.now()
        if flt.due == "overdue":
            qs = qs.filter(due_at__lt=now)
        else:
            period = current(DAY) if flt.due == "today" else current(WEEK)
            qs = qs.filter(due_at__lt=period.end)
    if flt.score_min is not None:
        qs = qs.filter(call__auto_check__score__gte=flt.score_min)
    if flt.score_max is not None:
        qs = qs.filter(call__auto_check__score__lte=flt.score_max)
    if flt.critical is not None:
        qs = qs.filter(call__auto_check__critical_failed=flt.critical)
    if flt.q:
        qs = qs.filter(call__call_id__icontains=flt.q)
    if flt.said:
        from scoring.calls.models import Call
        from scoring.calls.search import phrase_filter

        qs = qs.filter(call__in=phrase_filter(Call.objects.all(), flt.said).values("pk"))
    order = QUEUE_SORTS.get(flt.sort, QUEUE_SORTS["due"])
    if flt.sort == "due":
        return qs.order_by(to_confirm_first(), *order)
    return qs.order_by(*order)


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
    "QueueFilters",
    "assignments_for",
    "overdue",
    "plans_for",
    "queue_for",
    "queue_rows",
    "sampling_progress",
    "to_confirm_first",
]
