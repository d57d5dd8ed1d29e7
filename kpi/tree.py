"""What the KPI tree, the appraisal and the scorecards show: a node of the cascade (center,
department, team, agent) with every indicator's value, target and band over a month, its
children the same way, and the node's trend — in a constant number of queries whatever the
number of agents (the query count is pinned in tests/kpi/test_pages_tree.py).

Who sees which node: the center, their own department and their own team (and its agents) for
a team lead; the center, their department and everything in it for a department's people;
everything for people whose scope is the center; an agent only their own scorecard. A sibling
team is never shown, not even as a row among a department's children (qa_center.permissions).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from kpi.analytics.appraisal import Composite, Part, composite
from kpi.models import AppraisalWeight, Indicator, KpiValue, Measurement, Target
from kpi.selectors import DEPTH, UNIT_COLUMN, unit_values
from org.models import Agent, Department, Team
from qa_center import periods
from qa_center.levels import NO_SCOPE, Level
from qa_center.permissions import user_scope

TREND_MONTHS = 12
CHILD = {Level.CENTER: Level.DEPARTMENT, Level.DEPARTMENT: Level.TEAM, Level.TEAM: Level.AGENT}
MODELS = {Level.DEPARTMENT: Department, Level.TEAM: Team, Level.AGENT: Agent}


@dataclass(frozen=True)
class Node:
    level: str
    unit_id: int  # 0: the center
    obj: object = None  # the Department, Team or Agent

    @property
    def key(self) -> str:
        return "center" if self.level == Level.CENTER else f"{self.level}:{self.unit_id}"

    @property
    def label(self) -> str:
        return str(self.obj) if self.obj is not None else _("Center")

    @property
    def department_id(self) -> int | None:
        if self.level == Level.DEPARTMENT:
            return self.unit_id
        if self.level == Level.TEAM:
            return self.obj.department_id
        if self.level == Level.AGENT:
            return self.obj.team.department_id if self.obj.team_id else None
        return None

    @property
    def team_id(self) -> int | None:
        if self.level == Level.TEAM:
            return self.unit_id
        if self.level == Level.AGENT:
            return self.obj.team_id
        return None


def parse_node_key(text: str | None) -> tuple[str, int]:
    """``center``, ``department:3``, ``team:7``, ``agent:12`` → (level, id); Http404 otherwise."""
    if not text or text == "center":
        return Level.CENTER, 0
    level, _sep, number = text.partition(":")
    if level not in MODELS or not number.isdigit() or len(number) > 12:
        raise Http404
    return level, int(number)


def may_see(user, level: str, obj) -> bool:
    """Whether the user may see this node's figures (see the module's docstring)."""
    scope = user_scope(user)
    if scope.level == NO_SCOPE:
        return False
    if scope.level == Level.CENTER:
        return True
    if scope.level == Level.AGENT:
        return level == Level.AGENT and obj.pk == scope.agent_id
    if level == Level.CENTER:
        return True
    if scope.level == Level.DEPARTMENT:
        department_id = {
            Level.DEPARTMENT: lambda: obj.pk,
            Level.TEAM: lambda: obj.department_id,
            Level.AGENT: lambda: obj.team.department_id if obj.team_id else None,
        }[level]()
        return department_id == scope.department_id
    # A team lead: their team's department, their team, their team's agents.
    team = user.team
    if level == Level.DEPARTMENT:
        return obj.pk == team.department_id
    if level == Level.TEAM:
        return obj.pk == team.pk
    return obj.team_id == team.pk


def node_get(user, key: str | None) -> Node:
    """The node the key names, if the user may see it (else 404, like a node that does not
    exist)."""
    level, unit_id = parse_node_key(key)
    obj = None
    if level != Level.CENTER:
        queryset = MODELS[level].objects.all()
        if level == Level.AGENT:
            queryset = queryset.select_related("team__department")
        elif level == Level.TEAM:
            queryset = queryset.select_related("department")
        obj = queryset.filter(pk=unit_id).first()
        if obj is None:
            raise Http404
    if not may_see(user, level, obj):
        raise Http404
    return Node(level, unit_id, obj)


def home_node(user) -> str:
    """The node a user's tree (and scorecards) open at: their own unit — a team lead's team,
    a department's people their department, an agent themselves —, the center for those who
    see the whole center. The breadcrumbs lead up from there."""
    scope = user_scope(user)
    if scope.level == Level.AGENT:
        return f"agent:{scope.agent_id}"
    if scope.level == Level.TEAM:
        return f"team:{scope.team_id}"
    if scope.level == Level.DEPARTMENT:
        return f"department:{scope.department_id}"
    return "center"


def ancestors(node: Node) -> list[Node]:
    """The path from the center down to the node's parent (breadcrumbs)."""
    path = []
    if node.level == Level.CENTER:
        return path
    path.append(Node(Level.CENTER, 0))
    if node.level == Level.TEAM:
        path.append(Node(Level.DEPARTMENT, node.obj.department_id, node.obj.department))
    if node.level == Level.AGENT and node.obj.team_id:
        team = node.obj.team
        path.append(Node(Level.DEPARTMENT, team.department_id, team.department))
        path.append(Node(Level.TEAM, team.pk, team))
    return path


