"""Benchmark of the call import (with automatic checks) against references measured in the same
run on the same file.

    .venv/bin/python bench/import.py [--calls N] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_bench (default; created and dropped)

Generates N calls (default 100,000) as JSON Lines with the demo's Chinese transcripts and
timings, for 240 agents in 12 teams, then times:

- **import**: the real service, `scoring.calls.services.imports.import_file` (what the page, the API
  and `import_calls` call): size/type checks, whole-file validation, agents and teams resolved,
  duplicates looked up, calls written in one transaction, and the automatic checks of every
  call by the engine with the active starter library (the check tasks run in process, eagerly,
  after the commit, as they would in a worker);
- **engine**: the engine alone on the same file (`Library.score_line` per line, the code
  behind `qa_score`, one process);
- **COPY**: a bare `COPY` of the same rows (already as text) into an equivalent table.

Target: import <= 2 x (engine + COPY).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qa_bench"


def _admin_dsn(url: str) -> tuple[str, str]:
    base, name = url.rsplit("/", 1)
    return base + "/postgres", name


def _recreate_database(url: str) -> None:
    import psycopg2

    admin, name = _admin_dsn(url)
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def _drop_database(url: str) -> None:
    import psycopg2
    from django.db import connections

    connections.close_all()
    admin, name = _admin_dsn(url)
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    connection.close()


def _setup_org() -> list[str]:
    from org.models import Agent, Center, Department, Team, TeamMembership, User

    center = Center.objects.create(name="基准中心", code="bench")
    employee_nos = []
    for d in range(3):
        department = Department.objects.create(center=center, name=f"部门{d}", code=f"bd{d}")
        for t in range(4):
            team = Team.objects.create(department=department, name=f"班组{d}{t}", code=f"bt{d}{t}")
            for a in range(20):
                no = f"B{d}{t}{a:02d}"
                agent = Agent.objects.create(employee_no=no, name=f"话务员{no}", team=team)
                TeamMembership.objects.create(
                    agent=agent, team=team, started_on=datetime.date(2024, 1, 1)
                )
                employee_nos.append(no)
    User.objects.create(username="bench", role="admin")
    return employee_nos


def _generate(path: Path, calls: int, employee_nos: list[str]) -> int:
    from django.utils import timezone

    from scoring.calls.demo import _started_at, _transcript

    class _Agent:
        def __init__(self, no: str) -> None:
            self.employee_no = no

    rng = random.Random(7)
    agents = [_Agent(no) for no in employee_nos]
    profiles = {
        no: {"quality": min(1.0, max(0.2, rng.gauss(0.75, 0.18))), "rate": rng.uniform(190, 290)}
        for no in employee_nos
    }
    now = timezone.now()
    with path.open("w", encoding="utf-8") as out:
        for index in range(calls):
            agent = rng.choice(agents)
            call = {
                "call_id": f"BENCH-{index:07d}",
                "agent": agent.employee_no,
                "started_at": _started_at(rng, now).isoformat(),
                "turns": _transcript(rng, agent, profiles[agent.employee_no]),
            }
            out.write(json.dumps(call, ensure_ascii=False) + "\n")
    return path.stat().st_size


def _time_engine(path: Path, library_data: dict) -> float:
    from scoring.engine import load_library

    start = time.perf_counter()
    library = load_library(library_data)
    sink = io.BytesIO()
    with path.open("rb") as source:
        for number, line in enumerate(source, start=1):
            result, _ok = library.score_line(line, number)
            sink.write(result if isinstance(result, bytes) else result.encode())
            sink.write(b"\n")
    return time.perf_counter() - start


def _time_copy(path: Path) -> float:
    """COPY of the same rows into a table like calls_call (same columns and types, same
    unique call_id), rows already prepared as text, timed from the COPY to its commit."""
    import orjson
    from django.db import connection

    agent_ids = _fetch(connection, "SELECT employee_no, id, team_id FROM org_agent")
    buffer = io.StringIO()
    now = "2026-11-24 00:00:00+08"
    with path.open("rb") as source:
        for line in source:
            call = orjson.loads(line)
            agent_id, team_id = agent_ids[call["agent"]]
            turns = orjson.dumps(call["turns"]).decode()
            turns = turns.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            end = call["turns"][-1].get("end", "")
            buffer.write(
                f"{call['call_id']}\t{agent_id}\t{team_id}\t{call['started_at']}\t{end}\tvoice"
                f"\t\t{turns}\t{{}}\t{now}\n"
            )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_copy (id bigserial PRIMARY KEY, call_id varchar(64) UNIQUE "
            "NOT NULL, agent_id bigint NOT NULL, team_id bigint NOT NULL, started_at "
            "timestamptz NOT NULL, duration_seconds double precision, channel varchar(10) NOT "
            "NULL, recording_url varchar(500) NOT NULL, turns jsonb NOT NULL, extra jsonb NOT "
            "NULL, created_at timestamptz NOT NULL)"
        )
        cursor.execute("CREATE INDEX ON bench_copy (started_at)")
        cursor.execute("CREATE INDEX ON bench_copy (team_id, started_at)")
        cursor.execute("CREATE INDEX ON bench_copy (agent_id, started_at)")
    buffer.seek(0)
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.copy_expert(
            "COPY bench_copy (call_id, agent_id, team_id, started_at, duration_seconds, channel,"
            " recording_url, turns, extra, created_at) FROM STDIN",
            buffer,
        )
    return time.perf_counter() - start


def _fetch(connection, sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {no: (pk, team) for no, pk, team in cursor.fetchall()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        print("DATABASE_URL must be a PostgreSQL URL", file=sys.stderr)
        return 2
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)  # checks run eagerly, in this process
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qa_center.settings.base")
    os.environ["LOG_LEVEL"] = "WARNING"
    # The file must fit under the upload limit.
    os.environ.setdefault("QA_IMPORT_MAX_BYTES", str(2 * 1024**3))
    _recreate_database(url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="qa-bench-media-")
    call_command("migrate", verbosity=0)
    from org.models import User
    from scoring.calls.demo import STARTER_LIBRARY
    from scoring.calls.models import Call, CallCheck
    from scoring.calls.services.imports import import_file
    from scoring.rules.services import library_load_file

    try:
        employee_nos = _setup_org()
        library = library_load_file(path=STARTER_LIBRARY, activate=True)
        workdir = Path(tempfile.mkdtemp(prefix="qa-bench-"))
        path = workdir / "calls.jsonl"
        size = _generate(path, args.calls, employee_nos)
        print(
            f"{args.calls:,} calls, {size / 1e6:.1f} MB JSON Lines, "
            f"{len(library.definition['rules'])} rules, PostgreSQL {url.rsplit('/', 1)[-1]}"
        )

        engine = _time_engine(path, library.definition)
        copy = _time_copy(path)

        user = User.objects.get(username="bench")
        content = path.read_bytes()
        start = time.perf_counter()
        if os.environ.get("QA_BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        job = import_file(user=user, filename=path.name, content=content)
        elapsed = time.perf_counter() - start
        if os.environ.get("QA_BENCH_PROFILE"):
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        job.refresh_from_db()
        calls = Call.objects.count()
        checks = CallCheck.objects.count()
        if job.status != "done" or calls != args.calls or checks != args.calls:
            print(f"import incomplete: {job.status} {calls} calls {checks} checks {job.errors[:3]}")
            return 1

        reference = engine + copy
        ratio = elapsed / reference
        print(f"engine alone      {engine:8.2f} s  ({args.calls / engine:,.0f} calls/s)")
        print(f"COPY of the rows  {copy:8.2f} s")
        print(f"engine + COPY     {reference:8.2f} s")
        print(
            f"import + checks   {elapsed:8.2f} s  ({args.calls / elapsed:,.0f} calls/s)  "
            f"= {ratio:.2f} x (engine + COPY); target <= 2.00 x: "
            + ("met" if ratio <= 2 else "NOT met")
        )
        return 0
    finally:
        if not args.keep:
            _drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
