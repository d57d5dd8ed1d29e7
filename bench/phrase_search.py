"""Benchmark of the phrase search over transcripts at a million calls, on PostgreSQL, beside a
plain indexed lookup measured in the same run on the same table.

    .venv/bin/python bench/phrase_search.py [--calls 1000000] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_bench_phrase (default; created and
    dropped)

Generates N calls server-side (INSERT … SELECT over generate_series: nothing crosses the wire)
for 500 agents, each transcript 8 sentences drawn from 40 everyday hotline sentences, plus one
rare sentence ("我要投诉你们的经理") in 1 call of 10,000. `search_text` is written as the
product writes it (scoring.calls.search.search_text_of of the same sentences), then the
migration's bigram GIN index is built (timed). Then, best of 5 after a warm-up, through the
product's own query (scoring.calls.search.phrase_filter, the call list's first page: newest
50, and the count the page shows):

- **indexed lookup**: one call by its call id (the unique index), the reference;
- **phrase, rare** (about N/10,000 calls), **phrase, two characters** (投诉: common), **phrase,
  no match** (a sentence nobody says);
- for information, the same rare phrase with the bigram index switched off (enable_bitmapscan
  off, a sequential LIKE over every transcript): what the index saves.

EXPLAIN of the rare phrase is printed to show the index is used (Bitmap Index Scan on
calls_call_search_bigrams).
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
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qa_bench_phrase"
AGENTS = 500
SENTENCES = [
    "您好，很高兴为您服务。",
    "请问有什么可以帮您？",
    "我想查一下我的话费。",
    "好的，请稍等，我帮您查询。",
    "您本月话费是58元。",
    "还有什么可以帮您？",
    "谢谢您的来电，再见。",
    "我的宽带又断了。",
    "请您提供一下身份证号码。",
    "核实一下您的身份信息。",
    "非常抱歉给您带来不便。",
    "我们会尽快安排师傅上门。",
    "这个套餐每月包含30G流量。",
    "您可以通过营业厅办理。",
    "请问您是机主本人吗？",
    "好的谢谢。",
    "那我再考虑一下。",
    "我要办理停机保号。",
    "您的工单已经提交。",
    "预计48小时内处理完毕。",
    "我昨天打过电话了。",
    "为什么扣了我这么多钱？",
    "这笔费用是增值业务费。",
    "我可以帮您退订这个业务。",
    "退订后下个月生效。",
    "我对你们的服务很不满意，我要投诉。",
    "请您不要着急，我来帮您处理。",
    "信号一直不好。",
    "麻烦您重启一下光猫。",
    "现在可以上网了吗？",
    "可以了，谢谢你。",
    "不客气，祝您生活愉快。",
    "请问还有其他问题吗？",
    "没有了。",
    "我要改一下套餐。",
    "新套餐下月一号生效。",
    "您的积分可以兑换话费。",
    "请您留意短信通知。",
    "稍后会有满意度调查，请您评价。",
    "感谢您的耐心等待。",
]
RARE = "我要投诉你们的经理。"
PHRASES = {
    "rare": "投诉你们的经理",
    "two characters": "投诉",
    "no match": "我中了五百万大奖",
}


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


def _generate(calls: int) -> float:
    from django.db import connection

    from org.models import Center, Department, Team
    from scoring.calls.search import PG_INDEX, normalize

    center = Center.objects.create(name="基准中心", code="bench")
    department = Department.objects.create(center=center, name="部门", code="bd")
    team = Team.objects.create(department=department, name="班组", code="bt")
    sentences = [normalize(s) for s in SENTENCES]
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS calls_call_search_bigrams")
        cursor.execute(
            "INSERT INTO org_agent (employee_no, name, name_sort, name_initials, team_id, "
            "hired_on, is_active) SELECT 'E' || a, '话务员' || a, 'hwy', 'hwy', %s, "
            "'2024-01-01', true FROM generate_series(1, %s) a",
            [team.pk, AGENTS],
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_agents AS SELECT id, row_number() OVER (ORDER BY id) - 1 "
            "AS n FROM org_agent"
        )
        # 8 sentences a call (turns apart: a space), the rare one in 1 call of 10,000.
        cursor.execute(
            "INSERT INTO calls_call (call_id, agent_id, team_id, started_at, duration_seconds, "
            "channel, recording_url, turns, extra, search_text, created_at) "
            "SELECT 'PS-' || g, a.id, %s, now() - (g %% 2592000) * interval '1 second', 120, "
            "'voice', '', '[]'::jsonb, '{}'::jsonb, "
            "(SELECT string_agg(s.p[1 + floor(random() * %s)::int], ' ') "
            "   FROM generate_series(1, 8 + (g - g)) k, (SELECT %s::text[] AS p) s)"
            " || CASE WHEN g %% 10000 = 7 THEN ' ' || %s ELSE '' END, now() "
            "FROM generate_series(0, %s - 1) g JOIN bench_agents a ON a.n = g %% %s",
            [team.pk, len(sentences), sentences, normalize(RARE), calls, AGENTS],
        )
        cursor.execute("ANALYZE calls_call")
        began = time.perf_counter()
        cursor.execute("SET maintenance_work_mem = '256MB'")  # the GIN build's sort memory
        cursor.execute(PG_INDEX)
        cursor.execute("ANALYZE calls_call")
        return time.perf_counter() - began


def _best(fn, runs: int = 5) -> tuple[float, list[float], object]:
    result = fn()  # warm-up
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - began)
    return min(seconds), seconds, result


def _page(phrase: str):
    from scoring.calls.models import Call
    from scoring.calls.search import phrase_filter

    def run():
        qs = phrase_filter(Call.objects.defer("turns", "extra"), phrase)
        first = list(qs.order_by("-started_at", "-pk").values_list("call_id", flat=True)[:50])
        return qs.count(), first

    return run


def _lookup(call_id: str):
    from scoring.calls.models import Call

    def run():
        return Call.objects.filter(call_id=call_id).values_list("pk", flat=True).first()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench/phrase_search.py needs PostgreSQL (DATABASE_URL=postgres://…)")
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

        call_command("migrate", "calls", verbosity=0)  # the calls table and what it needs
        began = time.perf_counter()
        index_seconds = _generate(args.calls)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_relation_size('calls_call_search_bigrams'))")
            index_size = cursor.fetchone()[0]
            cursor.execute("SELECT avg(length(search_text))::int FROM calls_call")
            avg_chars = cursor.fetchone()[0]
        print(
            f"generated {args.calls:,} calls ({avg_chars} characters of transcript each) in "
            f"{time.perf_counter() - began:.1f} s; bigram GIN index built in "
            f"{index_seconds:.1f} s, {index_size}"
        )
        best, runs, _ = _best(_lookup(f"PS-{args.calls // 2}"))
        print(
            f"indexed lookup (call id):   {best * 1000:8.2f} ms  (median {statistics.median(runs) * 1000:.2f})"
        )
        for label, phrase in PHRASES.items():
            best, runs, (count, first) = _best(_page(phrase))
            print(
                f"phrase, {label:<15} {best * 1000:8.2f} ms  (median "
                f"{statistics.median(runs) * 1000:.2f}; {count:,} calls, first page {len(first)})"
            )
        from scoring.calls.models import Call
        from scoring.calls.search import phrase_filter

        qs = phrase_filter(Call.objects.defer("turns", "extra"), PHRASES["rare"])
        print("EXPLAIN (rare phrase, count):")
        print("  " + qs.explain().replace("\n", "\n  "))
        with connection.cursor() as cursor:
            cursor.execute("SET enable_bitmapscan = off")
        best, runs, (count, _) = _best(_page(PHRASES["rare"]), runs=2)
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_bitmapscan")
        print(
            f"(for information) rare phrase without the index (sequential LIKE): "
            f"{best * 1000:.0f} ms, {count:,} calls"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _sql_admin(url, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
