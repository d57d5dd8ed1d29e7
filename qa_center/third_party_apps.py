"""Third-party apps under names the interface can translate: their own configs name them in
English only ("Axes", "API Key Permissions" in the admin)."""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.apps import RestFrameworkApiKeyConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Login lockout")


class ApiKeyConfig(RestFrameworkApiKeyConfig):
    verbose_name = _("API keys for measurements")
