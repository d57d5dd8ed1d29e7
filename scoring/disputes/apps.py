from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "scoring.disputes"
    label = "disputes"
    verbose_name = _("Disputes")

    def ready(self) -> None:
        from org.team_panels import register_team_panel
        from scoring.disputes.team_panel import disputes_panel

        register_team_panel(disputes_panel)
