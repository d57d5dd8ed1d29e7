"""The figures of a period, aggregated in the database: a handful of GROUP BY queries for every
scope at once (per agent, per team), from which team, department and center figures are
derived in Python by adding up counts — never a query per agent or per team.

Periods are in the center's time zone (qa_center.periods): a week runs Monday 00:00 to the
next Monday 00:00.
Automatic checks count by the time of the call; evaluations by when they were submitted
(supervisors score last week's sample this week, so that is when the work shows).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When, Window
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import RowNumber
from django.db.models.lookups import Exact
from django.utils import timezone

from kpi.selectors import bulletin_standard
from scoring.calls.models import CallCheck, Review
from scoring.disputes.models import Dispute
from scoring.evaluations.models import Answer, Evaluation, ScorecardItem
from scoring.rules.models import RuleLibrary

# Evaluations that count: submitted, whatever happened after (a draft is work in progress).
COUNTED_EVALUATIONS = ("submitted", "acknowledged", "disputed", "final")
CUR, PREV = 1, 0
# The counts of Acc a bulletin keeps for next week's change (see Acc.as_figures).
STORED_COUNTS = (
    "checked",
    "auto_scored",
    "auto_sum",
    "auto_critical",
    "evaluated",
    "eval_scored",
    "eval_sum",
    "passed",
    "eval_critical",
)


def pct(numerator: float, denominator: float) -> float | None:
    return round(100.0 * numerator / denominator, 1) if denominator else None


def _f(value: Decimal | float | None) -> float:
    return float(value) if value is not None else 0.0


@dataclass
class Acc:
    """Additive figures of one scope in one period: counts and sums, so scopes add up."""

    checked: int = 0
    auto_scored: int = 0
    auto_sum: float = 0.0
    auto_critical: int = 0
    evaluated: int = 0
    eval_scored: int = 0
    eval_sum: float = 0.0
    passed: int = 0
    eval_critical: int = 0
    disputes_opened: int = 0
    disputes_decided: int = 0
    rules: dict[str, list[int]] = field(default_factory=dict)  # code → [pass, fail]
    items: dict[str, list[float]] = field(default_factory=dict)  # code → [points, possible, n]

    def add(self, other: Acc) -> None:
        # Spelled out rather than a getattr/setattr loop: this runs for every agent and scope.
        self.checked += other.checked
        self.auto_scored += other.auto_scored
        self.auto_sum += other.auto_sum
        self.auto_critical += other.auto_critical
        self.evaluated += other.evaluated
        self.eval_scored += other.eval_scored
        self.eval_sum += other.eval_sum
        self.passed += other.passed
        self.eval_critical += other.eval_critical
        self.disputes_opened += other.disputes_opened
        self.disputes_decided += other.disputes_decided
        rules = self.rules
        for code, (passes, fails) in other.rules.items():
            mine = rules.get(code)
            if mine is None:
                rules[code] = [passes, fails]
            else:
                mine[0] += passes
                mine[1] += fails
        items = self.items
        for code, (points, possible, n) in other.items.items():
            mine = items.get(code)
            if mine is None:
                items[code] = [points, possible, n]
            else:
                mine[0] += points
                mine[1] += possible
                mine[2] += n

    def headline(self) -> dict:
        return {
            "checked": self.checked,
            "auto_mean": round(self.auto_sum / self.auto_scored, 1) if self.auto_scored else None,
            "auto_critical": self.auto_critical,
            "evaluated": self.evaluated,
            "eval_mean": round(self.eval_sum / self.eval_scored, 1) if self.eval_scored else None,
            "pass_rate": pct(self.passed, self.evaluated),
            "eval_critical": self.eval_critical,
            "disputes_opened": self.disputes_opened,
            "disputes_decided": self.disputes_decided,
        }

    def as_figures(self) -> dict:
        """The additive counts of a period as JSON, kept in a team's bulletin so that next
        week's run reads them back instead of scanning this week's calls again. Disputes are
        left out: only the current period's are ever shown."""
        return {
            **{name: getattr(self, name) for name in STORED_COUNTS},
            "rules": self.rules,
            "items": self.items,
        }

    @classmethod
    def from_figures(cls, figures: dict) -> Acc:
        return cls(
            **{name: figures[name] for name in STORED_COUNTS},
            rules={code: [int(p), int(f)] for code, (p, f) in figures["rules"].items()},
            items={
                code: [float(a), float(b), int(n)] for code, (a, b, n) in figures["items"].items()
            },
        )

    def rule_compliance(self, code: str) -> tuple[float | None, int]:
        passes, fails = self.rules.get(code, (0, 0))
        return pct(passes, passes + fails), passes + fails

    def item_compliance(self, code: str) -> tuple[float | None, int]:
        points, possible, n = self.items.get(code, (0.0, 0.0, 0))
        return pct(points, possible), int(n)


