"""Reads of the walk-through: what a user may open, one walk-through with everything its page
shows (a constant number of queries), a month per department, the score the KPI app reads,
and what is due for the home page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from qa_center import periods
from qa_center.permissions import visible_walkthroughs

from . import scoring
from .models import DepartmentDraw, Finding, Walkthrough, WalkthroughDocument, WalkthroughStep


def walkthroughs_for(user, queryset: QuerySet | None = None) -> QuerySet:
    queryset = Walkthrough.objects.all() if queryset is None else queryset
    return visible_walkthroughs(user, queryset).select_related(
        "department", "standard", "version", "owner"
    )


def walkthrough_detail_queryset(user) -> QuerySet:
    """Everything the walk-through page shows, prefetched: steps with their documents,
    findings with their step and action. The number of queries does not grow with them."""
    return (
        walkthroughs_for(user)
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=WalkthroughStep.objects.order_by("position").prefetch_related(
                    Prefetch(
                        "documents",
                        queryset=WalkthroughDocument.objects.select_related("uploaded_by").order_by(
                            "uploaded_at", "pk"
                        ),
                    )
                ),
            ),
            Prefetch(
                "findings",
                queryset=Finding.objects.select_related("step", "action", "action__owner").order_by(
                    "created_at", "pk"
                ),
            ),
        )
        .select_related(
            "started_by", "concluded_by", "revision", "abolition", "abolition__decided_by"
        )
    )


def tally_of_prefetched(walkthrough: Walkthrough) -> scoring.Tally:
    """The score's counts from a walk-through of walkthrough_detail_queryset (no query)."""
    steps = list(walkthrough.steps.all())
    findings = list(walkthrough.findings.all())
    return scoring.Tally(
        steps=len(steps),
        steps_on_time=sum(1 for s in steps if any(not d.late for d in s.documents.all())),
        drill=tuple(s.drill for s in steps if s.drill),
        major=sum(1 for f in findings if f.grade == Finding.Grade.MAJOR),
        minor=sum(1 for f in findings if f.grade == Finding.Grade.MINOR),
    )


def document_for(user, pk: int) -> WalkthroughDocument | None:
    """A document, if the user may open its walk-through."""
    return (
        WalkthroughDocument.objects.filter(
            pk=pk, step__walkthrough__in=visible_walkthroughs(user, Walkthrough.objects.all())
        )
        .select_related("step__walkthrough")
        .first()
    )


def department_walkthrough_score(department, month: datetime.date) -> Decimal | None:
    """The department's walk-through score of `month` (0–100, one decimal): the mean of its
    concluded walk-throughs' scores; None when none is concluded. Read by the KPI app for the
    department's performance appraisal (部门绩效考核)."""
    first = periods.month_start_of(month)
    department_id = getattr(department, "pk", department)
    mean = Walkthrough.objects.filter(
        department_id=department_id,
        month=first,
        status=Walkthrough.Status.CONCLUDED,
        score__isnull=False,
    ).aggregate(mean=Avg("score"))["mean"]
    if mean is None:
        return None
    return Decimal(mean).quantize(scoring.ONE_PLACE, ROUND_HALF_UP)


@dataclass
class DepartmentMonth:
    department: object
    draw: DepartmentDraw | None
    walkthroughs: list[Walkthrough] = field(default_factory=list)

    @property
    def score(self) -> Decimal | None:
        scores = [w.score for w in self.walkthroughs if w.score is not None]
        if not scores:
            return None
        return (sum(scores, Decimal(0)) / len(scores)).quantize(scoring.ONE_PLACE, ROUND_HALF_UP)

    @property
    def short(self) -> bool:
        return self.draw is not None and self.draw.drawn < 2


def month_overview(user, month: datetime.date) -> list[DepartmentMonth]:
    """The month per department the user sees: its draw (how many there were to pick from) and
    its walk-throughs. Three queries."""
    from org.models import Department

    first = periods.month_start_of(month)
    walkthroughs = list(
        walkthroughs_for(user).filter(month=first).order_by("department__code", "slot")
    )
    department_ids = {w.department_id for w in walkthroughs}
    draws = {
        d.department_id: d
        for d in DepartmentDraw.objects.filter(draw__month=first).select_related("department")
    }
    from qa_center.permissions import may_audit_walkthroughs, scope_queryset

    if may_audit_walkthroughs(user) or user.role == "manager":
        department_ids |= set(
            scope_queryset(user, Department.objects.filter(pk__in=list(draws))).values_list(
                "pk", flat=True
            )
        )
    departments = {d.pk: d for d in Department.objects.filter(pk__in=department_ids)}
    rows = {
        pk: DepartmentMonth(department=dep, draw=draws.get(pk)) for pk, dep in departments.items()
    }
    for walkthrough in walkthroughs:
        rows[walkthrough.department_id].walkthroughs.append(walkthrough)
    return sorted(rows.values(), key=lambda r: (r.department.code, r.department.pk))


def due_for(user, *, limit: int = 8) -> list[Walkthrough]:
    """What is due for the home page: walk-throughs whose hour is running first (soonest
    deadline first), then started ones awaiting the drill or verdict, then drawn ones not yet
    started — those the user owns and, for an auditor, those they conduct."""
    now = timezone.now()
    open_ones = walkthroughs_for(user).exclude(status=Walkthrough.Status.CONCLUDED)
    ranked = open_ones.annotate(
        rank=Case(
            When(status=Walkthrough.Status.STARTED, documents_due_at__gt=now, then=Value(0)),
            When(status=Walkthrough.Status.STARTED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "documents_due_at", "-month", "department__code", "slot")
    return list(ranked[:limit])


def month_results(month: datetime.date) -> dict:
    """The month's walk-through results for the monthly red-header notice, as plain data (the
    notice freezes its contents as JSON): each walk-through with its verdict and score, and
    each department's score, each walk-through's findings counted by grade. Two queries."""
    first = periods.month_start_of(month)
    walkthroughs = list(
        Walkthrough.objects.filter(month=first)
        .select_related("department", "standard", "version")
        .annotate(
            **{
                f"n_{grade}": Count("findings", filter=Q(findings__grade=grade))
                for grade in Finding.Grade.values
            }
        )
        .order_by("department__code", "slot")
    )
    rows, scores = [], {}
    for w in walkthroughs:
        findings = [
            {"grade": grade, "label": str(label), "count": getattr(w, f"n_{grade}")}
            for grade, label in Finding.Grade.choices
            if getattr(w, f"n_{grade}")
        ]
        rows.append(
            {
                "department": w.department.name,
                "code": w.standard.code,
                "title": w.version.title,
                "status": w.status,
                "verdict": w.verdict,
                "verdict_label": str(w.get_verdict_display()) if w.verdict else "",
                "score": float(w.score) if w.score is not None else None,
                "findings": findings,
            }
        )
        if w.score is not None:
            scores.setdefault(w.department.name, []).append(w.score)
    departments = [
        {
            "department": name,
            "score": float(
                (sum(values, Decimal(0)) / len(values)).quantize(scoring.ONE_PLACE, ROUND_HALF_UP)
            ),
        }
        for name, values in scores.items()
    ]
    return {"walkthroughs": rows, "departments": departments}
