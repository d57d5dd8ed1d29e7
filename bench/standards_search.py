"""Benchmark of the standards library search against a plain indexed lookup, same run, same data.

    .venv/bin/python bench/standards_search.py [--specifications 10000] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_bench_standards (default; created and
    dropped)

Builds 10,000 answer specifications (the demo's hotline scenarios × customer situations, with
a numbered variant and one of 200 owners with Chinese names), with their search text as the
services write it, then ANALYZE. Times, median of 200 runs each, through the ORM as the page
and the API run them (audits.standards.selectors.standards_for as an administrator, first page
of 50 rows):

- **indexed lookup** (the reference): one standard by its code (the unique B-tree index);
- for information, an **indexed page**: the first 50 of one department's specifications by
  the (department, kind, status) index, the list page without a search;
- **search** for: a rare two-character word (携号), a common phrase (国际漫游), a code
  fragment (GF-KD), an owner's pinyin initials, an owner's name, and two words at once.

Target: every search <= 2 x the indexed lookup (and the plan uses the bigram GIN index).
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


def _median_ms(run) -> tuple[float, int]:
    result = run()  # warm
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000, len(result)


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
        reference, _n = _median_ms(lambda: list(Standard.objects.filter(code=some.code)))
        print(f"indexed lookup (by code, B-tree): {reference:.3f} ms")
        department = some.department_id
        page, _n = _median_ms(
            lambda: list(standards_for(admin, department_id=department, kind="specification")[:50])
        )
        print(
            f"(for information) indexed page: the first 50 of one department's specifications "
            f"(department, kind, status index), as the list page asks: {page:.3f} ms, "
            f"{page / reference:.2f} x"
        )
        queries = [
            ("rare word 携号", "携号"),
            ("phrase 国际漫游", "国际漫游"),
            ("code fragment gf-kd", "gf-kd"),
            (
                f"owner initials {pinyin_initials(owner.full_name)}",
                pinyin_initials(owner.full_name),
            ),
            (f"owner name {owner.full_name}", owner.full_name),
            ("two words 宽带 移机", "宽带 移机"),
        ]
        worst = 0.0
        for label, q in queries:
            ms, n = _median_ms(lambda q=q: list(standards_for(admin, q=q)[:50]))
            total = standards_for(admin, q=q).count()
            qs = standards_for(admin, q=q)[:50]
            sql, params = qs.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql, params)
                plan = " ".join(row[0] for row in cursor.fetchall())
            uses = "standards_search_bigrams" in plan
            worst = max(worst, ms / reference)
            print(
                f"search {label}: {ms:.3f} ms, {ms / reference:.2f} x "
                f"({ms / page:.2f} x the indexed page), first {n} of {total:,} "
                f"matches, bigram index {'used' if uses else 'NOT used'}"
            )
        verdict = "met" if worst <= 2 else "NOT met"
        print(f"worst ratio: {worst:.2f} x (target <= 2 x: {verdict})")
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            _sql_admin(url, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
