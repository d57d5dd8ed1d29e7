"""Writing KPI data: the catalogue, measurements (API, import, computed), period closes with
their stored values and shortfalls, targets and their cascade.

Every write is idempotent where a job does it: measurements, values and shortfalls are upserts
on unique constraints (INSERT … ON CONFLICT), so a job run twice, or two at once, leaves the
same rows.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kpi import catalogue
from kpi.models import Band, Indicator, KpiValue, Measurement, Shortfall, Target
from kpi.selectors import DEPTH, level_series, rollup, rollup_many
from org.models import Agent, Department, Role, Team, TeamMembership, User
from qa_center import periods
from qa_center.levels import Level
from qa_center.permissions import has_capability, units_with_ancestors

log = logging.getLogger(__name__)

MAX_ROWS = 100_000


# --- Catalogue ----------------------------------------------------------------------------------


def catalogue_load() -> tuple[int, int]:
    """Create the standard indicators that are missing and rewrite the wording of the existing
    ones (by code); owners, periods changed by the center and targets stay. (created, updated)."""
    created = updated = 0
    for entry in catalogue.CATALOGUE:
        wording = {
            "name_zh": entry.name_zh,
            "name_en": entry.name_en,
            "definition_zh": entry.definition_zh,
            "definition_en": entry.definition_en,
        }
        indicator = Indicator.objects.filter(code=entry.code).first()
        if indicator is None:
            Indicator.objects.create(
                code=entry.code,
                measure=entry.measure,
                direction=entry.direction,
                period=entry.period,
                source=entry.source,
                unit=entry.unit,
                scale=entry.scale,
                grain=entry.grain,
                rule_code=entry.rule_code,
                **wording,
            )
            created += 1
        elif any(getattr(indicator, k) != v for k, v in wording.items()):
            Indicator.objects.filter(pk=indicator.pk).update(**wording)
            updated += 1
    return created, updated


def bulletin_targets_seed(*, year: int | None = None, by: User | None = None) -> list[Target]:
    """The bulletins' three standards (QA_BULLETIN_*_STANDARD) as the center's active targets
    for `year` (default: this year), seeded with today's setting values. Existing center targets
    for those indicators and that year are left as they are."""
    year = year or timezone.localdate().year
    made = []
    for _key, (code, setting, divisor) in catalogue.BULLETIN_STANDARDS.items():
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            continue
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        if Target.objects.filter(
            indicator=indicator, level=Level.CENTER, valid_from__lte=end, valid_to__gte=start
        ).exists():
            continue
        value = Decimal(str(getattr(settings, setting))) / divisor
        made.append(
            Target.objects.create(
                indicator=indicator,
                level=Level.CENTER,
                unit_id=0,
                period_kind=indicator.period,
                valid_from=start,
                valid_to=end,
                value=value,
                status=Target.Status.ACTIVE,
                justification=_("Seeded from the bulletin standard %(setting)s.")
                % {"setting": setting},
                created_by=by,
            )
        )
    return made


# --- Measurements -------------------------------------------------------------------------------


@dataclass
class MeasurementRow:
    """One measurement as given (API body, a file's row), before it is checked."""

    indicator: Any
    scope: Any
    unit: Any
    date: Any
    numerator: Any = None
    denominator: Any = None
    value: Any = None
    count: Any = None
    line: int | None = None  # the file's row, or the API list's index


@dataclass
class RowProblem:
    line: int | None
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "message": self.message}


class MeasurementsRefusedError(Exception):
    """The rows were refused, all of them: the problems say which row and field."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.line}: {p.field}: {p.message}" for p in problems[:5]))


def _number(raw: Any) -> Decimal | None | str:
    """A finite Decimal, None when empty, "bad" otherwise."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        return "bad"
    try:
        number = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return "bad"
    if not number.is_finite() or abs(number) >= Decimal(10) ** 17:
        return "bad"
    return number.quantize(Decimal("0.000001")) if number.as_tuple().exponent < -6 else number


def _as_date(raw: Any) -> datetime.date | None:
    if isinstance(raw, datetime.datetime):
        return timezone.localdate(raw) if timezone.is_aware(raw) else raw.date()
    if isinstance(raw, datetime.date):
        return raw
    try:
        return periods.parse_day(str(raw or "").strip()[:10] if raw else "")
    except ValueError:
        return None


class _Memberships:
    """The team each agent was in on a day (org.TeamMembership), read once for all rows."""

    def __init__(self, agent_ids: set[int]) -> None:
        self.by_agent: dict[int, list[tuple[datetime.date, datetime.date | None, int]]] = (
            defaultdict(list)
        )
        for agent_id, team_id, started, ended in TeamMembership.objects.filter(
            agent_id__in=agent_ids
        ).values_list("agent_id", "team_id", "started_on", "ended_on"):
            self.by_agent[agent_id].append((started, ended, team_id))

    def team_on(self, agent: Agent, day: datetime.date) -> int:
        for started, ended, team_id in self.by_agent.get(agent.pk, ()):
            if started <= day and (ended is None or day <= ended):
                return team_id
        # Before the first membership (history not recorded): the current team.
        return agent.team_id


