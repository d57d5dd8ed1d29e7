"""专项抽检 special sampling: plans that draw calls each week, and the assignments they make."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from org.models import Department
from qa_center.permissions import scope_paths_via
from scoring.calls.models import Call
from scoring.evaluations.models import Scorecard


class SamplingPlan(models.Model):
    """专项抽检: how many calls per agent per period are drawn for supervisors to score."""

    class Assign(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round robin")
        BY_TEAM = "by_team", _("By team")

    name = models.CharField(_("name"), max_length=100)
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="plans")
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Empty: the whole center."),
    )
    calls_per_agent = models.PositiveSmallIntegerField(_("calls per agent per week"), default=2)
    weight_low_scores = models.BooleanField(_("favour low automatic scores"), default=True)
    weight_critical = models.BooleanField(_("favour critical hits"), default=True)
    assignment = models.CharField(
        _("assignment"), max_length=12, choices=Assign.choices, default=Assign.ROUND_ROBIN
    )
    supervisors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="sampling_plans")
    due_days = models.PositiveSmallIntegerField(_("days to score"), default=3)
    is_active = models.BooleanField(pgettext_lazy("status", "active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = {"department": "department", "team": None, "agent": None}

    class Meta:
        verbose_name = _("sampling plan")
        verbose_name_plural = _("sampling plans")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """A sampled call waiting in a supervisor's queue."""

    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey(
        SamplingPlan, on_delete=models.CASCADE, null=True, blank=True, related_name="assignments"
    )
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="assignments")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    period_start = models.DateField(_("week of"))
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = scope_paths_via("call", Call.scope_paths)

    class Meta:
        verbose_name = pgettext_lazy("model", "sampled call to score")
        verbose_name_plural = pgettext_lazy("model", "sampled calls to score")
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "call"], name="call_sampled_once_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.call} → {self.supervisor}"
