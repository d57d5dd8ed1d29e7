from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QaCenterConfig(AppConfig):
    name = "qa_center"
    # The admin's heading for what the core holds (API keys for measurements, notifications).
    verbose_name = _("System settings")
