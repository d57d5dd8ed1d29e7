"""Bytes per call of a call's stored automatic results in PostgreSQL, beside the full form.

    .venv/bin/python bench/stored_size.py [--calls N] [--rules R] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_bench_storage (default; created, dropped)

Generates the calls and the rule library of ``bench/engine.py`` (the same generators and seeds: 20-60 turns of Chinese hotline
talk with rule phrases and near misses; the starter library plus synthetic rules up to R, default
300), writes the calls and an active library with the real services, and checks every call on
the real path the web app uses (``scoring.calls.services.checks.call_checks_run``: the engine's
compact results, COPY on PostgreSQL). Then reads, in the database:

- **compact (stored)**: ``pg_column_size(results)`` of the checks table (the bytes the column
  takes in the row or in TOAST, after PostgreSQL's own compression), and ``octet_length`` of
  its text;
- **full (reference)**: the same calls' full results array (every rule, ``na`` ones included:
  ``Library.check_line(line)`` without ``compact``) written in the same run into a jsonb column
  of the same type, measured the same way;
- the ``outcomes`` column (applied rules only) and the whole checks row, for information.

Target: compact <= 2 kB per call at 300 rules. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qa_bench_storage"


def _generator():
    """bench/engine.py's generators (calls and libraries), imported, not copied."""
    spec = importlib.util.spec_from_file_location("bench_engine", ROOT / "bench" / "engine.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _admin_dsn(url: str) -> tuple[str, str]:
    base, name = url.rsplit("/", 1)
    return base + "/postgres", name


def _database(url: str, *, create: bool) -> None:
    import psycopg2

    admin, name = _admin_dsn(url)
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def _agent():
    from org.models import Agent, Center, Department, Team

    center = Center.objects.create(name="基准中心", code="bench")
    department = Department.objects.create(center=center, name="部门", code="bd")
    team = Team.objects.create(department=department, name="班组", code="bt")
    return Agent.objects.create(employee_no="B0001", name="话务员", team=team)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls to generate (2000)")
    parser.add_argument("--rules", type=int, default=300, help="rules in the library (300)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        print("DATABASE_URL must be a PostgreSQL URL", file=sys.stderr)
        return 2
    os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qa_center.settings.base")
    os.environ["LOG_LEVEL"] = "WARNING"
    gen = _generator()
    _database(url, create=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    call_command("migrate", verbosity=0)
    from scoring.calls.models import Call, CallCheck
    from scoring.calls.services.checks import call_checks_run, engine_library
    from scoring.rules.services import library_activate, library_create

    try:
        definition = gen.make_library(args.rules)
        library = library_activate(library=library_create(definition=definition))
        workdir = Path(tempfile.mkdtemp(prefix="qa-bench-storage-"))
        path = workdir / "calls.jsonl"
        # The phrases said, as bench/engine.py draws them: mostly the 300-rule library's,
        # a long tail of the 3,000-rule one's.
        common = gen.library_phrases(gen.make_library(300))
        rare = [p for p in gen.library_phrases(gen.make_library(3000)) if p not in set(common)]
        gen.make_calls(path, args.calls, (common, rare))
        agent = _agent()
        started = datetime.datetime(2026, 11, 2, 9, 15, tzinfo=datetime.UTC)
        lines = path.read_bytes().splitlines()
        calls = Call.objects.bulk_create(
            [
                Call(
                    call_id=f"S-{i:06d}",
                    agent=agent,
                    team_id=agent.team_id,
                    started_at=started + datetime.timedelta(seconds=i),
                    turns=json.loads(line)["turns"],
                )
                for i, line in enumerate(lines)
            ],
            batch_size=1000,
        )
        ids = [c.pk for c in calls] or list(Call.objects.values_list("pk", flat=True))
        checked = call_checks_run(call_ids=ids, library_id=library.pk, force=True)

        # The reference: the full results array of the same calls, same column type.
        compiled = engine_library(library)
        checks = CallCheck._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE _full_results (results jsonb NOT NULL)")
            rows = [(bytes(compiled.check_line(line).results_json).decode(),) for line in lines]
            cursor.executemany("INSERT INTO _full_results (results) VALUES (%s::jsonb)", rows)
            cursor.execute(
                f"SELECT avg(pg_column_size(results)), avg(octet_length(results::text)), "
                f"avg(pg_column_size(outcomes)), avg(pg_column_size(k.*)), "
                f"avg(jsonb_array_length(CASE jsonb_typeof(results) WHEN 'array' THEN results "
                f"ELSE '[]' END)) FROM {checks} k"
            )
            compact, compact_text, outcomes, row, _ = cursor.fetchone()
            cursor.execute(
                "SELECT avg(pg_column_size(results)), avg(octet_length(results::text)) "
                "FROM _full_results"
            )
            full, full_text = cursor.fetchone()
            cursor.execute("SHOW default_toast_compression")
            (compression,) = cursor.fetchone()
            cursor.execute("SHOW server_version")
            (version,) = cursor.fetchone()
        rules = len(definition["rules"])
        print(
            f"{checked:,} calls checked, {rules} rules, PostgreSQL {version} "
            f"(TOAST compression {compression}), database {url.rsplit('/', 1)[-1]}"
        )
        print(f"{'bytes per call':34} {'in column':>10} {'as text':>10}")
        print(
            f"{'results, compact (stored)':34} {float(compact):10.0f} {float(compact_text):10.0f}"
        )
        print(f"{'results, full (reference)':34} {float(full):10.0f} {float(full_text):10.0f}")
        print(f"{'outcomes (applied rules)':34} {float(outcomes):10.0f}")
        print(f"{'whole checks row':34} {float(row):10.0f}")
        print(
            f"compact / full in column: {float(compact) / float(full):.3f};"
            f" target compact <= 2 kB (2000 bytes) per call at 300 rules:"
            f" {'met' if float(compact) <= 2000 else 'NOT met'}"
        )
        for p in workdir.iterdir():
            p.unlink()
        workdir.rmdir()
    finally:
        connections.close_all()
        if not args.keep:
            _database(url, create=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
