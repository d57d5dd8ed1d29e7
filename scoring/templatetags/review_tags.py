"""Template helpers for disputes on the agents' pages."""

from __future__ import annotations

from django import template

from ..models import Dispute
from ..services.disputes import dispute_deadline, dispute_refusal

register = template.Library()


@register.simple_tag(takes_context=True)
def dispute_state(context, evaluation) -> dict:
    """{"open": Dispute|None, "decided": Dispute|None, "can_dispute": bool, "deadline": date}.
    Uses `evaluation.disputes.all()`, so a page that prefetches "disputes" pays no query."""
    user = context["request"].user
    disputes = sorted(evaluation.disputes.all(), key=lambda d: d.opened_at, reverse=True)
    open_ = next((d for d in disputes if d.status == Dispute.Status.OPEN), None)
    decided = next((d for d in disputes if d.status == Dispute.Status.DECIDED), None)
    return {
        "open": open_,
        "decided": decided,
        "can_dispute": open_ is None and dispute_refusal(evaluation, user) is None,
        "deadline": dispute_deadline(evaluation),
    }
