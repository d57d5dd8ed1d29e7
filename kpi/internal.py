"""The internal indicators' measurements, computed from QA Center's own data.

One SQL aggregate per indicator over a range of days, grouped by agent, the team of the call
(the team the agent was in at the time: scoring.calls.Call.team), its department and the day
in the center's time zone. Returned unsaved; kpi.services.internal_compute writes them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from kpi.models import Indicator, Measurement
from qa_center import periods
from qa_center.levels import Level


def _bounds(start: datetime.date, end: datetime.date):
    return periods.local_midnight(start), periods.local_midnight(end + datetime.timedelta(days=1))


def _agent_rows(indicator: Indicator, grouped, *, call: str) -> list[Measurement]:
    made = []
    for r in grouped:
        denominator = r["d"]
        if not denominator:
            continue
        made.append(
            Measurement(
                indicator=indicator,
                level=Level.AGENT,
                unit_id=r[f"{call}agent_id"],
                agent_id=r[f"{call}agent_id"],
                team_id=r[f"{call}team_id"],
                department_id=r[f"{call}team__department_id"],
                day=r["on"],
                numerator=Decimal(r["n"] or 0),
                denominator=Decimal(denominator),
            )
        )
    return made


def _group(queryset, *, call: str, moment: str):
    tz = timezone.get_current_timezone()
    return queryset.annotate(on=TruncDate(moment, tzinfo=tz)).values(
        f"{call}agent_id", f"{call}team_id", f"{call}team__department_id", "on"
    )


def _rule_codes() -> list[str]:
    from scoring.rules.models import RuleLibrary

    codes: set[str] = set()
    for definition in RuleLibrary.objects.values_list("definition", flat=True):
        for rule in (definition or {}).get("rules", []):
            if isinstance(rule, dict) and rule.get("code"):
                codes.add(str(rule["code"]))
    return sorted(codes)


def _checks(indicator: Indicator, start, end) -> list[Measurement]:
    from scoring.calls.models import CallCheck

    low, high = _bounds(start, end)
    checks = CallCheck.objects.filter(call__started_at__gte=low, call__started_at__lt=high)
    grouped = _group(checks, call="call__", moment="call__started_at")
    if indicator.source == Indicator.Source.CHECK_SCORE:
        grouped = grouped.annotate(
            n=Sum("score", filter=Q(score__isnull=False)),
            d=Count("pk", filter=Q(score__isnull=False)),
        )
        return _agent_rows(indicator, grouped, call="call__")
    codes = [indicator.rule_code] if indicator.rule_code else _rule_codes()
    if not codes:
        return []
    aggregates = {}
    for i, code in enumerate(codes):
        aggregates[f"p{i}"] = Count("pk", filter=Q(**{f"outcomes__{code}": "pass"}))
        aggregates[f"f{i}"] = Count("pk", filter=Q(**{f"outcomes__{code}": "fail"}))
    rows = []
    for r in grouped.annotate(**aggregates):
        passes = sum(r[f"p{i}"] for i in range(len(codes)))
        fails = sum(r[f"f{i}"] for i in range(len(codes)))
        rows.append({**r, "n": passes, "d": passes + fails})
    return _agent_rows(indicator, rows, call="call__")


def _evaluations(indicator: Indicator, start, end) -> list[Measurement]:
    from scoring.evaluations.models import Evaluation

    low, high = _bounds(start, end)
    evaluations = Evaluation.objects.filter(
        submitted_at__gte=low, submitted_at__lt=high, is_calibration=False
    ).exclude(status=Evaluation.Status.DRAFT)
    grouped = _group(evaluations, call="call__", moment="submitted_at")
    source = indicator.source
    scored = Q(score__isnull=False)
    if source == Indicator.Source.SUPERVISOR_SCORE:
        grouped = grouped.annotate(n=Sum("score", filter=scored), d=Count("pk", filter=scored))
    elif source == Indicator.Source.PASS_RATE:
        grouped = grouped.annotate(
            n=Count("pk", filter=Q(passed=True)), d=Count("pk", filter=Q(passed__isnull=False))
        )
    elif source == Indicator.Source.CRITICAL_RATE:
        grouped = grouped.annotate(n=Count("pk", filter=Q(critical_failed=True)), d=Count("pk"))
    else:  # dispute rate: evaluations of the day that were disputed
        grouped = grouped.annotate(
            n=Count("pk", filter=Q(disputes__isnull=False), distinct=True),
            d=Count("pk", distinct=True),
        )
    return _agent_rows(indicator, grouped, call="call__")


def _overturns(indicator: Indicator, start, end) -> list[Measurement]:
    from scoring.disputes.models import DisputeItem

    low, high = _bounds(start, end)
    items = DisputeItem.objects.filter(
        dispute__decided_at__gte=low, dispute__decided_at__lt=high
    ).exclude(decision="")
    grouped = _group(
        items, call="dispute__evaluation__call__", moment="dispute__decided_at"
    ).annotate(
        n=Count("pk", filter=Q(decision__in=["overturned", "adjusted"])),
        d=Count("pk"),
    )
    return _agent_rows(indicator, grouped, call="dispute__evaluation__call__")


def _walkthroughs(indicator: Indicator, start, end) -> list[Measurement]:
    from audits.walkthroughs.selectors import department_walkthrough_score
    from org.models import Department

    made = []
    month = periods.month_start_of(start)
    while month <= end:
        if month >= start:
            for department in Department.objects.all():
                score = department_walkthrough_score(department, month)
                if score is None:
                    continue
                made.append(
                    Measurement(
                        indicator=indicator,
                        level=Level.DEPARTMENT,
                        unit_id=department.pk,
                        department=department,
                        day=month,
                        numerator=Decimal(score),
                        denominator=Decimal(1),
                    )
                )
        month = periods.following(periods.period_of("month", month)).first_day
    return made


def _actions(indicator: Indicator, start, end) -> list[Measurement]:
    from audits.actions.models import CorrectiveAction

    actions = CorrectiveAction.objects.filter(
        due_on__gte=start, due_on__lte=end, department__isnull=False
    ).exclude(status="cancelled")
    made = []
    counts: dict[tuple[int, datetime.date], list[int]] = {}
    for department_id, due_on, closed_at in actions.values_list(
        "department_id", "due_on", "closed_at"
    ):
        cell = counts.setdefault((department_id, due_on), [0, 0])
        cell[1] += 1
        if closed_at is not None and timezone.localdate(closed_at) <= due_on:
            cell[0] += 1
    for (department_id, day), (on_time, due) in sorted(counts.items()):
        made.append(
            Measurement(
                indicator=indicator,
                level=Level.DEPARTMENT,
                unit_id=department_id,
                department_id=department_id,
                day=day,
                numerator=Decimal(on_time),
                denominator=Decimal(due),
            )
        )
    return made


_BY_SOURCE = {
    Indicator.Source.CHECK_SCORE: _checks,
    Indicator.Source.COMPLIANCE: _checks,
    Indicator.Source.RULE_COMPLIANCE: _checks,
    Indicator.Source.SUPERVISOR_SCORE: _evaluations,
    Indicator.Source.PASS_RATE: _evaluations,
    Indicator.Source.CRITICAL_RATE: _evaluations,
    Indicator.Source.DISPUTE_RATE: _evaluations,
    Indicator.Source.OVERTURN_RATE: _overturns,
    Indicator.Source.WALKTHROUGH_SCORE: _walkthroughs,
    Indicator.Source.ACTIONS_ON_TIME: _actions,
}


def measurements_for(
    indicator: Indicator, *, start: datetime.date, end: datetime.date
) -> list[Measurement]:
    """The indicator's measurements for the days [start, end], unsaved (only rows with data).
    An indicator whose grain is not the one its source gives has none."""
    compute = _BY_SOURCE.get(indicator.source)
    if compute is None:
        return []
    made = compute(indicator, start, end)
    return [m for m in made if m.level == indicator.grain]