def _resolve(rows: list[MeasurementRow]) -> tuple[list[Measurement], list[RowProblem]]:
    problems: list[RowProblem] = []
    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in={str(r.indicator) for r in rows})
    }
    codes: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if isinstance(r.unit, str | int) and r.scope in (Level.AGENT, Level.TEAM, Level.DEPARTMENT):
            codes[r.scope].add(str(r.unit).strip())
    agents = {a.employee_no: a for a in Agent.objects.filter(employee_no__in=codes[Level.AGENT])}
    teams = {t.code: t for t in Team.objects.filter(code__in=codes[Level.TEAM])}
    departments = {d.code: d for d in Department.objects.filter(code__in=codes[Level.DEPARTMENT])}
    memberships = _Memberships({a.pk for a in agents.values()})
    team_department = dict(Team.objects.values_list("pk", "department_id"))
    made: list[Measurement] = []
    seen: dict[tuple, int | None] = {}

    for r in rows:

        def bad(fld: str, message: str, r=r) -> None:
            problems.append(RowProblem(r.line, fld, message))

        before = len(problems)
        indicator = indicators.get(str(r.indicator))
        if indicator is None:
            bad("indicator", _("Unknown indicator %(code)s.") % {"code": str(r.indicator)[:40]})
        scope = str(r.scope or "").strip()
        unit_code = str(r.unit if r.unit is not None else "").strip()
        agent = team = department = None
        if scope == Level.AGENT:
            agent = agents.get(unit_code)
            if agent is None:
                bad(
                    "agent",
                    _("No agent has the employee number %(code)s.") % {"code": unit_code[:20]},
                )
        elif scope == Level.TEAM:
            team = teams.get(unit_code)
            if team is None:
                bad("team", _("No team has the code %(code)s.") % {"code": unit_code[:30]})
        elif scope == Level.DEPARTMENT:
            department = departments.get(unit_code)
            if department is None:
                bad(
                    "department",
                    _("No department has the code %(code)s.") % {"code": unit_code[:30]},
                )
        elif scope == Level.CENTER:
            pass
        else:
            bad("scope", _("Give the scope as agent, team, department or center."))
        day = _as_date(r.date)
        if day is None:
            bad("date", _("Not a date: write it as YYYY-MM-DD."))
        elif day > timezone.localdate() + datetime.timedelta(days=1):
            bad("date", _("The date %(date)s is in the future.") % {"date": day})
        if indicator is not None and scope in DEPTH and scope != indicator.grain:
            bad(
                "scope",
                _("%(code)s is measured per %(grain)s, not per %(scope)s.")
                % {
                    "code": indicator.code,
                    "grain": Level(indicator.grain).label,
                    "scope": Level(scope).label,
                },
            )
        numerator = denominator = None
        if indicator is not None:
            numerator, denominator = _figures(indicator, r, bad)
        if len(problems) > before:
            continue
        unit_id = (agent or team or department).pk if scope != Level.CENTER else 0
        key = (indicator.pk, scope, unit_id, day)
        if key in seen:
            bad(
                "date",
                _("Row %(line)s gives the same indicator, unit and day again.")
                % {"line": seen[key]},
            )
            continue
        seen[key] = r.line
        if agent is not None:
            team_id = memberships.team_on(agent, day)
            department_id = team_department[team_id]
        elif team is not None:
            team_id, department_id = team.pk, team.department_id
        else:
            team_id, department_id = None, department.pk if department else None
        made.append(
            Measurement(
                indicator=indicator,
                level=scope,
                unit_id=unit_id,
                agent=agent,
                team_id=team_id,
                department_id=department_id,
                day=day,
                numerator=numerator,
                denominator=denominator,
            )
        )
    return made, problems


def _figures(indicator: Indicator, r: MeasurementRow, bad) -> tuple[Decimal | None, Decimal | None]:
    """(numerator, denominator) as stored, from a row's numerator/denominator or value/count."""
    if indicator.measure == Indicator.Measure.RATE:
        numerator, denominator = _number(r.numerator), _number(r.denominator)
        if r.value not in (None, "") and r.numerator in (None, ""):
            bad("numerator", _("A rate is given as numerator and denominator, not as a value."))
            return None, None
        if numerator is None or numerator == "bad" or numerator < 0:
            bad("numerator", _("The numerator must be a number, 0 or more."))
        if denominator is None or denominator == "bad" or denominator <= 0:
            bad("denominator", _("The denominator must be a number above 0."))
        elif not isinstance(numerator, str) and numerator is not None and numerator > denominator:
            bad("numerator", _("The numerator cannot exceed the denominator."))
        if isinstance(numerator, str) or isinstance(denominator, str):
            return None, None
        return numerator, denominator
    value = _number(r.value if r.value not in (None, "") else r.numerator)
    if value is None or value == "bad":
        bad("value", _("The value must be a number."))
        return None, None
    if indicator.measure == Indicator.Measure.ADDITIVE:
        return value, None
    count = _number(r.count if r.count not in (None, "") else r.denominator)
    if count is None:
        count = Decimal(1)
    if count == "bad" or count <= 0:
        bad("count", _("The count must be a number above 0."))
        return None, None
    # A mean over `count` contacts: its sum is stored, so that means roll up exactly.
    return value * count, count


_UPSERT_FIELDS = ["numerator", "denominator", "agent", "team", "department", "origin", "updated_at"]


def measurements_record(*, rows: list[MeasurementRow], origin: str, by: User | None = None) -> int:
    """Record every row or none: the rows are checked first (unknown indicator or unit, a scope
    that is not the indicator's grain, bad figures, a row repeated), then written in one
    transaction. A row already stored (same indicator, unit and day) is replaced. Raises
    MeasurementsRefusedError. `by` (a person, not an API key) must have the import capability."""
    if by is not None and not has_capability(by, "import") and not has_capability(by, "kpi"):
        raise PermissionDenied(_("You may not record measurements."))
    if not rows:
        raise MeasurementsRefusedError([RowProblem(None, "rows", _("There are no rows."))])
    if len(rows) > MAX_ROWS:
        raise MeasurementsRefusedError(
            [RowProblem(None, "rows", _("At most %(max)s rows at once.") % {"max": MAX_ROWS})]
        )
    made, problems = _resolve(rows)
    if problems:
        raise MeasurementsRefusedError(problems)
    now = timezone.now()
    for m in made:
        m.origin = origin
        m.updated_at = now
    _upsert_measurements(made)
    return len(made)


