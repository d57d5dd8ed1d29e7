"""SMART, checked against data."""

from __future__ import annotations

import datetime

import pandas as pd
from django.utils import translation

from kpi.analytics.smart import smart_report


def months(values, year=2025):
    return pd.DataFrame(
        {
            "period_start": [datetime.date(year, m + 1, 1) for m in range(len(values))],
            "numerator": values,
            "denominator": [1.0] * len(values),
            "value": values,
        }
    )


TEAMS = {
    "Team A": months([0.80, 0.82, 0.81, 0.83, 0.80, 0.79, 0.82, 0.84, 0.81, 0.80, 0.82, 0.83]),
    "Team B": months([0.85, 0.86, 0.84, 0.87, 0.88, 0.86, 0.85, 0.87, 0.86, 0.85, 0.84, 0.86]),
}


def report(**overrides):
    args = dict(
        definition="Calls answered within 20 s ÷ calls offered (abandons under 5 s removed)",
        unit="%",
        scope="Team A",
        source="telephony import",
        kind="rate",
        direction="higher",
        history=TEAMS["Team A"],
        peers=TEAMS,
        target=0.83,
        parent="Center service level 2026",
        period="month",
        end=datetime.date(2026, 12, 31),
        fmt=lambda v: f"{100 * v:.1f} %",
    )
    args.update(overrides)
    return smart_report(**args)


def test_a_target_above_anything_history_reached_is_flagged_with_the_reason():
    result = report(target=0.92)
    attainable = result.get("attainable")
    assert attainable.met is False and not result.ok
    assert "92.0 %" in attainable.reason
    assert "above the best period of any unit" in attainable.reason
    assert "Team B" in attainable.reason and "2025-05-01" in attainable.reason
    assert "88.0 %" in attainable.reason
    assert [c.key for c in result.failed] == ["attainable"]


def test_a_target_another_team_reached_is_attainable_even_beyond_own_limits():
    result = report(target=0.875)
    attainable = result.get("attainable")
    assert attainable.met is True
    assert "process limits" in attainable.reason and "Team B" in attainable.reason
    assert result.ok


def test_lower_is_better_targets_compare_with_the_lowest():
    handle = months([310, 305, 300, 298, 303, 307, 301, 299, 302, 304, 300, 306])
    result = report(kind="mean", direction="lower", history=handle, peers=None, target=250, fmt=str)
    assert result.get("attainable").met is False
    assert "below the best (lowest) period of Team A" in result.get("attainable").reason


def test_each_criterion_says_what_is_missing():
    result = report(definition="", unit="", parent=None, standards=(), end=None, history=None)
    assert result.get("specific").met is False
    assert "a definition" in result.get("specific").reason
    assert "a unit of measure" in result.get("specific").reason
    assert result.get("measurable").met is False
    assert "no data for Team A" in result.get("measurable").reason
    assert result.get("relevant").met is False
    assert (
        result.get("time_based").met is False and "no end date" in result.get("time_based").reason
    )
    assert len(result.failed) == 4


def test_a_standard_makes_a_target_relevant():
    result = report(parent=None, standards=["SPEC-007"])
    assert result.get("relevant").met is True and "SPEC-007" in result.get("relevant").reason


def test_an_indicator_without_target_leaves_attainable_unjudged():
    result = report(target=None, parent=None, end=None)
    assert result.get("attainable").met is None
    assert result.get("relevant").met is None
    assert result.ok
    data = result.as_dict()
    assert data["ok"] is True and [c["key"] for c in data["criteria"]] == [
        "specific",
        "measurable",
        "attainable",
        "relevant",
        "time_based",
    ]


def test_too_little_history_cannot_be_judged():
    result = report(history=months([0.8, 0.81]), peers=None, target=0.99)
    assert result.get("attainable").met is None


def test_the_reasons_are_translated():
    with translation.override("zh-hans"):
        result = report(target=0.92)
    attainable = result.get("attainable")
    assert attainable.label == "可实现（A）"
    assert "高于同级所有单位近 12 个周期中的最好成绩" in attainable.reason
    assert "Team B" in attainable.reason
