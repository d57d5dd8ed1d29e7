"""Linkage: a known lagged link is found with the right lag and sign."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from kpi.analytics import linkage
from tests.kpi.analytics.series import START, WEEKLY


def linked_pair(*, lag: int = 7, days: int = 180, seed: int = 0, effect: float = -0.5):
    """FCR and repeat calls: a drop in FCR shows in repeat calls `lag` days later."""
    rng = np.random.default_rng(seed)
    dates = [START + datetime.timedelta(days=i) for i in range(days)]
    weekday = np.array([d.weekday() for d in dates])
    shocks = rng.normal(0, 0.02, days + lag)
    fcr = 0.75 * WEEKLY[weekday] + shocks[lag:]
    repeat = 0.12 * (2 - WEEKLY[weekday]) + effect * shocks[:days] + rng.normal(0, 0.004, days)

    def frame(values):
        return pd.DataFrame(
            {
                "period_start": dates,
                "numerator": values * 5000,
                "denominator": 5000,
                "value": values,
            }
        )

    return frame(fcr), frame(repeat)


def test_fcr_leads_repeat_calls_by_a_week_in_opposite_directions():
    fcr, repeat = linked_pair(lag=7)
    link = linkage.cross_correlation(fcr, repeat, rate_a=True, rate_b=True)
    assert link.lag == 7
    assert link.sign == "-"
    assert link.significant and abs(link.value) > 0.6
    assert link.band == 2 / np.sqrt(180)
    assert "FCR leads repeat calls by 7 days" in link.statement("FCR", "repeat calls")
    assert "opposite" in link.statement("FCR", "repeat calls")


def test_swapping_the_pair_flips_the_lag():
    fcr, repeat = linked_pair(lag=3, seed=1)
    link = linkage.cross_correlation(repeat, fcr)
    assert link.lag == -3 and link.sign == "-"
    assert "FCR leads repeat calls by 3 days" in link.statement("repeat calls", "FCR")


def test_a_same_day_positive_link():
    fcr, repeat = linked_pair(lag=0, seed=2, effect=0.6)
    link = linkage.cross_correlation(fcr, repeat)
    assert link.lag == 0 and link.sign == "+"
    assert "same day" in link.statement("AHT", "abandonment")


def test_unrelated_series_show_no_link_beyond_chance():
    a, _ = linked_pair(seed=3)
    _, b = linked_pair(seed=4)
    link = linkage.cross_correlation(a, b, max_lag=3)
    assert not link.significant
    assert "beyond chance" in link.statement("A", "B")


def test_the_weekly_cycle_alone_makes_no_link_once_removed():
    # Two series that share only the calendar (both worse at weekends).
    a, _ = linked_pair(seed=5)
    _, b = linked_pair(seed=6)
    raw = linkage.cross_correlation(a, b, adjust=False)
    adjusted = linkage.cross_correlation(a, b)
    at = {k: i for i, k in enumerate(raw.lags)}
    assert all(abs(raw.r[at[k]]) > raw.band for k in (-7, 0, 7))
    assert all(abs(adjusted.r[at[k]]) < adjusted.band for k in (-7, 0, 7))


def test_correlation_matrix_across_units_and_periods():
    rng = np.random.default_rng(0)
    rows = []
    for unit in ["T1", "T2", "T3"]:
        for month in range(1, 13):
            aht = rng.normal(300, 20)
            rows.append(("AHT", unit, month, aht))
            rows.append(("SL", unit, month, 1.2 - aht / 1000 + rng.normal(0, 0.002)))
            rows.append(("CSAT", unit, month, rng.normal(0.9, 0.01)))
    frame = pd.DataFrame(rows, columns=["indicator", "unit", "period_start", "value"])
    matrix = linkage.correlation_matrix(frame)
    assert matrix.loc["AHT", "SL"] < -0.9
    assert abs(matrix.loc["AHT", "CSAT"]) < 0.5
    assert matrix.loc["SL", "SL"] == 1.0