def _upsert_measurements(made: list[Measurement]) -> None:
    with transaction.atomic():
        Measurement.objects.bulk_create(
            made,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["indicator", "level", "unit_id", "day"],
            update_fields=_UPSERT_FIELDS,
        )


# --- Imports from files (the call import's reading and refusals) -------------------------------

IMPORT_COLUMNS = (
    "indicator",
    "scope",
    "unit",
    "date",
    "numerator",
    "denominator",
    "value",
    "count",
)
# Spreadsheets are typed by people: Chinese headers too.
_HEADER_ALIASES = {
    "指标": "indicator",
    "范围": "scope",
    "层级": "scope",
    "单位": "unit",
    "工号": "unit",
    "日期": "date",
    "分子": "numerator",
    "分母": "denominator",
    "值": "value",
    "数值": "value",
    "次数": "count",
    "件数": "count",
}


def _file_rows(data: bytes, *, filename: str) -> list[MeasurementRow]:
    """The rows of a CSV or XLSX file, read and refused (size, type, encoding, zip bomb, formula
    cells, damaged workbooks) exactly as call imports are (scoring.calls.importers)."""
    from scoring.calls.importers.common import (
        FileRefusedError,
        Problem,
        _check_size,
        _decode_text,
        detect_format,
        render_problem,
    )
    from scoring.calls.importers.rows import _csv_rows, _xlsx_rows

    try:
        _check_size(data)
        fmt = detect_format(data, filename=filename)
        if fmt == "jsonl":
            raise FileRefusedError(
                Problem(gettext_noop("Measurements are imported from CSV or XLSX files."))
            )
        lines = _csv_rows(_decode_text(data)) if fmt == "csv" else _xlsx_rows(data)
        lines = list(lines)
    except FileRefusedError as exc:
        raise MeasurementsRefusedError(
            [RowProblem(exc.problem.line, "file", render_problem(exc.problem.as_dict()))]
        ) from None
    header: list[str] | None = None
    rows: list[MeasurementRow] = []
    for number, cells in lines:
        values = ["" if c is None else c for c in cells]
        if header is None:
            if not any(str(v).strip() for v in values):
                continue
            header = [_HEADER_ALIASES.get(str(v).strip(), str(v).strip().lower()) for v in values]
            missing = [c for c in ("indicator", "scope", "date") if c not in header]
            if missing:
                raise MeasurementsRefusedError(
                    [
                        RowProblem(
                            number,
                            "header",
                            _("Missing columns: %(columns)s. Expected: %(expected)s.")
                            % {
                                "columns": ", ".join(missing),
                                "expected": ", ".join(IMPORT_COLUMNS),
                            },
                        )
                    ]
                )
            continue
        if not any(str(v).strip() for v in values):
            continue
        record = dict(zip(header, values, strict=False))
        rows.append(
            MeasurementRow(
                indicator=str(record.get("indicator", "")).strip(),
                scope=str(record.get("scope", "")).strip().lower(),
                unit=record.get("unit"),
                date=record.get("date"),
                numerator=record.get("numerator"),
                denominator=record.get("denominator"),
                value=record.get("value"),
                count=record.get("count"),
                line=number,
            )
        )
    if not rows:
        raise MeasurementsRefusedError([RowProblem(None, "file", _("The file contains no rows."))])
    return rows


def measurements_import(*, data: bytes, filename: str, by: User) -> int:
    """Import a CSV or XLSX file of measurements: every row or none (MeasurementsRefusedError with
    each row's problems, or the file's refusal)."""
    if not has_capability(by, "import") and not has_capability(by, "kpi"):
        raise PermissionDenied(_("You may not import measurements."))
    return measurements_record(rows=_file_rows(data, filename=filename), origin="import", by=by)


# --- Internal indicators: computed from QA Center's own data -----------------------------------


def internal_compute(*, start: datetime.date, end: datetime.date) -> int:
    """Compute the internal indicators for the days [start, end] from QA Center's data and
    replace their computed measurements (idempotent: run twice, the same rows)."""
    from kpi import internal

    written = 0
    for indicator in Indicator.objects.filter(is_active=True).exclude(source="external"):
        made = internal.measurements_for(indicator, start=start, end=end)
        now = timezone.now()
        for m in made:
            m.origin = Measurement.Origin.COMPUTED
            m.updated_at = now
        with transaction.atomic():
            keep = {(m.level, m.unit_id, m.day) for m in made}
            stale = Measurement.objects.filter(
                indicator=indicator, day__gte=start, day__lte=end, origin="computed"
            ).values_list("pk", "level", "unit_id", "day")
            gone = [pk for pk, lv, uid, d in stale if (lv, uid, d) not in keep]
            if gone:
                Measurement.objects.filter(pk__in=gone).delete()
            if made:
                _upsert_measurements(made)
        written += len(made)
    return written


# --- Period closes ------------------------------------------------------------------------------


@dataclass
class CloseResult:
    kind: str
    period: str
    indicators: int = 0
    values: int = 0
    shortfalls: int = 0
    revisions: int = 0
    errors: list[str] = field(default_factory=list)


VALUE_LEVELS = (Level.CENTER, Level.DEPARTMENT, Level.TEAM, Level.AGENT)
# Levels whose series are charted one unit at a time for special causes at a close. Agents are
# charted all at once (_agent_special_causes): weekly points, rules 1 and 4 only, at the week,
# month and quarter closes (an agent's daily series is too thin to chart every night).
SPC_LEVELS = (Level.CENTER, Level.DEPARTMENT, Level.TEAM)
SPC_BASELINE_DAYS = 84
AGENT_SPC_BASELINE_WEEKS = 26
# An agent with fewer weeks of history before the period is not charted: on the bench's 92 days
# (8 baseline weeks) rule 1 flagged 11 % of in-control agent-months, σ being from 7 ranges.
AGENT_SPC_MIN_BASELINE_WEEKS = 20
WEEK = datetime.timedelta(weeks=1)


