"""Reading KPI figures: series and roll-ups, always as SQL aggregates over the measurements.

Exactness: a unit's value over a period is Σ numerators ÷ Σ denominators of the measurements
inside it (never a mean of its children's values), computed by the database's GROUP BY, so no
frame of every agent's days is ever held in memory (KPI.md, "Rolling up without lying").

The frames handed to kpi.analytics have the columns ``period_start`` (date), ``numerator``,
``denominator`` and ``value`` (float; value = numerator ÷ denominator for rates, Σ values ÷
count for means, the count itself for additive indicators), one row per period that has data,
in order of period_start.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import pandas as pd
from django.conf import settings
from django.db.models import F, FloatField, Max, Q, QuerySet, Sum
from django.db.models.functions import Cast, TruncMonth, TruncQuarter, TruncWeek
from django.utils import timezone

from kpi import catalogue
from kpi.models import Indicator, KpiValue, Measurement, Shortfall, Target
from qa_center.levels import Level
from qa_center.permissions import Units, scope_queryset, units_with_ancestors

SERIES_COLUMNS = ["period_start", "numerator", "denominator", "value"]

# The depth of each level: a unit can only be measured at its indicator's grain or coarser.
DEPTH = {Level.CENTER: 0, Level.DEPARTMENT: 1, Level.TEAM: 2, Level.AGENT: 3}

# The measurement column naming the unit of each level (the center: none).
UNIT_COLUMN = {Level.DEPARTMENT: "department_id", Level.TEAM: "team_id", Level.AGENT: "agent_id"}

_TRUNC = {"week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter}


def indicator_get(indicator: Indicator | str) -> Indicator:
    if isinstance(indicator, Indicator):
        return indicator
    return Indicator.objects.get(code=indicator)


def _unit_pk(unit: Any) -> int | None:
    if unit is None:
        return None
    return unit if isinstance(unit, int) else unit.pk


def measurements_of(
    indicator: Indicator, *, level: str, unit: Any = None, start=None, end=None
) -> QuerySet[Measurement]:
    """The measurements that make up a unit's figures: every row of the indicator (they are all
    at its grain) whose department, team or agent — on that day — is the unit."""
    rows = Measurement.objects.filter(indicator=indicator)
    if start is not None:
        rows = rows.filter(day__gte=start)
    if end is not None:
        rows = rows.filter(day__lte=end)
    if DEPTH[level] > DEPTH[indicator.grain]:
        return rows.none()
    if level != Level.CENTER:
        rows = rows.filter(**{UNIT_COLUMN[level]: _unit_pk(unit)})
    return rows


def _period_expression(grain: str):
    if grain == "day":
        return F("day")
    if grain not in _TRUNC:
        raise ValueError(f"Unknown grain {grain!r}: day, week, month or quarter.")
    return _TRUNC[grain]("day")


def _frame(indicator: Indicator, rows: Iterable[dict], extra: list[str] | None = None):
    columns = (extra or []) + SERIES_COLUMNS
    records = []
    for row in rows:
        numerator, denominator = row["numerator"], row["denominator"]
        start = row["period_start"]
        if isinstance(start, datetime.datetime):
            start = start.date()
        records.append(
            {
                **{key: row[key] for key in extra or []},
                "period_start": start,
                "numerator": float(numerator) if numerator is not None else None,
                "denominator": float(denominator) if denominator is not None else None,
                "value": indicator.value_of(numerator, denominator),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in ("numerator", "denominator", "value"):
        frame[column] = frame[column].astype("float64")
    return frame


def unit_series(
    *,
    indicator: Indicator | str,
    level: str,
    unit: Any = None,
    start: datetime.date,
    end: datetime.date,
    grain: str = "day",
) -> pd.DataFrame:
    """One unit's series from `start` to `end` (both included), one row per day, week (Monday),
    month or quarter that has data. `unit`: the department, team or agent (or its id); None for
    the center. Periods at the edges count only their days inside [start, end]."""
    indicator = indicator_get(indicator)
    rows = (
        measurements_of(indicator, level=level, unit=unit, start=start, end=end)
        .annotate(period_start=_period_expression(grain))
        .values("period_start")
        .annotate(numerator=Sum("numerator"), denominator=Sum("denominator"))
        .order_by("period_start")
    )
    return _frame(indicator, rows)


def level_series(
    *,
    indicator: Indicator | str,
    level: str,
    start: datetime.date,
    end: datetime.date,
    grain: str = "day",
    within: tuple[str, Any] | None = None,
) -> pd.DataFrame:
    """Every unit of `level` at once (one GROUP BY): the columns ``unit_id`` + the series
    columns, one row per unit and period with data. `within`: only the units inside
    (level, unit), e.g. ("department", dept) for that department's teams. For the center level
    unit_id is 0."""
    indicator = indicator_get(indicator)
    rows = Measurement.objects.filter(indicator=indicator, day__gte=start, day__lte=end)
    if DEPTH[level] > DEPTH[indicator.grain]:
        rows = rows.none()
    if within is not None and within[0] != Level.CENTER:
        rows = rows.filter(**{UNIT_COLUMN[within[0]]: _unit_pk(within[1])})
    keys = ["period_start"] if level == Level.CENTER else [UNIT_COLUMN[level], "period_start"]
    grouped = (
        rows.annotate(period_start=_period_expression(grain))
        .values(*keys)
        .annotate(numerator=Sum("numerator"), denominator=Sum("denominator"))
        .order_by(*keys)
    )
    column = UNIT_COLUMN.get(level)
    records = ({**row, "unit_id": row[column] if column else 0} for row in grouped)
    return _frame(indicator, records, extra=["unit_id"])


def agents_weekly(
    indicator: Indicator, *, start: datetime.date, end: datetime.date
) -> pd.DataFrame:
    """Every agent's weekly series (weeks from Monday) from `start` to `end`, read with one
    GROUP BY (agent × week) as plain tuples, the values computed column-wise: the columns
    unit_id (the agent) + the series columns. An agent's weeks count all their days, whichever
    team they were in."""
    columns = ["unit_id", *SERIES_COLUMNS]
    if DEPTH[Level.AGENT] > DEPTH[indicator.grain]:
        return pd.DataFrame(columns=columns)
    rows = (
        Measurement.objects.filter(
            indicator=indicator, day__gte=start, day__lte=end, agent_id__isnull=False
        )
        .annotate(period_start=TruncWeek("day"))
        .values_list("agent_id", "period_start")
        # Floats for a chart (the sums are exact in SQL; no Decimal per row in Python).
        .annotate(
            numerator=Cast(Sum("numerator"), FloatField()),
            denominator=Cast(Sum("denominator"), FloatField()),
        )
        .order_by()
    )
    frame = pd.DataFrame.from_records(list(rows), columns=columns[:4])
    for column in ("numerator", "denominator"):
        frame[column] = frame[column].astype("float64")
    if indicator.measure == Indicator.Measure.ADDITIVE:
        frame["value"] = frame["numerator"]
    else:
        frame["value"] = frame["numerator"] / frame["denominator"].where(frame["denominator"] != 0)
    return frame


def rollup(
    indicator: Indicator, *, level: str, start: datetime.date, end: datetime.date
) -> list[dict]:
    """Each unit of `level`'s summed figures over [start, end] (see rollup_many)."""
    return rollup_many([indicator], level=level, start=start, end=end).get(indicator.pk, [])


