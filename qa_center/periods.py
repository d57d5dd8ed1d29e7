"""The periods of the center — day, week, month, quarter — in one place.

A period is a run of whole days in the center's time zone (settings.TIME_ZONE, the current
time zone): a week runs Monday to Sunday, a quarter is January–March, April–June, and so on.
Its bounds are half-open aware datetimes, 00:00 of the first day to 00:00 of the day after the
last, so ``start <= moment < end`` and a query is ``__gte=start, __lt=end``.

Written as text, a period is ``YYYY-MM-DD`` (a day), ``YYYY-Www`` (an ISO week: the year is
the ISO year, so 2024-12-30 is in 2025-W01), ``YYYY-MM`` (a month) or ``YYYY-Qn`` (a quarter).

Pure functions, no database and no app: everything above the core may use it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

DAY = "day"
WEEK = "week"
MONTH = "month"
QUARTER = "quarter"
KINDS = (DAY, WEEK, MONTH, QUARTER)

_ONE_DAY = datetime.timedelta(days=1)
_EXAMPLES = {DAY: "2026-03-05", WEEK: "2026-W10", MONTH: "2026-03", QUARTER: "2026-Q1"}


def local_midnight(day: datetime.date) -> datetime.datetime:
    """00:00 of `day` in the center's time zone, as an aware datetime."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _day(day: datetime.date) -> datetime.date:
    """The center's calendar day of a date, or of an aware datetime."""
    if isinstance(day, datetime.datetime):
        return timezone.localdate(day)
    return day


def week_start_of(day: datetime.date) -> datetime.date:
    """The Monday of the week of `day` (a Sunday belongs to the week that began six days
    before)."""
    day = _day(day)
    return day - datetime.timedelta(days=day.weekday())


def month_start_of(day: datetime.date) -> datetime.date:
    return _day(day).replace(day=1)


def quarter_start_of(day: datetime.date) -> datetime.date:
    day = _day(day)
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _add_months(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"Unknown period kind {kind!r}: expected one of {', '.join(KINDS)}.")


def _first_day(kind: str, day: datetime.date) -> datetime.date:
    _check_kind(kind)
    if kind == WEEK:
        return week_start_of(day)
    if kind == MONTH:
        return month_start_of(day)
    if kind == QUARTER:
        return quarter_start_of(day)
    return _day(day)


def _after(kind: str, first: datetime.date) -> datetime.date:
    """The first day of the period after the one that begins on `first`."""
    if kind == WEEK:
        return first + datetime.timedelta(days=7)
    if kind == MONTH:
        return _add_months(first, 1)
    if kind == QUARTER:
        return _add_months(first, 3)
    return first + _ONE_DAY


@dataclass(frozen=True)
class Period:
    """One day, week, month or quarter: [start, end) as aware datetimes at local midnight."""

    kind: str
    start: datetime.datetime
    end: datetime.datetime

    def __post_init__(self) -> None:
        _check_kind(self.kind)
        if timezone.is_naive(self.start) or timezone.is_naive(self.end):
            raise ValueError("A period's bounds are aware datetimes.")
        if not self.start < self.end:
            raise ValueError(f"A period ends after it starts: {self.start} ≥ {self.end}.")

    @property
    def first_day(self) -> datetime.date:
        return self.start.date()

    @property
    def last_day(self) -> datetime.date:
        """The last day the period includes (its end is 00:00 of the day after)."""
        return self.end.date() - _ONE_DAY

    @property
    def days(self) -> int:
        return (self.end.date() - self.start.date()).days

    def __contains__(self, moment: datetime.datetime) -> bool:
        if isinstance(moment, datetime.datetime):
            return self.start <= moment < self.end
        return self.first_day <= moment <= self.last_day

    def __str__(self) -> str:
        return format_period(self)


def period_of(kind: str, day: datetime.date) -> Period:
    """The period of `kind` that contains `day` (a date, or an aware datetime, taken in the
    center's time zone)."""
    first = _first_day(kind, day)
    return Period(kind, local_midnight(first), local_midnight(_after(kind, first)))


