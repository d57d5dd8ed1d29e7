"""Calls, the files they are imported from, and the automatic checks of each call."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from org.models import Agent, Team
from qa_center.permissions import scope_paths_via
from scoring.calls.search import search_text_of
from scoring.rules.models import RuleLibrary


class ImportJob(models.Model):
    """One uploaded file of calls. Validated whole first; imported all-or-nothing."""

    class Format(models.TextChoices):
        JSONL = "jsonl", _("JSON Lines")
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Refused")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="import_jobs"
    )
    filename = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total = models.PositiveIntegerField(_("calls in file"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    duplicates = models.JSONField(_("already imported"), default=list, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    scope_paths = {"department": None, "team": None, "agent": None}

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class Call(models.Model):
    """A call (or chat) with its transcript. `team` is the agent's team at the time of the
    call, so moving an agent later does not move their past calls."""

    class Channel(models.TextChoices):
        VOICE = "voice", _("Voice")
        CHAT = "chat", _("Online chat")

    call_id = models.CharField(_("call id"), max_length=64, unique=True)
    agent = models.ForeignKey(
        Agent, on_delete=models.PROTECT, related_name="calls", verbose_name=_("agent")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="calls", verbose_name=_("team")
    )
    started_at = models.DateTimeField(_("started at"), db_index=True)
    duration_seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.VOICE
    )
    recording_url = models.URLField(_("recording"), max_length=500, blank=True)
    # [{"speaker": "agent"|"customer", "text": str, "start": float|None, "end": float|None}]
    turns = models.JSONField(_("transcript"))
    extra = models.JSONField(_("other fields"), default=dict, blank=True)
    # The transcript normalized for the phrase search (scoring.calls.search), kept with the
    # turns by save() and by every bulk write (the import, the demo).
    search_text = models.TextField(
        _("transcript for search"), blank=True, default="", db_default=""
    )
    import_job = models.ForeignKey(
        ImportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    scope_paths = {"department": "team__department", "team": "team", "agent": "agent"}

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["team", "started_at"]),
            models.Index(fields=["agent", "started_at"]),
        ]

    def __str__(self) -> str:
        return self.call_id

    def save(self, *args, **kwargs) -> None:
        self.search_text = search_text_of(self.turns)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "turns" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)


class Review(models.TextChoices):
    """Where a call's weak critical failure stands (CallCheck.review)."""

    NONE = "", _("Not needed")
    TO_CONFIRM = "to_confirm", _("To confirm")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class CallCheck(models.Model):
    """The automatic check of one call by one rule-library version (the engine's result).
    Rescoring with a new version replaces it; `library` says which version produced it."""

    call = models.OneToOneField(
        Call, on_delete=models.CASCADE, primary_key=True, related_name="auto_check"
    )
    library = models.ForeignKey(RuleLibrary, on_delete=models.PROTECT, related_name="checks")
    score = models.DecimalField(
        _("automatic score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    critical_failed = models.BooleanField(_("critical rule failed"), default=False)
    # {"GREET": "pass", "FORBID": "fail", ...}: compact, for aggregation in the database.
    outcomes = models.JSONField(_("outcomes"), default=dict)
    # The engine's `results` list, with evidence and values.
    results = models.JSONField(_("results"), default=list)
    checked_at = models.DateTimeField(_("checked at"), auto_now=True)
    # A critical zero never rests on weak evidence: when every failed critical rule failed only
    # on fuzzy evidence or an ambiguous trigger (the engine's CheckResult.weak), their codes are
    # kept here and the call is "to confirm" until a supervisor confirms or rejects them
    # (scoring.calls.services.reviews). Until then the score is provisional.
    # Database defaults too: the PostgreSQL check path COPYs rows without these columns.
    weak_critical = models.JSONField(
        _("critical failures to confirm"), default=list, db_default=[], blank=True
    )
    review = models.CharField(
        _("critical failure review"),
        max_length=12,
        choices=Review.choices,
        default=Review.NONE,
        db_default=Review.NONE,
        blank=True,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    scope_paths = scope_paths_via("call", Call.scope_paths)

    class Meta:
        verbose_name = _("automatic check")
        verbose_name_plural = _("automatic checks")
        indexes = [
            models.Index(fields=["score"]),
            models.Index(fields=["critical_failed"]),
            models.Index(fields=["review"]),
        ]

    def __str__(self) -> str:
        return f"{self.call_id}: {self.score}"

    @property
    def to_confirm(self) -> bool:
        return self.review == Review.TO_CONFIRM

    @property
    def provisional(self) -> bool:
        """The score may still change: a weak critical failure awaits a supervisor."""
        return self.review == Review.TO_CONFIRM


class CriticalReview(models.Model):
    """A supervisor's decision on a call's weak critical failure: who, when, which rules, what
    the score was and became. Append-only: the history of the call's automatic verdict."""

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="critical_reviews", verbose_name=_("call")
    )
    library = models.ForeignKey(
        RuleLibrary, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule library")
    )
    codes = models.JSONField(_("rules"), default=list)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    note = models.TextField(_("note"), blank=True)
    score_before = models.DecimalField(
        _("score before"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    score_after = models.DecimalField(
        _("score after"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    scope_paths = scope_paths_via("call", Call.scope_paths)

    class Meta:
        verbose_name = _("critical failure review")
        verbose_name_plural = _("critical failure reviews")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.call_id} {self.decision}"
