"""Benchmark of the weekly bulletin run against the bare PostgreSQL GROUP BY, same run, same data.

    .venv/bin/python bench/bulletin.py [--calls 1000000] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_bench_bulletin (default; created and
    dropped)

Builds 20 departments, 500 teams, 5,000 agents, then a week of N calls (default 1,000,000),
each with an automatic check (15 rules in the JSON outcomes) and a submitted evaluation with 4
answered items, generated server-side (INSERT … SELECT over generate_series, the fastest path:
nothing crosses the wire). Then times, best of two:

- **GROUP BY**: bare SQL computing the per-agent figures the bulletins are made of: calls
  checked, automatic score sum and count, critical failures, pass/fail count of every rule (from
  the JSON outcomes); evaluations, score sum, passed, critical; points/possible per item.
- **weekly run**: `bulletins.services.bulletins_generate_week`, the code behind the Monday job
  and `generate_bulletins --week`: the same figures per agent and team for this week and the one
  before, example calls, the center's, 20 departments' and 500 teams' bulletins built and
  written in one transaction (521 bulletins), follow-ups, notifications.

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
    from scoring.models import RuleLibrary, Scorecard, ScorecardItem, ScorecardSection

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

    from bulletins.figures import local_midnight

    start = local_midnight(WEEK)
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
            "INSERT INTO scoring_call (call_id, agent_id, team_id, started_at, duration_seconds, "
            "channel, recording_url, turns, extra, created_at) "
            "SELECT 'BC-' || g, a.id, a.team_id, %s + (g %% 604800) * interval '1 second', 120, "
            "'voice', '', '[]'::jsonb, '{}'::jsonb, now() "
            "FROM generate_series(0, %s - 1) g JOIN bench_agents a ON a.n = g %% %s",
            [start, calls, agents],
        )
        cursor.execute(
            "INSERT INTO scoring_callcheck (call_id, library_id, score, critical_failed, "
            f"outcomes, results, checked_at) SELECT c.id, %s, round((60 + random() * 40)::numeric"
            f", 2), random() < 0.02, jsonb_build_object({outcomes}), '[]'::jsonb, now() "
            "FROM scoring_call c JOIN bench_agents a ON a.id = c.agent_id",
            [refs["library"].pk],
        )
        cursor.execute(
            "INSERT INTO scoring_evaluation (call_id, scorecard_id, evaluator_id, status, score, "
            "critical_failed, passed, comment, version, created_at, updated_at, submitted_at) "
            "SELECT c.id, %s, %s, 'submitted', s.score, s.crit, s.score >= 80 AND NOT s.crit, "
            "'', 1, now(), now(), c.started_at + interval '1 hour' "
            "FROM scoring_call c, LATERAL (SELECT round((55 + random() * 45)::numeric, 2) AS "
            "score, random() < 0.02 AS crit WHERE c.id IS NOT NULL) s",
            [refs["card"].pk, refs["supervisor"].pk],
        )
        for item in refs["items"]:
            cursor.execute(
                "INSERT INTO scoring_answer (evaluation_id, item_id, value, is_na, auto_na, "
                "override_reason, note, points, possible) "
                "SELECT e.id, %s, v.v, false, false, '', '', v.v, 1 FROM scoring_evaluation e, "
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
        "FROM scoring_callcheck cc JOIN scoring_call c ON c.id = cc.call_id "
        "WHERE c.started_at >= %(start)s AND c.started_at < %(end)s GROUP BY 1, 2",
        "SELECT c.agent_id, c.team_id, count(*), count(e.score), sum(e.score), "
        "count(*) FILTER (WHERE e.passed), count(*) FILTER (WHERE e.critical_failed) "
        "FROM scoring_evaluation e JOIN scoring_call c ON c.id = e.call_id "
        "WHERE e.submitted_at >= %(start)s AND e.submitted_at < %(end)s "
        "AND e.calibration_id IS NULL "
        "AND e.status IN ('submitted', 'acknowledged', 'disputed', 'final') GROUP BY 1, 2",
        "SELECT c.agent_id, an.item_id, sum(an.points), sum(an.possible), count(*) "
        "FROM scoring_answer an JOIN scoring_evaluation e ON e.id = an.evaluation_id "
        "JOIN scoring_call c ON c.id = e.call_id "
        "WHERE e.submitted_at >= %(start)s AND e.submitted_at < %(end)s "
        "AND e.calibration_id IS NULL AND NOT an.is_na AND an.possible > 0 "
        "AND e.status IN ('submitted', 'acknowledged', 'disputed', 'final') GROUP BY 1, 2",
    ]


def _time_reference() -> tuple[float, int]:
    from django.db import connection

    from bulletins.figures import local_midnight

    params = {"start": local_midnight(WEEK), "end": local_midnight(WEEK + datetime.timedelta(7))}
    rows = 0
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in _reference_sql():
            cursor.execute(statement, params)
            rows += len(cursor.fetchall())
    return time.perf_counter() - began, rows


def _time_run() -> tuple[float, int]:
    from bulletins.models import Bulletin
    from bulletins.services import bulletins_generate_week

    Bulletin.objects.all().delete()
    began = time.perf_counter()
    result = bulletins_generate_week(week_start=WEEK)
    return time.perf_counter() - began, len(result.created)


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
            f"generated {args.calls:,} calls with checks, evaluations and "
            f"{args.calls * len(ITEMS):,} answers for {DEPARTMENTS * TEAMS_PER_DEPARTMENT * AGENTS_PER_TEAM:,} "
            f"agents in {DEPARTMENTS * TEAMS_PER_DEPARTMENT} teams, {DEPARTMENTS} departments "
            f"in {time.perf_counter() - began:.1f} s"
        )
        reference = []
        run = []
        for _ in range(2):
            seconds, rows = _time_reference()
            reference.append(seconds)
            seconds, created = _time_run()
            run.append(seconds)
        best_ref, best_run = min(reference), min(run)
        print(
            f"GROUP BY (per-agent figures, {rows:,} rows): {best_ref:.2f} s "
            f"(runs: {', '.join(f'{s:.2f}' for s in reference)})"
        )
        print(
            f"weekly run ({created} bulletins, all scopes): {best_run:.2f} s "
            f"(runs: {', '.join(f'{s:.2f}' for s in run)})"
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