def values_compute(indicator: Indicator, period: periods.Period) -> list[ValueRow]:
    """Every unit's value of `indicator` over `period`, stored (upsert: recomputing replaces)."""
    return values_compute_many([indicator], period)[indicator.pk]


def values_compute_many(indicators, period: periods.Period) -> dict[int, list[ValueRow]]:
    """Every unit's value of each indicator over `period`: one SQL aggregate per level for all
    the indicators, one upsert (INSERT … ON CONFLICT) of what is new or changed, and the values
    of units that no longer have data removed. Idempotent: a recomputation of unchanged data
    writes nothing, and two closes at once leave one row per unit (the upsert).

    On PostgreSQL (kpi.closes) the measurements are read once for every level, in parallel
    as a bare GROUP BY is, and the values are written server-side in one statement."""
    from django.db import connection

    indicators = list(indicators)
    if connection.vendor == "postgresql":
        from kpi import closes

        made_pg: dict[int, list[ValueRow]] = {i.pk: [] for i in indicators}
        for row in closes.values_write(indicators, period, timezone.now()):
            made_pg[row[0]].append(ValueRow(*row))
        return made_pg
    by_id = {i.pk: i for i in indicators}
    rows: list[tuple] = []
    for level in VALUE_LEVELS:
        grouped = rollup_many(indicators, level=level, start=period.first_day, end=period.last_day)
        for indicator_id, found in grouped.items():
            for r in found:
                rows.append(
                    (
                        indicator_id,
                        level,
                        r["unit_id"],
                        r["numerator"],
                        r["denominator"],
                        r["department_id"] if level != Level.CENTER else None,
                        r["team_id"] if level in (Level.TEAM, Level.AGENT) else None,
                        r["agent_id"] if level == Level.AGENT else None,
                    )
                )
    now = timezone.now()
    made: dict[int, list[ValueRow]] = {i.pk: [] for i in indicators}
    for row in rows:
        made[row[0]].append(
            ValueRow(*row, value=by_id[row[0]].value_of(row[3], row[4]))  # type: ignore[misc]
        )
    with transaction.atomic():
        keep = {row[:3] for row in rows}
        stored: dict[tuple, tuple] = {}
        gone = []
        for pk, *key, n, d, dep, team, agent in KpiValue.objects.filter(
            indicator_id__in=list(by_id), period_kind=period.kind, period_start=period.first_day
        ).values_list(
            "pk",
            "indicator_id",
            "level",
            "unit_id",
            "numerator",
            "denominator",
            "department_id",
            "team_id",
            "agent_id",
        ):
            if tuple(key) in keep:
                stored[tuple(key)] = (n, d, dep, team, agent)
            else:
                gone.append(pk)
        if gone:
            KpiValue.objects.filter(pk__in=gone).delete()
        changed = [
            v for values in made.values() for v in values if stored.get(v[:3]) != tuple(v[3:8])
        ]
        _values_upsert(changed, period, now)
    return made


class ValueRow(NamedTuple):
    """A unit's value as computed by a close (what a KpiValue row holds)."""

    indicator_id: int
    level: str
    unit_id: int
    numerator: Decimal
    denominator: Decimal | None
    department_id: int | None
    team_id: int | None
    agent_id: int | None
    value: float | None = None


_UPSERT_VALUES = (
    "INSERT INTO kpi_kpivalue (indicator_id, level, unit_id, numerator, denominator, "
    "department_id, team_id, agent_id, value, period_kind, period_start, computed_at) VALUES {rows} "
    "ON CONFLICT (indicator_id, level, unit_id, period_kind, period_start) DO UPDATE SET "
    "numerator = excluded.numerator, denominator = excluded.denominator, "
    "department_id = excluded.department_id, team_id = excluded.team_id, "
    "agent_id = excluded.agent_id, value = excluded.value, computed_at = excluded.computed_at"
)


def _values_upsert(values: list[ValueRow], period: periods.Period, now) -> None:
    """INSERT … ON CONFLICT DO UPDATE in batches of multi-row VALUES (SQLite and PostgreSQL):
    model instances for tens of thousands of values would cost more than the aggregates."""
    from django.db import connection

    if not values:
        return
    ops = connection.ops
    start = ops.adapt_datefield_value(period.first_day)
    stamp = ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for at in range(0, len(values), 1000):
            batch = values[at : at + 1000]
            params: list = []
            for v in batch:
                params.extend(
                    [
                        v.indicator_id,
                        v.level,
                        v.unit_id,
                        ops.adapt_decimalfield_value(v.numerator, 24, 6),
                        ops.adapt_decimalfield_value(v.denominator, 24, 6),
                        v.department_id,
                        v.team_id,
                        v.agent_id,
                        v.value,
                        period.kind,
                        start,
                        stamp,
                    ]
                )
            placeholders = ", ".join(["(" + ", ".join(["%s"] * 12) + ")"] * len(batch))
            cursor.execute(_UPSERT_VALUES.format(rows=placeholders), params)


def period_close(
    *, kind: str, day: datetime.date, indicators=None, shortfalls: bool = True
) -> CloseResult:
    """Close the `kind` period containing `day` for the indicators watched on that period (or
    the ones given): internal indicators recomputed, every unit's value stored, and the
    shortfalls found (target misses, special causes) locked. Idempotent: closing twice, or two
    closes at once, leave one set of values and one set of shortfalls; data that changed since
    the last close give a shortfall a new revision, never a change to the old one."""
    period = periods.period_of(kind, day)
    result = CloseResult(kind=kind, period=periods.format_period(period))
    if indicators is None:
        indicators = Indicator.objects.filter(is_active=True, period=kind)
    indicators = list(indicators)
    if any(i.is_internal for i in indicators):
        internal_compute(start=period.first_day, end=period.last_day)
    computed = values_compute_many(indicators, period)
    for indicator in indicators:
        values = computed[indicator.pk]
        result.indicators += 1
        result.values += len(values)
        if shortfalls:
            created, revised = shortfalls_find(indicator, period, values)
            result.shortfalls += created
            result.revisions += revised
    return result


