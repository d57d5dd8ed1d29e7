"""Things every app uses: in-app notifications, the last result of the periodic data checks, and
the API keys under a translatable name."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import APIKey


class Notification(models.Model):
    """A message for one user in the app (a new bulletin, a decided dispute, a due task)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class SystemCheck(models.Model):
    """The last result of a periodic check of the data, kept for /health (one row per check,
    replaced each run). The core knows only the names; each app writes its own check."""

    # scoring.evaluations: every evaluation's history chain and its rows (verify_history).
    EVALUATION_HISTORY = "evaluation_history"

    name = models.CharField(max_length=50, unique=True)
    ok = models.BooleanField()
    # {"evaluations": n, "events": n, "problems": n, "first_problems": [...]}, as the app says.
    summary = models.JSONField(default=dict, blank=True)
    checked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("system check")
        verbose_name_plural = _("system checks")

    def __str__(self) -> str:
        return f"{self.name} {'ok' if self.ok else 'problems'} {self.checked_at:%Y-%m-%d %H:%M}"


class MeasurementApiKey(APIKey):
    """The API keys of djangorestframework-api-key under a name the admin can translate (the
    package names its model in English only). A key lets the telephony/CRM system post KPI
    measurements and nothing else (kpi.api)."""

    class Meta:
        proxy = True
        verbose_name = _("API key for measurements")
        verbose_name_plural = _("API keys for measurements")
