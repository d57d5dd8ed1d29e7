"""How indicators move together: a correlation matrix across units and periods, and the lagged
cross-correlation of a pair of seasonally adjusted daily series.

Sign convention of the lag (the one the pages print): r(k) = corr(Aₜ, Bₜ₊ₖ). A peak at k > 0
means **A leads B by k days** (A moves first, B follows k days later); k < 0 means B leads A by
|k| days; k = 0, they move the same day. statsmodels' ``ccf(x, y)`` computes corr(xₜ₊ₖ, yₜ) for
k ≥ 0 only, i.e. the opposite direction; we compute both directions ourselves with Pearson's r
on the overlapping days, which also copes with missing days.

Before correlating, each series loses its weekly cycle (kpi.analytics.seasonal) and its slow
movements (a centred 29-day rolling mean is subtracted): otherwise two indicators that both
dip at weekends, or both drift over the year, would look linked at lags 0, ±7, ±14... for no
reason but the calendar. The significance band is ±2/√n (n: days in the overlap) — about the
95 % band of r for two unrelated white-noise series; with many lags tried, one bar crossing it
by chance is expected now and then.

What a correlation can and cannot mean (shown on the page, see `CAVEAT`): it measures how
strongly and with what delay two indicators move together in these data; it does not show
that one causes the other (both may follow a third thing: a campaign, a system outage, the
calls' mix), nor which way the influence runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpi.analytics.seasonal import deseasonalize

DETREND_DAYS = 29
CAVEAT = gettext_lazy(
    "A correlation says how strongly, and with what delay, two indicators moved together in "
    "these data. It does not say that one causes the other: both may follow a third thing (a "
    "campaign, an outage, a change in the calls' mix), and it cannot tell which way an "
    "influence runs. Treat a strong link as a lead to look into, beside the links managers "
    "declared."
)


def correlation_matrix(frame: pd.DataFrame, *, min_periods: int = 3) -> pd.DataFrame:
    """Pearson correlation of indicators across units and periods.

    `frame`: long format with columns indicator, unit, period_start, value (one row per
    indicator, unit and period). Each (unit, period) is one observation; the result is an
    indicator × indicator matrix (NaN where fewer than `min_periods` observations pair)."""
    if frame.empty:
        return pd.DataFrame()
    wide = frame.pivot_table(
        index=["unit", "period_start"], columns="indicator", values="value", aggfunc="mean"
    )
    return wide.corr(min_periods=min_periods)


def adjusted_series(frame: pd.DataFrame, *, rate: bool = False) -> pd.Series:
    """A daily series without its weekly cycle and slow movements, indexed by date."""
    adjusted, _method = deseasonalize(frame, rate=rate)
    series = pd.Series(
        adjusted["value"].astype(float).to_numpy(),
        index=pd.to_datetime(adjusted["period_start"]),
    )
    series = series.asfreq("D") if len(series) else series
    trend = series.rolling(DETREND_DAYS, center=True, min_periods=7).mean()
    return series - trend


def _pearson(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    keep = np.isfinite(a) & np.isfinite(b)
    n = int(keep.sum())
    if n < 3:
        return float("nan"), n
    x, y = a[keep], b[keep]
    if x.std() == 0 or y.std() == 0:
        return float("nan"), n
    return float(np.corrcoef(x, y)[0, 1]), n


@dataclass(frozen=True)
class LaggedLink:
    """The cross-correlation of A and B at lags −max_lag..max_lag (r[k] = corr(Aₜ, Bₜ₊ₖ))."""

    lags: list[int]
    r: list[float]
    n: int
    band: float  # 2/√n
    lag: int  # the lag with the largest |r|
    value: float  # r at that lag
    significant: bool

    @property
    def sign(self) -> str:
        return "+" if self.value >= 0 else "-"

    def statement(self, a: str, b: str) -> str:
        """The finding in words, e.g. "FCR leads repeat calls by 7 days; they move in opposite
        directions (r = −0.62)"."""
        if not np.isfinite(self.value):
            return _("Too few days in common to compare %(a)s and %(b)s.") % {"a": a, "b": b}
        direction = (
            _("they move in the same direction")
            if self.value >= 0
            else _("they move in opposite directions")
        )
        args = {"a": a, "b": b, "k": abs(self.lag), "dir": direction, "r": f"{self.value:+.2f}"}
        if not self.significant:
            return (
                _(
                    "No link between %(a)s and %(b)s beyond chance: the largest correlation "
                    "(r = %(r)s) stays inside the ±2/√n band."
                )
                % args
            )
        if self.lag > 0:
            text = _("%(a)s leads %(b)s by %(k)s days; %(dir)s (r = %(r)s).")
        elif self.lag < 0:
            text = _("%(b)s leads %(a)s by %(k)s days; %(dir)s (r = %(r)s).")
        else:
            text = _("%(a)s and %(b)s move on the same day; %(dir)s (r = %(r)s).")
        return text % args

    def as_dict(self) -> dict:
        return {
            "lags": self.lags,
            "r": [None if not np.isfinite(v) else round(v, 4) for v in self.r],
            "n": self.n,
            "band": self.band,
            "lag": self.lag,
            "value": None if not np.isfinite(self.value) else round(self.value, 4),
            "sign": self.sign,
            "significant": self.significant,
        }


def cross_correlation(
    a: pd.Series | pd.DataFrame,
    b: pd.Series | pd.DataFrame,
    *,
    max_lag: int = 14,
    adjust: bool = True,
    rate_a: bool = False,
    rate_b: bool = False,
) -> LaggedLink:
    """Lagged cross-correlation of two daily series (frames are seasonally adjusted first
    when `adjust`; Series indexed by date are used as given)."""
    if isinstance(a, pd.DataFrame):
        a = adjusted_series(a, rate=rate_a) if adjust else _as_series(a)
    if isinstance(b, pd.DataFrame):
        b = adjusted_series(b, rate=rate_b) if adjust else _as_series(b)
    index = a.index.union(b.index)
    if len(index):
        index = pd.date_range(index.min(), index.max(), freq="D")
    x = a.reindex(index).to_numpy(dtype=float)
    y = b.reindex(index).to_numpy(dtype=float)
    lags = list(range(-max_lag, max_lag + 1))
    values = []
    overlap = 0
    for k in lags:
        # corr(x_t, y_{t+k})
        if k >= 0:
            r, n = _pearson(x[: len(x) - k] if k else x, y[k:])
        else:
            r, n = _pearson(x[-k:], y[: len(y) + k])
        values.append(r)
        if k == 0:
            overlap = n
    band = 2 / np.sqrt(overlap) if overlap else float("nan")
    finite = [(abs(v), k, v) for k, v in zip(lags, values, strict=True) if np.isfinite(v)]
    if finite:
        _abs, lag, value = max(finite, key=lambda t: (t[0], -abs(t[1])))
    else:
        lag, value = 0, float("nan")
    significant = bool(np.isfinite(value) and abs(value) > band)
    return LaggedLink(lags, values, overlap, float(band), lag, value, significant)


def _as_series(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(
        frame["value"].astype(float).to_numpy(), index=pd.to_datetime(frame["period_start"])
    ).sort_index()


def pairs(indicators: Sequence[str]) -> list[tuple[str, str]]:
    """Every unordered pair of indicators, in the order given."""
    return [(a, b) for i, a in enumerate(indicators) for b in indicators[i + 1 :]]


__all__ = [
    "CAVEAT",
    "LaggedLink",
    "adjusted_series",
    "correlation_matrix",
    "cross_correlation",
    "pairs",
]
