"""校准 calibration: sessions where several supervisors score one call blind, then compare."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qa_center.permissions import scope_paths_via
from scoring.calls.models import Call
from scoring.evaluations.models import Evaluation, Scorecard


class CalibrationSession(models.Model):
    """校准: one call scored blind by several supervisors, then compared."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Scoring")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="calibrations")
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="+")
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="calibrations")
    evaluations = models.ManyToManyField(
        Evaluation, through="CalibrationEntry", related_name="calibration_sessions"
    )
    reference_score = models.DecimalField(
        _("reference score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    scope_paths = scope_paths_via("call", Call.scope_paths)

    class Meta:
        verbose_name = _("calibration session")
        verbose_name_plural = _("calibration sessions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class CalibrationEntry(models.Model):
    """One participant's blind score in a session (an evaluation marked `is_calibration`)."""

    session = models.ForeignKey(
        CalibrationSession, on_delete=models.CASCADE, related_name="entries"
    )
    evaluation = models.OneToOneField(
        Evaluation, on_delete=models.CASCADE, related_name="calibration_entry"
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("calibration score")
        verbose_name_plural = _("calibration scores")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "evaluator"], name="one_calibration_evaluation_per_evaluator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.evaluator}"
