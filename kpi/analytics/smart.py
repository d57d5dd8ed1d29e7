"""The SMART report of an indicator or a target, criterion by criterion, with the reason in words.

- Specific: a definition and a scope are written, and one unit of measure.
- Measurable: a source is named and it has data for this scope.
- Attainable: the target against the scope's own history and its peers' (the other units of the
  same level): a target beyond the best period any of them reached in the last `HISTORY`
  periods is not attainable; a target beyond the scope's own control-chart process limits is
  attainable only by changing the process — attainable when a peer reached it (it has been
  done), not when none did.
- Relevant: linked to a parent target, or to a standard of the audits app.
- Time-based: a period and an end date.

A criterion's `met` is None when it cannot be judged (an indicator without a target has no
attainability to judge; three periods of history are too few): it does not block activation;
False does (kpi-core's services ask for every criterion met or a written justification).
Values are in the stored scale (a rate as a fraction); `fmt` prints them for the reasons.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from django.utils.translation import gettext as _

from kpi.analytics.spc import control_chart

HISTORY = 12
MIN_HISTORY = 3
KEYS = ("specific", "measurable", "attainable", "relevant", "time_based")


def criterion_label(key: str) -> str:
    return {
        "specific": _("Specific"),
        "measurable": _("Measurable"),
        "attainable": _("Attainable"),
        "relevant": _("Relevant"),
        "time_based": _("Time-based"),
    }[key]


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    met: bool | None
    reason: str


@dataclass(frozen=True)
class SmartReport:
    criteria: list[Criterion]

    @property
    def ok(self) -> bool:
        return all(c.met is not False for c in self.criteria)

    @property
    def failed(self) -> list[Criterion]:
        return [c for c in self.criteria if c.met is False]

    def get(self, key: str) -> Criterion:
        return next(c for c in self.criteria if c.key == key)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "criteria": [
                {"key": c.key, "label": c.label, "met": c.met, "reason": c.reason}
                for c in self.criteria
            ],
        }


def _default_fmt(value: float) -> str:
    return f"{value:.4g}"


def _has_data(frame: pd.DataFrame | None) -> bool:
    return frame is not None and not frame.empty and frame["value"].notna().any()


def _recent(frame: pd.DataFrame) -> pd.DataFrame:
    clean = frame.dropna(subset=["value"]).sort_values("period_start")
    return clean.tail(HISTORY)


def _period_label(value) -> str:
    if isinstance(value, (datetime.date, pd.Timestamp)):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    return str(value)


def _attainable(
    *,
    target: float | None,
    direction: str,
    kind: str,
    scope: str,
    history: pd.DataFrame | None,
    peers: Mapping[str, pd.DataFrame] | None,
    fmt: Callable[[float], str],
) -> tuple[bool | None, str]:
    if target is None:
        return None, _("No target: attainability is checked on each target.")
    higher = direction != "lower"
    runs: list[tuple[float, str, str]] = []  # (value, who, when)
    own = _recent(history) if _has_data(history) else None
    if own is not None:
        runs += [
            (float(v), scope, _period_label(d))
            for d, v in zip(own["period_start"], own["value"], strict=True)
        ]
    for label, frame in (peers or {}).items():
        if _has_data(frame):
            recent = _recent(frame)
            runs += [
                (float(v), label, _period_label(d))
                for d, v in zip(recent["period_start"], recent["value"], strict=True)
            ]
    if len(runs) < MIN_HISTORY:
        return None, _(
            "Too little history (%(n)s periods) to judge whether %(target)s is attainable."
        ) % {
            "n": len(runs),
            "target": fmt(target),
        }
    best = max(runs, key=lambda t: t[0]) if higher else min(runs, key=lambda t: t[0])
    args = {
        "target": fmt(target),
        "best": fmt(best[0]),
        "who": best[1],
        "when": best[2],
        "n": HISTORY,
    }
    beyond_best = target > best[0] if higher else target < best[0]
    if beyond_best:
        if peers:
            text = (
                _(
                    "%(target)s is above the best period of any unit of this level in the last "
                    "%(n)s periods (%(who)s, %(when)s: %(best)s)."
                )
                if higher
                else _(
                    "%(target)s is below the best (lowest) period of any unit of this level in the "
                    "last %(n)s periods (%(who)s, %(when)s: %(best)s)."
                )
            )
        else:
            text = (
                _(
                    "%(target)s is above the best period of %(who)s in the last %(n)s periods "
                    "(%(when)s: %(best)s)."
                )
                if higher
                else _(
                    "%(target)s is below the best (lowest) period of %(who)s in the last %(n)s "
                    "periods (%(when)s: %(best)s)."
                )
            )
        return False, text % args
    if own is not None and len(own) >= MIN_HISTORY + 5:
        chart = control_chart(own, kind=kind, deseasonalize=False)
        args.update(lcl=fmt(chart.lcl), ucl=fmt(chart.ucl))
        outside = target > chart.ucl if higher else target < chart.lcl
        if outside:
            return True, _(
                "%(target)s lies outside this scope's process limits (%(lcl)s – %(ucl)s): it "
                "needs a change in the process, which %(who)s achieved (%(when)s: %(best)s)."
            ) % args
    return True, _(
        "%(target)s has been reached in the last %(n)s periods (best: %(who)s, %(when)s: %(best)s)."
    ) % args


def smart_report(
    *,
    definition: str,
    unit: str,
    scope: str,
    source: str,
    kind: str,
    direction: str,
    history: pd.DataFrame | None = None,
    peers: Mapping[str, pd.DataFrame] | None = None,
    target: float | None = None,
    parent: str | None = None,
    standards: Sequence[str] = (),
    period: str | None = None,
    end: datetime.date | None = None,
    fmt: Callable[[float], str] | None = None,
) -> SmartReport:
    """The SMART report (see the module's docstring for what each criterion checks)."""
    fmt = fmt or _default_fmt
    criteria: list[Criterion] = []

    missing = []
    if not (definition or "").strip():
        missing.append(_("a definition"))
    if not (scope or "").strip():
        missing.append(_("a scope"))
    if not (unit or "").strip():
        missing.append(_("a unit of measure"))
    if missing:
        specific = (False, _("Missing: %(what)s.") % {"what": ", ".join(missing)})
    else:
        specific = (
            True,
            _("Defined, for %(scope)s, in %(unit)s.") % {"scope": scope, "unit": unit},
        )
    criteria.append(Criterion("specific", criterion_label("specific"), *specific))

    if not (source or "").strip():
        measurable = (False, _("No source is named for the data."))
    elif not _has_data(history):
        measurable = (
            False,
            _("The source (%(source)s) has no data for %(scope)s yet.")
            % {"source": source, "scope": scope or "—"},
        )
    else:
        periods = int(history["value"].notna().sum())
        measurable = (
            True,
            _("%(source)s has data for %(scope)s (%(n)s periods).")
            % {"source": source, "scope": scope, "n": periods},
        )
    criteria.append(Criterion("measurable", criterion_label("measurable"), *measurable))

    attainable = _attainable(
        target=target,
        direction=direction,
        kind=kind,
        scope=scope,
        history=history,
        peers=peers,
        fmt=fmt,
    )
    criteria.append(Criterion("attainable", criterion_label("attainable"), *attainable))

    if parent:
        relevant = (True, _("Linked to the parent target %(parent)s.") % {"parent": parent})
    elif standards:
        relevant = (
            True,
            _("Linked to the standard(s) %(codes)s.") % {"codes": ", ".join(standards)},
        )
    elif target is None:
        relevant = (None, _("Relevance is checked on each target (its parent or a standard)."))
    else:
        relevant = (False, _("Linked neither to a parent target nor to a standard."))
    criteria.append(Criterion("relevant", criterion_label("relevant"), *relevant))

    if not period:
        time_based = (False, _("No monitoring period."))
    elif target is not None and end is None:
        time_based = (False, _("Period %(period)s, but no end date.") % {"period": period})
    elif end is None:
        time_based = (True, _("Watched every %(period)s.") % {"period": period})
    else:
        time_based = (
            True,
            _("Period %(period)s, ending %(end)s.") % {"period": period, "end": end.isoformat()},
        )
    criteria.append(Criterion("time_based", criterion_label("time_based"), *time_based))
    return SmartReport(criteria)


__all__ = ["KEYS", "Criterion", "SmartReport", "criterion_label", "smart_report"]