def rollup_many(
    indicators: Iterable[Indicator], *, level: str, start: datetime.date, end: datetime.date
) -> dict[int, list[dict]]:
    """Each unit of `level`'s summed figures over [start, end], for several indicators in one
    SQL aggregate (GROUP BY indicator and unit): indicator id → dicts with unit_id (0 for the
    center), department_id, team_id, agent_id, numerator, denominator.

    A team's figures are those of the days its agents were in it. For an agent, the row's team
    and department (its scope) are those of the agent's last day with data in the range."""
    from org.models import Team

    ids = [i.pk for i in indicators if DEPTH[level] <= DEPTH[i.grain]]
    out: dict[int, list[dict]] = {pk: [] for pk in ids}
    if not ids:
        return out
    rows = Measurement.objects.filter(indicator_id__in=ids, day__gte=start, day__lte=end)
    sums = {"numerator": Sum("numerator"), "denominator": Sum("denominator")}
    blank = {"department_id": None, "team_id": None, "agent_id": None}
    if level == Level.CENTER:
        for r in rows.values("indicator_id").annotate(**sums).order_by("indicator_id"):
            out[r["indicator_id"]].append({**blank, "unit_id": 0, **r})
        return out
    if level == Level.DEPARTMENT:
        grouped = rows.values("indicator_id", "department_id").annotate(**sums).order_by()
        for r in grouped:
            if r["department_id"] is not None:
                out[r["indicator_id"]].append({**blank, "unit_id": r["department_id"], **r})
        return out
    department_of = dict(Team.objects.values_list("pk", "department_id"))
    if level == Level.TEAM:
        for r in rows.values("indicator_id", "team_id").annotate(**sums).order_by():
            if r["team_id"] is not None:
                out[r["indicator_id"]].append(
                    {
                        **blank,
                        "unit_id": r["team_id"],
                        "department_id": department_of.get(r["team_id"]),
                        **r,
                    }
                )
        return out
    merged: dict[tuple[int, int], dict] = {}
    moved: set[int] = set()
    for r in rows.values("indicator_id", "agent_id", "team_id").annotate(**sums).order_by():
        key = (r["indicator_id"], r["agent_id"])
        row = merged.get(key)
        if row is None:
            merged[key] = {**r, "unit_id": r["agent_id"]}
            continue
        # The agent changed team in the range: one group per team, summed here.
        moved.add(r["agent_id"])
        row["numerator"] += r["numerator"]
        if r["denominator"] is not None:
            row["denominator"] = (row["denominator"] or 0) + r["denominator"]
    if moved:
        last_team: dict[int, tuple] = {}
        for agent_id, team_id, last in (
            rows.filter(agent_id__in=moved)
            .values_list("agent_id", "team_id")
            .annotate(last=Max("day"))
            .order_by()
        ):
            if agent_id not in last_team or last > last_team[agent_id][1]:
                last_team[agent_id] = (team_id, last)
        for (_indicator_id, agent_id), row in merged.items():
            if agent_id in moved:
                row["team_id"] = last_team[agent_id][0]
    for (indicator_id, _agent_id), row in merged.items():
        row["department_id"] = department_of.get(row["team_id"])
        out[indicator_id].append(row)
    return out


