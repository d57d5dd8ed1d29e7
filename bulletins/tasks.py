"""Celery jobs of the bulletins app (schedule: CELERY_BEAT_SCHEDULE in settings).

- bulletins_weekly: Mondays 08:00, the bulletins of the week before, every scope.
- bulletins_monthly: the 1st at 08:00, the draft red-header notice of the month before.

Both are safe to run twice or at once (one bulletin per scope and period, enforced by the
database) and leave nothing half-written if the worker dies; acks are late, so they rerun, and
a dropped database connection retries them (qa_center.tasks.RETRY) instead of losing the week.
"""

from __future__ import annotations

from celery import shared_task

from qa_center import periods
from qa_center.tasks import RETRY


@shared_task(name="bulletins.weekly", **RETRY)
def bulletins_weekly(week_start: str | None = None) -> dict:
    from bulletins.services import bulletins_generate_week

    if week_start:
        start = periods.parse_day(week_start)
    else:
        start = periods.previous(periods.current(periods.WEEK)).first_day
    result = bulletins_generate_week(week_start=start)
    return {"week": start.isoformat(), "created": len(result.created), "skipped": result.skipped}


@shared_task(name="bulletins.monthly", **RETRY)
def bulletins_monthly(month: str | None = None) -> dict:
    from bulletins.services import bulletin_generate_month

    if month:
        # A month (2026-03), or a day of it (2026-03-01).
        period = periods.parse_period(month)
        if period.kind not in (periods.MONTH, periods.DAY):
            raise ValueError(f"{month!r} is not a month: write it like 2026-03.")
        start = period.first_day
    else:
        start = periods.previous(periods.current(periods.MONTH)).first_day
    result = bulletin_generate_month(month=start)
    return {"month": start.strftime("%Y-%m"), "created": len(result.created)}
