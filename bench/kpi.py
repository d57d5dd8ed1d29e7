"""Benchmark of the KPI month close against the bare PostgreSQL GROUP BY, same run, same data.

    .venv/bin/python bench/kpi.py [--agents 5000] [--days 365] [--keep]
    .venv/bin/python bench/kpi.py --reclose 2025-12   # again on a database kept by --keep
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_bench_kpi (default; created and dropped)

Builds departments of 20 teams of 10 agents (5,000 agents: 25 departments, 500 teams), 12
agent-grain indicators watched monthly (rates, means and one additive count), and `--days` days
of measurements for every agent and indicator (5,000 × 365 × 12 = 21.9 million rows), generated
server-side (INSERT … SELECT over generate_series, one indicator at a time: nothing crosses the
wire), then ANALYZE (what autovacuum does after a bulk load; it also fills the extended
statistics of migration kpi 0004). The days are added in stages (about a month, a quarter,
half a year, the year); after each stage the last whole month is closed, each close in a fresh
child process:

- **GROUP BY**: bare SQL computing the same per-unit numerators and denominators the close
  stores: per agent, per team (of the day), per department and for the center, all 12
  indicators, over the month's days;
- **close (values)**: `kpi.services.period_close(kind="month", shortfalls=False)` — the code
  behind the beat job and `manage.py kpi_close` — every unit's value of every indicator computed
  by SQL aggregates and upserted (INSERT … ON CONFLICT) into kpi_kpivalue. Each child runs three
  rounds of GROUP BY then close: the **first** close of the month writes every value (66,312
  rows at 5,000 agents: what the real close does once a month), the **repeat** closes find
  them unchanged and write nothing (a job run again). Both are reported, each against the best
  of the GROUP BY's three runs. The close turns JIT compilation off for its statements (at 22
  million rows compiling cost more than the aggregate); the GROUP BY runs as the server is
  configured (JIT on), and once more with JIT off, printed beside it ("no JIT") so that the
  ratio to a GROUP BY under the same setting can be read too;
- **close (with shortfalls)**, for information: the same plus the special-cause charts of every
  team, department and the center (26 weeks of weekly points per unit and indicator).

The stored values are checked against the GROUP BY's rows (every unit and indicator). Peak memory
is the child's resource.getrusage maxrss above its state before the close: it stays flat as the
stored days grow, because no frame of every agent's days is ever read into Python.

Target: close (values) <= 2 x GROUP BY, the first close as well as the repeats.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qa_bench_kpi"
FIRST_DAY = datetime.date(2025, 1, 1)
TEAMS_PER_DEPARTMENT, AGENTS_PER_TEAM = 20, 10
# code, measure, direction: 9 rates, 2 means, 1 additive.
INDICATORS = [
    ("service_level", "rate", "higher"),
    ("answer_rate", "rate", "higher"),
    ("abandonment", "rate", "lower"),
    ("fcr", "rate", "higher"),
    ("repeat_calls", "rate", "lower"),
    ("csat", "rate", "higher"),
    ("complaints", "rate", "lower"),
    ("pass_rate", "rate", "higher"),
    ("compliance", "rate", "higher"),
    ("aht", "mean", "lower"),
    ("qa_score", "mean", "higher"),
    ("callbacks", "additive", "higher"),
]


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


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qa_center.settings.base")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench")
    import django

    django.setup()


def _setup(agents: int) -> None:
    from django.db import connection

    from kpi.models import Indicator
    from org.models import Center

    teams = max(1, agents // AGENTS_PER_TEAM)
    departments = max(1, -(-teams // TEAMS_PER_DEPARTMENT))
    center = Center.objects.create(name="基准中心", code="bench")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO org_department (center_id, name, code) "
            "SELECT %s, '部门' || d, 'bd' || d FROM generate_series(1, %s) d",
            [center.pk, departments],
        )
        cursor.execute(
            "INSERT INTO org_team (department_id, name, code) "
            "SELECT (SELECT id FROM org_department ORDER BY id OFFSET (t - 1) / %s LIMIT 1), "
            "'班组' || t, 'bt' || t FROM generate_series(1, %s) t",
            [TEAMS_PER_DEPARTMENT, teams],
        )
        cursor.execute(
            "INSERT INTO org_agent (employee_no, name, name_sort, name_initials, team_id, "
            "hired_on, is_active) "
            "SELECT 'E' || t.id || '-' || a, '话务员' || t.id || '-' || a, 'hwy', 'hwy', t.id, "
            "'2024-01-01', true FROM org_team t, generate_series(1, %s) a",
            [AGENTS_PER_TEAM],
        )
    for code, measure, direction in INDICATORS:
        Indicator.objects.create(
            code=code,
            name_zh=code,
            name_en=code,
            definition_zh="基准",
            definition_en="bench",
            measure=measure,
            direction=direction,
            period="month",
            source="external",
            unit="%" if measure == "rate" else "s",
        )


def _generate(first: datetime.date, last: datetime.date) -> int:
    """Measurements of every agent and indicator for the days [first, last]; rows added."""
    from django.db import connection

    from kpi.models import Indicator

    added = 0
    with connection.cursor() as cursor:
        # Bulk load: the foreign keys' triggers off for this session (the ids come from the
        # tables themselves); the unique and day indexes stay, as in production.
        cursor.execute("SET session_replication_role = replica")
        for indicator in Indicator.objects.order_by("pk"):
            if indicator.measure == "rate":
                # Denominator 20..120 calls; numerator a share that varies by team and day.
                figures = (
                    "floor(20 + random() * 100)::numeric AS den, "
                    "0.70 + (t.team_id %% 10) * 0.02 + random() * 0.08 AS share"
                )
                numerator, denominator = "floor(f.den * f.share)", "f.den"
            elif indicator.measure == "mean":
                figures = (
                    "floor(20 + random() * 100)::numeric AS den, 200 + random() * 200 AS share"
                )
                numerator, denominator = "round(f.den * f.share::numeric, 2)", "f.den"
            else:
                figures = "floor(random() * 10)::numeric AS den, 0 AS share"
                numerator, denominator = "f.den", "NULL"
            cursor.execute(
                "INSERT INTO kpi_measurement (indicator_id, level, unit_id, agent_id, team_id, "
                "department_id, day, numerator, denominator, origin, updated_at) "
                f"SELECT %s, 'agent', t.id, t.id, t.team_id, t.department_id, d::date, "
                f"{numerator}, {denominator}, 'demo', now() "
                "FROM generate_series(%s::date, %s::date, interval '1 day') d "
                "CROSS JOIN bench_agents t "
                f"CROSS JOIN LATERAL (SELECT {figures} WHERE t.id IS NOT NULL AND d IS NOT NULL) f",
                [indicator.pk, first, last],
            )
            added += cursor.rowcount
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE kpi_measurement")
    return added


REFERENCE = [
    "SELECT indicator_id, agent_id, sum(numerator), sum(denominator) FROM kpi_measurement "
    "WHERE day >= %(start)s AND day <= %(end)s GROUP BY 1, 2",
    "SELECT indicator_id, team_id, sum(numerator), sum(denominator) FROM kpi_measurement "
    "WHERE day >= %(start)s AND day <= %(end)s GROUP BY 1, 2",
    "SELECT indicator_id, department_id, sum(numerator), sum(denominator) FROM kpi_measurement "
    "WHERE day >= %(start)s AND day <= %(end)s GROUP BY 1, 2",
    "SELECT indicator_id, 0, sum(numerator), sum(denominator) FROM kpi_measurement "
    "WHERE day >= %(start)s AND day <= %(end)s GROUP BY 1",
]


def _reference(start: datetime.date, end: datetime.date, *, jit: bool = True) -> tuple[float, dict]:
    """The bare GROUP BYs, as the server is configured (jit=False: with JIT compilation off for
    them, as the close turns it off for its own statements)."""
    from django.db import connection

    began = time.perf_counter()
    found = {}
    with connection.cursor() as cursor:
        cursor.execute("SET jit = " + ("DEFAULT" if jit else "off"))
        for level, sql in zip(("agent", "team", "department", "center"), REFERENCE, strict=True):
            cursor.execute(sql, {"start": start, "end": end})
            for indicator_id, unit_id, numerator, denominator in cursor.fetchall():
                found[(indicator_id, level, unit_id)] = (numerator, denominator)
        seconds = time.perf_counter() - began
        cursor.execute("SET jit = DEFAULT")
    return seconds, found


def _child(month: str) -> None:
    """One close in a fresh process: prints JSON with the timings and the peak memory."""
    _django()
    from kpi.models import KpiValue
    from kpi.services import period_close
    from qa_center import periods

    period = periods.parse_period(month, periods.MONTH)
    # Warm the connection and the catalogue like a worker would be.
    _reference(period.first_day, period.first_day)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reference, no_jit, run = [], [], []
    for _ in range(3):
        seconds, found = _reference(period.first_day, period.last_day)
        reference.append(seconds)
        no_jit.append(_reference(period.first_day, period.last_day, jit=False)[0])
        began = time.perf_counter()
        result = period_close(kind="month", day=period.first_day, shortfalls=False)
        run.append(time.perf_counter() - began)
    after_values = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    stored = {
        (v.indicator_id, v.level, v.unit_id): (v.numerator, v.denominator)
        for v in KpiValue.objects.filter(period_kind="month", period_start=period.first_day)
    }
    assert stored == found, "the close and the GROUP BY disagree"
    began = time.perf_counter()
    full = period_close(kind="month", day=period.first_day)
    with_shortfalls = time.perf_counter() - began
    after_all = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "reference": reference,
                "reference_no_jit": no_jit,
                "run": run,
                "values": result.values,
                "with_shortfalls": with_shortfalls,
                "shortfalls": full.shortfalls,
                "rss_before_kb": before,
                "rss_values_kb": after_values - before,
                "rss_all_kb": after_all - before,
            }
        )
    )


def _last_whole_month(last: datetime.date) -> str:
    from qa_center import periods

    period = periods.period_of(periods.MONTH, last)
    if period.last_day != last:
        period = periods.previous(period)
    return periods.format_period(period)


def _header() -> None:
    print(
        f"{'days':>5} {'rows':>12} {'gen s':>7} | {'GROUP BY s':>10} {'no JIT':>6} | "
        f"{'first s':>7} {'ratio':>6} | {'repeat s':>8} {'ratio':>6} | {'values':>7} "
        f"{'+shortfalls s':>13} | {'peak MB (values/all)':>20}"
    )


def _close_row(month: str, days: int, total: int, generated: float) -> None:
    """Close `month` in a fresh child process and print its row."""
    child = subprocess.run(
        [sys.executable, __file__, "--child", month],
        capture_output=True,
        text=True,
        env={**os.environ},
        check=False,
    )
    if child.returncode != 0:
        sys.exit(child.stderr[-3000:])
    out = json.loads(child.stdout.strip().splitlines()[-1])
    ref, once, run = min(out["reference"]), out["run"][0], min(out["run"][1:])
    plain = min(out["reference_no_jit"])
    print(
        f"{days:>5} {total:>12,} {generated:>7.1f} | {ref:>10.2f} {plain:>6.2f} | "
        f"{once:>7.2f} {once / ref:>5.2f}x | {run:>8.2f} {run / ref:>5.2f}x | "
        f"{out['values']:>7,} {out['with_shortfalls']:>13.2f} | "
        f"{out['rss_values_kb'] / 1024:>9.1f} / {out['rss_all_kb'] / 1024:<9.1f}"
        f"  (month {month}; runs GROUP BY {', '.join(f'{s:.2f}' for s in out['reference'])}"
        f"; without JIT {', '.join(f'{s:.2f}' for s in out['reference_no_jit'])}"
        f", close {', '.join(f'{s:.2f}' for s in out['run'])})"
    )


def _reclose(month: str) -> None:
    """On a database kept by --keep: the month's stored values deleted (so the first close
    writes them all again), then closed in a child as after a stage."""
    _django()
    from django.db import connection

    from kpi.models import KpiValue
    from qa_center import periods

    period = periods.parse_period(month, periods.MONTH)
    KpiValue.objects.filter(period_kind="month", period_start=period.first_day).delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT day) FROM kpi_measurement")
        total, days = cursor.fetchone()
    connection.close()
    _header()
    _close_row(month, days, total, 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", type=int, default=5000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reclose",
        metavar="YYYY-MM",
        help="on a database kept by --keep: delete the month's values and close it again",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench/kpi.py needs PostgreSQL (DATABASE_URL=postgres://…)")
    os.environ["DATABASE_URL"] = url
    if args.child:
        _child(args.child)
        return
    if args.reclose:
        _reclose(args.reclose)
        return
    _, name = _admin(url)
    _sql_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
    _sql_admin(url, f'CREATE DATABASE "{name}"')
    try:
        _django()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", "kpi", verbosity=0)  # kpi and what it depends on
        _setup(args.agents)
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_agents AS SELECT a.id, a.team_id, t.department_id "
                "FROM org_agent a JOIN org_team t ON t.id = a.team_id"
            )
            cursor.execute(
                "SELECT count(*), count(DISTINCT team_id), count(DISTINCT department_id) FROM bench_agents"
            )
            agents, teams, departments = cursor.fetchone()
        print(
            f"{agents:,} agents in {teams:,} teams, {departments} departments; "
            f"{len(INDICATORS)} indicators (9 rates, 2 means, 1 additive), monthly"
        )
        stages = sorted({d for d in (31, 92, 183, args.days) if d <= args.days})
        done, total = 0, 0
        _header()
        for stage in stages:
            began = time.perf_counter()
            first = FIRST_DAY + datetime.timedelta(days=done)
            last = FIRST_DAY + datetime.timedelta(days=stage - 1)
            total += _generate(first, last)
            generated = time.perf_counter() - began
            done = stage
            connection.close()
            _close_row(_last_whole_month(last), stage, total, generated)
        print(
            "Target: close (values) <= 2 x GROUP BY, first and repeat; peak memory flat as the "
            "days grow. The ratios are to the GROUP BY as configured (JIT on, the default); "
            "divide by the 'no JIT' column for the GROUP BY without JIT, as the close runs."
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _sql_admin(url, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
