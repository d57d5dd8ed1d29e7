"""The standards library (质量支撑层): systems (制度), standard work processes (流程: ordered steps,
each with the documents it requires) and front-line answer specifications (规范: the answer to
give for a business question); their versions and lifecycle, attachments, links to compliance
rules, and the rollout (宣贯) of a published version to teams with agents' acknowledgements.

A standard is the stable identity (code, department, owner 专人负责, monitor 专人监控); its
content lives in numbered versions. A version moves draft → in review → published →
superseded (a later version was published) or abolished (the standard was withdrawn), only
through audits.standards.services, and every move is logged (StandardTransition). Once out of
draft/review a version's content cannot change: `StandardVersion.save` and `ProcessStep.save`
refuse it (and on PostgreSQL a trigger refuses an UPDATE that bypasses save()); a revision is a
new version.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from org.models import Agent, Department, Team, WorkingGroup


class Kind(models.TextChoices):
    SYSTEM = "system", _("System")
    PROCESS = "process", _("Process")
    SPECIFICATION = "specification", _("Answer specification")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")
    ABOLISHED = "abolished", _("Abolished")


# A version whose content may still change.
OPEN_STATUSES = (Status.DRAFT, Status.IN_REVIEW)


class Standard(models.Model):
    """One standard of the library, whatever its version. `status` and `title` follow its
    versions (kept by the services): published while a version is in force, abolished once
    withdrawn, otherwise the state of its first version. `search_text` gathers what the
    search reads (code, titles, body, question and answer of the current content, the owner's
    and monitor's names and their pinyin initials) so one indexed column answers it."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="standards",
        verbose_name=_("department"),
    )
    working_group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="standards",
        verbose_name=_("working group"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_standards",
        verbose_name=_("owner"),
        help_text=_("专人负责: keeps the standard and answers for it."),
    )
    monitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monitored_standards",
        verbose_name=_("monitor"),
        help_text=_("专人监控: watches that it is followed."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_version = models.OneToOneField(
        "StandardVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("version in force"),
    )
    search_text = models.TextField(_("search text"), editable=False, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    scope_paths = {"department": "department", "team": "department__teams", "agent": None}

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["code"]
        indexes = [models.Index(fields=["department", "kind", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_version__isnull=False),
                name="published_standard_has_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def current_published(self) -> StandardVersion | None:
        """The version in force, or None (never published, or abolished)."""
        return self.published_version


class StandardVersion(models.Model):
    """One version of a standard's content. Only drafts and versions in review can change."""

    CONTENT_FIELDS = ("title", "body", "question", "answer", "number", "standard_id")

    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="versions", verbose_name=_("standard")
    )
    number = models.PositiveIntegerField(_("version"))
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    question = models.TextField(
        _("business question"), blank=True, help_text=_("Answer specifications only.")
    )
    answer = models.TextField(
        _("answer to give"), blank=True, help_text=_("Answer specifications only.")
    )
    change_note = models.TextField(_("why this version"), blank=True)
    # What led to this version (a walk-through finding, …): a generic link, because those
    # apps sit above this one.
    origin_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("origin (kind)"),
    )
    origin_id = models.PositiveBigIntegerField(_("origin (number)"), null=True, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")
    origin.verbose_name = _("origin")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    scope_paths = {
        "department": "standard__department",
        "team": "standard__department__teams",
        "agent": None,
    }

    class Meta:
        verbose_name = _("standard version")
        verbose_name_plural = _("standard versions")
        ordering = ["standard", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["standard"],
                condition=Q(status="published"),
                name="one_published_version",
            ),
            models.UniqueConstraint(
                fields=["standard"],
                condition=Q(status__in=["draft", "in_review"]),
                name="one_open_version",
                violation_error_message=_("This standard already has a version being written."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard.code} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk:
            stored = (
                StandardVersion.objects.filter(pk=self.pk)
                .values("status", *[f for f in self.CONTENT_FIELDS])
                .first()
            )
            if stored and stored["status"] not in OPEN_STATUSES:
                changed = [f for f in self.CONTENT_FIELDS if stored[f] != getattr(self, f)]
                if changed or self.status in OPEN_STATUSES:
                    raise ValidationError(
                        _(
                            "Version %(number)s is %(status)s: its content cannot change; "
                            "revise the standard for a new version."
                        )
                        % {"number": stored["number"], "status": Status(stored["status"]).label}
                    )
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # The state machine. Call these only from audits.standards.services, which checks who
    # may, logs the move and keeps the standard in step.
    @transition(field=status, source=Status.DRAFT, target=Status.IN_REVIEW)
    def submit(self) -> None:
        pass

    @transition(field=status, source=Status.IN_REVIEW, target=Status.DRAFT)
    def send_back(self) -> None:
        pass

    @transition(field=status, source=[Status.DRAFT, Status.IN_REVIEW], target=Status.PUBLISHED)
    def publish(self) -> None:
        pass

    @transition(field=status, source=Status.PUBLISHED, target=Status.SUPERSEDED)
    def supersede(self) -> None:
        pass

    @transition(field=status, source="*", target=Status.ABOLISHED)
    def abolish(self) -> None:
        pass


def _refuse_if_closed(version_id: int | None) -> None:
    if version_id is None:
        return
    status = StandardVersion.objects.filter(pk=version_id).values_list("status", flat=True).first()
    if status is not None and status not in OPEN_STATUSES:
        raise ValidationError(
            _("This version is %(status)s: its steps and links cannot change.")
            % {"status": Status(status).label}
        )


class ProcessStep(models.Model):
    """A step of a process version, in order, with the documents it requires (one per line
    in `required_documents`); the walk-through asks for each of them."""

    version = models.ForeignKey(
        StandardVersion, on_delete=models.CASCADE, related_name="steps", verbose_name=_("version")
    )
    position = models.PositiveIntegerField(_("position"))
    title = models.CharField(_("step"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)

    scope_paths = {
        "department": "version__standard__department",
        "team": "version__standard__department__teams",
        "agent": None,
    }

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="step_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    def save(self, *args, **kwargs) -> None:
        _refuse_if_closed(self.version_id)
        if self.pk:
            old = ProcessStep.objects.filter(pk=self.pk).values_list("version_id", flat=True)
            for version_id in old:
                _refuse_if_closed(version_id)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_if_closed(self.version_id)
        return super().delete(*args, **kwargs)


class RuleLink(models.Model):
    """An answer specification's version enforces a compliance rule, named by its code in the
    active rule library (a code, not a foreign key: the library is versioned, the code is what
    stays). The rule library page and the standard's page both read these."""

    version = models.ForeignKey(
        StandardVersion,
        on_delete=models.CASCADE,
        related_name="rule_links",
        verbose_name=_("version"),
    )
    rule_code = models.CharField(_("rule code"), max_length=50, db_index=True)

    class Meta:
        verbose_name = _("rule link")
        verbose_name_plural = _("rule links")
        ordering = ["version", "rule_code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "rule_code"], name="rule_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.version} → {self.rule_code}"

    def save(self, *args, **kwargs) -> None:
        _refuse_if_closed(self.version_id)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_if_closed(self.version_id)
        return super().delete(*args, **kwargs)


class StandardTransition(models.Model):
    """The log of a version's lifecycle: who moved it, when, from what to what, and why."""

    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("standard")
    )
    version = models.ForeignKey(
        StandardVersion,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("version"),
    )
    source = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    target = models.CharField(_("to"), max_length=20, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("standard transition")
        verbose_name_plural = _("standard transitions")
        ordering = ["standard", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.version}: {self.source or '∅'} → {self.target}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Named by content hash: no user-chosen path reaches the disk.
    return f"standards/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A file of a version (a form, a template, a flowchart), stored under its SHA-256 and
    served only by the permission-checked download view."""

    version = models.ForeignKey(
        StandardVersion,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("version"),
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    scope_paths = {
        "department": "version__standard__department",
        "team": "version__standard__department__teams",
        "agent": None,
    }

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["version", "name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


class Rollout(models.Model):
    """A published version rolled out (宣贯) to a team: its agents are to read and acknowledge
    it. Coverage = acknowledgements of the team's active agents / its active agents."""

    version = models.ForeignKey(
        StandardVersion,
        on_delete=models.CASCADE,
        related_name="rollouts",
        verbose_name=_("version"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="rollouts", verbose_name=_("team")
    )
    due_on = models.DateField(_("read by"), null=True, blank=True)
    rolled_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("rolled out by"),
    )
    rolled_out_at = models.DateTimeField(_("rolled out at"), auto_now_add=True)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)

    scope_paths = {"department": "team__department", "team": "team", "agent": "team__agents"}

    class Meta:
        verbose_name = _("rollout")
        verbose_name_plural = _("rollouts")
        ordering = ["-rolled_out_at", "team"]
        constraints = [
            models.UniqueConstraint(fields=["version", "team"], name="one_rollout_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.version} → {self.team}"


class Acknowledgement(models.Model):
    """An agent has read a rolled-out version (确认已读)."""

    version = models.ForeignKey(
        StandardVersion,
        on_delete=models.CASCADE,
        related_name="acknowledgements",
        verbose_name=_("version"),
    )
    agent = models.ForeignKey(
        Agent,
        on_delete=models.CASCADE,
        related_name="standard_acknowledgements",
        verbose_name=_("agent"),
    )
    acknowledged_at = models.DateTimeField(_("read at"), auto_now_add=True)

    scope_paths = {"department": "agent__team__department", "team": "agent__team", "agent": "agent"}

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["version", "agent"], name="one_acknowledgement")
        ]

    def __str__(self) -> str:
        return f"{self.agent} ✓ {self.version}"


class AbolitionRequest(models.Model):
    """A proposal to abolish (废止) a standard, which takes effect only once approved.

    Proposed by a walk-through's verdict "abolish" or by one who manages the department's
    standards; approved or rejected by the department's manager, a manager of the whole
    center, the lead of the 制度流程建设项目组 (whose scope holds the department) or an
    administrator, never by the one who proposed it (`qa_center.permissions.
    may_approve_abolition`). Until then the standard stays in force. Its own small state
    machine: pending → approved (the standard is abolished) or rejected; each move only
    through audits.standards.services, recorded with who, when and why."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    standard = models.ForeignKey(
        Standard,
        on_delete=models.CASCADE,
        related_name="abolition_requests",
        verbose_name=_("standard"),
    )
    status = FSMField(
        _("status"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    reason = models.TextField(_("why abolish it"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    requested_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("why this decision"), blank=True)

    scope_paths = {"department": "standard__department", "team": None, "agent": None}

    class Meta:
        verbose_name = _("abolition request")
        verbose_name_plural = _("abolition requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard"],
                condition=Q(status="pending"),
                name="one_pending_abolition",
                violation_error_message=_("The abolition of this standard is already proposed."),
            ),
            models.CheckConstraint(
                condition=Q(status="pending")
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="abolition_decision_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard.code}: {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Decision.PENDING

    # Call these only from audits.standards.services.
    @transition(field=status, source=Decision.PENDING, target=Decision.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=status, source=Decision.PENDING, target=Decision.REJECTED)
    def reject(self) -> None:
        pass
