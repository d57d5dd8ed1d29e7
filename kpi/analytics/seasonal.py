"""Removing the weekly cycle (day of week) of a daily series before it is charted or correlated.

Two methods:

- ``day_of_week_ratio``: each weekday's factor is its level over the overall level (for a rate,
  the weekday's numerators over its denominators against all numerators over all
  denominators), and each day is divided by its weekday's factor. It needs only one or two
  weeks of data, cannot "chase" noise, and a lasting shift that covers whole weeks moves every
  weekday alike, so it leaves the factors alone — the shift stays in the adjusted series for
  the control chart to find.
- ``stl``: statsmodels' STL (period 7, robust) — the seasonal component may evolve over the
  year, which the ratio cannot follow. STL needs several cycles to separate the seasonal from
  the trend; on short series its seasonal estimate is mostly noise.

``method="auto"`` uses the ratio. Measured on the synthetic series of
tests/kpi/analytics/test_seasonal.py (12 stable weeks, thousands of calls a day): after STL the
moving range of the adjusted series is smaller than the noise really is — STL's seasonal
smoother takes part of the day-to-day noise into the "seasonal" component — so a control chart
drawn on it has limits too narrow and signals on a stable process, while after the ratio it does
not. STL stays available (``method="stl"``) for long series whose weekly pattern changes
through the year, e.g. for the linkage page. Series that are not daily (weeks, months,
quarters) are returned unchanged: their cycle (the year) is longer than the history a chart
keeps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STL_MIN_DAYS = 56
RATIO = "day_of_week_ratio"
STL = "stl"


def is_daily(frame: pd.DataFrame) -> bool:
    """True when consecutive period starts are mostly one day apart."""
    if len(frame) < 2:
        return False
    days = pd.to_datetime(frame["period_start"]).sort_values().diff().dt.days.dropna()
    return bool(days.median() == 1)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["period_start"] = pd.to_datetime(out["period_start"])
    return out.sort_values("period_start").reset_index(drop=True)


def day_of_week_factors(frame: pd.DataFrame, *, rate: bool = False) -> pd.Series:
    """Weekday (0 = Monday) → factor (level of that weekday ÷ overall level)."""
    out = _sorted(frame)
    weekday = out["period_start"].dt.day_of_week
    if rate:
        sums = out.groupby(weekday)[["numerator", "denominator"]].sum()
        total = out["numerator"].sum() / out["denominator"].sum()
        level = sums["numerator"] / sums["denominator"]
    else:
        level = out.groupby(weekday)["value"].mean()
        total = out["value"].mean()
    if not total or not np.isfinite(total):
        return pd.Series(1.0, index=level.index)
    factors = (level / total).replace([np.inf, -np.inf], np.nan).fillna(1.0)
    return factors.where(factors > 0, 1.0)


def deseasonalize(
    frame: pd.DataFrame, *, method: str = "auto", rate: bool = False
) -> tuple[pd.DataFrame, str]:
    """The frame with `value` (and for a rate `numerator`, denominators kept) seasonally adjusted,
    a column `raw` with the value as measured, and the name of the method that ran ("" when the
    series is not daily or too short: fewer than two weeks)."""
    out = _sorted(frame)
    out["raw"] = out["value"].astype(float)
    if not is_daily(out) or len(out) < 14:
        out["period_start"] = out["period_start"].dt.date
        return out, ""
    complete = (out["period_start"].iloc[-1] - out["period_start"].iloc[0]).days + 1 == len(out)
    if method == STL and complete and len(out) >= STL_MIN_DAYS:
        from statsmodels.tsa.seasonal import STL as _STL

        values = out["value"].astype(float).to_numpy()
        # A gap-free daily index is guaranteed by `complete`; NaNs (days without data) are
        # bridged only for the decomposition.
        series = pd.Series(values).interpolate(limit_direction="both")
        seasonal = _STL(series, period=7, robust=True).fit().seasonal.to_numpy()
        out["value"] = values - seasonal
    else:
        method = RATIO
        factors = day_of_week_factors(out, rate=rate)
        weekday = out["period_start"].dt.day_of_week
        out["value"] = out["value"].astype(float) / weekday.map(factors).fillna(1.0).to_numpy()
    if rate and "denominator" in out:
        out["numerator"] = out["value"] * out["denominator"].astype(float)
    out["period_start"] = out["period_start"].dt.date
    return out, method


__all__ = ["RATIO", "STL", "STL_MIN_DAYS", "day_of_week_factors", "deseasonalize", "is_daily"]
