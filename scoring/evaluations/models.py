"""Scorecards (versioned forms), evaluations of calls on them, answers and the history of every\nchange."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qa_center.permissions import scope_paths_via
from scoring.calls.models import Call

# An answer's state is its value, or NA: how an N/A answer is written in the history, in
# stale-save differences and in dispute changes.
NA = "na"


def answer_state(value: int | None, is_na: bool) -> int | str | None:
    """The state of an answer given as value and N/A flag (see Answer.state)."""
    return NA if is_na else value


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
    # A blind score given in a calibration session (the calibration app links it to its
    # session): never shown to the agent, never counted in results or bulletins.
    is_calibration = models.BooleanField(_("calibration score"), default=False, editable=False)
    # Hidden from everyone but its evaluator (a calibration score while its session is open).
    blind = models.BooleanField(default=False, editable=False)
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

    scope_paths = scope_paths_via("call", Call.scope_paths)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-created_at"]
        constraints = [
            # One evaluation per supervisor per call outside calibration sessions (inside a
            # session, one per participant: calibration.CalibrationEntry).
            models.UniqueConstraint(
                fields=["call", "evaluator"],
                condition=Q(is_calibration=False),
                name="one_evaluation_per_evaluator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call} · {self.scorecard} · {self.evaluator}"

    @staticmethod
    def dispute_window_days() -> int:
        return int(settings.QA_DISPUTE_WINDOW_DAYS)

    def dispute_deadline(self) -> datetime.date | None:
        """The last day (center time) on which the agent may dispute this evaluation."""
        if self.submitted_at is None:
            return None
        return timezone.localdate(self.submitted_at) + datetime.timedelta(
            days=self.dispute_window_days()
        )

    @property
    def is_disputable(self) -> bool:
        """Submitted (or acknowledged), not a calibration score, and not being disputed."""
        return not self.is_calibration and self.status in (
            self.Status.SUBMITTED,
            self.Status.ACKNOWLEDGED,
        )


class OverrideKind(models.TextChoices):
    """Why a supervisor overrode an automatic result."""

    RULE_WRONG = "rule_wrong", _("The rule is wrong here")
    TRANSCRIPT = "transcript", _("The transcript is wrong")
    CONTEXT = "context", _("The context changes the verdict")
    OTHER = "other", _("Other reason")


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
    # Why the automatic result was overridden, in kinds the rule's precision is broken down by
    # (scoring.evaluations.selectors.rule_quality); RULE_WRONG files the call as an example on
    # the rule. Empty when the answer keeps the automatic result.
    override_kind = models.CharField(
        _("kind of override"), max_length=12, choices=OverrideKind.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    points = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    possible = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)

    scope_paths = scope_paths_via("evaluation", Evaluation.scope_paths)

    class Meta:
        ordering = ["item__section__order", "item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "item"], name="one_answer_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id}/{self.item_id}: {'N/A' if self.is_na else self.value}"

    @property
    def state(self) -> int | str | None:
        """NA if the answer is N/A, else its value (None: not answered)."""
        return answer_state(self.value, self.is_na)


class EvaluationEvent(models.Model):
    """Append-only history of an evaluation: who, when, what, why. Never updated or deleted
    (refused here, in the admin and, on PostgreSQL, by triggers for UPDATE, DELETE and
    TRUNCATE). Tamper-evident: each event records the evaluation's state after it and is
    chained by hash to the one before (scoring.evaluations.chain; `manage.py verify_history`).
    Written only by scoring.evaluations.services.history.evaluation_event_record."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # Set by evaluation_event_record before hashing (auto_now_add would set it after).
    at = models.DateTimeField(default=timezone.now, editable=False)
    action = models.CharField(max_length=30)
    # [{"item": code, "field": ..., "old": ..., "new": ...}] and anything else worth keeping.
    changes = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True)
    # The evaluation's version after this event, so a stale save can name what came since.
    version = models.PositiveIntegerField(null=True, blank=True)
    # 1, 2, 3… per evaluation, with no gap: a removed event leaves one.
    sequence = models.PositiveIntegerField()
    # The evaluation's state after this event (chain.evaluation_state): the last event's must
    # be what the evaluation and answer rows hold.
    state = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    scope_paths = scope_paths_via("evaluation", Evaluation.scope_paths)

    class Meta:
        verbose_name = _("evaluation event")
        verbose_name_plural = _("evaluation events")
        ordering = ["at", "pk"]
        constraints = [
            # Two writers cannot both append event n (they also wait on the evaluation's lock).
            models.UniqueConstraint(
                fields=["evaluation", "sequence"], name="one_event_per_sequence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionDenied("Evaluation history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Evaluation history is append-only.")


class RuleTrial(models.Model):
    """A draft rule library run over a period of stored calls before it goes live, compared
    with the calls' current checks and the supervisors' verdicts on them
    (scoring.evaluations.services.trials). All-or-nothing: `results` is written only when
    every call was scored; a failed run says why in `error`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    library = models.ForeignKey(
        "rules.RuleLibrary",
        on_delete=models.CASCADE,
        related_name="trials",
        verbose_name=_("rule library"),
    )
    date_from = models.DateField(_("calls from"))
    date_to = models.DateField(_("calls to"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total = models.PositiveIntegerField(_("calls"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    # {"rules": [...], "zeroed": [...], "unzeroed": [...], "compared": n, ...}
    results = models.JSONField(_("results"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rule library trial")
        verbose_name_plural = _("rule library trials")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=models.F("date_from")), name="trial_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.library} {self.date_from}–{self.date_to}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0
