from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "kpi"
    label = "kpi"
    verbose_name = _("KPI")

    def ready(self) -> None:
        from kpi.panels import shortfalls_panel
        from org.team_panels import register_team_panel

        register_team_panel(shortfalls_panel)