def current(kind: str) -> Period:
    """The period of `kind` that contains today (in the center's time zone)."""
    return period_of(kind, timezone.localdate())


def previous(period: Period) -> Period:
    """The period of the same kind just before `period`."""
    return period_of(period.kind, period.first_day - _ONE_DAY)


def following(period: Period) -> Period:
    """The period of the same kind just after `period`."""
    return period_of(period.kind, period.end.date())


# --- Text -------------------------------------------------------------------------------------

_FORMS = (
    (DAY, re.compile(r"(\d{4})-(\d{2})-(\d{2})")),
    (WEEK, re.compile(r"(\d{4})-W(\d{2})", re.IGNORECASE)),
    (MONTH, re.compile(r"(\d{4})-(\d{2})")),
    (QUARTER, re.compile(r"(\d{4})-Q(\d)", re.IGNORECASE)),
)


def format_period(period: Period) -> str:
    """``2026-03-05``, ``2026-W10``, ``2026-03`` or ``2026-Q1``."""
    first = period.first_day
    if period.kind == WEEK:
        year, week, _weekday = first.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if period.kind == MONTH:
        return f"{first.year:04d}-{first.month:02d}"
    if period.kind == QUARTER:
        return f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}"
    return first.isoformat()


def _iso_weeks(year: int) -> int:
    """52 or 53: 28 December is always in the last ISO week of its year."""
    return datetime.date(year, 12, 28).isocalendar()[1]


def _first_day_of(kind: str, text: str, numbers: tuple[int, ...]) -> datetime.date:
    year, number, *rest = numbers
    if year < 1:
        raise ValueError(f"{text!r} is not a {kind}: there is no year 0.")
    if kind == DAY:
        try:
            return datetime.date(year, number, rest[0])
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a day: {exc}.") from None
    if kind == WEEK:
        weeks = _iso_weeks(year)
        if not 1 <= number <= weeks:
            raise ValueError(f"{text!r} is not a week: {year} has ISO weeks 01 to {weeks}.")
        return datetime.date.fromisocalendar(year, number, 1)
    if kind == MONTH:
        if not 1 <= number <= 12:
            raise ValueError(f"{text!r} is not a month: months are 01 to 12.")
        return datetime.date(year, number, 1)
    if not 1 <= number <= 4:
        raise ValueError(f"{text!r} is not a quarter: quarters are Q1 to Q4.")
    return datetime.date(year, 3 * number - 2, 1)


def parse_period(text: str, kind: str | None = None) -> Period:
    """The period written as `text` (see the module's doc). With `kind`, only that form is
    accepted. Raises ValueError with a message fit to show the user."""
    if kind is not None:
        _check_kind(kind)
    raw = (text or "").strip()
    for form, pattern in _FORMS:
        match = pattern.fullmatch(raw)
        if match is None:
            continue
        if kind is not None and form != kind:
            break
        first = _first_day_of(form, raw, tuple(int(g) for g in match.groups()))
        return Period(form, local_midnight(first), local_midnight(_after(form, first)))
    if kind is not None:
        raise ValueError(f"{text!r} is not a {kind}: write it like {_EXAMPLES[kind]}.")
    raise ValueError(
        f"{text!r} is not a period: write a day ({_EXAMPLES[DAY]}), an ISO week "
        f"({_EXAMPLES[WEEK]}), a month ({_EXAMPLES[MONTH]}) or a quarter ({_EXAMPLES[QUARTER]})."
    )


def parse_day(text: str) -> datetime.date:
    """A ``YYYY-MM-DD`` date. Raises ValueError with a message fit to show the user."""
    return parse_period(text, DAY).first_day


__all__ = [
    "DAY",
    "KINDS",
    "MONTH",
    "QUARTER",
    "WEEK",
    "Period",
    "current",
    "following",
    "format_period",
    "local_midnight",
    "month_start_of",
    "parse_day",
    "parse_period",
    "period_of",
    "previous",
    "quarter_start_of",
    "week_start_of",
]
