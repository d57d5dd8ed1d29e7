from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "audits.actions"
    label = "actions"
    verbose_name = _("Corrective actions")
