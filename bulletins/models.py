"""Bulletins (通报): the weekly bulletin of every scope, the monthly red-header notice, and who
has read what. The improvement targets set for what fell short are corrective actions
(audits.actions.models.ImprovementTarget)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from org.models import Department, Team
from qa_center.levels import BULLETIN_LEVELS, Level


class Kind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly bulletin")
    MONTHLY = "monthly", _("Monthly notice")


def scope_key(level: str, department_id: int | None = None, team_id: int | None = None) -> str:
    """One string per scope, so the uniqueness of (kind, scope, period, revision) holds in the
    database even for the center, whose department and team are NULL (NULLs never collide)."""
    if level == Level.TEAM:
        return f"team:{team_id}"
    if level == Level.DEPARTMENT:
        return f"department:{department_id}"
    return "center"


class Bulletin(models.Model):
    """One bulletin of one scope for one period. `data` holds the figures as computed when it
    was generated, frozen: later evaluations or disputes never change a published bulletin.
    Regenerating on purpose creates the next `revision` with a `reason`; the highest revision
    is the current one. A monthly notice is a draft until a manager issues it; from then on it
    is immutable, and a correction is a new, numbered notice that `corrects` the old one."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    level = models.CharField(_("scope"), max_length=12, choices=BULLETIN_LEVELS)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bulletins",
        verbose_name=_("department"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bulletins",
        verbose_name=_("team"),
    )
    scope_key = models.CharField(max_length=40, editable=False)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    reason = models.TextField(_("reason for the revision"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    title = models.CharField(_("title"), max_length=200)
    # Monthly notices: 冀客服质〔2026〕11号, assigned when issued (year and sequence kept apart
    # so the database can hold the sequence unique).
    number = models.CharField(_("number"), max_length=60, blank=True)
    number_year = models.PositiveSmallIntegerField(null=True, blank=True)
    number_seq = models.PositiveIntegerField(null=True, blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    data = models.JSONField(_("figures"), default=dict)
    # The headline figures alone, small, so a 12-week trend reads 12 rows without their data.
    summary = models.JSONField(default=dict)
    generated_at = models.DateTimeField(_("generated at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)

    scope_paths = {"department": "department", "team": "team", "agent": None}

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-period_start", "level", "scope_key", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "scope_key", "period_start", "revision"],
                name="bulletin_once_per_scope_period_revision",
            ),
            models.UniqueConstraint(
                fields=["number_year", "number_seq"],
                condition=Q(number_seq__isnull=False),
                name="notice_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="bulletin_period"
            ),
            models.CheckConstraint(
                condition=~Q(status="issued", kind="monthly") | Q(number_seq__isnull=False),
                name="issued_notice_has_number",
            ),
        ]
        indexes = [models.Index(fields=["kind", "period_start"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # An issued notice is a record that was sent out: it is never edited, only corrected
        # by a new notice. The service checks this under a row lock; this is the last guard.
        if self.pk and self.is_immutable:
            raise ValidationError(_("An issued notice cannot be changed; issue a correction."))
        self.scope_key = scope_key(self.level, self.department_id, self.team_id)
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def delete(self, *args, **kwargs):
        if self.is_immutable:
            raise ValidationError(_("An issued notice cannot be deleted."))
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    @property
    def is_immutable(self) -> bool:
        return self.kind == Kind.MONTHLY and getattr(self, "_loaded_status", None) == "issued"

    @property
    def scope_label(self) -> str:
        if self.level == Level.TEAM and self.team_id:
            return str(self.team)
        if self.level == Level.DEPARTMENT and self.department_id:
            return str(self.department)
        return str(_("Center"))

    @property
    def iso_week(self) -> int:
        return self.period_start.isocalendar()[1]


class NoticeSequence(models.Model):
    """The last number given to a red-header notice in a year. Locked (select_for_update)
    while a notice is issued, so two managers issuing at once get consecutive numbers."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("notice number sequence")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class BulletinRead(models.Model):
    """That a user has opened a bulletin (no row: unread)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bulletin_reads"
    )
    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "bulletin"], name="bulletin_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.bulletin_id}"


# Improvement targets and their weekly follow-ups are corrective actions now:
# audits.actions.models.ImprovementTarget / TargetFollowUp (source = improvement_target).