@dataclass
class Collected:
    """Everything one period's bulletins need, per team and per agent, both for the period and
    the one before it (for the change)."""

    teams: dict[tuple[int, int], Acc]  # (bucket, team_id) → figures
    agents: dict[int, tuple[int, Acc]]  # agent_id → (team_id, figures) in the current period
    rule_labels: dict[str, str]
    item_labels: dict[str, str]
    examples: dict[int, list[dict]]  # team_id → failing calls with evidence
    # Scorecard item code → the engine rule it is prefilled from: the same thing measured twice.
    item_rules: dict[str, str] = field(default_factory=dict)


def rule_codes_and_labels() -> dict[str, str]:
    """Every rule code any library version knows, with its title (the newest version wins)."""
    labels: dict[str, str] = {}
    for definition in RuleLibrary.objects.order_by("version").values_list("definition", flat=True):
        for rule in (definition or {}).get("rules", []):
            if isinstance(rule, dict) and rule.get("code"):
                labels[str(rule["code"])] = str(rule.get("title") or rule["code"])
    return labels


def _bucket(field_name: str, start: datetime.datetime) -> Case:
    return Case(
        When(**{f"{field_name}__gte": start}, then=Value(CUR)),
        default=Value(PREV),
        output_field=IntegerField(),
    )


def collect(
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    prev_start: datetime.datetime,
    previous: dict[int, Acc] | None = None,
    examples_per_team: int = 3,
) -> Collected:
    """The figures of [start, end) and [prev_start, start), per team and agent, in six queries
    (rule labels, checks, evaluations, answers, disputes, example calls) plus item labels.

    `previous` (team id → figures of [prev_start, start)), when given, stands in for the
    previous period: only [start, end) is scanned, which halves the work of the big queries."""
    rule_labels = rule_codes_and_labels()
    codes = sorted(rule_labels)
    teams: dict[tuple[int, int], Acc] = defaultdict(Acc)
    agents: dict[int, tuple[int, Acc]] = {}
    if previous is not None:
        for team_id, acc in previous.items():
            teams[(PREV, team_id)].add(acc)
        since = start

        def bucket(field_name: str, start: datetime.datetime) -> Value:
            return Value(CUR, output_field=IntegerField())  # grouped by nothing: a constant

    else:
        since, bucket = prev_start, _bucket

    # 1. Automatic checks, per agent and team, with pass/fail counts of every rule read from
    # the JSON outcomes in the same scan (a FILTER per rule, not a row per outcome).
    rule_aggregates = {}
    for index, code in enumerate(codes):
        outcome = KeyTextTransform(code, "outcomes")
        rule_aggregates[f"r{index}p"] = Count("pk", filter=Exact(outcome, "pass"))
        rule_aggregates[f"r{index}f"] = Count("pk", filter=Exact(outcome, "fail"))
    checks = (
        CallCheck.objects.filter(call__started_at__gte=since, call__started_at__lt=end)
        .annotate(bucket=bucket("call__started_at", start))
        .values("bucket", "call__team_id", "call__agent_id")
        .annotate(
            n=Count("pk"),
            # A provisional score (a weak critical failure still to confirm) is left out of
            # the averages and the critical count until a supervisor decides.
            scored=Count("score", filter=~Q(review=Review.TO_CONFIRM)),
            total=Sum("score", filter=~Q(review=Review.TO_CONFIRM)),
            critical=Count("pk", filter=Q(critical_failed=True) & ~Q(review=Review.TO_CONFIRM)),
            **rule_aggregates,
        )
        .order_by()
        .values_list(
            "bucket",
            "call__team_id",
            "call__agent_id",
            "n",
            "scored",
            "total",
            "critical",
            *rule_aggregates,
        )
    )
    pairs = list(enumerate(codes))
    for bucket_, team_id, agent_id, n, scored, total, critical, *counts in checks:
        rules = {}
        for index, code in pairs:
            passes, fails = counts[2 * index], counts[2 * index + 1]
            if passes or fails:
                rules[code] = [passes, fails]
        acc = Acc(
            checked=n,
            auto_scored=scored,
            auto_sum=_f(total),
            auto_critical=critical,
            rules=rules,
        )
        _add(teams, agents, bucket_, team_id, agent_id, acc)

    # 2. Evaluations by supervisors, per agent and team.
    evaluations = (
        Evaluation.objects.filter(
            is_calibration=False,
            status__in=COUNTED_EVALUATIONS,
            submitted_at__gte=since,
            submitted_at__lt=end,
        )
        .annotate(bucket=bucket("submitted_at", start))
        .values("bucket", "call__team_id", "call__agent_id")
        .annotate(
            n=Count("pk"),
            scored=Count("score"),
            total=Sum("score"),
            passed_n=Count("pk", filter=Q(passed=True)),
            critical=Count("pk", filter=Q(critical_failed=True)),
        )
        .order_by()
    )
    for row in evaluations:
        acc = Acc(
            evaluated=row["n"],
            eval_scored=row["scored"],
            eval_sum=_f(row["total"]),
            passed=row["passed_n"],
            eval_critical=row["critical"],
        )
        _add(teams, agents, row["bucket"], row["call__team_id"], row["call__agent_id"], acc)

    # 3. Scorecard items: points over possible points per team (N/A answers leave both out).
    answers = (
        Answer.objects.filter(
            evaluation__is_calibration=False,
            evaluation__status__in=COUNTED_EVALUATIONS,
            evaluation__submitted_at__gte=since,
            evaluation__submitted_at__lt=end,
            is_na=False,
            possible__gt=0,
        )
        .annotate(bucket=bucket("evaluation__submitted_at", start))
        .values("bucket", "evaluation__call__team_id", "item_id")
        .annotate(points_sum=Sum("points"), possible_sum=Sum("possible"), n=Count("pk"))
        .order_by()
    )
    answer_rows = list(answers)
    # Items by id (no join in the big query); versions of a scorecard share codes, so the
    # figures add up per code.
    item_info = {}
    item_rules = {}
    for pk, code, title, rule_code in (
        ScorecardItem.objects.filter(pk__in={row["item_id"] for row in answer_rows})
        .order_by("scorecard__version")
        .values_list("pk", "code", "title", "rule_code")
    ):
        item_info[pk] = (code, title)
        if rule_code:
            item_rules[code] = rule_code
    item_labels = {code: title for code, title in item_info.values()}
    for row in answer_rows:
        acc = teams[(row["bucket"], row["evaluation__call__team_id"])]
        code = item_info.get(row["item_id"], (str(row["item_id"]), ""))[0]
        mine = acc.items.setdefault(code, [0.0, 0.0, 0])
        mine[0] += _f(row["points_sum"])
        mine[1] += _f(row["possible_sum"])
        mine[2] += row["n"]

    # 4. Disputes opened and decided in the current period, per team.
    in_period = Q(opened_at__gte=start, opened_at__lt=end)
    decided = Q(status="decided", decided_at__gte=start, decided_at__lt=end)
    disputes = (
        Dispute.objects.filter(in_period | decided)
        .values("evaluation__call__team_id")
        .annotate(opened=Count("pk", filter=in_period), decided_n=Count("pk", filter=decided))
        .order_by()
    )
    for row in disputes:
        acc = teams[(CUR, row["evaluation__call__team_id"])]
        acc.disputes_opened += row["opened"]
        acc.disputes_decided += row["decided_n"]

    examples = _examples(teams, start=start, end=end, codes=codes, per_team=examples_per_team)
    return Collected(dict(teams), agents, rule_labels, item_labels, examples, item_rules)


