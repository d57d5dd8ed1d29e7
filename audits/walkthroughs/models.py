"""The monthly process walk-through (流程制度穿越): draw, one-hour document window, drill,
findings, verdict, score.

A month's draw (WalkthroughDraw, one per month, with the seed that makes it reproducible)
picks up to two published systems or processes per department (DepartmentDraw says how many
there were to pick from); each pick is a Walkthrough of the version published at the time,
with its steps copied (WalkthroughStep) so that a later revision of the standard does not
change what was walked.

The one-hour window is data: `documents_due_at` is stored when the auditor starts the
walk-through, and every read compares it with the clock (`Walkthrough.documents_locked`), so
the walk-through is locked at the deadline whether or not any task ran.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from org.models import Department


class WalkthroughDraw(models.Model):
    """The draw of one month: its seed (the same seed and the same library give the same
    picks) and when and by whom it was made (None: the monthly job or the command)."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    seed = models.CharField(_("seed"), max_length=32)
    drawn_at = models.DateTimeField(_("drawn at"), default=timezone.now)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("drawn by"),
    )

    class Meta:
        verbose_name = _("walk-through draw")
        verbose_name_plural = _("walk-through draws")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="walkthrough_draw_first_day")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class DepartmentDraw(models.Model):
    """What one department's draw had to pick from: `available` published systems and
    processes, `drawn` of them picked (fewer than two when there were fewer)."""

    draw = models.ForeignKey(
        WalkthroughDraw,
        on_delete=models.CASCADE,
        related_name="departments",
        verbose_name=_("walk-through draw"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    available = models.PositiveSmallIntegerField(_("published systems and processes"))
    drawn = models.PositiveSmallIntegerField(_("drawn"))

    scope_paths = {"department": "department", "team": None, "agent": None}

    class Meta:
        verbose_name = _("department draw")
        verbose_name_plural = _("department draws")
        ordering = ["draw", "department__code"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "department"], name="one_draw_per_department")
        ]

    def __str__(self) -> str:
        return f"{self.draw} {self.department}"


