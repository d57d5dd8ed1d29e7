"""Scorecards, evaluations and what follows them: history, disputes, sampling, calibration."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from org.models import Department

from .calls import Call

_CALL_SCOPE = {"department": "call__team__department", "team": "call__team", "agent": "call__agent"}


class Scorecard(models.Model):
    """A versioned evaluation form. A published version is never changed, only superseded by
    a new version with the same name."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"), default=1)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    pass_mark = models.DecimalField(_("pass mark"), max_digits=5, decimal_places=2, default=80)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="scorecard_version_unique"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(status="published"), name="one_published_scorecard"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ScorecardSection(models.Model):
    """A section of a scorecard (e.g. service phrases, tone, business accuracy)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("title"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scorecard", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class ScorecardItem(models.Model):
    """One question. yes/no items score `weight` for yes; scale items score
    weight × (value − min) ÷ (max − min). N/A leaves the denominator. A failed critical item
    zeroes the evaluation. `rule_code` links the item to an engine rule: prefilled, automatic."""

    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Yes / no")
        SCALE = "scale", _("Scale")

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(ScorecardSection, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.YES_NO)
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    critical = models.BooleanField(_("critical"), default=False)
    allow_na = models.BooleanField(_("N/A allowed"), default=True)
    rule_code = models.CharField(_("engine rule"), max_length=64, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["section__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "code"], name="scorecard_item_code_unique"
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="item_weight_not_negative"),
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")), name="item_scale_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


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

    scope_paths = _CALL_SCOPE

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "call"], name="call_sampled_once_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.call} → {self.supervisor}"


class CalibrationSession(models.Model):
    """校准: one call scored blind by several supervisors, then compared."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Scoring")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="calibrations")
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="+")
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="calibrations")
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

    scope_paths = _CALL_SCOPE

    class Meta:
        verbose_name = _("calibration session")
        verbose_name_plural = _("calibration sessions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Evaluation(models.Model):
    """A supervisor's scoring of a call on a scorecard. `version` goes up on every save, so a
    stale edit (someone else saved meanwhile) is refused instead of silently overwriting."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DISPUTED = "disputed", _("Disputed")
        FINAL = "final", _("Final")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="evaluations")
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="evaluations")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations"
    )
    assignment = models.OneToOneField(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="evaluation"
    )
    calibration = models.ForeignKey(
        CalibrationSession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evaluations",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    critical_failed = models.BooleanField(_("critical item failed"), default=False)
    passed = models.BooleanField(_("passed"), null=True)
    comment = models.TextField(_("comment"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    scope_paths = _CALL_SCOPE

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-created_at"]
        constraints = [
            # One evaluation per supervisor per call outside calibration sessions, and one per
            # participant inside a session.
            models.UniqueConstraint(
                fields=["call", "evaluator"],
                condition=Q(calibration__isnull=True),
                name="one_evaluation_per_evaluator",
            ),
            models.UniqueConstraint(
                fields=["calibration", "evaluator"],
                condition=Q(calibration__isnull=False),
                name="one_calibration_evaluation_per_evaluator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call} · {self.scorecard} · {self.evaluator}"


class Answer(models.Model):
    """The answer to one scorecard item. `value`: 1/0 for yes/no, the scale value, or None for
    N/A. `auto_value` is what the engine suggested; overriding it needs a reason."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ScorecardItem, on_delete=models.PROTECT, related_name="answers")
    value = models.SmallIntegerField(null=True, blank=True)
    is_na = models.BooleanField(_("N/A"), default=False)
    auto_value = models.SmallIntegerField(null=True, blank=True)
    auto_na = models.BooleanField(default=False)
    override_reason = models.TextField(_("reason for override"), blank=True)
    note = models.TextField(_("note"), blank=True)
    points = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    possible = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)

    scope_paths = {
        "department": "evaluation__call__team__department",
        "team": "evaluation__call__team",
        "agent": "evaluation__call__agent",
    }

    class Meta:
        ordering = ["item__section__order", "item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "item"], name="one_answer_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id}/{self.item_id}: {'N/A' if self.is_na else self.value}"


class EvaluationEvent(models.Model):
    """Append-only history of an evaluation: who, when, what, why. Never updated or deleted."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=30)
    # [{"item": code, "field": ..., "old": ..., "new": ...}] and anything else worth keeping.
    changes = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True)
    # The evaluation's version after this event, so a stale save can name what came since.
    version = models.PositiveIntegerField(null=True, blank=True)

    scope_paths = {
        "department": "evaluation__call__team__department",
        "team": "evaluation__call__team",
        "agent": "evaluation__call__agent",
    }

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionDenied("Evaluation history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Evaluation history is append-only.")


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

    scope_paths = {
        "department": "evaluation__call__team__department",
        "team": "evaluation__call__team",
        "agent": "evaluation__call__agent",
    }

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


__all__ = [
    "Answer",
    "Assignment",
    "CalibrationSession",
    "Dispute",
    "DisputeItem",
    "Evaluation",
    "EvaluationEvent",
    "SamplingPlan",
    "Scorecard",
    "ScorecardItem",
    "ScorecardSection",
]
