"""The center's periods: bounds in its time zone, ISO weeks across years, text forms."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from qa_center.periods import (
    DAY,
    MONTH,
    QUARTER,
    WEEK,
    Period,
    following,
    format_period,
    local_midnight,
    parse_day,
    parse_period,
    period_of,
    previous,
    quarter_start_of,
    week_start_of,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def test_bounds_are_aware_local_midnights_half_open():
    week = period_of(WEEK, datetime.date(2026, 3, 4))  # a Wednesday
    assert week == Period(WEEK, at(2026, 3, 2), at(2026, 3, 9))
    assert week.start.utcoffset() == datetime.timedelta(hours=8)
    assert week.start == datetime.datetime(2026, 3, 1, 16, tzinfo=datetime.UTC)
    assert (week.first_day, week.last_day, week.days) == (
        datetime.date(2026, 3, 2),
        datetime.date(2026, 3, 8),
        7,
    )
    assert at(2026, 3, 2) in week
    assert at(2026, 3, 8, 23, 59, 59) in week
    assert at(2026, 3, 9) not in week
    assert datetime.date(2026, 3, 8) in week


def test_week_of_a_sunday_is_the_week_that_began_on_monday():
    sunday = datetime.date(2026, 3, 8)
    assert week_start_of(sunday) == datetime.date(2026, 3, 2)
    assert week_start_of(datetime.date(2026, 3, 9)) == datetime.date(2026, 3, 9)
    assert period_of(WEEK, sunday).first_day == datetime.date(2026, 3, 2)


def test_a_moment_is_taken_on_the_centers_calendar():
    # 2026-03-08 17:00 UTC is Monday 01:00 in Shanghai: next week there.
    moment = datetime.datetime(2026, 3, 8, 17, tzinfo=datetime.UTC)
    assert week_start_of(moment) == datetime.date(2026, 3, 9)
    assert period_of(DAY, moment).start == at(2026, 3, 9)


def test_day_and_month_bounds():
    assert period_of(DAY, datetime.date(2026, 2, 28)) == Period(
        DAY, at(2026, 2, 28), at(2026, 3, 1)
    )
    february = period_of(MONTH, datetime.date(2024, 2, 15))
    assert (february.start, february.end, february.days) == (at(2024, 2, 1), at(2024, 3, 1), 29)
    december = period_of(MONTH, datetime.date(2025, 12, 31))
    assert december.end == at(2026, 1, 1)


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (datetime.date(2026, 1, 1), at(2026, 1, 1), at(2026, 4, 1)),
        (datetime.date(2026, 3, 31), at(2026, 1, 1), at(2026, 4, 1)),
        (datetime.date(2026, 4, 1), at(2026, 4, 1), at(2026, 7, 1)),
        (datetime.date(2026, 9, 30), at(2026, 7, 1), at(2026, 10, 1)),
        (datetime.date(2026, 12, 31), at(2026, 10, 1), at(2027, 1, 1)),
    ],
)
def test_quarter_bounds(day, start, end):
    assert period_of(QUARTER, day) == Period(QUARTER, start, end)
    assert quarter_start_of(day) == start.date()


def test_previous_and_following_cross_year_boundaries():
    assert previous(period_of(DAY, datetime.date(2026, 1, 1))).first_day == datetime.date(
        2025, 12, 31
    )
    assert previous(period_of(WEEK, datetime.date(2026, 1, 1))).first_day == datetime.date(
        2025, 12, 22
    )
    assert previous(period_of(MONTH, datetime.date(2026, 1, 20))).start == at(2025, 12, 1)
    assert previous(period_of(QUARTER, datetime.date(2026, 2, 1))).start == at(2025, 10, 1)
    assert following(period_of(QUARTER, datetime.date(2025, 11, 1))).start == at(2026, 1, 1)
    march = period_of(MONTH, datetime.date(2026, 3, 31))
    assert following(march).start == at(2026, 4, 1)
    assert previous(following(march)) == march


def test_iso_weeks_at_the_turn_of_the_year():
    # 2024-12-30 is a Monday in ISO week 1 of 2025; 2027-01-03 a Sunday in 2026-W53.
    assert format_period(period_of(WEEK, datetime.date(2024, 12, 31))) == "2025-W01"
    assert format_period(period_of(WEEK, datetime.date(2027, 1, 3))) == "2026-W53"
    assert parse_period("2025-W01").start == at(2024, 12, 30)
    assert parse_period("2026-W53") == Period(WEEK, at(2026, 12, 28), at(2027, 1, 4))
    assert following(parse_period("2026-W53")) == parse_period("2027-W01")
    with pytest.raises(ValueError, match="2025 has ISO weeks 01 to 52"):
        parse_period("2025-W53")
    with pytest.raises(ValueError, match="2026 has ISO weeks 01 to 53"):
        parse_period("2026-W00")


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("2026-03-05", DAY, at(2026, 3, 5), at(2026, 3, 6)),
        ("2026-W10", WEEK, at(2026, 3, 2), at(2026, 3, 9)),
        ("2026-w10", WEEK, at(2026, 3, 2), at(2026, 3, 9)),
        ("2026-03", MONTH, at(2026, 3, 1), at(2026, 4, 1)),
        ("2026-Q1", QUARTER, at(2026, 1, 1), at(2026, 4, 1)),
        (" 2026-Q4 ", QUARTER, at(2026, 10, 1), at(2027, 1, 1)),
    ],
)
def test_parse_each_form(text, kind, start, end):
    period = parse_period(text)
    assert period == Period(kind, start, end)
    assert parse_period(format_period(period)) == period
    assert str(period) == text.strip().upper()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", "'2026-02-30' is not a day: day is out of range for month"),
        ("2026-13", "'2026-13' is not a month: months are 01 to 12"),
        ("2026-Q5", "'2026-Q5' is not a quarter: quarters are Q1 to Q4"),
        ("0000-01", "there is no year 0"),
        ("2026-3", "'2026-3' is not a period: write a day (2026-03-05), an ISO week (2026-W10)"),
        ("", "'' is not a period"),
        ("last week", "'last week' is not a period"),
    ],
)
def test_parse_errors_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_period(text)


def test_parse_a_given_kind_only():
    assert parse_period("2026-W10", WEEK).kind == WEEK
    with pytest.raises(ValueError, match=r"'2026-03' is not a week: write it like 2026-W10"):
        parse_period("2026-03", WEEK)
    with pytest.raises(ValueError, match=r"Unknown period kind 'year'"):
        parse_period("2026", "year")
    assert parse_day("2026-03-05") == datetime.date(2026, 3, 5)
    with pytest.raises(ValueError, match=r"'2026-W10' is not a day: write it like 2026-03-05"):
        parse_day("2026-W10")


def test_period_refuses_naive_or_empty_bounds_and_unknown_kinds():
    with pytest.raises(ValueError, match="aware"):
        Period(DAY, datetime.datetime(2026, 3, 5), datetime.datetime(2026, 3, 6))
    with pytest.raises(ValueError, match="ends after it starts"):
        Period(DAY, at(2026, 3, 6), at(2026, 3, 5))
    with pytest.raises(ValueError, match="Unknown period kind"):
        period_of("fortnight", datetime.date(2026, 3, 5))


def test_bounds_follow_the_centers_time_zone(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    # Summer time begins on Sunday 2026-03-29: that week is an hour short, still local midnights.
    week = period_of(WEEK, datetime.date(2026, 3, 29))
    assert week.start == datetime.datetime(2026, 3, 23, tzinfo=berlin)
    assert week.end == datetime.datetime(2026, 3, 30, tzinfo=berlin)
    utc = datetime.UTC
    assert week.end.astimezone(utc) - week.start.astimezone(utc) == datetime.timedelta(hours=167)
    assert local_midnight(datetime.date(2026, 3, 30)).utcoffset() == datetime.timedelta(hours=2)
