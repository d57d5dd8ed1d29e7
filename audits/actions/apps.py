from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "audits.actions"
    label = "actions"
    verbose_name = _("Corrective actions")

    def ready(self) -> None:
        from audits.actions.team_panel import actions_panel
        from org.team_panels import register_team_panel

        register_team_panel(actions_panel)
