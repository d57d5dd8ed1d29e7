"""Celery jobs of the bulletins app (schedule: CELERY_BEAT_SCHEDULE in settings).

- bulletins_weekly: Mondays 08:00, the bulletins of the week before, every scope.
- bulletins_monthly: the 1st at 08:00, the draft red-header notice of the month before.

Both are safe to run twice or at once (one bulletin per scope and period, enforced by the
database) and leave nothing half-written if the worker dies; acks are late, so they rerun.
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone


@shared_task(name="bulletins.weekly")
def bulletins_weekly(week_start: str | None = None) -> dict:
    from bulletins.figures import week_start_of
    from bulletins.services import bulletins_generate_week

    if week_start:
        start = datetime.date.fromisoformat(week_start)
    else:
        start = week_start_of(timezone.localdate()) - datetime.timedelta(days=7)
    result = bulletins_generate_week(week_start=start)
    return {"week": start.isoformat(), "created": len(result.created), "skipped": result.skipped}


@shared_task(name="bulletins.monthly")
def bulletins_monthly(month: str | None = None) -> dict:
    from bulletins.figures import previous_month
    from bulletins.services import bulletin_generate_month

    if month:
        start = datetime.date.fromisoformat(f"{month}-01" if len(month) == 7 else month)
    else:
        start = previous_month(timezone.localdate())
    result = bulletin_generate_month(month=start)
    return {"month": start.strftime("%Y-%m"), "created": len(result.created)}