# --- Shortfalls ---------------------------------------------------------------------------------


def unit_owner(level: str, *, department_id=None, team_id=None) -> User | None:
    """Who answers for a unit: the team lead of a team (and of its agents), the manager of a
    department, the center's manager (a manager without a department); an administrator when
    nobody holds the role."""
    users = User.objects.filter(is_active=True).order_by("pk")
    owner = None
    if level in (Level.TEAM, Level.AGENT) and team_id:
        owner = users.filter(role=Role.TEAM_LEAD, team_id=team_id).first()
    if owner is None and level != Level.CENTER and department_id:
        owner = users.filter(role=Role.MANAGER, department_id=department_id).first()
    if owner is None:
        owner = users.filter(role=Role.MANAGER, department__isnull=True).first()
    return owner or users.filter(role=Role.ADMIN).first()


def _active_targets(indicator: Indicator, period: periods.Period) -> dict[tuple[str, int], Target]:
    targets: dict[tuple[str, int], Target] = {}
    for target in Target.objects.filter(
        indicator=indicator,
        status=Target.Status.ACTIVE,
        valid_from__lte=period.first_day,
        valid_to__gte=period.first_day,
    ).order_by("valid_from", "pk"):
        targets[(target.level, target.unit_id)] = target  # the latest-starting wins
    return targets


@dataclass
class _Found:
    value: ValueRow
    kind: str
    target: Target | None = None
    band: str = ""
    signal: str = ""


def _special_causes(indicator: Indicator, period: periods.Period) -> dict[tuple[str, int], str]:
    """(level, unit_id) → the reason of the first special cause in the period, for the units of
    SPC_LEVELS. Needs kpi.analytics.spc; a daily series of the period and 12 weeks before it."""
    from kpi.analytics import spc

    found: dict[tuple[str, int], str] = {}
    # The grain charted and the rules read, per period: a day and a week on daily points (12
    # weeks of baseline; a week's seven points with rules 1 and 4 only, to keep false alarms
    # rare), a month and a quarter on weekly points (26 weeks of baseline, every rule).
    grain, baseline, rules = {
        "day": ("day", SPC_BASELINE_DAYS, spc.RULES),
        "week": ("day", SPC_BASELINE_DAYS, (1, 4)),
        "month": ("week", 26 * 7, spc.RULES),
        "quarter": ("week", 26 * 7, spc.RULES),
    }[period.kind]
    start = period.first_day - datetime.timedelta(days=baseline)
    for level in SPC_LEVELS:
        if DEPTH[level] > DEPTH[indicator.grain]:
            continue
        frame = level_series(
            indicator=indicator, level=level, start=start, end=period.last_day, grain=grain
        )
        for unit_id, series in frame.groupby("unit_id"):
            signals = spc.special_causes(
                series.drop(columns="unit_id").reset_index(drop=True),
                kind=indicator.measure,
                start=period.first_day,
                end=period.last_day + datetime.timedelta(days=1),
                deseasonalize=grain == "day",
                rules=rules,
            )
            if signals:
                first = signals[0]
                found[(level, int(unit_id))] = f"{first.period_start}: {first.reason}"[:200]
    found.update(_agent_special_causes(indicator, period))
    return found


def _agent_special_causes(
    indicator: Indicator, period: periods.Period
) -> dict[tuple[str, int], str]:
    """("agent", agent_id) → the reason of the agent's first special cause in the period: every
    agent's weekly series read with one GROUP BY and charted at once (spc.special_causes_many,
    rules 1 and 4 only, rule 4's eight weeks all inside the period, so it can fire at a quarter
    close only). A week belongs to the period it ends in; the baseline is the agent's 26 weeks
    before the period's first week, at least 20 of them; a week not over by the period's last
    day is left out (the next period judges it). Nothing at a day close."""
    from kpi.analytics import spc
    from kpi.selectors import agents_weekly

    if period.kind == "day" or DEPTH[Level.AGENT] > DEPTH[indicator.grain]:
        return {}
    last_monday = period.last_day - datetime.timedelta(days=period.last_day.weekday())
    last_week = last_monday if period.last_day.weekday() == 6 else last_monday - WEEK
    # The first week ending in the period: the one the period's first day is in.
    first_week = period.first_day - datetime.timedelta(days=period.first_day.weekday())
    if last_week < first_week:
        return {}
    frame = agents_weekly(
        indicator,
        start=first_week - AGENT_SPC_BASELINE_WEEKS * WEEK,
        end=last_week + datetime.timedelta(days=6),
    )
    hits = spc.special_causes_many(
        frame,
        kind=indicator.measure,
        start=first_week,
        end=last_week + WEEK,
        rules=spc.AGENT_RULES,
        runs_in_period=True,
        min_baseline=AGENT_SPC_MIN_BASELINE_WEEKS,
        estimated_limits=True,
    )
    return {
        (Level.AGENT, int(unit_id)): f"{start}: {reason}"[:200]
        for unit_id, start, reason in zip(
            hits["unit_id"], hits["period_start"], hits["reason"], strict=True
        )
    }


