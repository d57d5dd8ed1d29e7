"""Each fast path beside its general twin, measured in the same run on the same data, so that
docs/performance.md can say which twin earns its place.

    .venv/bin/python bench/twins.py [--calls N] [--import-calls N] [--repeat N] [--no-db]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_bench_twins (default; created and dropped)

The pairs (each line prints the fast path, its twin, and fast ÷ twin):

- **normalizers** (engine): a call's turns normalized at once (`_fast_call` on the joined
  turns), one turn at a time (`normalize`: its `_fast` path, else the exact one), and the exact
  path alone (`_normalize_exact`) — on the engine bench's calls, which mix full-width letters,
  noise and punctuation;
- **CLI strategies** (engine): `qa_score --workers 2` on a regular file (ranged workers reading
  and writing the files themselves) and on a pipe (the pool: blocks sent to workers), beside
  one process;
- **JSON Lines reading** (import): the import's reader with its fast path for canonical lines
  (orjson, one type check per field) and with every line through the full validation;
- **COPY and portable writes** (import, PostgreSQL): the whole import with automatic checks,
  calls and checks written with COPY, and the same import through bulk_create (the path every
  other database takes).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qa_bench_twins"
QUIET = subprocess.DEVNULL  # the generated library's warnings


def _bench_module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def best(repeat: int, fn, *args) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - started)
    return min(times)


def line(name: str, fast: float, twin: float, note: str = "") -> None:
    print(
        f"{name:<44} fast {fast:8.3f} s   twin {twin:8.3f} s   fast/twin {fast / twin:5.2f}  {note}"
    )


def normalizers(calls_path: Path, repeat: int) -> None:
    import orjson

    norm = importlib.import_module("scoring.engine.normalize")

    calls = [orjson.loads(raw) for raw in calls_path.read_bytes().splitlines() if raw.strip()]
    texts = [[turn["text"] for turn in call["turns"]] for call in calls]
    joined = ["\n".join(t) for t in texts]
    hits = sum(norm._fast_call(j) is not None for j in joined)

    def whole_calls():
        for turns in texts:
            norm.normalize_call(turns)

    def per_turn():
        for turns in texts:
            for text in turns:
                norm.normalize(text)

    def exact():
        for turns in texts:
            for text in turns:
                norm._normalize_exact(text)

    fast = best(repeat, whole_calls)
    line(
        "normalize: whole call vs each turn",
        fast,
        best(repeat, per_turn),
        f"{hits}/{len(texts)} calls on the fast path",
    )
    line("normalize: whole call vs exact path only", fast, best(repeat, exact))


def cli_strategies(rules: Path, calls: Path, out: Path, repeat: int) -> None:
    python = sys.executable
    base = [python, "-m", "scoring.engine", "--rules", str(rules), "--output", str(out)]

    def ranged():
        subprocess.run([*base, "--workers", "2", str(calls)], check=True, cwd=ROOT, stderr=QUIET)

    def pooled():
        with calls.open("rb") as source:
            subprocess.run(
                [*base, "--workers", "2", "-"], stdin=source, check=True, cwd=ROOT, stderr=QUIET
            )

    def serial():
        subprocess.run([*base, str(calls)], check=True, cwd=ROOT, stderr=QUIET)

    fast = best(repeat, ranged)
    line("qa_score --workers 2: ranged vs pooled", fast, best(repeat, pooled))
    line("qa_score: ranged 2 workers vs one process", fast, best(repeat, serial))


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qa_center.settings.base")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ.pop("REDIS_URL", None)
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)  # the eager tasks' log lines


def import_twins(count: int, repeat: int, url: str) -> None:
    bench_import = _bench_module("import")
    bench_import._recreate_database(url)
    _django(url)
    from django.core.management import call_command
    from django.db import connection

    from scoring.calls.importers import jsonl
    from scoring.calls.models import Call, CallCheck
    from scoring.calls.services import copy
    from scoring.calls.services.imports import import_file
    from scoring.rules.services import STARTER_LIBRARY, library_load_file

    try:
        call_command("migrate", verbosity=0)
        employee_nos = bench_import._setup_org()
        library_load_file(path=STARTER_LIBRARY, activate=True)
        from org.models import User

        user = User.objects.get(username="bench")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "calls.jsonl"
            bench_import._generate(path, count, employee_nos)
            data = path.read_bytes()

            def read_all():
                reader = jsonl.JsonlReader(data)
                for _call in reader:
                    pass
                assert not reader.finish()

            fast = best(repeat, read_all)
            real_fast_call = jsonl._fast_call
            jsonl._fast_call = lambda raw: None
            try:
                full = best(repeat, read_all)
            finally:
                jsonl._fast_call = real_fast_call
            line(f"JSON Lines reading ({count} calls)", fast, full)

            def clean():
                CallCheck.objects.all().delete()
                Call.objects.all().delete()
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")

            def run_import():
                job = import_file(user=user, filename="calls.jsonl", content=data)
                job.refresh_from_db()
                assert job.status == "done", job.errors[:3]
                assert CallCheck.objects.count() == count

            times = {}
            for name, postgres in (("copy", True), ("portable", False)):
                original = copy.is_postgres
                copy.is_postgres = (lambda: True) if postgres else (lambda: False)
                try:
                    runs = []
                    for _ in range(repeat):
                        clean()
                        started = time.perf_counter()
                        run_import()
                        runs.append(time.perf_counter() - started)
                    times[name] = min(runs)
                finally:
                    copy.is_postgres = original
            line(
                f"import + checks ({count} calls): COPY vs bulk_create",
                times["copy"],
                times["portable"],
            )
    finally:
        bench_import._drop_database(url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=3000, help="engine calls (3000)")
    parser.add_argument("--import-calls", type=int, default=20000, help="import calls (20000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure, best kept (3)")
    parser.add_argument("--no-db", action="store_true", help="skip the PostgreSQL pairs")
    args = parser.parse_args(argv)
    bench_engine = _bench_module("engine")
    import json

    from scoring.engine import ENGINE_MODE

    print(f"engine: {ENGINE_MODE}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        library = bench_engine.make_library(300)
        rules = tmp_path / "rules.json"
        rules.write_text(json.dumps(library, ensure_ascii=False), encoding="utf-8")
        calls = tmp_path / "calls.jsonl"
        common = bench_engine.library_phrases(library)
        rare = [
            p
            for p in bench_engine.library_phrases(bench_engine.make_library(3000))
            if p not in set(common)
        ]
        bench_engine.make_calls(calls, args.calls, (common, rare))
        normalizers(calls, args.repeat)
        cli_strategies(rules, calls, tmp_path / "out.jsonl", args.repeat)
    if not args.no_db:
        import_twins(args.import_calls, args.repeat, os.environ.get("DATABASE_URL", DEFAULT_URL))
    return 0


if __name__ == "__main__":
    sys.exit(main())
