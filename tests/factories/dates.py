"""Fixed dates: the center's time zone, a reference week, a moment of a day of a week."""

from __future__ import annotations

import datetime

from qa_center.periods import local_midnight

TZ = datetime.timezone(datetime.timedelta(hours=8))
WEEK = datetime.date(2026, 3, 2)  # a Monday


def at(week: datetime.date, day: int = 0, hour: int = 10) -> datetime.datetime:
    """`hour` o'clock (local time) on day `day` (0: Monday) of `week`."""
    return local_midnight(week + datetime.timedelta(days=day)) + datetime.timedelta(hours=hour)
