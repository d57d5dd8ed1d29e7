"""qa_center.filters: the typed parsers of every query parameter, and applying a spec."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.http import QueryDict

from qa_center import filters

SCORE = filters.decimal(min_value=0, max_value=100)


@pytest.mark.parametrize("raw", ["NaN", "nan", "sNaN", "inf", "-Infinity", "1e999999", "x", "1,5"])
def test_a_decimal_is_finite(raw):
    with pytest.raises(filters.FilterError):
        SCORE(raw)


@pytest.mark.parametrize("raw", ["-1", "100.01", "1" + "0" * 30, "-1e999999"])
def test_a_decimal_is_in_its_range(raw):
    with pytest.raises(filters.FilterError, match=r"0 到 100"):
        SCORE(raw)


def test_a_decimal_in_range_is_read():
    assert SCORE(" 67.5 ") == Decimal("67.50")
    assert SCORE("1e1") == Decimal("10.00")
    assert SCORE("") is None and SCORE(None) is None


@pytest.mark.parametrize(
    "raw", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01", "2026-02-30", "20260305"]
)
def test_a_date_is_real_and_within_bounds(raw):
    with pytest.raises(filters.FilterError):
        filters.day(raw)


def test_the_bounds_leave_room_for_the_day_after_and_the_week_before():
    assert filters.day("2100-12-31") + datetime.timedelta(days=1) == datetime.date(2101, 1, 1)
    assert filters.day("2000-01-01") == filters.MIN_DAY


@pytest.mark.parametrize("raw", ["2026-W60", "2026-W00", "0000-W01", "9999-W01", "0001-01-01"])
def test_a_bad_week_is_refused(raw):
    with pytest.raises(filters.FilterError):
        filters.week(raw)


def test_a_week_is_its_monday():
    assert filters.week("2026-W10") == datetime.date(2026, 3, 2)
    assert filters.week("2026-03-05") == datetime.date(2026, 3, 2)
    assert filters.month("2026-03") == datetime.date(2026, 3, 1)
    with pytest.raises(filters.FilterError):
        filters.month("2026-13")


@pytest.mark.parametrize(
    "raw", ["abc", "0", "-1", "1.0", "1e3", "１２", "1" + "0" * 30, "2147483648"]
)
def test_an_id_is_a_positive_database_integer(raw):
    with pytest.raises(filters.FilterError):
        filters.id_(raw)


def test_text_refuses_nul_surrogates_and_length():
    parse = filters.text(10)
    assert parse(" 张伟 ") == "张伟"
    for raw in ["a\x00b", "\ud800", "x" * 11]:
        with pytest.raises(filters.FilterError):
            parse(raw)


def test_a_spec_parses_each_parameter_and_refuses_repeats():
    spec = {"team": filters.id_, "status": filters.choice(["open", "closed"]), "q": filters.text()}
    parsed = filters.parse_query(QueryDict("team=3&status=nope&q=a&q=b&other=x"), spec)
    assert parsed.values == {"team": 3}
    assert set(parsed.errors) == {"status", "q"}
    assert filters.parse_query({"team": "3"}, spec).values == {"team": 3, "status": None, "q": None}