def shortfalls_find(indicator: Indicator, period: periods.Period, values: list) -> tuple[int, int]:
    """Lock a shortfall for every unit that missed its active target (amber or red) and every
    unit whose series signals a special cause in the period. (new shortfalls, new revisions)."""
    targets = _active_targets(indicator, period)
    found: list[_Found] = []
    by_unit = {(v.level, v.unit_id): v for v in values}
    for key, value in by_unit.items():
        target = targets.get(key)
        if target is None or value.value is None:
            continue
        band = target.band_of(value.value)
        if band != Band.GREEN:
            found.append(_Found(value, Shortfall.Kind.TARGET_MISS, target, band))
    causes = _special_causes(indicator, period)
    if causes:
        for key, reason in causes.items():
            if key in by_unit:
                target = targets.get(key)
                band = target.band_of(by_unit[key].value) if target else ""
                found.append(
                    _Found(by_unit[key], Shortfall.Kind.SPECIAL_CAUSE, target, band or "", reason)
                )
    created = revised = 0
    for item in found:
        outcome = _shortfall_lock(indicator, period, item)
        if outcome == "created":
            created += 1
        elif outcome == "revised":
            revised += 1
    return created, revised


def _shortfall_lock(indicator: Indicator, period: periods.Period, item: _Found) -> str:
    v = item.value
    key = {
        "indicator": indicator,
        "level": v.level,
        "unit_id": v.unit_id,
        "period_kind": period.kind,
        "period_start": period.first_day,
        "kind": item.kind,
    }
    latest = Shortfall.objects.filter(**key).order_by("-revision").first()
    if latest is not None and (latest.numerator, latest.denominator) == (
        v.numerator,
        v.denominator,
    ):
        return "same"
    revision = latest.revision + 1 if latest else 1
    owner = (
        latest.owner
        if latest
        else unit_owner(v.level, department_id=v.department_id, team_id=v.team_id)
    )
    try:
        with transaction.atomic():
            shortfall = Shortfall.objects.create(
                **key,
                revision=revision,
                department_id=v.department_id,
                team_id=v.team_id,
                agent_id=v.agent_id,
                numerator=v.numerator,
                denominator=v.denominator,
                value=v.value,
                target=item.target,
                target_value=item.target.value if item.target else None,
                band=item.band or "",
                signal=item.signal,
                owner=owner,
            )
            shortfall_link_action(shortfall, previous=latest)
    except IntegrityError:
        # Another close locked the same shortfall (revision) first: one set, theirs.
        return "same"
    return "revised" if latest else "created"


def shortfall_link_action(shortfall: Shortfall, *, previous: Shortfall | None = None) -> None:
    """Link the shortfall to a corrective action: a revision keeps its first revision's action;
    a new shortfall gets a new action (audits.actions, source "shortfall") owned by its owner."""
    if previous is not None and previous.action_id:
        Shortfall.objects.filter(pk=shortfall.pk).update(action_id=previous.action_id)
        return
    if shortfall.owner is None:
        return
    from audits.actions.services import action_create

    title = _("Shortfall: %(indicator)s, %(unit)s, %(period)s") % {
        "indicator": shortfall.indicator.name,
        "unit": shortfall.unit_label,
        "period": periods.format_period(
            periods.period_of(shortfall.period_kind, shortfall.period_start)
        ),
    }
    action = action_create(
        by=None,
        title=title[:200],
        owner=shortfall.owner,
        due_on=timezone.localdate() + datetime.timedelta(days=14),
        source="shortfall",
        department=shortfall.department if shortfall.level != Level.CENTER else None,
        team=shortfall.team if shortfall.level in (Level.TEAM, Level.AGENT) else None,
        description=shortfall_description(shortfall),
    )
    Shortfall.objects.filter(pk=shortfall.pk).update(action=action)
    shortfall.action = action


def shortfall_description(shortfall: Shortfall) -> str:
    indicator = shortfall.indicator
    parts = [
        _("Value %(value)s (%(numerator)s / %(denominator)s).")
        % {
            "value": indicator.display(shortfall.value),
            "numerator": shortfall.numerator,
            "denominator": shortfall.denominator if shortfall.denominator is not None else "—",
        }
    ]
    if shortfall.target_value is not None:
        parts.append(
            _("Target %(target)s, band %(band)s.")
            % {
                "target": indicator.display(shortfall.target_value),
                "band": Band(shortfall.band).label if shortfall.band else "—",
            }
        )
    if shortfall.signal:
        parts.append(_("Special cause: %(signal)s.") % {"signal": shortfall.signal})
    return " ".join(parts)


# --- Targets ------------------------------------------------------------------------------------


