"""A critical zero never rests on weak evidence: supervisors confirm or reject the weak critical
failures of a call ("to confirm").

A call is to confirm when every critical rule it failed failed only on weak evidence (the
engine's ``CheckResult.weak``: only fuzzy matches, or only an ambiguous trigger); its score is
provisional until a supervisor decides (`critical_review_decide`):

- confirmed: the zero stands, as for any critical failure;
- rejected: the supervisor found these failures were not failures, so the call is scored with
  those rules passed (`outcomes` say "pass"; the engine's evidence stays in `results`), and its
  score is the engine's formula over the remaining outcomes.

Every decision is kept in CriticalReview (who, when, which rules, the score before and after).
When a call is checked again (a new library version), the decision is applied again if the new
check's weak critical failures are exactly the same rules (`review_reapply`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qa_center.permissions import has_capability, scope_queryset
from scoring.calls.models import Call, CallCheck, CriticalReview, Review

TWO_PLACES = Decimal("0.01")


def _rules_of(definition: Any) -> list[dict[str, Any]]:
    rules = definition.get("rules", []) if isinstance(definition, dict) else []
    return [r for r in rules if isinstance(r, dict) and "code" in r]


def score_of_outcomes(
    definition: dict[str, Any], outcomes: dict[str, str]
) -> tuple[Decimal | None, bool]:
    """(score, critical failed) of these outcomes under the library's rules, by the engine's
    formula (docs/rules.md): 100 × points passed ÷ points passed or failed, rounded to 2
    places; 0 when a critical rule fails; None when nothing applies."""
    passed = failed = 0.0
    critical = False
    for rule in _rules_of(definition):
        outcome = outcomes.get(rule["code"], "na")
        points = float(rule.get("points", 1))
        if outcome == "pass":
            passed += points
        elif outcome == "fail":
            failed += points
            critical = critical or bool(rule.get("critical"))
    if critical:
        return Decimal("0.00"), True
    if not passed + failed:
        return None, False
    score = round(100 * passed / (passed + failed), 2)
    return Decimal(str(score)).quantize(TWO_PLACES), False


def _reject(check: CallCheck, codes: Sequence[str]) -> None:
    outcomes = dict(check.outcomes)
    for code in codes:
        if outcomes.get(code) == "fail":
            outcomes[code] = "pass"
    check.outcomes = outcomes
    check.score, check.critical_failed = score_of_outcomes(check.library.definition, outcomes)


def may_review_critical(user, call: Call) -> bool:
    """Supervisors (and administrators) decide, on calls in their scope."""
    if not has_capability(user, "score_calls"):
        return False
    return scope_queryset(user, Call.objects.filter(pk=call.pk)).exists()


def critical_review_decide(
    *, call: Call, by, decision: str, note: str = "", codes: Sequence[str] | None = None
) -> CallCheck:
    """Confirm or reject the weak critical failures of a call that is to confirm. `codes`, if
    given, must be the rules the page showed (a check rescored meanwhile is refused rather
    than decided unseen). PermissionDenied out of scope or without the capability;
    ValidationError when there is nothing to decide."""
    if not may_review_critical(by, call):
        raise PermissionDenied(_("You may not review this call's critical failures."))
    if decision not in CriticalReview.Decision.values:
        raise ValidationError({"decision": _("Choose confirm or reject.")})
    with transaction.atomic():
        check = (
            CallCheck.objects.select_for_update(of=("self",))
            .select_related("library")
            .filter(call=call)
            .first()
        )
        if check is None or check.review != Review.TO_CONFIRM:
            raise ValidationError(
                {"decision": _("This call has no critical failure waiting to be confirmed.")}
            )
        if codes is not None and sorted(codes) != sorted(check.weak_critical):
            raise ValidationError(
                {
                    "codes": _(
                        "The call was checked again meanwhile; reload the page to see the "
                        "rules to confirm."
                    )
                }
            )
        before = check.score
        if decision == CriticalReview.Decision.REJECTED:
            _reject(check, check.weak_critical)
        check.review = decision
        check.reviewed_by = by
        check.reviewed_at = timezone.now()
        check.save(
            update_fields=[
                "review",
                "reviewed_by",
                "reviewed_at",
                "score",
                "critical_failed",
                "outcomes",
            ]
        )
        CriticalReview.objects.create(
            call=call,
            library=check.library,
            codes=list(check.weak_critical),
            decision=decision,
            note=(note or "").strip()[:2000],
            score_before=before,
            score_after=check.score,
            by=by,
        )
    return check


def review_reapply(*, call_ids: Sequence[int]) -> int:
    """Apply each call's last decision again to its new check when it is to confirm on
    exactly the rules decided before. Returns how many were applied."""
    last: dict[int, CriticalReview] = {}
    for review in CriticalReview.objects.filter(call_id__in=list(call_ids)).order_by("at", "pk"):
        last[review.call_id] = review
    if not last:
        return 0
    applied = 0
    checks = CallCheck.objects.select_related("library").filter(
        call_id__in=list(last), review=Review.TO_CONFIRM
    )
    for check in checks:
        review = last[check.call_id]
        if sorted(review.codes) != sorted(check.weak_critical):
            continue
        if review.decision == CriticalReview.Decision.REJECTED:
            _reject(check, check.weak_critical)
        check.review = review.decision
        check.reviewed_by_id = review.by_id
        check.reviewed_at = review.at
        check.save(
            update_fields=[
                "review",
                "reviewed_by",
                "reviewed_at",
                "score",
                "critical_failed",
                "outcomes",
            ]
        )
        applied += 1
    return applied


def critical_reviews_of(call: Call):
    """The call's decisions, oldest first, with who made them."""
    return call.critical_reviews.select_related("by", "library").order_by("at", "pk")
