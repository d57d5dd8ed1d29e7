from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SamplingConfig(AppConfig):
    name = "scoring.sampling"
    label = "sampling"
    verbose_name = _("Sampling")

    def ready(self) -> None:
        from scoring.evaluations.hooks import register_after_submit
        from scoring.sampling.next import next_in_queue

        register_after_submit(next_in_queue)

        from org.team_panels import register_team_panel
        from scoring.sampling.team_panel import waiting_panel

        register_team_panel(waiting_panel)
