"""Control charts of a unit's series, read by the Western Electric rules.

- Rates (numerator ÷ denominator with large daily denominators): **Laney's p′ chart**. A plain
  p chart's limits, p̄ ± 3·√(p̄(1−p̄)/nᵢ), shrink with the denominator and with thousands of
  calls a day they flag ordinary day-to-day variation (over-dispersion). Laney standardises each
  point, zᵢ = (pᵢ − p̄)/σpᵢ, measures the variation of the z-scores with their moving range,
  σz = mean|zᵢ − zᵢ₋₁| / 1.128, and widens the per-point limits to p̄ ± 3·σpᵢ·σz.
- Means (handle time, satisfaction score) and additive counts: the **XmR chart**: centre x̄,
  σ = mean moving range / 1.128, limits x̄ ± 3σ.

Daily series first lose their weekly cycle (kpi.analytics.seasonal). Each point is expressed
in σ units (`z`, already divided by σz on a p′ chart) and read by the four Western Electric
rules; a point gets the lowest-numbered rule that it completes:

1. one point beyond 3σ;
2. two of three consecutive points beyond 2σ on the same side;
3. four of five consecutive points beyond 1σ on the same side;
4. eight consecutive points on the same side of the centre line.

On an in-control normal series these rules together give a false alarm about once every 92
points (rule 1 alone: once in 370); that is the nominal rate the tests check.

`baseline_end`: when given and at least MIN_POINTS points precede it, the centre and σ come
from those points only (phase II: the closing period is judged against the process before it,
so a shift inside it does not widen its own limits).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from scipy import stats

from kpi.analytics.seasonal import deseasonalize

D2 = 1.128  # d2 for moving ranges of two points
MIN_POINTS = 8
ABOVE, BELOW = "above", "below"
RULES = (1, 2, 3, 4)


def rule_text(rule: int, side: str) -> str:
    side_text = _("above the centre line") if side == ABOVE else _("below the centre line")
    texts = {
        1: _("Rule 1: a point beyond the 3σ limit, %(side)s"),
        2: _("Rule 2: two of three points beyond 2σ, %(side)s"),
        3: _("Rule 3: four of five points beyond 1σ, %(side)s"),
        4: _("Rule 4: eight points in a row %(side)s"),
    }
    return texts[rule] % {"side": side_text}


@dataclass(frozen=True)
class Signal:
    """A point the rules flag as a special cause, with the first rule it completes."""

    index: int
    period_start: datetime.date
    value: float
    rule: int
    side: str
    reason: str


@dataclass(frozen=True)
class ControlChart:
    """A chart: every point with its centre and limits, and the points that signal.

    `points` columns: period_start, value (seasonally adjusted when `adjusted`), raw (as
    measured), center, lcl, ucl, z (σ units), signal (bool), rule (0 when none).
    `lcl`/`ucl`: the process limits (for a p′ chart at the mean denominator)."""

    kind: str  # "laney_p" | "xmr"
    points: pd.DataFrame
    center: float
    sigma: float
    lcl: float
    ucl: float
    adjusted: str = ""
    signals: list[Signal] = field(default_factory=list)

    def signals_between(self, start: datetime.date, end: datetime.date) -> list[Signal]:
        """The signals whose period starts in [start, end)."""
        return [s for s in self.signals if start <= s.period_start < end]

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "center": self.center,
            "sigma": self.sigma,
            "lcl": self.lcl,
            "ucl": self.ucl,
            "adjusted": self.adjusted,
            "signals": [
                {
                    "period_start": s.period_start.isoformat(),
                    "value": s.value,
                    "rule": s.rule,
                    "side": s.side,
                    "reason": s.reason,
                }
                for s in self.signals
            ],
        }


def western_electric(
    z: Sequence[float], *, rules: Sequence[int] = RULES
) -> list[tuple[int, int, str]]:
    """(index, rule, side) for every point that completes a rule (lowest rule number wins).
    NaN points break no run and complete nothing."""
    values = np.asarray(z, dtype=float)
    found: list[tuple[int, int, str]] = []
    for i, here in enumerate(values):
        if not np.isfinite(here):
            continue
        side = ABOVE if here > 0 else BELOW
        sign = 1.0 if here > 0 else -1.0
        hit = 0
        if 1 in rules and abs(here) > 3:
            hit = 1
        elif 2 in rules and sign * here > 2 and i >= 2:
            window = values[i - 2 : i + 1]
            if np.sum(sign * window > 2) >= 2:
                hit = 2
        if not hit and 3 in rules and sign * here > 1 and i >= 4:
            window = values[i - 4 : i + 1]
            if np.sum(sign * window > 1) >= 4:
                hit = 3
        if not hit and 4 in rules and here != 0 and i >= 7:
            window = values[i - 7 : i + 1]
            if np.all(sign * window > 0):
                hit = 4
        if hit:
            found.append((i, hit, side))
    return found


def _baseline(frame: pd.DataFrame, baseline_end: datetime.date | None) -> pd.Series:
    if baseline_end is None:
        return pd.Series(True, index=frame.index)
    mask = pd.Series([d < baseline_end for d in frame["period_start"]], index=frame.index)
    return mask if mask.sum() >= MIN_POINTS else pd.Series(True, index=frame.index)


def _chart(
    kind: str,
    out: pd.DataFrame,
    *,
    center: float,
    sigma: float,
    lcl: float,
    ucl: float,
    adjusted: str,
    rules: Sequence[int],
) -> ControlChart:
    flagged = western_electric(out["z"].to_numpy(), rules=rules) if len(out) >= MIN_POINTS else []
    out["signal"] = False
    out["rule"] = 0
    signals = []
    for index, rule, side in flagged:
        out.loc[index, "signal"] = True
        out.loc[index, "rule"] = rule
        signals.append(
            Signal(
                index=index,
                period_start=out.loc[index, "period_start"],
                value=float(out.loc[index, "value"]),
                rule=rule,
                side=side,
                reason=rule_text(rule, side),
            )
        )
    return ControlChart(kind, out, center, sigma, lcl, ucl, adjusted, signals)


def _prepare(frame: pd.DataFrame, *, deseasonal: bool, rate: bool) -> tuple[pd.DataFrame, str]:
    clean = frame.dropna(subset=["value"]).copy()
    if rate:
        clean = clean[clean["denominator"].astype(float) > 0]
    clean = clean.reset_index(drop=True)
    if deseasonal:
        return deseasonalize(clean, rate=rate)
    clean["raw"] = clean["value"].astype(float)
    clean["period_start"] = [pd.Timestamp(d).date() for d in clean["period_start"]]
    return clean.sort_values("period_start").reset_index(drop=True), ""


def laney_p_chart(
    frame: pd.DataFrame,
    *,
    deseasonalize: bool = True,
    baseline_end: datetime.date | None = None,
    rules: Sequence[int] = RULES,
) -> ControlChart:
    """Laney p′ chart of a rate series (numerator, denominator per period)."""
    out, adjusted = _prepare(frame, deseasonal=deseasonalize, rate=True)
    n = out["denominator"].astype(float)
    p = out["value"].astype(float)
    base = _baseline(out, baseline_end)
    p_bar = float((p[base] * n[base]).sum() / n[base].sum()) if len(out) else float("nan")
    sigma_p = (
        np.sqrt(p_bar * (1 - p_bar) / n) if 0 < p_bar < 1 else pd.Series(np.nan, index=n.index)
    )
    z_raw = (p - p_bar) / sigma_p
    moving = z_raw[base].diff().abs().dropna()
    sigma_z = float(moving.mean() / D2) if len(moving) else float("nan")
    if not np.isfinite(sigma_z) or sigma_z <= 0:
        sigma_z = 1.0
    out["center"] = p_bar
    out["ucl"] = np.minimum(1.0, p_bar + 3 * sigma_p * sigma_z)
    out["lcl"] = np.maximum(0.0, p_bar - 3 * sigma_p * sigma_z)
    out["z"] = z_raw / sigma_z
    mean_sigma = (
        float(np.sqrt(p_bar * (1 - p_bar) / n.mean())) if len(out) and 0 < p_bar < 1 else 0.0
    )
    return _chart(
        "laney_p",
        out,
        center=p_bar,
        sigma=sigma_z,
        lcl=max(0.0, p_bar - 3 * mean_sigma * sigma_z),
        ucl=min(1.0, p_bar + 3 * mean_sigma * sigma_z),
        adjusted=adjusted,
        rules=rules,
    )


def xmr_chart(
    frame: pd.DataFrame,
    *,
    deseasonalize: bool = True,
    baseline_end: datetime.date | None = None,
    rules: Sequence[int] = RULES,
) -> ControlChart:
    """XmR (individuals and moving range) chart of a mean or count series."""
    out, adjusted = _prepare(frame, deseasonal=deseasonalize, rate=False)
    x = out["value"].astype(float)
    base = _baseline(out, baseline_end)
    center = float(x[base].mean()) if len(out) else float("nan")
    moving = x[base].diff().abs().dropna()
    sigma = float(moving.mean() / D2) if len(moving) else 0.0
    out["center"] = center
    out["ucl"] = center + 3 * sigma
    out["lcl"] = center - 3 * sigma
    out["z"] = (x - center) / sigma if sigma > 0 else 0.0
    return _chart(
        "xmr",
        out,
        center=center,
        sigma=sigma,
        lcl=center - 3 * sigma,
        ucl=center + 3 * sigma,
        adjusted=adjusted,
        rules=rules,
    )


def control_chart(
    frame: pd.DataFrame,
    *,
    kind: str,
    deseasonalize: bool = True,
    baseline_end: datetime.date | None = None,
    rules: Sequence[int] = RULES,
) -> ControlChart:
    """The chart an indicator of this kind ("rate", "mean", "additive") is watched on."""
    chart = laney_p_chart if kind == "rate" else xmr_chart
    return chart(frame, deseasonalize=deseasonalize, baseline_end=baseline_end, rules=rules)


def special_causes(
    frame: pd.DataFrame,
    *,
    kind: str,
    start: datetime.date,
    end: datetime.date,
    deseasonalize: bool = True,
    rules: Sequence[int] = RULES,
) -> list[Signal]:
    """The special causes in [start, end) of a unit's series: give the closing period and some
    weeks before it (the baseline the limits come from)."""
    chart = control_chart(
        frame, kind=kind, deseasonalize=deseasonalize, baseline_end=start, rules=rules
    )
    return chart.signals_between(start, end)


# --- Every agent at once -------------------------------------------------------------------------

# An agent's chart at a close reads only these rules (a point beyond 3σ; eight in a row on one
# side): with thousands of agents × indicators, rules 2 and 3 would add more false alarms than
# findings (see special_causes_many).
AGENT_RULES = (1, 4)
# One side's tail beyond 3σ of a normal distribution (rule 1's nominal false-alarm rate / 2).
RULE_1_TAIL = 0.00135
# Effective degrees of freedom of σ estimated from the mean moving range of m points: the usual
# approximation 0.62 (m - 1) (the test checks the false-alarm rate it gives by simulation).
MR_EFFECTIVE_DF = 0.62


def special_causes_many(
    frame: pd.DataFrame,
    *,
    kind: str,
    start: datetime.date,
    end: datetime.date,
    rules: Sequence[int] = AGENT_RULES,
    runs_in_period: bool = False,
    min_baseline: int | None = None,
    estimated_limits: bool = False,
) -> pd.DataFrame:
    """The first special cause in [start, end) of every unit's series at once, vectorised
    (groupby, no loop per unit): `frame` has the columns unit_id, period_start, numerator,
    denominator, value (several units' series, as kpi.selectors.level_series gives them).

    Each unit's chart is exactly the one control_chart(..., deseasonalize=False,
    baseline_end=start) draws for it alone (Laney p′ for rates, XmR otherwise; the centre and σ
    from the points before `start`, or from every point when fewer than MIN_POINTS precede it;
    no signal on a series of fewer than MIN_POINTS points), read by rules 1 and/or 4 only.
    `runs_in_period`: rule 4's eight points must all be in [start, end) (the run may not
    reach back into the baseline), as an agent's chart at a close reads it. `min_baseline`: a
    unit with fewer points before `start` gets no signal at all (no fallback to every point): σ
    from a handful of moving ranges is too uncertain to judge thousands of series by.
    `estimated_limits`: rule 1's limit allows for σ being estimated from the unit's own short
    baseline: the Student t quantile of the nominal 3σ tail (0.135 %) with the moving-range
    estimate's effective degrees of freedom, about 0.62 × (points − 1) — 3.58σ with 26 weeks,
    3.78σ with 20 — instead of 3σ, which on 26 points flags about 0.86 % of an in-control
    unit's points instead of 0.27 %.
    Returns the columns unit_id, period_start, value, rule, side, reason: one row per unit
    with a signal in [start, end) (its first)."""
    columns = ["unit_id", "period_start", "value", "rule", "side", "reason"]
    unsupported = set(rules) - {1, 4}
    if unsupported:
        raise ValueError(f"special_causes_many reads rules 1 and 4 only, not {unsupported}")
    rate = kind == "rate"
    data = frame.dropna(subset=["value"])
    if rate:
        data = data[data["denominator"].astype(float) > 0]
    if data.empty:
        return pd.DataFrame(columns=columns)
    starts = data["period_start"]
    if not all(type(d) is datetime.date for d in starts.head(1)):
        starts = pd.to_datetime(starts).dt.date
    data = data.assign(period_start=starts, value=data["value"].astype(float)).sort_values(
        ["unit_id", "period_start"], kind="mergesort"
    )
    data = data.reset_index(drop=True)
    units = data["unit_id"]
    before = data["period_start"] < start
    history = before.groupby(units).transform("sum")
    enough = history >= MIN_POINTS
    base = before | ~enough  # too short a history: every point is the baseline
    x = data["value"]
    in_base = data[base]
    if rate:
        n = data["denominator"].astype(float)
        num = (
            (in_base["value"] * in_base["denominator"].astype(float))
            .groupby(in_base["unit_id"])
            .sum()
        )
        den = in_base["denominator"].astype(float).groupby(in_base["unit_id"]).sum()
        p_bar = units.map(num / den)
        ok = (p_bar > 0) & (p_bar < 1)
        sigma_p = np.sqrt((p_bar * (1 - p_bar)).where(ok) / n)
        z_raw = (x - p_bar) / sigma_p
        moving = z_raw[base].groupby(units[base]).diff().abs()
        sigma_z = units.map(moving.groupby(units[base]).mean() / D2)
        sigma_z = sigma_z.where(np.isfinite(sigma_z) & (sigma_z > 0), 1.0)
        z = z_raw / sigma_z
    else:
        center = units.map(in_base["value"].groupby(in_base["unit_id"]).mean())
        moving = x[base].groupby(units[base]).diff().abs()
        sigma = units.map(moving.groupby(units[base]).mean() / D2).fillna(0.0)
        z = ((x - center) / sigma.where(sigma > 0)).where(sigma > 0, 0.0)
    z = z.astype(float)
    finite = np.isfinite(z)
    judged = (data["period_start"] >= start) & (data["period_start"] < end)
    rule = pd.Series(0, index=data.index)
    if 4 in rules:
        position = data.groupby(units).cumcount()
        for sign in (1.0, -1.0):
            on_side = finite & (sign * z > 0)
            on_side = (on_side & judged if runs_in_period else on_side).astype(int)
            total = on_side.groupby(units).cumsum()
            eight_ago = total.groupby(units).shift(8).fillna(0)
            run = (on_side == 1) & (total - eight_ago == 8) & (position >= 7)
            rule = rule.mask(run, 4)
    if 1 in rules:
        limit = 3.0
        if estimated_limits:
            freedom = (MR_EFFECTIVE_DF * (history.astype(float) - 1)).clip(lower=1.0)
            limit = pd.Series(stats.t.ppf(1 - RULE_1_TAIL, freedom), index=data.index)
        rule = rule.mask(finite & (z.abs() > limit), 1)
    long_enough = units.map(units.value_counts()) >= MIN_POINTS
    if min_baseline is not None:
        long_enough &= history >= min_baseline
    hits = data.loc[(rule > 0) & long_enough & judged, ["unit_id", "period_start", "value"]]
    if hits.empty:
        return pd.DataFrame(columns=columns)
    hits = hits.assign(rule=rule[hits.index], side=np.where(z[hits.index] > 0, ABOVE, BELOW))
    hits = hits.groupby("unit_id", sort=True).head(1).reset_index(drop=True)
    hits["reason"] = [rule_text(r, s) for r, s in zip(hits["rule"], hits["side"], strict=True)]
    return hits[columns]


__all__ = [
    "AGENT_RULES",
    "ControlChart",
    "Signal",
    "control_chart",
    "laney_p_chart",
    "rule_text",
    "special_causes",
    "special_causes_many",
    "western_electric",
    "xmr_chart",
]
