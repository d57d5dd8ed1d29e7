"""Benchmark of the standards library search against a plain indexed lookup, same run, same data.

    .venv/bin/python bench/standards_search.py [--specifications 10000] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_bench_standards (default; created and
    dropped)

Builds 10,000 answer specifications (the demo's hotline scenarios × customer situations, with
a numbered variant and one of 200 owners with Chinese names), with their search text as the
services write it, then ANALYZE (no VACUUM: the index is as the writes left it). Times, through
the ORM as the page and the API run them (audits.standards.selectors.standards_for as an
administrator, first page of 50 rows, the list's owners, monitors, departments and working
groups joined), RUNS runs each, median and best:

- **indexed page** (the reference): the first 50 of one department's specifications by the
  (department, kind, status) index, the list page without a search: the same page, same
  joins, read by a plain indexed lookup. Each search is timed in alternation with it (one run
  of each in turn), so that both see the same load of this shared machine, and its ratio is
  to the reference of its own runs;
- for information, a **lookup by code** (one standard, the unique B-tree index, no joins);
- **search** for: a rare two-character word (携号), a common phrase (国际漫游), a code
  fragment (GF-KD), an owner's pinyin initials, an owner's name, two words at once, and
  searches with the list's filters (department, kind, status).

Target: every search <= 1.5 x the indexed page (median), the bigram GIN index used, and the
query count of a page unchanged by the search.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qa_bench_standards"
RUNS = 200


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


def _build(n: int) -> tuple[object, list[object]]:
    import random

    from audits.standards.demo import SCENARIOS, SITUATIONS
    from audits.standards.models import Kind, Standard, Status
    from audits.standards.services import search_text_of
    from org.demo import GIVEN, SURNAMES
    from org.models import Center, Department, Role, User
    from org.names import pinyin_initials

    rng = random.Random(10000)
    center = Center.objects.create(code="bench", name="基准中心")
    departments = [
        Department.objects.create(center=center, code=f"d{i}", name=f"部门{i}") for i in range(5)
    ]
    owners = []
    for i in range(200):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        owners.append(
            User(
                username=f"owner{i}",
                full_name=name,
                role=Role.SUPERVISOR,
                department=departments[i % 5],
            )
        )
    owners = User.objects.bulk_create(owners)
    admin = User.objects.create(username="admin", role=Role.ADMIN)
    rows = []
    for i in range(n):
        area, _dep, question, answer, _rules = SCENARIOS[i % len(SCENARIOS)]
        code, situation, addition = SITUATIONS[(i // len(SCENARIOS)) % len(SITUATIONS)]
        variant = i // (len(SCENARIOS) * len(SITUATIONS))
        owner = owners[i % len(owners)]
        title = f"{question}（{situation}）第{variant + 1}版口径"
        text = f"您好，{answer}。{addition}。请问还有其他可以帮您的吗？"
        std_code = f"GF-{area}-{code}-{variant:03d}"
        terms = [
            std_code,
            title,
            question,
            text,
            owner.full_name,
            pinyin_initials(owner.full_name),
            owner.username,
        ]
        rows.append(
            Standard(
                code=std_code,
                kind=Kind.SPECIFICATION,
                title=title,
                department=departments[i % 5],
                owner=owner,
                monitor=owner,
                status=Status.DRAFT,
                search_text=search_text_of(terms),
            )
        )
    Standard.objects.bulk_create(rows, batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return admin, owners


def _median_ms(run) -> tuple[float, float, int]:
    """Median and best of RUNS runs, in ms, and the number of rows."""
    result = run()  # warm
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000, min(times) * 1000, len(result)


def _paired_ms(reference, run) -> tuple[tuple[float, float], tuple[float, float], int]:
    """The reference and `run` in alternation, RUNS runs each: (median, best) of each, in ms,
    and the number of rows of `run`."""
    reference()
    result = run()
    ref_times, times = [], []
    for _ in range(RUNS):
        began = time.perf_counter()
        reference()
        ref_times.append(time.perf_counter() - began)
        began = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - began)
    return (
        (statistics.median(ref_times) * 1000, min(ref_times) * 1000),
        (statistics.median(times) * 1000, min(times) * 1000),
        len(result),
    )


def _queries(run) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--specifications", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench/standards_search.py needs PostgreSQL (DATABASE_URL=postgres://…)")
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
        from django.db import connection

        from audits.standards.models import Standard
        from audits.standards.selectors import standards_for
        from org.names import pinyin_initials

        call_command("migrate", verbosity=0)
        began = time.perf_counter()
        admin, owners = _build(args.specifications)
        print(
            f"built {Standard.objects.count():,} specifications in {time.perf_counter() - began:.1f} s"
        )
        some = Standard.objects.order_by("code")[args.specifications // 2]
        owner = owners[7]
        print(f"load average before the runs: {os.getloadavg()[0]:.2f}")
        lookup, lookup_best, _n = _median_ms(lambda: list(Standard.objects.filter(code=some.code)))
        print(
            f"(for information) lookup by code (B-tree, one row): {lookup:.3f} ms, best {lookup_best:.3f}"
        )
        department = some.department_id

        def page():
            return list(standards_for(admin, department_id=department, kind="specification")[:50])

        ref, ref_best, _n = _median_ms(page)
        print(
            f"indexed page (reference): the first 50 of one department's specifications "
            f"(department, kind, status index), as the list page asks: {ref:.3f} ms, "
            f"best {ref_best:.3f} ({ref / lookup:.1f} x the lookup by code)"
        )
        initials = pinyin_initials(owner.full_name)
        queries = [
            ("rare word 携号", {"q": "携号"}),
            ("phrase 国际漫游", {"q": "国际漫游"}),
            ("code fragment gf-kd", {"q": "gf-kd"}),
            (f"owner initials {initials}", {"q": initials}),
            (f"owner name {owner.full_name}", {"q": owner.full_name}),
            ("two words 宽带 移机", {"q": "宽带 移机"}),
            (
                "phrase 国际漫游, one department's specifications",
                {"q": "国际漫游", "department_id": department, "kind": "specification"},
            ),
            ("code fragment gf-kd, drafts", {"q": "gf-kd", "status": "draft"}),
            (
                f"owner initials {initials}, one department's drafts",
                {"q": initials, "department_id": owner.department_id, "status": "draft"},
            ),
        ]
        page_queries = _queries(page)
        worst = 0.0
        for label, filters in queries:
            (r, _rb), (ms, best), n = _paired_ms(
                page, lambda f=filters: list(standards_for(admin, **f)[:50])
            )
            total = standards_for(admin, **filters).count()
            queries_n = _queries(lambda f=filters: list(standards_for(admin, **f)[:50]))
            qs = standards_for(admin, **filters)[:50]
            sql, params = qs.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql, params)
                plan = " ".join(row[0] for row in cursor.fetchall())
            uses = "standards_search_bigrams" in plan
            worst = max(worst, ms / r)
            print(
                f"search {label}: {ms:.3f} ms (best {best:.3f}), {ms / r:.2f} x the indexed "
                f"page of the same runs ({r:.3f} ms; best to best {best / _rb:.2f} x), "
                f"first {n} of {total:,} matches, {queries_n} query "
                f"(page {page_queries}), bigram index {'used' if uses else 'NOT used'}"
            )
        verdict = "met" if worst <= 1.5 else "NOT met"
        print(f"worst ratio to the indexed page: {worst:.2f} x (target <= 1.5 x: {verdict})")
        print(f"load average after the runs: {os.getloadavg()[0]:.2f}")
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _sql_admin(url, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
