"""申诉 disputes: an agent contests items of an evaluation; the review group rules on each."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qa_center.permissions import scope_paths_via
from scoring.evaluations.models import Answer, Evaluation


class Dispute(models.Model):
    """申诉: an agent's challenge of some items of an evaluation, ruled by the review group."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Open")
        DECIDED = "decided", _("Decided")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="disputes")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="disputes_raised"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disputes_decided",
    )
    score_before = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    score_after = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    scope_paths = scope_paths_via("evaluation", Evaluation.scope_paths)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation"], condition=Q(status="open"), name="one_open_dispute"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} ({self.get_status_display()})"


class DisputeItem(models.Model):
    """One disputed answer and the review group's decision on it."""

    class Decision(models.TextChoices):
        UPHELD = "upheld", _("Upheld")
        ADJUSTED = "adjusted", _("Adjusted")
        OVERTURNED = "overturned", _("Overturned")

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="items")
    answer = models.ForeignKey(Answer, on_delete=models.PROTECT, related_name="dispute_items")
    reason = models.TextField(_("reason"), blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True)
    new_value = models.SmallIntegerField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dispute", "answer"], name="answer_once_per_dispute")
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}/{self.answer_id}: {self.decision or '-'}"