def may_set_target(user: User, *, level: str, department_id=None, team_id=None) -> bool:
    """A target is set by those with the kpi capability for units in their scope (a center
    manager or administrator anywhere, a department's manager their department, its teams and
    agents); a team lead may tighten their own team's and their agents' targets."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    units = units_with_ancestors(user)
    if has_capability(user, "kpi"):
        if units.every:
            return True
        if level == Level.CENTER:
            return False
        return department_id in units.department_ids
    if user.role == Role.TEAM_LEAD and level in (Level.TEAM, Level.AGENT):
        return team_id is not None and team_id == user.team_id
    return False


def _unit_fields(level: str, unit: Any) -> dict:
    if level == Level.CENTER:
        return {"unit_id": 0, "department": None, "team": None, "agent": None}
    if level == Level.DEPARTMENT:
        return {"unit_id": unit.pk, "department": unit, "team": None, "agent": None}
    if level == Level.TEAM:
        return {"unit_id": unit.pk, "department": unit.department, "team": unit, "agent": None}
    return {
        "unit_id": unit.pk,
        "department": unit.team.department,
        "team": unit.team,
        "agent": unit,
    }


def target_save(
    *,
    by: User,
    indicator: Indicator,
    level: str,
    unit: Any,
    valid_from: datetime.date,
    valid_to: datetime.date,
    value: Decimal,
    amber_within: Decimal = Decimal("0.05"),
    weight: Decimal | None = None,
    parent: Target | None = None,
    justification: str = "",
    target: Target | None = None,
) -> Target:
    """Create a draft target (or change `target`, which goes back to draft). Checked: the
    user may set it (scope), the unit and dates, and that a child does not loosen its parent."""
    fields = _unit_fields(level, unit)
    if not may_set_target(
        by,
        level=level,
        department_id=getattr(fields["department"], "pk", None),
        team_id=getattr(fields["team"], "pk", None),
    ):
        raise PermissionDenied(_("You may not set targets for this unit."))
    if target is None:
        target = Target(created_by=by)
    for name, val in {
        "indicator": indicator,
        "level": level,
        "period_kind": indicator.period,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "value": value,
        "amber_within": amber_within,
        "weight": weight,
        "parent": parent,
        "justification": (justification or "").strip(),
        "status": Target.Status.DRAFT,
        "proposed": False,
        **fields,
    }.items():
        setattr(target, name, val)
    _check_not_looser(target)
    target.full_clean()
    target.save()
    return target


def _check_not_looser(target: Target) -> None:
    """Each level may tighten its parent's target for a rate or a mean, never loosen it."""
    parent = target.parent
    if parent is None or target.indicator.measure == Indicator.Measure.ADDITIVE:
        return
    looser = (
        target.value > parent.value
        if target.indicator.lower_is_better
        else target.value < parent.value
    )
    if looser:
        raise ValidationError(
            {
                "value": _("A unit may tighten its parent's target (%(parent)s), not loosen it.")
                % {"parent": target.indicator.display(parent.value)}
            }
        )


def target_smart(target: Target):
    """The SMART report of a target (kpi.analytics.smart), from its unit's monthly history and
    its peers' (the other units of its level) over the last 12 months."""
    from kpi.smart_data import target_smart_report

    return target_smart_report(target)


def target_activate(*, by: User, target: Target, justification: str = "") -> Target:
    """Activate a target: every SMART criterion met, or a written justification. The unit's
    active target of the same start is retired (one active target per unit and start)."""
    fields = {
        "level": target.level,
        "department_id": target.department_id,
        "team_id": target.team_id,
    }
    if not may_set_target(by, **fields):
        raise PermissionDenied(_("You may not set targets for this unit."))
    justification = (justification or target.justification or "").strip()
    report = target_smart(target)
    if not report.ok and not justification:
        failed = ", ".join(c.label for c in report.failed)
        raise ValidationError(
            {
                "justification": _(
                    "The target fails SMART (%(criteria)s): it stays a draft unless you write "
                    "why it should be active anyway."
                )
                % {"criteria": failed}
            }
        )
    with transaction.atomic():
        Target.objects.select_for_update().filter(pk=target.pk).first()
        replaced = list(
            Target.objects.filter(
                indicator=target.indicator,
                level=target.level,
                unit_id=target.unit_id,
                period_kind=target.period_kind,
                valid_from=target.valid_from,
                status=Target.Status.ACTIVE,
            )
            .exclude(pk=target.pk)
            .values_list("pk", flat=True)
        )
        if replaced:
            Target.objects.filter(pk__in=replaced).update(status=Target.Status.RETIRED)
            # The targets below the one it replaces (a team's agents) now hang under it.
            Target.objects.filter(parent_id__in=replaced).update(parent=target)
        target.status = Target.Status.ACTIVE
        target.justification = justification
        target.proposed = False
        target.save(update_fields=["status", "justification", "proposed", "updated_at"])
    return target


def target_activate_proposals(*, by: User, target: Target) -> int:
    """Put the cascade in force: activate every proposal below the active `target` that its
    unit has not set (drafts still marked `proposed`, down to the agents), with the parent.
    They carry the parent's value, so they stand on its SMART check or its justification,
    written into each; a unit that tightens its own later gives a draft of its own to activate.
    The units' active targets of the same start are retired. Returns how many were activated."""
    if target.status != Target.Status.ACTIVE:
        raise ValidationError(_("Activate the target itself first."))
    if not may_set_target(
        by, level=target.level, department_id=target.department_id, team_id=target.team_id
    ):
        raise PermissionDenied(_("You may not set targets for this unit."))
    note = _("Activated with the target of %(unit)s (cascade).") % {"unit": target.unit_label}
    if target.justification:
        note = f"{note} {target.justification}"
    found: list[Target] = []
    parents = [target.pk]
    # Down through the proposals and the children already in force (a new agent's proposal
    # under an active team); not below a unit's own draft, which is activated on its own.
    proposal = Q(status=Target.Status.DRAFT, proposed=True)
    while parents:
        level = list(
            Target.objects.filter(parent_id__in=parents)
            .filter(proposal | Q(status=Target.Status.ACTIVE))
            .select_related("department", "team")
        )
        found.extend(
            t
            for t in level
            if t.status == Target.Status.DRAFT
            and may_set_target(by, level=t.level, department_id=t.department_id, team_id=t.team_id)
        )
        parents = [t.pk for t in level]
    if not found:
        return 0
    by_level: dict[str, list[Target]] = defaultdict(list)
    for t in found:
        by_level[t.level].append(t)
    with transaction.atomic():
        for level, rows in by_level.items():
            Target.objects.filter(
                indicator=target.indicator,
                level=level,
                unit_id__in=[t.unit_id for t in rows],
                period_kind=target.period_kind,
                valid_from=target.valid_from,
                status=Target.Status.ACTIVE,
            ).update(status=Target.Status.RETIRED, updated_at=timezone.now())
        Target.objects.filter(pk__in=[t.pk for t in found]).update(
            status=Target.Status.ACTIVE,
            proposed=False,
            justification=note,
            updated_at=timezone.now(),
        )
    return len(found)