def _add(teams, agents, bucket: int, team_id: int, agent_id: int, acc: Acc) -> None:
    teams[(bucket, team_id)].add(acc)
    if bucket == CUR:
        if agent_id in agents:
            agents[agent_id][1].add(acc)
        else:
            agents[agent_id] = (team_id, acc)


def _examples(teams, *, start, end, codes, per_team: int) -> dict[int, list[dict]]:
    """A few failing calls per team, lowest automatic score first, with the evidence of the
    rules they failed. Only calls below the score standard are candidates (a call that scored
    well is a poor example of a shortfall, and the cheap score test spares most rows the JSON
    test). Two queries whatever the number of teams: a window function ranks narrow rows (id,
    team, score), then the few chosen calls are read with their outcomes and evidence — the
    big JSON columns never go through the sort."""
    failing_codes = sorted(
        {code for (bucket, _), acc in teams.items() if bucket == CUR for code in acc.rules}
        & set(codes)
    )
    if not failing_codes or per_team <= 0:
        return {}
    any_fail = Q()
    for code in failing_codes:
        any_fail |= Exact(KeyTextTransform(code, "outcomes"), "fail")
    ranked = (
        CallCheck.objects.filter(
            call__started_at__gte=start,
            call__started_at__lt=end,
            score__lt=bulletin_standard("score"),
        )
        .exclude(review=Review.TO_CONFIRM)
        .filter(any_fail)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("call__team_id")],
                order_by=[F("score").asc(), F("call_id").asc()],
            )
        )
        .filter(rank__lte=per_team)
        .values_list("pk", flat=True)
    )
    rows = (
        CallCheck.objects.filter(pk__in=list(ranked))
        .order_by("call__team_id", "score", "call_id")
        .values(
            "call_id",
            "call__call_id",
            "call__team_id",
            "call__agent__name",
            "call__started_at",
            "score",
            "outcomes",
            "results",
        )
    )
    found: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        failed = [code for code, outcome in (row["outcomes"] or {}).items() if outcome == "fail"]
        phrases: dict[str, list[str]] = {}
        for result in row["results"] or []:
            if isinstance(result, dict) and result.get("code") in failed:
                phrases[result["code"]] = [
                    str(e.get("phrase", "")) for e in (result.get("evidence") or [])[:3]
                ]
        found[row["call__team_id"]].append(
            {
                "call": row["call_id"],
                "call_id": row["call__call_id"],
                "agent": row["call__agent__name"],
                "started_at": timezone.localtime(row["call__started_at"]).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "score": _f(row["score"]) if row["score"] is not None else None,
                "failed": failed,
                "phrases": phrases,
            }
        )
    return dict(found)
