"""The data a SMART report needs, read from the database, handed to kpi.analytics.smart.

kpi.analytics works on frames and knows no model: here an indicator or a target becomes the
keyword arguments of `smart_report` (its definition, scope, the scope's monthly history over
the last 12 periods and its peers' — the other units of its level —, its parent, its standard,
its period and end date).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from kpi.analytics.smart import SmartReport, smart_report
from kpi.models import Indicator, Target
from kpi.selectors import level_series, unit_series
from org.models import Agent, Department, Team
from qa_center import periods
from qa_center.levels import Level

HISTORY_PERIODS = 12
# Peers read at most this many units (agents of a big center: the agent's own team instead).
_PEER_LIMIT = 400


def _history_range(kind: str, before: datetime.date) -> tuple[datetime.date, datetime.date]:
    last = periods.previous(periods.period_of(kind, before))
    first = last
    for _i in range(HISTORY_PERIODS - 1):
        first = periods.previous(first)
    return first.first_day, last.last_day


def _labels(level: str, ids) -> dict[int, str]:
    model = {Level.DEPARTMENT: Department, Level.TEAM: Team, Level.AGENT: Agent}.get(level)
    if model is None:
        return {0: str(Level.CENTER.label)}
    return {obj.pk: str(obj) for obj in model.objects.filter(pk__in=list(ids))}


def _peers(indicator: Indicator, level: str, unit, start, end, grain) -> dict:
    within = None
    if level == Level.AGENT and unit is not None:
        within = (Level.TEAM, unit.team_id)
    frame = level_series(
        indicator=indicator, level=level, start=start, end=end, grain=grain, within=within
    )
    ids = list(frame["unit_id"].unique())[:_PEER_LIMIT]
    labels = _labels(level, ids)
    return {
        labels.get(int(uid), str(uid)): part.drop(columns="unit_id").reset_index(drop=True)
        for uid, part in frame.groupby("unit_id")
        if int(uid) in labels
    }


def _fmt(indicator: Indicator):
    return lambda value: indicator.display(value)


def target_smart_report(target: Target) -> SmartReport:
    indicator = target.indicator
    start, end = _history_range(target.period_kind, target.valid_from)
    history = unit_series(
        indicator=indicator,
        level=target.level,
        unit=target.unit_id if target.level != Level.CENTER else None,
        start=start,
        end=end,
        grain=target.period_kind,
    )
    peers = _peers(indicator, target.level, target.unit, start, end, target.period_kind)
    parent = None
    if target.parent_id:
        parent = f"{target.parent.unit_label} {indicator.display(target.parent.value)}"
    return smart_report(
        definition=indicator.definition,
        unit=indicator.unit,
        scope=target.unit_label,
        source=indicator.get_source_display(),
        kind=indicator.measure,
        direction=indicator.direction,
        history=history,
        peers=peers,
        target=float(target.value),
        parent=parent,
        standards=[target.standard_code] if target.standard_code else [],
        period=target.get_period_kind_display(),
        end=target.valid_to,
        fmt=_fmt(indicator),
    )


def indicator_smart_report(indicator: Indicator) -> SmartReport:
    """The indicator alone (no target): specific, measurable from the center's history,
    time-based by its period."""
    start, end = _history_range(indicator.period, timezone.localdate())
    history = unit_series(
        indicator=indicator,
        level=Level.CENTER,
        unit=None,
        start=start,
        end=end,
        grain=indicator.period,
    )
    return smart_report(
        definition=indicator.definition,
        unit=indicator.unit,
        scope=str(Level.CENTER.label),
        source=indicator.get_source_display(),
        kind=indicator.measure,
        direction=indicator.direction,
        history=history,
        period=indicator.get_period_display(),
        fmt=_fmt(indicator),
    )
