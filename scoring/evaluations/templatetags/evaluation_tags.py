"""Template helpers for the evaluation pages (the agent's results, the scoring page)."""

from __future__ import annotations

from django import template

from qa_center.permissions import dispute_refusal

register = template.Library()


@register.simple_tag(takes_context=True)
def dispute_state(context, evaluation) -> dict:
    """{"open": Dispute|None, "decided": Dispute|None, "can_dispute": bool, "deadline": date}
    for the evaluation's dispute buttons. Reads `evaluation.disputes.all()`, so a page that
    prefetches "disputes" pays no query."""
    user = context["request"].user
    disputes = sorted(evaluation.disputes.all(), key=lambda d: d.opened_at, reverse=True)
    open_ = next((d for d in disputes if d.status == d.Status.OPEN), None)
    decided = next((d for d in disputes if d.status == d.Status.DECIDED), None)
    return {
        "open": open_,
        "decided": decided,
        "can_dispute": open_ is None and dispute_refusal(evaluation, user) is None,
        "deadline": evaluation.dispute_deadline(),
    }
