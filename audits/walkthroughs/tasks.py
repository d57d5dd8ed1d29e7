"""Celery jobs of the walk-throughs (schedule: CELERY_BEAT_SCHEDULE in settings).

- walkthroughs.draw_month: the 1st at 06:00, the month's draw (idempotent, safe twice at once).
- walkthroughs.deadline_notice: at a walk-through's deadline (ETA), the notice that the hour is
  over; walkthroughs.deadline_sweep every 5 minutes sends any notice an ETA task missed. Neither
  locks anything: the deadline is data (documents_due_at), read by every page and service.
"""

from __future__ import annotations

from celery import shared_task

from qa_center import periods
from qa_center.tasks import RETRY


@shared_task(name="walkthroughs.draw_month", **RETRY)
def draw_month(month: str | None = None) -> dict:
    from .services import walkthroughs_draw_month

    if month:
        start = periods.parse_period(month, periods.MONTH).first_day
    else:
        start = periods.current(periods.MONTH).first_day
    result = walkthroughs_draw_month(month=start)
    return {"month": start.strftime("%Y-%m"), "created": len(result.created)}


@shared_task(name="walkthroughs.deadline_notice", **RETRY)
def deadline_notice(walkthrough_id: int) -> bool:
    from .services import walkthrough_deadline_notice

    return walkthrough_deadline_notice(walkthrough_id=walkthrough_id)


@shared_task(name="walkthroughs.deadline_sweep", **RETRY)
def deadline_sweep() -> int:
    from .services import walkthroughs_deadline_sweep

    return walkthroughs_deadline_sweep()
