"""Corrective actions (措施): one model used by audit findings, inspection nonconformities,
bulletin improvement targets and KPI shortfalls; follow-up, verification of effectiveness,
escalation.

The source holds the link (a walk-through finding, an inspection result, an improvement target,
a KPI shortfall has a foreign key to its action): this app sits below all of them and names
none of them.

Lifecycle (a state machine, changed only through audits.actions.services, every change recorded
as an ActionEvent):

    open ──complete──▶ done (awaiting verification) ──verify(effective)──▶ verified (closed)
      ▲                   │
      └──verify(not effective, with the note)──┘
    open / done ──cancel──▶ cancelled

An action is closed only when a later check confirms the problem is gone (ISO 19011 follow-up:
the effectiveness of the correction is verified, not assumed)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition

from org.models import Department, Team
from qa_center.levels import TARGET_LEVELS
from qa_center.periods import week_start_of


class CorrectiveAction(models.Model):
    """One corrective action (措施): what is to be done about a problem, by whom (owner), by
    when (due_on), for which unit (department; team; neither: the center's), and where it comes
    from (source). `escalated_at`: when it was escalated, once, to the department's manager
    for being overdue."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("action status", "Open")
        DONE = "done", _("Done, awaiting verification")
        VERIFIED = "verified", _("Verified (closed)")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        FINDING = "finding", _("Audit finding")
        NONCONFORMITY = "nonconformity", _("Inspection nonconformity")
        IMPROVEMENT_TARGET = "improvement_target", _("Improvement target")
        SHORTFALL = "shortfall", _("KPI shortfall")
        OTHER = "other", _("Other")

    CLOSED = (Status.VERIFIED, Status.CANCELLED)

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrective_actions",
        verbose_name=_("department"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrective_actions",
        verbose_name=_("team"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="corrective_actions",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due date"))
    status = FSMField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.OPEN,
        protected=True,
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    scope_paths = {"department": "department", "team": "team", "agent": None}

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="action_status_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=True) | Q(department__isnull=False),
                name="action_team_has_department",
                violation_error_message=_("A team's action names the team's department."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["verified", "cancelled"], closed_at__isnull=False)
                | (~Q(status__in=["verified", "cancelled"]) & Q(closed_at__isnull=True)),
                name="action_closed_iff_closed_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.team_id and self.department_id and self.team.department_id != self.department_id:
            raise ValidationError({"team": _("The team is not in the department.")})

    def refresh_from_db(self, *args, **kwargs) -> None:
        # The protected status may not be assigned, not even by a reload: forget it first.
        self.__dict__.pop("status", None)
        super().refresh_from_db(*args, **kwargs)

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED

    def is_overdue(self, today) -> bool:
        return self.status == self.Status.OPEN and self.due_on < today

    # Transitions: called only by audits.actions.services, which record each one.
    @transition(field=status, source=Status.OPEN, target=Status.DONE)
    def _complete(self) -> None:
        pass

    @transition(field=status, source=Status.DONE, target=Status.VERIFIED)
    def _verify(self) -> None:
        pass

    @transition(field=status, source=Status.DONE, target=Status.OPEN)
    def _reopen(self) -> None:
        pass

    @transition(field=status, source=[Status.OPEN, Status.DONE], target=Status.CANCELLED)
    def _cancel(self) -> None:
        pass


class ActionRecord(models.Model):
    """What every record of an action's life has: who (None: the system, e.g. the overdue
    escalation or a weekly bulletin's measurement) and when; it is seen by whoever may see
    the action."""

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))

    scope_paths = {"department": "action__department", "team": "action__team", "agent": None}

    class Meta:
        abstract = True
        ordering = ["action", "at", "pk"]


class ActionEvent(ActionRecord):
    """One change of an action: created, a transition (from → to), escalated; who (None: the
    system, e.g. the overdue escalation), when and why."""

    class Kind(models.TextChoices):
        CREATED = "created", pgettext_lazy("action event", "Opened")
        COMPLETED = "completed", _("Completed")
        VERIFIED = "verified", _("Verified effective")
        REOPENED = "reopened", _("Not effective, reopened")
        CANCELLED = "cancelled", _("Cancelled")
        ESCALATED = "escalated", _("Escalated")

    action = models.ForeignKey(
        CorrectiveAction, on_delete=models.CASCADE, related_name="events", verbose_name=_("action")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta(ActionRecord.Meta):
        verbose_name = _("action event")
        verbose_name_plural = _("action events")

    def __str__(self) -> str:
        return f"{self.action_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class ActionFollowUp(ActionRecord):
    """A follow-up of an action (跟进): what was done or found on a date, by whom (None: the
    system, e.g. a weekly bulletin measuring an improvement target)."""

    action = models.ForeignKey(
        CorrectiveAction,
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("action"),
    )
    note = models.TextField(_("note"))

    class Meta(ActionRecord.Meta):
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.action_id} {self.at:%Y-%m-%d}"


class ActionVerification(ActionRecord):
    """A check of effectiveness (效果验证) of a done action: effective closes it; not effective
    sends it back open, with the note saying what is still wrong."""

    action = models.ForeignKey(
        CorrectiveAction,
        on_delete=models.CASCADE,
        related_name="verifications",
        verbose_name=_("action"),
    )
    effective = models.BooleanField(_("effective"))
    note = models.TextField(_("note"), blank=True)

    class Meta(ActionRecord.Meta):
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(effective=True) | ~Q(note=""),
                name="ineffective_verification_has_note",
                violation_error_message=_("Say what is still wrong."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.action_id} {'effective' if self.effective else 'not effective'}"


class ImprovementTarget(models.Model):
    """整改: the target part of a corrective action set for one item below standard in a weekly
    bulletin (source = improvement_target): the figure to reach (e.g. 请稍等 compliance ≥ 95%)
    by a week. The action holds the measure (its description), the owner (the team lead, or the
    department's manager) and the due date (the due week's Sunday).

    Each later weekly bulletin records a follow-up; met, the action is verified effective by
    that measurement and closed; a team's target not met by its week is escalated to the
    department's bulletin (its action marked escalated); a department's own target is missed
    (its action stays open, and the overdue escalation reaches the department's managers).
    Recording a new measure for an item whose target is still open amends it: the open one is
    closed as amended (its action cancelled, not missed) and the new one is followed up in its
    place. `department`/`team` repeat the action's so that the database holds one open target
    per item and scope. `source_bulletin_id`: the bulletin it was set from (bulletins.Bulletin;
    an id, because this app is below bulletins and names none of its models)."""

    class Metric(models.TextChoices):
        RULE = "rule", _("Rule compliance")
        ITEM = "item", _("Scorecard item")
        PASS_RATE = "pass_rate", _("Pass rate")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("status", "Open")
        MET = "met", _("Met")
        MISSED = "missed", _("Missed")
        ESCALATED = "escalated", _("Escalated")
        # Replaced by a later measure for the same item before it was met or missed.
        AMENDED = "amended", _("Amended")

    action = models.OneToOneField(
        CorrectiveAction,
        on_delete=models.PROTECT,
        related_name="improvement_target",
        verbose_name=_("corrective action"),
    )
    level = models.CharField(_("scope"), max_length=12, choices=TARGET_LEVELS)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="improvement_targets",
        verbose_name=_("department"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="improvement_targets",
        verbose_name=_("team"),
    )
    metric = models.CharField(_("metric"), max_length=10, choices=Metric.choices)
    code = models.CharField(_("rule or item"), max_length=64, blank=True)
    label = models.CharField(_("item"), max_length=200)
    baseline = models.DecimalField(
        _("when set (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    target_value = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=1)
    due_week = models.DateField(_("due week"), help_text=_("The Monday of the week."))
    source_bulletin_id = models.PositiveBigIntegerField(
        _("bulletin"), null=True, blank=True, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    scope_paths = {"department": "department", "team": "team", "agent": None}

    class Meta:
        verbose_name = _("improvement target")
        verbose_name_plural = _("improvement targets")
        ordering = ["due_week", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_value__gte=0) & Q(target_value__lte=100),
                name="action_target_value_percent",
            ),
            models.CheckConstraint(
                condition=~Q(level="team") | Q(team__isnull=False),
                name="action_team_target_has_team",
            ),
            # One open target per item and scope: a second measure amends the first. Split by
            # whether there is a team, because NULLs never collide in a UNIQUE index: a single
            # constraint over (department, team, ...) would let a department's own targets
            # (team NULL) in twice, on PostgreSQL and SQLite alike.
            models.UniqueConstraint(
                fields=["department", "team", "metric", "code"],
                condition=Q(status="open", team__isnull=False),
                name="action_one_open_team_target_per_item",
                violation_error_message=_("Another target for this item is open."),
            ),
            models.UniqueConstraint(
                fields=["department", "metric", "code"],
                condition=Q(status="open", team__isnull=True),
                name="action_one_open_dep_target_per_item",
                violation_error_message=_("Another target for this item is open."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ≥ {self.target_value}%"

    @property
    def owner(self):
        return self.action.owner

    @property
    def owner_id(self) -> int:
        return self.action.owner_id

    @property
    def measure(self) -> str:
        return self.action.description

    @property
    def due_iso_week(self) -> int:
        return self.due_week.isocalendar()[1]

    def clean(self) -> None:
        if self.due_week:
            self.due_week = week_start_of(self.due_week)
        if self.team_id and self.department_id and self.team.department_id != self.department_id:
            raise ValidationError({"team": _("The team is not in the department.")})


class TargetFollowUp(models.Model):
    """What a target's metric was in one week, as the weekly bulletin found it
    (`bulletin_id`: that bulletin, bulletins.Bulletin)."""

    target = models.ForeignKey(
        ImprovementTarget,
        on_delete=models.CASCADE,
        related_name="follow_ups",
        verbose_name=_("improvement target"),
    )
    week_start = models.DateField(_("week"))
    actual = models.DecimalField(
        _("actual (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    met = models.BooleanField(_("met"), default=False)
    bulletin_id = models.PositiveBigIntegerField(_("bulletin"), null=True, blank=True)

    scope_paths = {"department": "target__department", "team": "target__team", "agent": None}

    class Meta:
        verbose_name = _("target follow-up")
        verbose_name_plural = _("target follow-ups")
        ordering = ["target", "week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "week_start"], name="action_target_follow_up_once_a_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.week_start}: {self.actual}"
