"""Inspections (稽核验证层), three kinds:

- full self-inspection (全面自检): a department inspects its own published standards against a
  checklist, on a schedule (SelfInspectionSchedule makes the period's SelfInspection); each item
  is found conforming, a minor or major nonconformity, an observation or not applicable; a
  nonconformity leads to a corrective action (audits.actions), linked from the item;
- special sampling inspection (专项抽检): the call sampling plans of scoring.sampling, shown as
  inspections of the audit layer through its selectors (no model here: no second implementation);
- third-party evaluation (三方测评): the results of an outside evaluator (mystery calls, surveys)
  imported from CSV/XLSX all-or-nothing (ThirdPartyEvaluation, one per imported file, and its
  ThirdPartyResult rows, one per department or team and item)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audits.actions.models import CorrectiveAction
from audits.standards.models import Standard, StandardVersion
from org.models import Department, Team


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class SelfInspectionSchedule(models.Model):
    """A department's schedule of full self-inspections: every month or quarter, on the first
    day of the period, the period's self-inspection is opened for `inspector`, due after
    `days_to_complete` days."""

    department = models.OneToOneField(
        Department,
        on_delete=models.PROTECT,
        related_name="self_inspection_schedule",
        verbose_name=_("department"),
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("inspector"),
    )
    days_to_complete = models.PositiveSmallIntegerField(
        _("days to complete"), default=14, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(pgettext_lazy("status", "active"), default=True)

    scope_paths = {"department": "department", "team": None, "agent": None}

    class Meta:
        verbose_name = _("self-inspection schedule")
        verbose_name_plural = _("self-inspection schedules")

    def __str__(self) -> str:
        return f"{self.department} {self.frequency}"


class SelfInspection(models.Model):
    """One full self-inspection (全面自检) of a department for a period: its checklist is the
    department's published standards when it was opened."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("inspection status", "Open")
        COMPLETED = "completed", _("Completed")

    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="self_inspections",
        verbose_name=_("department"),
    )
    period_start = models.DateField(_("period"))
    title = models.CharField(_("title"), max_length=200)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="self_inspections",
        verbose_name=_("inspector"),
    )
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    scope_paths = {"department": "department", "team": None, "agent": None}

    class Meta:
        verbose_name = _("self-inspection")
        verbose_name_plural = _("self-inspections")
        ordering = ["-period_start", "department", "pk"]
        constraints = [
            # The schedule opens one per department and period, however often it runs.
            models.UniqueConstraint(
                fields=["department", "period_start"], name="one_self_inspection_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status="open", completed_at__isnull=True)
                | Q(status="completed", completed_at__isnull=False),
                name="self_inspection_completed_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    """One line of a self-inspection's checklist: a standard (the version in force when the
    checklist was made) and what was found; a nonconformity's corrective action."""

    class Result(models.TextChoices):
        CONFORMS = "conforms", _("Conforms")
        MINOR = "minor", _("Minor nonconformity")
        MAJOR = "major", _("Major nonconformity")
        OBSERVATION = "observation", _("Observation")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    NONCONFORMITIES = (Result.MINOR, Result.MAJOR)

    inspection = models.ForeignKey(
        SelfInspection,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("self-inspection"),
    )
    position = models.PositiveIntegerField(_("position"))
    standard = models.ForeignKey(
        Standard, on_delete=models.PROTECT, related_name="+", verbose_name=_("standard")
    )
    standard_version = models.ForeignKey(
        StandardVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("version"),
    )
    text = models.CharField(_("checklist item"), max_length=300)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    action = models.ForeignKey(
        CorrectiveAction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checklist_items",
        verbose_name=_("corrective action"),
    )

    scope_paths = {"department": "inspection__department", "team": None, "agent": None}

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["inspection", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "position"], name="checklist_position_unique"
            ),
            models.CheckConstraint(
                condition=~Q(result__in=["minor", "major"]) | Q(action__isnull=False),
                name="checklist_nonconformity_has_action",
                violation_error_message=_("A nonconformity leads to a corrective action."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}#{self.position} {self.text}"


class ThirdPartyEvaluation(models.Model):
    """One imported file of an outside evaluator's results (三方测评): who evaluated, how
    (mystery calls, surveys), for which month; the file's name and SHA-256; its results."""

    class Method(models.TextChoices):
        MYSTERY_CALL = "mystery_call", _("Mystery calls")
        SURVEY = "survey", _("Survey")

    evaluator = models.CharField(_("evaluator"), max_length=100)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    period_start = models.DateField(_("month"))
    filename = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    # Visible through its results: see selectors.visible_third_party.
    scope_paths = {"department": "results__department", "team": "results__team", "agent": None}

    class Meta:
        verbose_name = _("third-party evaluation")
        verbose_name_plural = _("third-party evaluations")
        ordering = ["-period_start", "-imported_at"]

    def __str__(self) -> str:
        return f"{self.evaluator} {self.period_start:%Y-%m}"


class ThirdPartyResult(models.Model):
    """One result of a third-party evaluation: a department (or one of its teams), the item
    evaluated, the score out of 100, the number of samples (calls or answers) behind it."""

    evaluation = models.ForeignKey(
        ThirdPartyEvaluation,
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name=_("third-party evaluation"),
    )
    line = models.PositiveIntegerField(_("line"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    item = models.CharField(_("item"), max_length=200)
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    samples = models.PositiveIntegerField(_("samples"), default=1)
    comment = models.TextField(_("comment"), blank=True)

    scope_paths = {"department": "department", "team": "team", "agent": None}

    class Meta:
        verbose_name = _("third-party result")
        verbose_name_plural = _("third-party results")
        ordering = ["evaluation", "line"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="third_party_score_percent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.score}"