def unit_values(
    *,
    indicators: Iterable[Indicator],
    level: str,
    start: datetime.date,
    end: datetime.date,
    within: tuple[str, Any] | None = None,
) -> pd.DataFrame:
    """Every unit of `level`'s figures over [start, end] for several indicators in one query:
    columns indicator_id, unit_id (0 for the center), numerator, denominator, value. The query
    count does not grow with the number of units. `within` as in level_series."""
    indicators = list(indicators)
    by_id = {ind.pk: ind for ind in indicators if DEPTH[level] <= DEPTH[ind.grain]}
    rows = Measurement.objects.filter(indicator_id__in=list(by_id), day__gte=start, day__lte=end)
    if within is not None and within[0] != Level.CENTER:
        rows = rows.filter(**{UNIT_COLUMN[within[0]]: _unit_pk(within[1])})
    column = UNIT_COLUMN.get(level)
    keys = ["indicator_id"] + ([column] if column else [])
    grouped = (
        rows.values(*keys)
        .annotate(numerator=Sum("numerator"), denominator=Sum("denominator"))
        .order_by(*keys)
    )
    records = [
        {
            "indicator_id": r["indicator_id"],
            "unit_id": r[column] if column else 0,
            "numerator": float(r["numerator"]),
            "denominator": float(r["denominator"]) if r["denominator"] is not None else None,
            "value": by_id[r["indicator_id"]].value_of(r["numerator"], r["denominator"]),
        }
        for r in grouped
        if not column or r[column] is not None
    ]
    frame = pd.DataFrame.from_records(
        records, columns=["indicator_id", "unit_id", "numerator", "denominator", "value"]
    )
    for name in ("numerator", "denominator", "value"):
        frame[name] = frame[name].astype("float64")
    return frame


