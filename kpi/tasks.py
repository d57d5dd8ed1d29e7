"""Celery jobs of the KPI app (schedule: CELERY_BEAT_SCHEDULE in settings, README's table).

- kpi.close_day: every night 01:00, yesterday, for the indicators watched daily;
- kpi.close_week: Mondays 01:30, the week (Monday–Sunday) before;
- kpi.close_month: the 1st at 02:00, the month before;
- kpi.close_quarter: 1 January, April, July and October at 02:30, the quarter before.

Each is safe to run twice or at once: values and shortfalls are upserts on unique constraints
(kpi.services.period_close), and a dropped connection retries it (qa_center.tasks.RETRY).
"""

from __future__ import annotations

from celery import shared_task

from qa_center import periods
from qa_center.tasks import RETRY


def _close(kind: str, day: str | None) -> dict:
    from kpi.services import period_close

    if day:
        on = periods.parse_day(day)
    else:
        on = periods.previous(periods.current(kind)).first_day
    result = period_close(kind=kind, day=on)
    return {
        "period": result.period,
        "indicators": result.indicators,
        "values": result.values,
        "shortfalls": result.shortfalls,
        "revisions": result.revisions,
    }


@shared_task(name="kpi.close_day", **RETRY)
def kpi_close_day(day: str | None = None) -> dict:
    return _close(periods.DAY, day)


@shared_task(name="kpi.close_week", **RETRY)
def kpi_close_week(day: str | None = None) -> dict:
    return _close(periods.WEEK, day)


@shared_task(name="kpi.close_month", **RETRY)
def kpi_close_month(day: str | None = None) -> dict:
    return _close(periods.MONTH, day)


@shared_task(name="kpi.close_quarter", **RETRY)
def kpi_close_quarter(day: str | None = None) -> dict:
    return _close(periods.QUARTER, day)


__all__ = ["kpi_close_day", "kpi_close_month", "kpi_close_quarter", "kpi_close_week"]
