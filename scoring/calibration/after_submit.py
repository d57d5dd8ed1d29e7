"""After a blind calibration score is submitted: back to its session, saying what happened
(nobody is notified, the score is hidden until the session closes). See
scoring.evaluations.hooks."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from scoring.evaluations.hooks import AfterSubmit


def back_to_session(request, evaluation) -> AfterSubmit | None:
    from scoring.calibration.models import CalibrationEntry

    if not evaluation.is_calibration:
        return None
    entry = CalibrationEntry.objects.filter(evaluation=evaluation).first()
    if entry is None:
        return None
    return AfterSubmit(
        message=_(
            "Your blind calibration score is submitted. It is not shown to the agent; the "
            "others see it when the session is closed."
        ),
        url=reverse("calibration:calibration_detail", args=[entry.session_id]),
    )
