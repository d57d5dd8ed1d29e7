"""Reads for disputes: lists scoped by role, and what a reviewer needs to rule."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When

from org.models import User
from qa_center.permissions import DISPUTE_CAPABILITIES, has_capability, scope_queryset
from scoring.calls.models import Call
from scoring.calls.results import check_results
from scoring.disputes.models import Dispute

# Who may open the dispute pages at all (DISPUTE_CAPABILITIES, in the permission module, which
# also tells who a dispute's notification may reach): the review group rules, agents see their
# own, team leads and managers read their scope's.


def can_see_disputes(user: User) -> bool:
    return any(has_capability(user, cap) for cap in DISPUTE_CAPABILITIES)


def disputes_for(user: User, *, status: str | None = None) -> QuerySet[Dispute]:
    """Disputes in the user's scope: open ones first (oldest first, they have waited longest),
    then the others, most recently decided first."""
    qs = scope_queryset(
        user,
        Dispute.objects.select_related(
            "evaluation__call__agent",
            "evaluation__call__team",
            "evaluation__evaluator",
            "raised_by",
            "decided_by",
        ).annotate(item_count=Count("items")),
    )
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        open_rank=Case(
            When(status=Dispute.Status.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("open_rank", F("decided_at").desc(nulls_first=True), "opened_at", "pk")


def dispute_items(dispute: Dispute) -> list:
    return list(
        dispute.items.select_related("answer__item__section").order_by(
            "answer__item__section__order", "answer__item__order", "pk"
        )
    )


def transcript_with_evidence(call: Call, rule_codes: set[str]) -> list[dict]:
    """The call's turns, each with the engine findings (for the disputed items' rules) that
    point at it, so the reviewer sees the evidence in place."""
    marks: dict[int, list[dict]] = defaultdict(list)
    check = getattr(call, "auto_check", None)
    for result in check_results(check):
        if not isinstance(result, dict):
            continue
        code = result.get("code")
        for evidence in result.get("evidence") or []:
            turn = evidence.get("turn")
            if isinstance(turn, int):
                marks[turn].append(
                    {
                        "code": code,
                        "outcome": result.get("outcome"),
                        "phrase": evidence.get("phrase", ""),
                        "disputed": code in rule_codes,
                    }
                )
    turns = []
    for index, turn in enumerate(call.turns or []):
        turns.append({**turn, "index": index, "evidence": marks.get(index, [])})
    return turns