def children_of(user, node: Node) -> list[Node]:
    """The node's children the user may see, in one query."""
    level = CHILD.get(node.level)
    if level is None:
        return []
    if level == Level.DEPARTMENT:
        rows = Department.objects.order_by("code")
    elif level == Level.TEAM:
        rows = Team.objects.filter(department_id=node.unit_id).select_related("department")
        rows = rows.order_by("code")
    else:
        rows = Agent.objects.filter(team_id=node.unit_id).select_related("team__department")
        rows = rows.order_by("employee_no")
    return [Node(level, obj.pk, obj) for obj in rows if may_see(user, level, obj)]


@dataclass
class Cell:
    indicator: Indicator
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    target: Target | None = None
    band: str | None = None
    trend: list[float | None] = field(default_factory=list)

    @property
    def shown(self) -> str:
        return self.indicator.display(self.value)

    @property
    def target_shown(self) -> str:
        return self.indicator.display(self.target.value) if self.target is not None else "—"


@dataclass
class Row:
    node: Node
    cells: list[Cell]


@dataclass
class TreePage:
    node: Node
    period: periods.Period
    indicators: list[Indicator]
    own: Row
    children: list[Row]
    months: list[datetime.date]
    path: list[Node]


def active_indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(is_active=True).order_by("code"))


def _targets(
    indicators: list[Indicator], *, levels: list[str], unit_ids: set[int], day: datetime.date
) -> dict[tuple[int, str, int], Target]:
    """Active targets in force on `day` for these units, in one query; the indicator is set
    from the list (no query per target when its band is read). A monthly target wins over one
    of another period."""
    by_id = {ind.pk: ind for ind in indicators}
    rows = Target.objects.filter(
        status=Target.Status.ACTIVE,
        indicator_id__in=list(by_id),
        level__in=levels,
        unit_id__in=sorted(unit_ids | {0}),
        valid_from__lte=day,
        valid_to__gte=day,
    ).order_by("valid_from", "pk")
    found: dict[tuple[int, str, int], Target] = {}
    for target in rows:
        target.indicator = by_id[target.indicator_id]
        key = (target.indicator_id, target.level, target.unit_id)
        mine = found.get(key)
        if mine is None or target.period_kind == "month" or mine.period_kind != "month":
            found[key] = target
    return found


def _trend(
    indicators: list[Indicator],
    node: Node,
    *,
    months: list[datetime.date],
    last: datetime.date,
) -> dict[int, dict[datetime.date, float | None]]:
    """Monthly values of the node for every indicator: the values the month closes stored
    (kpi.models.KpiValue, one query), and for the months no close has stored yet (the current
    one, or a history loaded before the closes ran) the measurements, in one GROUP BY over just
    those months."""
    by_id = {ind.pk: ind for ind in indicators if DEPTH[node.level] <= DEPTH[ind.grain]}
    trend: dict[int, dict[datetime.date, float | None]] = defaultdict(dict)
    stored = KpiValue.objects.filter(
        indicator_id__in=list(by_id),
        level=node.level,
        unit_id=node.unit_id,
        period_kind="month",
        period_start__gte=months[0],
        period_start__lte=months[-1],
    ).values_list("indicator_id", "period_start", "value")
    closed = set()
    for indicator_id, month, value in stored:
        trend[indicator_id][month] = value
        closed.add(month)
    missing = [m for m in months if m not in closed]
    if not missing:
        return trend
    first = missing[0]
    upto = min(last, periods.period_of("month", missing[-1]).last_day)
    rows = Measurement.objects.filter(indicator_id__in=list(by_id), day__gte=first, day__lte=upto)
    if node.level != Level.CENTER:
        rows = rows.filter(**{UNIT_COLUMN[node.level]: node.unit_id})
    # Grouped by day, not by TruncMonth: a truncation is a function call per row (on SQLite a
    # Python one); a day is a plain column, and the months are added up here from at most
    # indicators × 366 rows.
    grouped = (
        rows.values("indicator_id", "day")
        .annotate(numerator=Sum("numerator"), denominator=Sum("denominator"))
        .order_by()
    )
    sums: dict[tuple[int, datetime.date], list] = {}
    for row in grouped:
        month = row["day"].replace(day=1)
        if month in closed:
            continue
        mine = sums.setdefault((row["indicator_id"], month), [Decimal(0), None])
        mine[0] += row["numerator"]
        if row["denominator"] is not None:
            mine[1] = (mine[1] or Decimal(0)) + row["denominator"]
    for (indicator_id, month), (numerator, denominator) in sums.items():
        trend[indicator_id][month] = by_id[indicator_id].value_of(numerator, denominator)
    return trend


