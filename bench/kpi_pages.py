"""The KPI tree page (the center) and the linkage page beside the bulletin page, same run, same
database.

    .venv/bin/python bench/kpi_pages.py [--agents 5000] [--days 365] [--calls 1000000] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_bench_kpi_pages (default; created and
    dropped)

Data: bench/kpi.py's organisation and measurements (departments of 20 teams of 10 agents, 12
agent-grain indicators, `--days` days of every agent and indicator: 5,000 × 365 × 12 = 21.9
million rows by default), and bench/bulletin.py's calls (`--calls` calls a week, two weeks,
with checks, evaluations and answers) for the same agents; the week's bulletins generated as
the Monday job does. Then, through Django's test client as an administrator (whole center),
best of three after one warm-up request:

- **bulletin page**: the center's weekly bulletin (/bulletins/<pk>/) — the reference;
- **KPI tree, center**: /kpi/tree/ for the last whole month (every indicator's value, target
  and band for the center and every department, and the center's 12-month trend);
- **KPI tree, a department**: the same one level down (its 20 teams), for information;
- **linkage, center**: /kpi/linkage/ (correlation matrix of 12 indicators over the teams' weeks,
  lagged cross-correlation of fcr and repeat_calls over 182 days).

The pages "answer within the same order" as the bulletin page when each takes less than ten
times its time; the ratios are printed.
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
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qa_bench_kpi_pages"


def _bulletin_refs() -> dict:
    """The rule library, scorecard and supervisor bench/bulletin.py's calls need (its own
    set-up also creates an organisation, which bench/kpi.py's has already made)."""
    from bulletin import ITEMS, RULES

    from org.models import User
    from scoring.evaluations.models import Scorecard, ScorecardItem, ScorecardSection
    from scoring.rules.models import RuleLibrary

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
    return {"library": library, "card": card, "items": items, "supervisor": supervisor}


def _best(client, url: str, runs: int = 3) -> tuple[float, int]:
    response = client.get(url)  # warm-up (connection, templates, catalogue)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - began)
        assert response.status_code == 200
    return min(times), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", type=int, default=5000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench/kpi_pages.py needs PostgreSQL (DATABASE_URL=postgres://…)")
    os.environ["DATABASE_URL"] = url
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_kpi", ROOT / "bench" / "kpi.py")
    bench_kpi = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_kpi)
    import bulletin as bench_bulletin

    _, name = bench_kpi._admin(url)
    bench_kpi._sql_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
    bench_kpi._sql_admin(url, f'CREATE DATABASE "{name}"')
    try:
        bench_kpi._django()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrated in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        bench_kpi._setup(args.agents)
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE bench_agents AS SELECT a.id, a.team_id, t.department_id "
                "FROM org_agent a JOIN org_team t ON t.id = a.team_id"
            )
        first = bench_kpi.FIRST_DAY
        last = first + datetime.timedelta(days=args.days - 1)
        rows = bench_kpi._generate(first, last)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_agents")  # bench/bulletin.py makes its own
        print(f"{rows:,} KPI measurements in {time.perf_counter() - began:.1f} s")
        began = time.perf_counter()
        with connection.cursor() as cursor:
            # bench/bulletin.py's INSERTs predate Answer.override_kind (NOT NULL, no database
            # default): give it the model's default for this bench database only.
            cursor.execute(
                "ALTER TABLE evaluations_answer ALTER COLUMN override_kind SET DEFAULT ''"
            )
        refs = _bulletin_refs()
        bench_bulletin._generate(args.calls, refs)
        connection.close()  # its temporary table goes with the session
        from bulletins.models import Bulletin
        from bulletins.services import bulletins_generate_week

        bulletins_generate_week(week_start=bench_bulletin.WEEK - datetime.timedelta(days=7))
        bulletins_generate_week(week_start=bench_bulletin.WEEK)
        center = Bulletin.objects.get(scope_key="center", period_start=bench_bulletin.WEEK)
        print(
            f"2 weeks × {args.calls:,} calls and the bulletins in "
            f"{time.perf_counter() - began:.1f} s"
        )
        from kpi.models import Indicator
        from org.models import Department, User

        month = bench_kpi._last_whole_month(last)
        # Every whole month closed (values only), as the beat job would have done month by
        # month: the tree's 12-month trend reads the stored values. No targets: the tree shows
        # values without bands.
        from kpi.services import period_close
        from qa_center import periods

        began = time.perf_counter()
        closing = periods.period_of("month", first)
        closes = 0
        while closing.last_day <= last:
            period_close(kind="month", day=closing.first_day, shortfalls=False)
            closing, closes = periods.following(closing), closes + 1
        print(f"{closes} month closes (values) in {time.perf_counter() - began:.1f} s")
        admin = User.objects.create(username="bench-admin", role="admin", is_superuser=True)
        client = Client()
        client.force_login(admin)
        department = Department.objects.order_by("pk").first()
        codes = set(Indicator.objects.values_list("code", flat=True))
        assert {"fcr", "repeat_calls"} <= codes
        pages = [
            ("bulletin page (center, week)", f"/bulletins/{center.pk}/"),
            ("KPI tree, center", f"/kpi/tree/?period={month}"),
            (
                "KPI tree, a department",
                f"/kpi/tree/?period={month}&node=department:{department.pk}",
            ),
            ("linkage, center", f"/kpi/linkage/?a=fcr&b=repeat_calls&period={month}"),
        ]
        results = [(label, *_best(client, page)) for label, page in pages]
        reference = results[0][1]
        print(f"{'page':<32} {'best of 3 s':>11} {'KB':>7} {'× bulletin':>10}")
        for label, seconds, size in results:
            print(f"{label:<32} {seconds:>11.3f} {size / 1024:>7.0f} {seconds / reference:>10.2f}")
        worst = max(seconds / reference for _label, seconds, _size in results[1:])
        verdict = "met" if worst < 10 else "NOT met"
        print(f"same order as the bulletin page (each < 10 ×): {verdict} (worst {worst:.2f} ×)")
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            bench_kpi._sql_admin(url, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
