"""Benchmark of the weekly bulletin run against the bare PostgreSQL GROUP BY, same run, same data.

    .venv/bin/python bench/bulletin.py [--calls 1000000] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_bench_bulletin (default; created and
    dropped)

Builds 20 departments, 500 teams, 5,000 agents, then two weeks (the benchmarked week and the
one before it) of N calls each (default 1,000,000), each with an automatic check (15 rules in
the JSON outcomes) and a submitted evaluation with 4 answered items, generated server-side
(INSERT … SELECT over generate_series, the fastest path: nothing crosses the wire). The
previous week's bulletins are generated first, untimed, as the Monday job would have done a
week earlier. Then times, best of two:

- **GROUP BY**: bare SQL, with the run's work_mem, computing the per-agent figures the bulletins are made of: calls
  checked, automatic score sum and count, critical failures, pass/fail count of every rule (from
  the JSON outcomes); evaluations, score sum, passed, critical; points/possible per item.
- **weekly run**: `bulletins.services.bulletins_generate_week`, the code behind the Monday job
  and `generate_bulletins --week`: the same figures per agent and team for this week (last
  week's read back from last week's team bulletins), example calls, the center's, 20
  departments' and 500 teams' bulletins built and written in one transaction (521 bulletins),
  follow-ups, notifications.

Also reported, once, for information: the run without last week's bulletins, which scans both
weeks (the fallback, e.g. the first run ever). The center's bulletin is checked against the
GROUP BY's rows (calls, evaluations, every rule's pass/fail and every item's count), so both
sides compute the same figures.

Target: weekly run <= 2 x GROUP BY.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qa_bench_bulletin"
WEEK = datetime.date(2026, 3, 2)
DEPARTMENTS, TEAMS_PER_DEPARTMENT, AGENTS_PER_TEAM = 20, 25, 10
RULES = [
    "GREETING",
    "SELF_INTRO",
    "PLEASE",
    "THANKS",
    "HOLD_BEFORE_LOOKUP",
    "APOLOGY_CUSTOMER_UNMET",
    "APOLOGY_AGENT_UNMET",
    "RE_EXPLAIN",
    "FORBIDDEN_SEVERE",
    "FORBIDDEN_MILD",
    "IDENTITY_BEFORE_ACCOUNT",
    "CLOSING",
    "SILENCE",
    "INTERRUPTION",
    "SPEECH_RATE",
]
ITEMS = ["greet", "hold", "tone", "leak"]


def _admin(url: str) -> tuple[str, str]:
    base, name = url.rsplit("/", 1)
    return base + "/postgres", name


def _sql_admin(url: str, statement: str) -> None:
    import psycopg2

    admin, _ = _admin(url)
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement)
    connection.close()


def _setup_org() -> dict:
    from org.models import Center, User
    from scoring.evaluations.models import Scorecard, ScorecardItem, ScorecardSection
    from scoring.rules.models import RuleLibrary

    center = Center.objects.create(name="基准中心", code="bench")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO org_department (center_id, name, code) "
            "SELECT %s, '部门' || d, 'bd' || d FROM generate_series(1, %s) d",
            [center.pk, DEPARTMENTS],
        )
        cursor.execute(
            "INSERT INTO org_team (department_id, name, code) "
            "SELECT dep.id, '班组' || dep.code || '-' || t, dep.code || '-t' || t "
            "FROM org_department dep, generate_series(1, %s) t",
            [TEAMS_PER_DEPARTMENT],
        )
        cursor.execute(
            "INSERT INTO org_agent (employee_no, name, name_sort, name_initials, team_id, "
            "hired_on, is_active) "
            "SELECT 'E' || t.id || '-' || a, '话务员' || t.id || '-' || a, 'hwy', 'hwy', t.id, "
            "'2024-01-01', true FROM org_team t, generate_series(1, %s) a",
            [AGENTS_PER_TEAM],
        )
    library = RuleLibrary.objects.create(
        name="hotline",
        version=1,
        status="active",
        definition={"name": "hotline", "version": 1, "rules": [{"code": c} for c in RULES]},
    )
    card = Scorecard.objects.create(name="基准评分表", status="published")
    section = ScorecardSection.objects.create(scorecard=card, title="服务")
    items = [
        ScorecardItem.objects.create(scorecard=card, section=section, code=c, title=c)
        for c in ITEMS
    ]
    supervisor = User.objects.create(username="bench-sup", role="supervisor")
    User.objects.create(username="bench-manager", role="manager")
    return {"library": library, "card": card, "items": items, "supervisor": supervisor}


def _generate(calls: int, refs: dict) -> None:
    from django.db import connection

    from qa_center.periods import local_midnight

    # Two weeks: the previous one and the benchmarked one, N calls each (even g: last week).
    start = local_midnight(WEEK - datetime.timedelta(days=7))
    outcomes = ", ".join(
        f"'{code}', CASE WHEN random() < 0.80 + (a.team_id %% 10) * 0.02 - {i % 3} * 0.01 "
        f"THEN 'pass' WHEN random() < 0.7 THEN 'fail' ELSE 'na' END"
        for i, code in enumerate(RULES)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_agents AS SELECT id, team_id, "
            "row_number() OVER (ORDER BY id) - 1 AS n FROM org_agent"
        )
        cursor.execute("SELECT count(*) FROM bench_agents")
        agents = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO calls_call (call_id, agent_id, team_id, started_at, duration_seconds, "
            "channel, recording_url, turns, extra, created_at) "
            "SELECT 'BC-' || g, a.id, a.team_id, %s + (g %% 2) * interval '7 days' "
            "+ ((g / 2) %% 604800) * interval '1 second', 120, "
            "'voice', '', '[]'::jsonb, '{}'::jsonb, now() "
            "FROM generate_series(0, 2 * %s - 1) g JOIN bench_agents a ON a.n = (g / 2) %% %s",
            [start, calls, agents],
        )
        cursor.execute(
            "INSERT INTO calls_callcheck (call_id, library_id, score, critical_failed, "
            f"outcomes, results, checked_at) SELECT c.id, %s, round((60 + random() * 40)::numeric"
            f", 2), random() < 0.02, jsonb_build_object({outcomes}), '[]'::jsonb, now() "
            "FROM calls_call c JOIN bench_agents a ON a.id = c.agent_id",
            [refs["library"].pk],
        )
        cursor.execute(
            "INSERT INTO evaluations_evaluation (call_id, scorecard_id, evaluator_id, status, score, "
            "critical_failed, passed, comment, version, created_at, updated_at, submitted_at, "
            "is_calibration, blind) "
            "SELECT c.id, %s, %s, 'submitted', s.score, s.crit, s.score >= 80 AND NOT s.crit, "
            "'', 1, now(), now(), c.started_at + interval '1 hour', false, false "
            "FROM calls_call c, LATERAL (SELECT round((55 + random() * 45)::numeric, 2) AS "
            "score, random() < 0.02 AS crit WHERE c.id IS NOT NULL) s",
            [refs["card"].pk, refs["supervisor"].pk],
        )
        for item in refs["items"]:
            cursor.execute(
                "INSERT INTO evaluations_answer (evaluation_id, item_id, value, is_na, auto_na, "
                "override_reason, override_kind, note, points, possible) "
                "SELECT e.id, %s, v.v, false, false, '', '', '', v.v, 1 "
                "FROM evaluations_evaluation e, "
                "LATERAL (SELECT CASE WHEN random() < 0.88 THEN 1 ELSE 0 END AS v "
                "WHERE e.id IS NOT NULL) v",
                [item.pk],
            )
        cursor.execute("ANALYZE")


def _reference_sql() -> list[str]:
    rules = ", ".join(
        f"count(*) FILTER (WHERE cc.outcomes ->> '{c}' = 'pass'), "
        f"count(*) FILTER (WHERE cc.outcomes ->> '{c}' = 'fail')"
        for c in RULES
    )
    return [
        "SELECT c.agent_id, c.team_id, count(*), count(cc.score), sum(cc.score), "
        f"count(*) FILTER (WHERE cc.critical_failed), {rules} "
        "FROM calls_callcheck cc JOIN calls_call c ON c.id = cc.call_id "
        "WHERE c.started_at >= %(start)s AND c.started_at < %(end)s GROUP BY 1, 2",
        "SELECT c.agent_id, c.team_id, count(*), count(e.score), sum(e.score), "
        "count(*) FILTER (WHERE e.passed), count(*) FILTER (WHERE e.critical_failed) "
        "FROM evaluations_evaluation e JOIN calls_call c ON c.id = e.call_id "
        "WHERE e.submitted_at >= %(start)s AND e.submitted_at < %(end)s "
        "AND NOT e.is_calibration "
        "AND e.status IN ('submitted', 'acknowledged', 'disputed', 'final') GROUP BY 1, 2",
        "SELECT c.agent_id, an.item_id, sum(an.points), sum(an.possible), count(*) "
        "FROM evaluations_answer an JOIN evaluations_evaluation e ON e.id = an.evaluation_id "
        "JOIN calls_call c ON c.id = e.call_id "
        "WHERE e.submitted_at >= %(start)s AND e.submitted_at < %(end)s "
        "AND NOT e.is_calibration AND NOT an.is_na AND an.possible > 0 "
        "AND e.status IN ('submitted', 'acknowledged', 'disputed', 'final') GROUP BY 1, 2",
    ]


def _time_reference() -> tuple[float, list[list[tuple]]]:
    from django.db import connection, transaction

    from bulletins.services import RUN_WORK_MEM
    from qa_center.periods import local_midnight

    params = {"start": local_midnight(WEEK), "end": local_midnight(WEEK + datetime.timedelta(7))}
    results = []
    began = time.perf_counter()
    # The same memory for sorts and hashes as the weekly run gives itself: with the default
    # 4 MB the reference spills to disk and looks slower than it is.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = %s", [RUN_WORK_MEM])
        for statement in _reference_sql():
            cursor.execute(statement, params)
            results.append(cursor.fetchall())
    return time.perf_counter() - began, results


def _time_run(*, without_last_week: bool = False) -> tuple[float, int]:
    from bulletins import services
    from bulletins.models import Bulletin

    Bulletin.objects.filter(period_start=WEEK).delete()
    real = services._previous_figures
    if without_last_week:
        services._previous_figures = lambda week_start, org: None
    try:
        began = time.perf_counter()
        result = services.bulletins_generate_week(week_start=WEEK)
        return time.perf_counter() - began, len(result.created)
    finally:
        services._previous_figures = real


def _check_same_figures(reference: list[list[tuple]]) -> None:
    """The center's bulletin adds up to the GROUP BY's per-agent rows."""
    from bulletins.models import Bulletin

    checks, evaluations, answers = reference
    data = Bulletin.objects.get(kind="weekly", scope_key="center", period_start=WEEK).data
    head = data["headline"]
    problems = []
    if head["checked"] != sum(r[2] for r in checks):
        problems.append("calls checked")
    if head["evaluated"] != sum(r[2] for r in evaluations):
        problems.append("evaluations")
    rules = {r["code"]: r for r in data["rules"]}
    for i, code in enumerate(RULES):
        passes = sum(r[6 + 2 * i] for r in checks)
        fails = sum(r[7 + 2 * i] for r in checks)
        if (rules[code]["n"], rules[code]["fails"]) != (passes + fails, fails):
            problems.append(f"rule {code}")
    items = {r["code"]: r["n"] for r in data["items"]}
    if sum(items.values()) != sum(r[4] for r in answers):
        problems.append("items")
    if data["headline"]["prev"]["checked"] == 0:
        problems.append("last week is empty")
    if problems:
        sys.exit(f"the bulletin and the GROUP BY disagree: {', '.join(problems)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench/bulletin.py needs PostgreSQL (DATABASE_URL=postgres://…)")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qa_center.settings.base")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench")
    _, name = _admin(url)
    _sql_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
    _sql_admin(url, f'CREATE DATABASE "{name}"')
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        began = time.perf_counter()
        refs = _setup_org()
        _generate(args.calls, refs)
        print(
            f"generated 2 weeks x {args.calls:,} calls with checks, evaluations and "
            f"{args.calls * len(ITEMS):,} answers a week for "
            f"{DEPARTMENTS * TEAMS_PER_DEPARTMENT * AGENTS_PER_TEAM:,} "
            f"agents in {DEPARTMENTS * TEAMS_PER_DEPARTMENT} teams, {DEPARTMENTS} departments "
            f"in {time.perf_counter() - began:.1f} s"
        )
        from bulletins.services import bulletins_generate_week

        began = time.perf_counter()
        bulletins_generate_week(week_start=WEEK - datetime.timedelta(days=7))
        print(f"last week's bulletins (untimed setup): {time.perf_counter() - began:.2f} s")
        reference = []
        run = []
        for _ in range(2):
            seconds, results = _time_reference()
            reference.append(seconds)
            seconds, created = _time_run()
            run.append(seconds)
            _check_same_figures(results)
        rows = sum(len(r) for r in results)
        fallback, _created = _time_run(without_last_week=True)
        _check_same_figures(results)
        best_ref, best_run = min(reference), min(run)
        print(
            f"GROUP BY (per-agent figures, {rows:,} rows): {best_ref:.2f} s "
            f"(runs: {', '.join(f'{s:.2f}' for s in reference)})"
        )
        print(
            f"weekly run ({created} bulletins, all scopes): {best_run:.2f} s "
            f"(runs: {', '.join(f'{s:.2f}' for s in run)})"
        )
        print(
            f"(for information) weekly run scanning last week too, as without last week's "
            f"bulletins: {fallback:.2f} s, {fallback / best_ref:.2f} x"
        )
        ratio = best_run / best_ref
        verdict = "met" if ratio <= 2 else "NOT met"
        print(f"ratio: {ratio:.2f} x (target <= 2 x: {verdict})")
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _sql_admin(url, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
