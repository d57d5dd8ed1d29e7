"""Rule libraries: versions of the scripted-phrase rules the engine checks every call against."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RuleLibrary(models.Model):
    """A version of a rule library (the engine's JSON in `definition`). Versions are never
    edited once active; a change is a new version. At most one version is active."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", pgettext_lazy("status", "Active")
        RETIRED = "retired", _("Retired")

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    # The period of calls rescored when this version was activated, and how many calls it
    # held then; progress is the number of those calls whose check is by this version.
    rescore_from = models.DateField(_("rescore calls from"), null=True, blank=True)
    rescore_to = models.DateField(_("rescore calls to"), null=True, blank=True)
    rescore_total = models.PositiveIntegerField(_("calls to rescore"), default=0)

    class Meta:
        verbose_name = _("rule library")
        verbose_name_plural = _("rule libraries")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="rule_library_version_unique"),
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="active"), name="one_active_rule_library"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
