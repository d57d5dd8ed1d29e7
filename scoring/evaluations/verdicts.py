"""Selectors: each rule's precision, measured from the supervisors' verdicts on it.

Every submitted (non-calibration) evaluation answer on an item linked to a rule, where the
engine suggested the answer, is a verdict on the rule: the supervisor kept the automatic result
or overrode it (with a reason and a kind of reason, Answer.override_kind). A supervisor's
decision on a weak critical failure (scoring.calls CriticalReview) is one too: confirmed = the
failure was right, rejected = it was wrong (counted as "the rule is wrong here").

Per rule code, over the period (answers by their evaluation's submission, decisions by when
they were made):

- verdicts: how many; agreement: kept ÷ verdicts;
- precision of its failures: failures the supervisor also failed ÷ the rule's failures;
- recall: failures the supervisor gave that the rule also found ÷ every failure the supervisor
  gave (a supervisor's fail where the rule said pass or N/A is a miss);
- override reasons: how many of each kind.

A "fail" is the item's failing end: no (yes/no) or the scale's minimum. The figures are SQL
aggregates grouped by rule code (one query for answers, one for decisions), never a loop over
answers. A rule is `flagged` when, with at least QA_RULE_MIN_VERDICTS failures, its precision
is below QA_RULE_PRECISION_THRESHOLD percent, or, with at least as many verdicts, its agreement
is.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet

from qa_center.periods import DAY, period_of
from scoring.calls.models import CriticalReview
from scoring.evaluations.models import Answer, OverrideKind, ScorecardItem

_SCALE = ScorecardItem.Kind.SCALE


@dataclass
class RuleQuality:
    """The supervisors' verdicts on one rule over a period."""

    code: str
    verdicts: int = 0
    kept: int = 0
    failures: int = 0  # the rule's failures that got a verdict
    true_failures: int = 0  # … that the supervisor also failed
    missed: int = 0  # supervisor's failures where the rule did not fail
    reasons: dict[str, int] = field(default_factory=dict)  # override kind -> count
    threshold: int = 80
    min_verdicts: int = 5

    @property
    def overridden(self) -> int:
        return self.verdicts - self.kept

    @staticmethod
    def _percent(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def agreement(self) -> float | None:
        return self._percent(self.kept, self.verdicts)

    @property
    def precision(self) -> float | None:
        return self._percent(self.true_failures, self.failures)

    @property
    def recall(self) -> float | None:
        return self._percent(self.true_failures, self.true_failures + self.missed)

    @property
    def flagged(self) -> bool:
        low_precision = (
            self.failures >= self.min_verdicts
            and self.precision is not None
            and self.precision < self.threshold
        )
        low_agreement = (
            self.verdicts >= self.min_verdicts
            and self.agreement is not None
            and self.agreement < self.threshold
        )
        return low_precision or low_agreement

    @property
    def enough(self) -> bool:
        """Enough verdicts to read anything into the figures."""
        return self.verdicts >= self.min_verdicts

    def reason_rows(self) -> list[tuple[str, str, int]]:
        """(kind, label, count) for each kind of reason given, most frequent first."""
        labels = dict(OverrideKind.choices)
        return sorted(
            ((k, str(labels.get(k, k)), n) for k, n in self.reasons.items() if n),
            key=lambda row: -row[2],
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "verdicts": self.verdicts,
            "kept": self.kept,
            "overridden": self.overridden,
            "agreement": self.agreement,
            "failures": self.failures,
            "true_failures": self.true_failures,
            "precision": self.precision,
            "missed": self.missed,
            "recall": self.recall,
            "reasons": {k: n for k, n in self.reasons.items() if n},
            "flagged": self.flagged,
        }


def _fail(value_field: str) -> Q:
    """The answer's `value_field` is the item's failing end (no, or the scale's minimum)."""
    return Q(item__kind=_SCALE, **{value_field: F("item__scale_min")}) | (
        ~Q(item__kind=_SCALE) & Q(**{value_field: 0})
    )


def verdict_answers(
    date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> QuerySet[Answer]:
    """The answers that are verdicts on a rule: submitted, not calibration, on an item linked
    to a rule, prefilled by the engine; in the period by their submission (center days)."""
    answers = Answer.objects.filter(
        evaluation__is_calibration=False,
        evaluation__submitted_at__isnull=False,
    ).exclude(item__rule_code="")
    answers = answers.filter(Q(auto_value__isnull=False) | Q(auto_na=True))
    if date_from:
        answers = answers.filter(evaluation__submitted_at__gte=period_of(DAY, date_from).start)
    if date_to:
        answers = answers.filter(evaluation__submitted_at__lt=period_of(DAY, date_to).end)
    return answers


def _kept() -> Q:
    return Q(auto_na=True, is_na=True) | Q(auto_na=False, is_na=False, value=F("auto_value"))


def rule_quality(
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    codes: Iterable[str] | None = None,
) -> dict[str, RuleQuality]:
    """{rule code: RuleQuality} for the rules with verdicts in the period (only `codes`, if
    given). Two grouped queries."""
    threshold = int(settings.QA_RULE_PRECISION_THRESHOLD)
    min_verdicts = int(settings.QA_RULE_MIN_VERDICTS)
    answers = verdict_answers(date_from, date_to)
    codes = None if codes is None else list(codes)
    if codes is not None:
        answers = answers.filter(item__rule_code__in=codes)
    auto_fail = Q(auto_na=False) & _fail("auto_value")
    sup_fail = Q(is_na=False) & _fail("value")
    kinds = {f"k_{kind}": Count("pk", filter=Q(override_kind=kind)) for kind in OverrideKind.values}
    rows = (
        answers.values("item__rule_code")
        .annotate(
            verdicts=Count("pk"),
            kept=Count("pk", filter=_kept()),
            failures=Count("pk", filter=auto_fail),
            true_failures=Count("pk", filter=auto_fail & sup_fail),
            missed=Count("pk", filter=~auto_fail & sup_fail),
            **kinds,
        )
        .order_by()
    )
    out: dict[str, RuleQuality] = {}
    for row in rows:
        code = row["item__rule_code"]
        out[code] = RuleQuality(
            code=code,
            verdicts=row["verdicts"],
            kept=row["kept"],
            failures=row["failures"],
            true_failures=row["true_failures"],
            missed=row["missed"],
            reasons={kind: row[f"k_{kind}"] for kind in OverrideKind.values},
            threshold=threshold,
            min_verdicts=min_verdicts,
        )
    # Decisions on weak critical failures: grouped by their rules (a short JSON list each).
    reviews = CriticalReview.objects.all()
    if date_from:
        reviews = reviews.filter(at__gte=period_of(DAY, date_from).start)
    if date_to:
        reviews = reviews.filter(at__lt=period_of(DAY, date_to).end)
    grouped = reviews.values("codes", "decision").annotate(n=Count("pk")).order_by()
    for row in grouped:
        for code in row["codes"] or []:
            if codes is not None and code not in codes:
                continue
            quality = out.setdefault(
                code, RuleQuality(code=code, threshold=threshold, min_verdicts=min_verdicts)
            )
            n = row["n"]
            quality.verdicts += n
            quality.failures += n
            if row["decision"] == CriticalReview.Decision.CONFIRMED:
                quality.kept += n
                quality.true_failures += n
            else:
                quality.reasons[OverrideKind.RULE_WRONG] = (
                    quality.reasons.get(OverrideKind.RULE_WRONG, 0) + n
                )
    return out


def flagged_rules(
    *, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> list[RuleQuality]:
    """The rules below the threshold in the period, lowest precision (or agreement) first."""
    flagged = [q for q in rule_quality(date_from=date_from, date_to=date_to).values() if q.flagged]
    return sorted(
        flagged,
        key=lambda q: (q.precision if q.precision is not None else q.agreement or 0, q.code),
    )


@dataclass
class RuleExample:
    """A call filed as an example on a rule: a supervisor said the rule is wrong here."""

    call_pk: int
    call_id: str
    started_at: datetime.datetime
    by: str
    at: datetime.datetime | None
    reason: str
    source: str  # "evaluation" or "critical_review"


def rule_examples(*, code: str, user, limit: int = 20) -> list[RuleExample]:
    """The calls (in the user's scope) on which supervisors said the rule is wrong: overrides
    of kind "the rule is wrong here" and rejected weak critical failures, newest first."""
    from qa_center.permissions import scope_queryset

    answers = (
        scope_queryset(user, verdict_answers())
        .filter(item__rule_code=code, override_kind=OverrideKind.RULE_WRONG)
        .select_related("evaluation__call", "evaluation__evaluator")
        .order_by("-evaluation__submitted_at")[:limit]
    )
    examples = [
        RuleExample(
            call_pk=a.evaluation.call_id,
            call_id=a.evaluation.call.call_id,
            started_at=a.evaluation.call.started_at,
            by=a.evaluation.evaluator.display_name,
            at=a.evaluation.submitted_at,
            reason=a.override_reason,
            source="evaluation",
        )
        for a in answers
    ]
    # Rejections are few (weak critical failures only); the JSON list is read, not queried,
    # so that SQLite (no JSON containment) gives the same answer.
    reviews = (
        scope_queryset(user, CriticalReview.objects.filter(decision="rejected"))
        .select_related("call", "by")
        .order_by("-at")[:500]
    )
    for r in reviews:
        if code in (r.codes or []):
            examples.append(
                RuleExample(
                    call_pk=r.call_id,
                    call_id=r.call.call_id,
                    started_at=r.call.started_at,
                    by=r.by.display_name,
                    at=r.at,
                    reason=r.note,
                    source="critical_review",
                )
            )
    examples.sort(key=lambda e: e.at or e.started_at, reverse=True)
    return examples[:limit]