def band(value, target: Target | None) -> str | None:
    """green / amber / red of `value` against `target` (None without either)."""
    if target is None:
        return None
    return target.band_of(value)


# --- Stored values, targets, shortfalls ---------------------------------------------------------


def kpi_value_get(
    indicator: Indicator, *, level: str, unit_id: int, period_kind: str, period_start
) -> KpiValue | None:
    return KpiValue.objects.filter(
        indicator=indicator,
        level=level,
        unit_id=unit_id,
        period_kind=period_kind,
        period_start=period_start,
    ).first()


def target_for(
    indicator: Indicator, *, level: str, unit_id: int, day: datetime.date, status: str = "active"
) -> Target | None:
    """The unit's target in force on `day` (the latest-starting one)."""
    return (
        Target.objects.filter(
            indicator=indicator,
            level=level,
            unit_id=unit_id,
            status=status,
            valid_from__lte=day,
            valid_to__gte=day,
        )
        .order_by("-valid_from", "-pk")
        .first()
    )


def _visible(user, qs: QuerySet, model) -> QuerySet:
    """Rows set at the user's own unit and every unit above it (never a sibling's), and every
    row inside their scope (a department's people see its teams' and agents' rows)."""
    units: Units = units_with_ancestors(user)
    if units.every:
        return qs
    above = Q(level__in=[Level.CENTER, Level.DEPARTMENT, Level.TEAM]) & units.q()
    inside = Q(pk__in=scope_queryset(user, model.objects.all()).values("pk"))
    return qs.filter(above | inside)


def visible_targets(user, qs: QuerySet[Target] | None = None) -> QuerySet[Target]:
    """The targets the user may see: their own unit's and every unit's above it (a team lead:
    their team, their department, the center; never another team's), and those inside their
    scope (a team lead's agents, a department's teams)."""
    return _visible(user, Target.objects.all() if qs is None else qs, Target)


def visible_values(user, qs: QuerySet[KpiValue] | None = None) -> QuerySet[KpiValue]:
    """Stored values the user may see: as for targets."""
    return _visible(user, KpiValue.objects.all() if qs is None else qs, KpiValue)


def unit_parse(text: str) -> tuple[str, Any]:
    """``center``, ``department:CODE``, ``team:CODE`` or ``agent:EMPLOYEE_NO`` → (level, unit
    or None). Raises ValueError with a message fit to show."""
    from django.utils.translation import gettext as _

    from org.models import Agent, Department, Team

    raw = (text or "").strip()
    if raw == Level.CENTER:
        return Level.CENTER, None
    level, _sep, code = raw.partition(":")
    model = {Level.DEPARTMENT: Department, Level.TEAM: Team, Level.AGENT: Agent}.get(level)
    if model is None or not code:
        raise ValueError(
            _("Write the unit as center, department:CODE, team:CODE or agent:EMPLOYEE_NO.")
        )
    lookup = {"employee_no": code} if level == Level.AGENT else {"code": code}
    unit = model.objects.filter(**lookup).first()
    if unit is None:
        raise ValueError(_("No %(level)s %(code)s.") % {"level": level, "code": code[:40]})
    return level, unit


def may_see_unit(user, level: str, unit: Any) -> bool:
    """May the user see this unit's figures: it is their unit, above it, or inside their scope."""
    from qa_center.permissions import user_scope

    units = units_with_ancestors(user)
    if units.every:
        return True
    if level == Level.CENTER:
        return units.center
    if level == Level.DEPARTMENT and unit.pk in units.department_ids:
        return True
    if level == Level.TEAM and unit.pk in units.team_ids:
        return True
    scope = user_scope(user)
    if scope.level == Level.DEPARTMENT:
        department_id = {
            Level.DEPARTMENT: lambda: unit.pk,
            Level.TEAM: lambda: unit.department_id,
            Level.AGENT: lambda: unit.team.department_id,
        }[level]()
        return department_id == scope.department_id
    if scope.level == Level.TEAM:
        return level == Level.AGENT and unit.team_id == scope.team_id
    if scope.level == Level.AGENT:
        return level == Level.AGENT and unit.pk == scope.agent_id
    return False


