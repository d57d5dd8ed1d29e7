"""Seasonality removal: the weekly cycle goes, a lasting shift stays."""

from __future__ import annotations

import datetime

import pandas as pd

from kpi.analytics import seasonal, spc
from tests.kpi.analytics.series import rate_series


def test_day_of_week_ratio_flattens_the_weekly_cycle():
    frame = rate_series(noise=0.001, seed=2)
    adjusted, method = seasonal.deseasonalize(frame, rate=True)
    assert method == seasonal.RATIO
    by_day = adjusted.groupby(pd.to_datetime(adjusted["period_start"]).dt.day_of_week)[
        "value"
    ].mean()
    raw_by_day = frame.groupby(pd.to_datetime(frame["period_start"]).dt.day_of_week)["value"].mean()
    assert by_day.max() - by_day.min() < (raw_by_day.max() - raw_by_day.min()) / 5
    assert adjusted["raw"].tolist() == frame["value"].tolist()


def test_a_shift_of_whole_weeks_survives_the_adjustment():
    frame = rate_series(noise=0.001, shift_at=56, shift=-0.05, seed=5)
    adjusted, _ = seasonal.deseasonalize(frame, rate=True)
    before, after = adjusted["value"][:56].mean(), adjusted["value"][56:].mean()
    assert before - after > 0.04


def test_stl_takes_part_of_the_noise_the_ratio_leaves():
    """Why the charts use the ratio: after STL the moving range is smaller than the noise, so
    the limits drawn on it are too narrow."""
    wider = 0
    for seed in range(10):
        frame = rate_series(seed=seed)
        ratio, _ = seasonal.deseasonalize(frame, method=seasonal.RATIO, rate=True)
        stl, method = seasonal.deseasonalize(frame, method=seasonal.STL, rate=True)
        assert method == seasonal.STL
        mr_ratio = ratio["value"].diff().abs().mean()
        mr_stl = stl["value"].diff().abs().mean()
        wider += mr_ratio > mr_stl
        assert spc.laney_p_chart(ratio, deseasonalize=False).sigma > 0
    assert wider >= 8


def test_series_that_are_not_daily_are_left_alone():
    months = [datetime.date(2026, m, 1) for m in range(1, 13)]
    frame = pd.DataFrame({"period_start": months, "numerator": 1, "denominator": 2, "value": 0.5})
    adjusted, method = seasonal.deseasonalize(frame)
    assert method == "" and adjusted["value"].tolist() == [0.5] * 12
