"""Reads of inspections, scoped by the permission module; the special sampling inspections
are the sampling plans, read through scoring.sampling's selectors."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, Prefetch, Q, QuerySet

from audits.inspections.models import (
    ChecklistItem,
    SelfInspection,
    ThirdPartyEvaluation,
    ThirdPartyResult,
)
from qa_center import periods
from qa_center.permissions import scope_queryset
from scoring.sampling.models import Assignment, SamplingPlan
from scoring.sampling.selectors import assignments_for, plans_for


def visible_self_inspections(user, qs: QuerySet | None = None) -> QuerySet[SelfInspection]:
    qs = SelfInspection.objects.all() if qs is None else qs
    return scope_queryset(user, qs)


def self_inspection_list(user) -> QuerySet[SelfInspection]:
    return (
        visible_self_inspections(user)
        .select_related("department", "inspector")
        .annotate(
            item_count=Count("items"),
            recorded=Count("items", filter=~Q(items__result="")),
            nonconformities=Count("items", filter=Q(items__result__in=["minor", "major"])),
        )
    )


def self_inspection_detail(user, pk: int) -> SelfInspection | None:
    return (
        visible_self_inspections(user)
        .select_related("department", "inspector", "created_by")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=ChecklistItem.objects.select_related(
                    "standard", "standard_version", "action", "recorded_by"
                ),
            )
        )
        .filter(pk=pk)
        .first()
    )


def visible_third_party(user) -> QuerySet[ThirdPartyEvaluation]:
    """The evaluations with at least one result the user may see."""
    results = scope_queryset(user, ThirdPartyResult.objects.all())
    return ThirdPartyEvaluation.objects.filter(
        pk__in=results.values("evaluation_id")
    ).select_related("imported_by")


def third_party_results(user, evaluation: ThirdPartyEvaluation) -> QuerySet[ThirdPartyResult]:
    """The evaluation's results the user may see (their departments' and teams')."""
    return scope_queryset(
        user, ThirdPartyResult.objects.filter(evaluation=evaluation)
    ).select_related("department", "team")


def third_party_summary(user, evaluation: ThirdPartyEvaluation) -> list[dict]:
    """Per department (and team) the mean score and the samples, of what the user may see."""
    rows = (
        third_party_results(user, evaluation)
        .values("department__name", "team__name")
        .annotate(mean=Avg("score"), items=Count("pk"))
        .order_by("department__name", "team__name")
    )
    return [
        {
            "department": r["department__name"],
            "team": r["team__name"] or "",
            "mean": round(float(r["mean"]), 1),
            "items": r["items"],
        }
        for r in rows
    ]


@dataclass
class SamplingInspection:
    """A sampling plan as a special sampling inspection (专项抽检): its week's results."""

    plan: SamplingPlan
    week_start: datetime.date
    sampled: int
    scored: int
    mean_score: float | None
    failed: int

    @property
    def percent_scored(self) -> int:
        return round(100 * self.scored / self.sampled) if self.sampled else 0


def sampling_inspections(
    user, *, week_start: datetime.date | None = None
) -> list[SamplingInspection]:
    """The sampling plans the user may see (scoring.sampling.selectors.plans_for), each with
    the week's sampled calls in the user's scope (assignments_for), how many were scored, the
    mean score and the failed evaluations of the scored ones."""
    week_start = week_start or periods.previous(periods.current(periods.WEEK)).first_day
    plans = list(plans_for(user).filter(is_active=True))
    stats = {
        row["plan_id"]: row
        for row in assignments_for(user)
        .filter(plan__in=plans, period_start=week_start)
        .exclude(status=Assignment.Status.CANCELLED)
        .values("plan_id")
        .annotate(
            sampled=Count("pk"),
            scored=Count("pk", filter=Q(status=Assignment.Status.DONE)),
        )
    }
    scores = _plan_scores(user, plans, week_start)
    result = []
    for plan in plans:
        row = stats.get(plan.pk, {})
        mean, failed = scores.get(plan.pk, (None, 0))
        result.append(
            SamplingInspection(
                plan=plan,
                week_start=week_start,
                sampled=row.get("sampled", 0),
                scored=row.get("scored", 0),
                mean_score=mean,
                failed=failed,
            )
        )
    return result


def _plan_scores(user, plans, week_start) -> dict[int, tuple[float | None, int]]:
    """Mean score and failed count of the submitted evaluations of the plans' sampled calls."""
    from scoring.evaluations.models import Evaluation

    out: dict[int, tuple[float | None, int]] = {}
    done = assignments_for(user).filter(
        plan__in=plans, period_start=week_start, status=Assignment.Status.DONE
    )
    for plan in plans:
        calls = done.filter(plan=plan).values("call_id")
        agg = Evaluation.objects.filter(
            call_id__in=calls, submitted_at__isnull=False, is_calibration=False
        ).aggregate(mean=Avg("score"), failed=Count("pk", filter=Q(passed=False)))
        out[plan.pk] = (
            round(float(agg["mean"]), 1) if agg["mean"] is not None else None,
            agg["failed"],
        )
    return out