class Walkthrough(models.Model):
    """One standard walked through in one month: who owns it (copied from the standard at the
    draw), when the auditor started it and until when documents count, the verdict and the
    score (frozen at the verdict)."""

    class Status(models.TextChoices):
        DRAWN = "drawn", _("Drawn, not started")
        STARTED = "started", pgettext_lazy("walk-through status", "Started")
        CONCLUDED = "concluded", _("Concluded")

    class Verdict(models.TextChoices):
        KEEP = "keep", _("Keep")
        REVISE = "revise", _("Revise")
        ABOLISH = "abolish", _("Abolish")

    WINDOW = datetime.timedelta(minutes=60)

    month = models.DateField(_("month"))
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="walkthroughs",
        verbose_name=_("department"),
    )
    slot = models.PositiveSmallIntegerField(_("draw order"))
    standard = models.ForeignKey(
        "standards.Standard",
        on_delete=models.PROTECT,
        related_name="walkthroughs",
        verbose_name=_("standard"),
    )
    version = models.ForeignKey(
        "standards.StandardVersion",
        on_delete=models.PROTECT,
        related_name="walkthroughs",
        verbose_name=_("version walked"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="walkthroughs_owned",
        verbose_name=_("owner"),
    )
    weight = models.PositiveSmallIntegerField(_("draw weight"), default=1)
    walked_recently = models.BooleanField(_("walked in the last two months"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAWN
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    documents_due_at = models.DateTimeField(_("documents due at"), null=True, blank=True)
    deadline_notified_at = models.DateTimeField(_("deadline notice sent at"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=8, choices=Verdict.choices, blank=True)
    verdict_reason = models.TextField(_("reason for the verdict"), blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("concluded by"),
    )
    revision = models.ForeignKey(
        "standards.StandardVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revision opened"),
    )
    abolition = models.ForeignKey(
        "standards.AbolitionRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="walkthroughs",
        verbose_name=_("abolition proposed"),
        help_text=_("The verdict abolish proposes it; the standard is abolished once approved."),
    )
    score = models.DecimalField(
        _("walk-through score"), max_digits=4, decimal_places=1, null=True, blank=True
    )

    scope_paths = {"department": "department", "team": None, "agent": None}

    class Meta:
        verbose_name = _("walk-through")
        verbose_name_plural = _("walk-throughs")
        ordering = ["-month", "department__code", "slot"]
        constraints = [
            # The draw's idempotence, held by the database: the same standard is walked at most
            # once per department and month, and a department has one walk-through per slot.
            models.UniqueConstraint(
                fields=["month", "department", "standard"], name="walkthrough_standard_once"
            ),
            models.UniqueConstraint(
                fields=["month", "department", "slot"], name="walkthrough_slot_once"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="walkthrough_first_day"),
            models.CheckConstraint(
                condition=Q(status="drawn") | Q(documents_due_at__isnull=False),
                name="walkthrough_started_has_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(status="concluded") | ~Q(verdict=""),
                name="walkthrough_concluded_has_verdict",
            ),
        ]
        indexes = [models.Index(fields=["month", "department"], name="walkthrough_month_dep")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department} #{self.slot}"

    def documents_locked(self, now: datetime.datetime | None = None) -> bool:
        """Past the deadline: documents uploaded now are late and do not count."""
        if self.documents_due_at is None:
            return False
        return (now or timezone.now()) >= self.documents_due_at

    def window_running(self, now: datetime.datetime | None = None) -> bool:
        return self.status == self.Status.STARTED and not self.documents_locked(now)

    def seconds_left(self, now: datetime.datetime | None = None) -> int:
        if self.documents_due_at is None:
            return 0
        left = (self.documents_due_at - (now or timezone.now())).total_seconds()
        return max(int(left), 0)


class WalkthroughStep(models.Model):
    """A step of the walked version (copied at the draw: a system without steps is one step,
    the whole document) and the drill's result for it."""

    class Drill(models.TextChoices):
        DONE = "done", _("Done")
        MISSING = "missing", _("Missing")
        UNREASONABLE = "unreasonable", _("Unreasonable")

    walkthrough = models.ForeignKey(
        Walkthrough, on_delete=models.CASCADE, related_name="steps", verbose_name=_("walk-through")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    required_documents = models.TextField(_("required documents"), blank=True)
    drill = models.CharField(_("drill"), max_length=12, choices=Drill.choices, blank=True)
    drill_note = models.TextField(_("drill note"), blank=True)
    drilled_at = models.DateTimeField(_("drilled at"), null=True, blank=True)
    drilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("drilled by"),
    )

    scope_paths = {"department": "walkthrough__department", "team": None, "agent": None}

    class Meta:
        verbose_name = _("walk-through step")
        verbose_name_plural = _("walk-through steps")
        ordering = ["walkthrough", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["walkthrough", "position"], name="walkthrough_step_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


def _document_path(instance: WalkthroughDocument, filename: str) -> str:
    # The stored name is the hash: nothing the uploader typed reaches the file system.
    return f"walkthroughs/{instance.sha256[:2]}/{instance.sha256}"


class WalkthroughDocument(models.Model):
    """A document the owner uploaded for a step, with its SHA-256; `late`: uploaded at or
    after the deadline, kept but not counted."""

    step = models.ForeignKey(
        WalkthroughStep, on_delete=models.CASCADE, related_name="documents", verbose_name=_("step")
    )
    file = models.FileField(_("file"), upload_to=_document_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    late = models.BooleanField(_("late"), default=False)

    scope_paths = {"department": "step__walkthrough__department", "team": None, "agent": None}

    class Meta:
        verbose_name = _("walk-through document")
        verbose_name_plural = _("walk-through documents")
        ordering = ["step", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Finding(models.Model):
    """A finding of the walk-through (稽核发现), graded; each nonconformity has its corrective
    action (audits.actions), whose owner and due date the auditor set."""

    class Grade(models.TextChoices):
        MAJOR = "major", _("Major nonconformity")
        MINOR = "minor", _("Minor nonconformity")
        OBSERVATION = "observation", _("Observation")
        GOOD_PRACTICE = "good_practice", _("Good practice")

    NONCONFORMITIES = (Grade.MAJOR, Grade.MINOR)

    walkthrough = models.ForeignKey(
        Walkthrough,
        on_delete=models.CASCADE,
        related_name="findings",
        verbose_name=_("walk-through"),
    )
    step = models.ForeignKey(
        WalkthroughStep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("step"),
    )
    grade = models.CharField(_("grade"), max_length=14, choices=Grade.choices)
    description = models.TextField(_("description"))
    action = models.ForeignKey(
        "actions.CorrectiveAction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="walkthrough_findings",
        verbose_name=_("corrective action"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    scope_paths = {"department": "walkthrough__department", "team": None, "agent": None}

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["walkthrough", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(grade__in=["major", "minor"]) | Q(action__isnull=False),
                name="nonconformity_has_action",
                violation_error_message=_("A nonconformity needs its corrective action."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_grade_display()}: {self.description[:40]}"

    @property
    def is_nonconformity(self) -> bool:
        return self.grade in self.NONCONFORMITIES