def unit_figures(indicator: Indicator, *, level: str, unit: Any, period) -> dict:
    """A unit's summed figures over a period, from the measurements (one aggregate): the value
    whatever the period's kind, even one the indicator is not closed on."""
    total = measurements_of(
        indicator, level=level, unit=unit, start=period.first_day, end=period.last_day
    ).aggregate(numerator=Sum("numerator"), denominator=Sum("denominator"))
    return {
        **total,
        "value": indicator.value_of(total["numerator"], total["denominator"]),
    }


def visible_shortfalls(user, qs: QuerySet[Shortfall] | None = None) -> QuerySet[Shortfall]:
    """Shortfalls the user may see: those of the units in their scope (a team lead their team's
    and their agents'; a department's people the department's, its teams' and agents'), and
    the center's for those who see the whole center."""
    qs = Shortfall.objects.all() if qs is None else qs
    return qs.filter(pk__in=scope_queryset(user, Shortfall.objects.all()).values("pk"))


def bulletin_standard(key: str) -> float:
    """A bulletin standard ("score", "pass_rate", "compliance") in the bulletin's own units
    (points; percent): the center's active KPI target in force today, else the setting."""
    code, setting, divisor = catalogue.BULLETIN_STANDARDS[key]
    today = timezone.localdate()
    target = (
        Target.objects.filter(
            indicator__code=code,
            level=Level.CENTER,
            status=Target.Status.ACTIVE,
            valid_from__lte=today,
            valid_to__gte=today,
        )
        .order_by("-valid_from", "-pk")
        .first()
    )
    if target is None:
        return getattr(settings, setting)
    value = target.value * divisor
    return int(value) if value == int(value) else float(value)


def shortfalls_for_bulletin(
    *, level: str, department_id, team_id, start: datetime.date, end: datetime.date, monthly: bool
) -> list[Shortfall]:
    """The shortfalls a bulletin of this scope and period shows: a team's bulletin its team's
    and agents', a department's its own and its teams', the center's its own and the
    departments'; those found for periods starting in [start, end] — a weekly bulletin the days'
    and the week's, a monthly notice the weeks', the month's and a quarter's. The latest
    revision of each, with the figures it was locked with."""
    from qa_center import periods

    kinds = ["week", "month", "quarter"] if monthly else ["day", "week"]
    shortfalls = Shortfall.objects.filter(
        period_start__gte=start, period_start__lte=end, period_kind__in=kinds
    )
    if level == Level.TEAM:
        shortfalls = shortfalls.filter(team_id=team_id, level__in=[Level.TEAM, Level.AGENT])
    elif level == Level.DEPARTMENT:
        shortfalls = shortfalls.filter(
            department_id=department_id, level__in=[Level.DEPARTMENT, Level.TEAM]
        )
    else:
        shortfalls = shortfalls.filter(level__in=[Level.CENTER, Level.DEPARTMENT])
    latest: dict[tuple, Shortfall] = {}
    for s in shortfalls.select_related(
        "indicator", "department", "team", "agent", "owner", "action"
    ):
        key = (s.indicator_id, s.level, s.unit_id, s.period_kind, s.period_start, s.kind)
        if key not in latest or s.revision > latest[key].revision:
            latest[key] = s
    found = sorted(latest.values(), key=lambda s: (s.period_start, s.indicator.code, s.level))
    for s in found:
        s.shown = s.indicator.display(s.value)
        s.target_shown = s.indicator.display(s.target_value) if s.target_value is not None else "—"
        s.period_label = periods.format_period(periods.period_of(s.period_kind, s.period_start))
    return found