def _cells(indicators, values: dict, targets: dict, node: Node) -> list[Cell]:
    cells = []
    for ind in indicators:
        figures = values.get((ind.pk, node.unit_id))
        cell = Cell(ind)
        if figures is not None:
            cell.numerator, cell.denominator, cell.value = figures
        cell.target = targets.get((ind.pk, node.level, node.unit_id))
        cell.band = cell.target.band_of(cell.value) if cell.target is not None else None
        cells.append(cell)
    return cells


def _values(frame) -> dict[tuple[int, int], tuple]:
    return {
        (int(r.indicator_id), int(r.unit_id)): (
            r.numerator,
            None if r.denominator != r.denominator else r.denominator,
            None if r.value != r.value else r.value,
        )
        for r in frame.itertuples()
    }


def months_before(period: periods.Period, count: int) -> list[datetime.date]:
    first = period.first_day
    months = []
    for _i in range(count):
        months.append(first)
        first = periods.month_start_of(first - datetime.timedelta(days=1))
    return months[::-1]


def tree_page(user, node: Node, period: periods.Period, *, trend: bool = True) -> TreePage:
    """The node's row and its children's rows over `period` (see the module's docstring)."""
    indicators = active_indicators()
    first, last = period.first_day, period.last_day
    children = children_of(user, node)
    own_values = _values(
        unit_values(
            indicators=indicators,
            level=node.level,
            start=first,
            end=last,
            within=(node.level, node.unit_id) if node.level != Level.CENTER else None,
        )
    )
    child_values: dict = {}
    if children:
        child_values = _values(
            unit_values(
                indicators=indicators,
                level=children[0].level,
                start=first,
                end=last,
                within=(node.level, node.unit_id) if node.level != Level.CENTER else None,
            )
        )
    levels = [node.level] + ([children[0].level] if children else [])
    targets = _targets(
        indicators,
        levels=levels,
        unit_ids={node.unit_id} | {c.unit_id for c in children},
        day=first,
    )
    months = months_before(period, TREND_MONTHS)
    own = Row(node, _cells(indicators, own_values, targets, node))
    if trend:
        series = _trend(indicators, node, months=months, last=last)
        for cell in own.cells:
            cell.trend = [series.get(cell.indicator.pk, {}).get(m) for m in months]
    rows = [Row(child, _cells(indicators, child_values, targets, child)) for child in children]
    return TreePage(node, period, indicators, own, rows, months, ancestors(node))


# --- Appraisal and scorecards -----------------------------------------------------------------


def weights_for(scheme: str, department_id: int | None) -> list[AppraisalWeight]:
    """The department's own weights for the scheme, else the center's."""
    rows = list(
        AppraisalWeight.objects.filter(scheme=scheme)
        .filter(Q(department_id=department_id) | Q(department__isnull=True))
        .select_related("indicator")
    )
    own = [w for w in rows if w.department_id is not None and w.department_id == department_id]
    return own or [w for w in rows if w.department_id is None]


def walkthrough_score(department_id: int, month: datetime.date) -> float | None:
    """The audits app's walk-through score of the department for the month (0–100)."""
    from audits.walkthroughs.selectors import department_walkthrough_score

    score = department_walkthrough_score(department_id, month)
    return float(score) if score is not None else None


WALKTHROUGH_TARGET = Decimal("90")


def appraisal(page: TreePage, row: Row, scheme: str, cache: dict | None = None) -> Composite:
    """The weighted composite of a row of the tree under the scheme's weights. A department's
    walk-through score comes from the audits app when the weights name a walk-through indicator
    that has no measurement. `cache` (a dict kept across the rows of one page) reads each
    department's weights once."""
    key = (scheme, row.node.department_id)
    if cache is not None and key in cache:
        weights = cache[key]
    else:
        weights = weights_for(scheme, row.node.department_id)
        if cache is not None:
            cache[key] = weights
    cells = {cell.indicator.pk: cell for cell in row.cells}
    parts = []
    for weight in weights:
        ind = weight.indicator
        cell = cells.get(ind.pk)
        value = cell.value if cell is not None else None
        target = cell.target.value if cell is not None and cell.target is not None else None
        if ind.source == Indicator.Source.WALKTHROUGH_SCORE and row.node.level == Level.DEPARTMENT:
            if value is None:
                value = walkthrough_score(row.node.unit_id, page.period.first_day)
            if target is None:
                target = WALKTHROUGH_TARGET
        parts.append(
            Part(
                ind.code,
                ind.name,
                float(weight.weight),
                value,
                float(target) if target is not None else None,
                ind.direction,
            )
        )
    return composite(parts)
