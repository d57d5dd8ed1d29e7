"""Control charts: a shift in one team's series is found, a stable one stays quiet."""

from __future__ import annotations

import numpy as np
import pytest

from kpi.analytics import spc
from tests.kpi.analytics.series import mean_series, rate_series


def test_a_shift_in_one_teams_rate_is_found_on_its_p_prime_chart():
    teams = {name: rate_series(seed=seed) for seed, name in enumerate(["A", "B", "C"])}
    teams["B"] = rate_series(seed=1, shift_at=84, shift=-0.04)  # four weeks 4 points worse
    start, end = teams["B"]["period_start"][84], teams["B"]["period_start"][111]
    end = end.replace(day=end.day + 1)
    found = {
        name: spc.special_causes(frame, kind="rate", start=start, end=end)
        for name, frame in teams.items()
    }
    assert found["B"], "the shifted team shows a special cause"
    assert {s.side for s in found["B"]} == {"below"}
    assert any(s.rule == 1 for s in found["B"])
    assert "3σ" in found["B"][0].reason and "below" in found["B"][0].reason
    # The other teams have no lasting signal in those four weeks (at most a chance point).
    assert all(len(found[name]) <= 2 for name in ("A", "C"))


def test_a_shift_in_handle_time_is_found_on_its_xmr_chart():
    frame = mean_series(shift_at=90, shift=30.0, seed=4)
    chart = spc.control_chart(frame, kind="mean", baseline_end=frame["period_start"][84])
    assert chart.kind == "xmr"
    late = [s for s in chart.signals if s.index >= 90]
    assert len(late) >= 10 and all(s.side == "above" for s in late)
    assert len([s for s in chart.signals if s.index < 84]) <= 3  # chance, at ~1 in 92


@pytest.mark.parametrize("kind,make", [("rate", rate_series), ("mean", mean_series)])
def test_a_stable_series_signals_at_the_nominal_false_alarm_rate(kind, make):
    """Four Western Electric rules on an in-control process: about one false alarm in 92
    points (rule 1 alone: one in 370). The weekly cycle must not add any."""
    points = signals = rule_1 = 0
    for seed in range(60):
        chart = spc.control_chart(make(seed=100 + seed), kind=kind)
        points += len(chart.points)
        signals += len(chart.signals)
        rule_1 += sum(1 for s in chart.signals if s.rule == 1)
    assert signals / points < 0.03
    assert rule_1 / points < 0.008


def test_laney_widens_the_limits_a_plain_p_chart_would_draw_too_narrow():
    # Thousands of calls a day and a little day-to-day variation: a p chart's binomial limits
    # flag many days of a stable process; σz > 1 widens them and the chart stays quiet.
    frame = rate_series(calls=20000, noise=0.01, seed=7)
    chart = spc.laney_p_chart(frame)
    assert chart.sigma > 2
    binomial_z = chart.points["z"] * chart.sigma
    assert (binomial_z.abs() > 3).sum() > 10
    assert len(chart.signals) <= 3


def test_the_weekly_cycle_is_removed_before_charting():
    frame = rate_series(seed=3, noise=0.002)
    raw = spc.laney_p_chart(frame, deseasonalize=False)
    adjusted = spc.laney_p_chart(frame)
    assert adjusted.adjusted == "day_of_week_ratio"
    weekends = [s for s in raw.signals if s.period_start.weekday() >= 5]
    assert weekends, "unadjusted, every weekend looks like a special cause"
    assert len(adjusted.signals) < len(raw.signals) / 3


@pytest.mark.parametrize(
    "z,index,rule",
    [
        ([0, 0.5, -0.2, 3.4], 3, 1),
        ([0, 2.5, 0.1, 2.2], 3, 2),
        ([0, 1.5, 1.2, 0.3, 1.1, 1.8], 5, 3),
        ([0.2, 0.4, 0.1, 0.6, 0.3, 0.2, 0.5, 0.1], 7, 4),
    ],
)
def test_each_western_electric_rule(z, index, rule):
    found = spc.western_electric(z)
    assert (index, rule, "above") in found
    mirrored = spc.western_electric([-v for v in z])
    assert (index, rule, "below") in mirrored


def test_no_rule_on_alternating_points_within_one_sigma():
    assert spc.western_electric([0.5, -0.5] * 10) == []


def test_short_series_give_a_chart_without_signals():
    frame = rate_series(days=6, shift_at=3, shift=-0.3)
    assert spc.control_chart(frame, kind="rate").signals == []


def test_chart_points_carry_limits_for_drawing():
    chart = spc.control_chart(rate_series(seed=9), kind="rate")
    row = chart.points.iloc[10]
    assert row["lcl"] < row["center"] < row["ucl"]
    assert np.isfinite(chart.ucl) and chart.lcl < chart.center < chart.ucl
    assert chart.as_dict()["kind"] == "laney_p"
