"""Disputes placed in time (for figures that count them by when they were opened)."""

from __future__ import annotations

from scoring.disputes.models import Dispute


def dispute(evaluation, raised_by, *, opened_at, decided_at=None) -> Dispute:
    """A dispute row opened at `opened_at` (decided at `decided_at` if given), written
    directly: the bulletins count disputes, they do not decide them."""
    item = Dispute.objects.create(
        evaluation=evaluation,
        raised_by=raised_by,
        reason="不认可",
        status="decided" if decided_at else "open",
        decided_at=decided_at,
    )
    Dispute.objects.filter(pk=item.pk).update(opened_at=opened_at)  # auto_now_add otherwise
    return item
