"""Reads of calls and their automatic checks, always through the user's scope."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet

from qa_center.periods import DAY, period_of
from qa_center.permissions import scope_queryset
from scoring.calls.models import Call, Review
from scoring.calls.search import phrase_filter
from scoring.rules.models import RuleLibrary

SORTS = {
    "started_at": "started_at",
    "-started_at": "-started_at",
    "score": "auto_check__score",
    "-score": "-auto_check__score",
    "duration": "duration_seconds",
    "-duration": "-duration_seconds",
    "agent": "agent__name_sort",
    "-agent": "-agent__name_sort",
}
RULE_CODE = re.compile(r"^[\w.\-]{1,64}$")


def rule_code_filterable(code: str) -> bool:
    """Whether `code` can be looked up as a key of the checks' outcomes: Django reads a key
    that int() accepts ("-1", "0", "1_0") as an array index (SQLite then fails on "[-1]") and
    "a__b" as a nested key, so those are refused rather than sent to the database."""
    if not RULE_CODE.match(code) or "__" in code:
        return False
    try:
        int(code)
    except ValueError:
        return True
    return False


@dataclass
class CallFilters:
    """What the call list is filtered and sorted by (all optional)."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    team_id: int | None = None
    agent_id: int | None = None
    score_min: Decimal | None = None
    score_max: Decimal | None = None
    critical: bool | None = None
    to_confirm: bool | None = None  # a weak critical failure awaits a supervisor
    evaluated: bool | None = None
    rule_failed: str = ""
    query: str = ""
    said: str = ""  # a phrase of the transcript (scoring.calls.search)
    sort: str = "-started_at"


def _evaluated():
    """Has a submitted evaluation (scoring.evaluations, reached through the relation)."""
    return Exists(
        Call.objects.filter(
            pk=OuterRef("pk"),
            evaluations__is_calibration=False,
            evaluations__submitted_at__isnull=False,
        )
    )


def calls_for(user, filters: CallFilters | None = None) -> QuerySet[Call]:
    """Calls the user may see, filtered, without the transcript (a list never needs it)."""
    filters = filters or CallFilters()
    calls = scope_queryset(
        user,
        Call.objects.select_related("agent", "team", "auto_check").defer(
            "turns", "extra", "auto_check__results", "recording_url"
        ),
    ).annotate(evaluated=_evaluated())
    if filters.date_from:
        calls = calls.filter(started_at__gte=period_of(DAY, filters.date_from).start)
    if filters.date_to:
        calls = calls.filter(started_at__lt=period_of(DAY, filters.date_to).end)
    if filters.team_id:
        calls = calls.filter(team_id=filters.team_id)
    if filters.agent_id:
        calls = calls.filter(agent_id=filters.agent_id)
    if filters.score_min is not None:
        calls = calls.filter(auto_check__score__gte=filters.score_min)
    if filters.score_max is not None:
        calls = calls.filter(auto_check__score__lte=filters.score_max)
    if filters.critical is not None:
        calls = calls.filter(auto_check__critical_failed=filters.critical)
    if filters.to_confirm is True:
        calls = calls.filter(auto_check__review=Review.TO_CONFIRM)
    elif filters.to_confirm is False:
        calls = calls.exclude(auto_check__review=Review.TO_CONFIRM)
    if filters.evaluated is not None:
        calls = calls.filter(evaluated=filters.evaluated)
    if filters.rule_failed:
        if not rule_code_filterable(filters.rule_failed):
            return calls.none()
        calls = calls.filter(**{f"auto_check__outcomes__{filters.rule_failed}": "fail"})
    if filters.query:
        calls = calls.filter(call_id__icontains=filters.query.strip())
    if filters.said:
        calls = phrase_filter(calls, filters.said)
    order = SORTS.get(filters.sort, "-started_at")
    return calls.order_by(order, "-pk")


def rule_choices() -> list[tuple[str, str]]:
    """(code, title) of the active library's rules, for the "rule failed" filter."""
    library = RuleLibrary.objects.filter(status=RuleLibrary.Status.ACTIVE).first()
    if library is None:
        return []
    return [
        (rule["code"], f"{rule['code']} · {rule.get('title', '')}")
        for rule in library.definition.get("rules", [])
        if isinstance(rule, dict) and "code" in rule
    ]


def rule_titles() -> dict[str, str]:
    library = RuleLibrary.objects.filter(status=RuleLibrary.Status.ACTIVE).first()
    if library is None:
        return {}
    return {
        rule["code"]: rule.get("title", "")
        for rule in library.definition.get("rules", [])
        if isinstance(rule, dict) and "code" in rule
    }


def rule_compliance(
    *,
    codes: list[str],
    start: datetime.datetime,
    end: datetime.datetime,
    department_id: int | None = None,
) -> dict[str, tuple[float | None, int]]:
    """Each rule's compliance in the automatic checks of the calls of [start, end) (of one
    department's teams when given): (percent passed of the calls where the rule applied, that
    number of calls), from the stored outcomes in one query, one FILTER per rule (the way the
    bulletins count them). A rule that applied to no call: (None, 0)."""
    from django.db.models import Count
    from django.db.models.fields.json import KeyTextTransform
    from django.db.models.lookups import Exact

    from scoring.calls.models import CallCheck

    codes = [c for c in dict.fromkeys(codes) if rule_code_filterable(c)]
    if not codes:
        return {}
    aggregates = {}
    for index, code in enumerate(codes):
        outcome = KeyTextTransform(code, "outcomes")
        aggregates[f"r{index}p"] = Count("pk", filter=Exact(outcome, "pass"))
        aggregates[f"r{index}f"] = Count("pk", filter=Exact(outcome, "fail"))
    checks = CallCheck.objects.filter(call__started_at__gte=start, call__started_at__lt=end)
    if department_id is not None:
        checks = checks.filter(call__team__department_id=department_id)
    counts = checks.aggregate(**aggregates)
    result: dict[str, tuple[float | None, int]] = {}
    for index, code in enumerate(codes):
        passes, fails = counts[f"r{index}p"], counts[f"r{index}f"]
        n = passes + fails
        result[code] = (round(100.0 * passes / n, 1) if n else None, n)
    return result
