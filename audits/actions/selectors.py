"""Reads of corrective actions, scoped by the permission module."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from audits.actions.models import ActionEvent, CorrectiveAction, ImprovementTarget
from qa_center.permissions import scope_queryset, visible_corrective_actions


def visible_actions(
    user, qs: QuerySet[CorrectiveAction] | None = None
) -> QuerySet[CorrectiveAction]:
    """The actions of `qs` (default: all) the user may open: their units' and their own."""
    if qs is None:
        qs = CorrectiveAction.objects.all()
    return visible_corrective_actions(user, qs)


def action_list(
    user,
    *,
    status: str | None = None,
    source: str | None = None,
    mine: bool = False,
    overdue: bool = False,
    today: datetime.date | None = None,
) -> QuerySet[CorrectiveAction]:
    """The list page's and the API's actions: open ones first by due date, then the others."""
    qs = visible_actions(user).select_related("owner", "department", "team", "created_by")
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if mine:
        qs = qs.filter(owner=user)
    if overdue:
        qs = qs.filter(
            status=CorrectiveAction.Status.OPEN, due_on__lt=today or timezone.localdate()
        )
    return qs.order_by("due_on", "pk")


def action_detail(user, pk: int) -> CorrectiveAction | None:
    """One action with its history, follow-ups and verifications, if the user may open it."""
    return (
        visible_actions(user)
        .select_related("owner", "department", "team", "created_by")
        .prefetch_related(
            Prefetch("events", queryset=ActionEvent.objects.select_related("by")),
            "follow_ups__by",
            "verifications__by",
        )
        .filter(pk=pk)
        .first()
    )


def improvement_targets_for(user) -> QuerySet[ImprovementTarget]:
    """Improvement targets in the user's scope (the bulletins' readers see them)."""
    return scope_queryset(user, ImprovementTarget.objects.all()).select_related(
        "team", "department", "action__owner"
    )