def _children(level: str, unit: Any) -> tuple[str, list]:
    if level == Level.CENTER:
        return Level.DEPARTMENT, list(Department.objects.order_by("code"))
    if level == Level.DEPARTMENT:
        return Level.TEAM, list(Team.objects.filter(department=unit).order_by("code"))
    if level == Level.TEAM:
        return Level.AGENT, list(
            Agent.objects.filter(team=unit, is_active=True).select_related("team__department")
        )
    return "", []


def _last_period_volume(indicator: Indicator, level: str, units: list, before: datetime.date):
    """Each child's volume in the period before `before` (denominator for rates and means, the
    count for additive): unit pk → Decimal."""
    previous = periods.previous(periods.period_of(indicator.period, before))
    rows = rollup(indicator, level=level, start=previous.first_day, end=previous.last_day)
    field_name = "numerator" if indicator.measure == Indicator.Measure.ADDITIVE else "denominator"
    return {r["unit_id"]: Decimal(r[field_name] or 0) for r in rows}


def target_cascade(*, by: User, target: Target, depth: int = 3) -> list[Target]:
    """Propose the children's targets of `target` (层层分解): the same value for a rate or a mean;
    an additive target split by the children's weights or, without weights, by their volume in
    the last period (equal shares without either). Proposals are drafts marked `proposed`; a
    child that already has a target under this parent keeps it (it may have tightened it).
    `depth` levels down (center → departments → teams → agents)."""
    if not may_set_target(
        by, level=target.level, department_id=target.department_id, team_id=target.team_id
    ):
        raise PermissionDenied(_("You may not set targets for this unit."))
    made: list[Target] = []
    level, units = _children(target.level, target.unit)
    if not units or depth <= 0:
        return made
    # A unit's child already under this parent: the one in force first (a draft tightened
    # beside it waits for its activation), never a retired one.
    existing: dict[int, Target] = {}
    for t in target.children.filter(level=level).exclude(status=Target.Status.RETIRED):
        mine = existing.get(t.unit_id)
        if mine is None or (
            t.status == Target.Status.ACTIVE and mine.status != Target.Status.ACTIVE
        ):
            existing[t.unit_id] = t
    shares: dict[int, Decimal] = {}
    if target.indicator.measure == Indicator.Measure.ADDITIVE:
        weights = {uid: t.weight for uid, t in existing.items() if t.weight}
        if len(weights) == len(units):
            basis = weights
        else:
            basis = _last_period_volume(target.indicator, level, units, target.valid_from)
        total = sum(basis.get(u.pk, Decimal(0)) for u in units)
        for u in units:
            share = basis.get(u.pk, Decimal(0)) / total if total else Decimal(1) / len(units)
            shares[u.pk] = share
    with transaction.atomic():
        for unit in units:
            child = existing.get(unit.pk)
            if child is None:
                value = (
                    (target.value * shares[unit.pk]).quantize(Decimal("0.0001"))
                    if shares
                    else target.value
                )
                child = Target(
                    indicator=target.indicator,
                    level=level,
                    period_kind=target.period_kind,
                    valid_from=target.valid_from,
                    valid_to=target.valid_to,
                    value=value,
                    amber_within=target.amber_within,
                    parent=target,
                    status=Target.Status.DRAFT,
                    proposed=True,
                    created_by=by,
                    **_unit_fields(level, unit),
                )
                child.full_clean()
                child.save()
                made.append(child)
            made.extend(target_cascade(by=by, target=child, depth=depth - 1))
    return made


@dataclass
class ConsistencyRow:
    """One parent target and whether its children's targets can reach it."""

    target: Target
    children: int
    expected: Decimal | None  # the children's targets combined (weighted by expected volume)
    reaches: bool | None  # None: no children's targets to combine
    message: str


def cascade_consistency(target: Target) -> list[ConsistencyRow]:
    """Where the children cannot reach the parent, for `target` and every target below it: for a
    rate or a mean, the children's targets weighted by their expected volume (last period's
    denominators; equal weights without history) fall short of the parent's; for an additive
    count, their sum falls short."""
    rows: list[ConsistencyRow] = []
    pending = [target]
    while pending:
        parent = pending.pop(0)
        children = list(parent.children.exclude(status=Target.Status.RETIRED))
        pending.extend(children)
        if not children:
            continue
        indicator = parent.indicator
        if indicator.measure == Indicator.Measure.ADDITIVE:
            combined = sum((c.value for c in children), Decimal(0))
        else:
            volumes = _last_period_volume(
                indicator, children[0].level, [c.unit for c in children], parent.valid_from
            )
            weights = {c.pk: volumes.get(c.unit_id, Decimal(0)) for c in children}
            total = sum(weights.values())
            if not total:
                weights = {c.pk: Decimal(1) for c in children}
                total = Decimal(len(children))
            combined = sum(c.value * weights[c.pk] for c in children) / total
        short = combined > parent.value if indicator.lower_is_better else combined < parent.value
        rows.append(
            ConsistencyRow(
                target=parent,
                children=len(children),
                expected=combined,
                reaches=not short,
                message=(
                    _("The children's targets combine to %(combined)s: short of %(target)s.")
                    if short
                    else _("The children's targets combine to %(combined)s: they reach %(target)s.")
                )
                % {
                    "combined": indicator.display(combined),
                    "target": indicator.display(parent.value),
                },
            )
        )
    return rows


__all__ = [
    "CloseResult",
    "ConsistencyRow",
    "MeasurementRow",
    "MeasurementsRefusedError",
    "bulletin_targets_seed",
    "cascade_consistency",
    "catalogue_load",
    "internal_compute",
    "measurements_import",
    "measurements_record",
    "period_close",
    "shortfalls_find",
    "target_activate",
    "target_activate_proposals",
    "target_cascade",
    "target_save",
    "target_smart",
    "unit_owner",
    "values_compute",
]
