from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalibrationConfig(AppConfig):
    name = "scoring.calibration"
    label = "calibration"
    verbose_name = _("Calibration")

    def ready(self) -> None:
        from scoring.calibration.after_submit import back_to_session
        from scoring.evaluations.hooks import register_after_submit

        register_after_submit(back_to_session)
