"""Synthetic daily series for the analytics tests (a weekly cycle, thousands of calls a day)."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

START = datetime.date(2026, 1, 5)  # a Monday
# Weekends answer worse: the cycle the charts must not mistake for a signal.
WEEKLY = np.array([1.0, 1.01, 1.01, 1.0, 0.98, 0.92, 0.90])


def rate_series(
    *,
    days: int = 112,
    p: float = 0.8,
    calls: int = 3000,
    noise: float = 0.008,
    shift_at: int | None = None,
    shift: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """A daily rate: binomial outcomes of `calls` a day around p × the weekday's factor, plus
    some day-to-day extra variation (`noise`, the over-dispersion real centres show)."""
    rng = np.random.default_rng(seed)
    dates = [START + datetime.timedelta(days=i) for i in range(days)]
    weekday = np.array([d.weekday() for d in dates])
    level = p * WEEKLY[weekday] + rng.normal(0, noise, days)
    if shift_at is not None:
        level[shift_at:] += shift
    n = rng.integers(int(calls * 0.8), int(calls * 1.2), days)
    x = rng.binomial(n, np.clip(level, 0.001, 0.999))
    return pd.DataFrame({"period_start": dates, "numerator": x, "denominator": n, "value": x / n})


def mean_series(
    *,
    days: int = 112,
    mean: float = 300.0,
    sd: float = 12.0,
    shift_at: int | None = None,
    shift: float = 0.0,
    seed: int = 0,
) -> pd.DataFrame:
    """A daily mean (e.g. handle time in seconds) with a weekly cycle."""
    rng = np.random.default_rng(seed)
    dates = [START + datetime.timedelta(days=i) for i in range(days)]
    weekday = np.array([d.weekday() for d in dates])
    value = mean * (2 - WEEKLY[weekday]) + rng.normal(0, sd, days)
    if shift_at is not None:
        value[shift_at:] += shift
    count = rng.integers(2000, 3000, days)
    return pd.DataFrame(
        {"period_start": dates, "numerator": value * count, "denominator": count, "value": value}
    )
