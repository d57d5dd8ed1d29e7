"""Throughput of the scoring page under load, next to a trivial page of the same server.

Usage (no make needed; PostgreSQL and the venv as in the README):

    .venv/bin/python bench/scoring_page.py                     # 15 s per page, 8 connections
    .venv/bin/python bench/scoring_page.py --seconds 30 --connections 16 --workers 2
    .venv/bin/python bench/scoring_page.py --client python     # force the Python load client
    .venv/bin/python bench/scoring_page.py --keep              # keep the database afterwards
    .venv/bin/python bench/scoring_page.py --reuse             # ... and measure it again
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_bench_page (default; created & dropped)

About 2 minutes in all, most of it the demo seed. What it does, in one run:

1. creates the database, migrates, seeds the demo (`QA_DEMO=1 manage.py seed_demo`: 6,000
   calls with their automatic checks, the hotline scorecard, evaluations, disputes);
2. picks the longest draft evaluation of the demo user `supervisor` (a call of ~40+ turns with
   automatic evidence), the one that user would open from "My queue";
3. counts the scoring page's queries in process (Django test client, CaptureQueriesContext);
4. starts gunicorn on 127.0.0.1 (a free port; `--workers 2`; DEBUG=0 with
   qa_center.settings.base, ALLOWED_HOSTS=127.0.0.1, static files collected and served by
   WhiteNoise), logs in as `supervisor` through the login form (CSRF token and all);
5. loads, with the same session cookie, (a) the scoring page /scoring/evaluations/<pk>/ and
   (b) the trivial page /health?format=json (one `SELECT 1`, a small JSON body; there is no
   lighter authenticated page) for N seconds each with C keep-alive connections, using `wrk`
   when it is installed (`apt-get install -y wrk`) and a threaded `http.client` loop otherwise;
6. prints requests/s, latency p50/p99 and the ratio, then stops gunicorn and drops the database.

Only 127.0.0.1 is ever contacted; the load is bounded by time. Nothing is asserted: the figures
are read next to the trivial page measured on the same server in the same run.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qa_bench_page"
HOST = "127.0.0.1"
TRIVIAL_PATH = "/health?format=json"
USERNAME, PASSWORD = "supervisor", "demo"


# --- Database ------------------------------------------------------------------------------


def _sql_admin(url: str, statement: str) -> None:
    import psycopg2

    base, _name = url.rsplit("/", 1)
    connection = psycopg2.connect(base + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement)
    connection.close()


def _db_name(url: str) -> str:
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"DATABASE_URL={url!r}: the database name must be [A-Za-z0-9_]+")
    return name


def _server_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    # Without REDIS_URL the cache is local memory and tasks run in process: the page under test
    # does not touch either, and the seed must not wait for a worker.
    env.pop("REDIS_URL", None)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="qa_center.settings.base",
        DEBUG="0",
        ALLOWED_HOSTS=HOST,
        QA_DEMO="1",
        LOG_LEVEL="WARNING",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True)


# --- In process: the evaluation and the page's query count -----------------------------------


def _pick_evaluation() -> dict:
    from scoring.evaluations.models import Evaluation

    drafts = (
        Evaluation.objects.filter(
            status=Evaluation.Status.DRAFT,
            evaluator__username=USERNAME,
            is_calibration=False,
        )
        .exclude(call__call_id__endswith="-LONG")
        .select_related("call", "call__auto_check", "scorecard")
        .order_by("pk")
    )
    best = None
    for evaluation in drafts:
        row = _describe(evaluation)
        if best is None or (row["turns"], row["evidence"]) > (best["turns"], best["evidence"]):
            best = row
    if best is None:
        raise SystemExit(f"The demo has no draft evaluation owned by {USERNAME!r}.")
    return best


def _long_draft(min_turns: int) -> dict:
    """The demo's calls have 10-20 turns; a hotline call of 8-10 minutes has 40-60. Builds one
    such call for a demo agent in the supervisor's department from four demo calls of that agent
    (the first call's opening, the others' middles, its closing; times laid end to end), checks
    it with the active rule library as an import would, and opens the supervisor's draft on it
    with the service behind the "Score" button, prefilled from the automatic results."""
    from django.db import transaction

    from org.models import User
    from scoring.calls.models import Call
    from scoring.calls.services.checks import call_checks_run
    from scoring.evaluations.models import Scorecard
    from scoring.evaluations.services.evaluations import evaluation_start

    supervisor = User.objects.get(username=USERNAME)
    calls = Call.objects.filter(team__department_id=supervisor.department_id).order_by("pk")
    first = calls.first()
    if first is None:
        raise SystemExit(f"The demo has no calls in {USERNAME!r}'s department.")
    existing = Call.objects.filter(call_id=f"{first.call_id}-LONG").first()
    if existing is not None:  # --reuse: built by an earlier run
        return _describe(existing.evaluations.get(evaluator=supervisor))
    sources = list(calls.filter(agent_id=first.agent_id)[:4])
    turns = list(sources[0].turns[:-2])
    for source in sources[1:]:
        turns.extend(source.turns[2:-2])
    turns.extend(sources[0].turns[-2:])
    while len(turns) < min_turns:
        turns[-2:-2] = sources[-1].turns[2:-2] or sources[-1].turns
    shown, at = [], 0.0
    for turn in turns:
        start, end = float(turn.get("start") or 0), float(turn.get("end") or 0)
        length = max(0.5, end - start)
        shown.append({**turn, "start": round(at, 2), "end": round(at + length, 2)})
        at += length + 0.8
    with transaction.atomic():
        call = Call.objects.create(
            call_id=f"{first.call_id}-LONG",
            agent_id=first.agent_id,
            team_id=first.team_id,
            started_at=first.started_at,
            duration_seconds=round(at, 1),
            channel=first.channel,
            recording_url=first.recording_url,
            turns=shown,
        )
    call_checks_run(call_ids=[call.pk])
    scorecard = Scorecard.objects.filter(status=Scorecard.Status.PUBLISHED).order_by("name").first()
    call = Call.objects.select_related("auto_check").get(pk=call.pk)
    evaluation = evaluation_start(call=call, scorecard=scorecard, evaluator=supervisor)
    return _describe(evaluation)


def _describe(evaluation) -> dict:
    call = evaluation.call
    try:
        results = call.auto_check.results or []
    except Exception:  # noqa: BLE001 - a call without an automatic check has no evidence
        results = []
    return {
        "pk": evaluation.pk,
        "call_id": call.call_id,
        "turns": len(call.turns or []),
        "evidence": sum(len(r.get("evidence") or []) for r in results if isinstance(r, dict)),
        "rules": len(results),
        "items": evaluation.answers.count(),
        "duration": call.duration_seconds,
    }


def _count_queries(paths: list[str]) -> dict[str, dict]:
    """Queries and size of each page for the supervisor, in process, after one warm-up GET."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from org.models import User

    client = Client(HTTP_HOST=HOST)
    client.force_login(
        User.objects.get(username=USERNAME), backend="django.contrib.auth.backends.ModelBackend"
    )
    counts = {}
    for path in paths:
        client.get(path)  # warm caches and the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} in process: HTTP {response.status_code}")
        counts[path] = {"queries": len(queries), "bytes": len(response.content)}
    return counts


# --- The server -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _start_gunicorn(
    env: dict[str, str], port: int, workers: int, *, config: str | None = None
) -> subprocess.Popen:
    """`config`: a gunicorn config file (bench/load.py passes gunicorn.conf.py, as production)."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return subprocess.Popen(
        [
            str(gunicorn),
            *(["-c", config] if config else []),
            "qa_center.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own process group: the finally block stops all workers
    )


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)


def _wait_ready(process: subprocess.Popen, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {process.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", TRIVIAL_PATH)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within a minute")


def _login(port: int, username: str = USERNAME, password: str = PASSWORD) -> str:
    """POSTs the login form like a browser; returns the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_url = f"http://{HOST}:{port}/accounts/login/"
    page = opener.open(login_url, timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise SystemExit("The login page has no CSRF token.")
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(login_url, data=body, headers={"Referer": login_url})
    opener.open(request, timeout=10).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"Logging in as {username!r} failed (no session cookie).")
    return "; ".join(f"{name}={value}" for name, value in sorted(cookies.items()))


def _get(port: int, path: str, cookie: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    return response.status, response.read()


# --- Load -----------------------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def _load_wrk(port: int, path: str, cookie: str, seconds: int, connections: int) -> dict:
    threads = max(1, min(2, connections))
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "--latency",
            "-H",
            f"Cookie: {cookie}",
            f"http://{HOST}:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    percentiles = dict(re.findall(r"^\s*(\d+)%\s+(\S+)\s*$", output, re.MULTILINE))
    total = re.search(r"(\d+) requests in", output)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(percentiles["50"]),
        "p99": _ms(percentiles["99"]),
        "requests": int(total.group(1)) if total else 0,
        "bad": int(bad.group(1)) if bad else 0,
        "errors": errors.group(1) if errors else "",
    }


def _load_python(port: int, path: str, cookie: str, seconds: int, connections: int) -> dict:
    """C threads, each with one keep-alive connection, until the deadline."""
    latencies: list[list[float]] = [[] for _ in range(connections)]
    bad = [0] * connections
    start = time.perf_counter()
    deadline = start + seconds

    def worker(slot: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        mine = latencies[slot]
        while True:
            began = time.perf_counter()
            if began >= deadline:
                break
            connection.request("GET", path, headers={"Cookie": cookie})
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - began)
            if response.status != 200:
                bad[slot] += 1
        connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    every = sorted(x for mine in latencies for x in mine)

    def percentile(p: float) -> float:
        return every[min(len(every) - 1, int(p * len(every)))] * 1000 if every else 0.0

    return {
        "rps": len(every) / elapsed,
        "p50": percentile(0.50),
        "p99": percentile(0.99),
        "requests": len(every),
        "bad": sum(bad),
        "errors": "",
    }


# --- Main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=int, default=15, help="load per page (default 15)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--min-turns", type=int, default=48, help="the long call (default 48)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--reuse", action="store_true", help="use the database a --keep run left (no seeding)"
    )
    args = parser.parse_args()
    if not (1 <= args.seconds <= 600 and 1 <= args.connections <= 256):
        raise SystemExit("--seconds must be 1..600 and --connections 1..256")
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    elif client == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk), or use --client python")
    load = _load_wrk if client == "wrk" else _load_python

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"DATABASE_URL={url!r}: this benchmark needs PostgreSQL")
    name = _db_name(url)
    env = _server_env(url)
    os.environ.update({k: v for k, v in env.items() if k != "QA_DEMO"})
    os.environ.pop("REDIS_URL", None)

    if not args.reuse:
        _sql_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
        _sql_admin(url, f'CREATE DATABASE "{name}"')
    server = None
    try:
        began = time.perf_counter()
        if not args.reuse:
            _manage(env, "migrate", "--no-input", "-v0")
            _manage(env, "seed_demo")
        _manage(env, "collectstatic", "--no-input", "-v0")
        print(f"setup (migrate, seed_demo, collectstatic): {time.perf_counter() - began:.0f} s")

        import django

        django.setup()
        from django.db import connections
        from django.urls import reverse

        # (label, path, evaluation): the long call first, the demo's own longest draft, and the
        # trivial page, all with the same session on the same server.
        evaluations = [_long_draft(args.min_turns), _pick_evaluation()]
        pages = [
            (
                f"scoring, {e['turns']} turns",
                reverse("evaluations:evaluation_edit", args=[e["pk"]]),
                e,
            )
            for e in evaluations
        ]
        pages.append(("trivial (health JSON)", TRIVIAL_PATH, None))
        counts = _count_queries([path for _label, path, _e in pages])
        connections.close_all()

        port = _free_port()
        server = _start_gunicorn(env, port, args.workers)
        _wait_ready(server, port)
        cookie = _login(port)
        for _label, path, evaluation in pages:
            status, body = _get(port, path, cookie)
            if status != 200 or (evaluation and evaluation["call_id"].encode() not in body):
                raise SystemExit(f"GET {path} over HTTP: {status}, or the call is not shown")
        status, _body = _get(port, "/static/css/app.css", cookie)
        if status != 200:
            raise SystemExit(f"WhiteNoise does not serve /static/css/app.css: {status}")
        # Warm every worker (templates, translations, connections) before measuring.
        for _label, path, _e in pages:
            load(port, path, cookie, 2, args.connections)
        figures = [
            load(port, path, cookie, args.seconds, args.connections) for _l, path, _e in pages
        ]
        load_average = os.getloadavg()[0]
    finally:
        _stop(server)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        if not (args.keep or args.reuse):
            _sql_admin(url, f'DROP DATABASE IF EXISTS "{name}"')

    print()
    for label, path, e in pages:
        if e:
            print(
                f"{label}: {path} (call {e['call_id']}, {e['duration']} s), {e['items']} "
                f"scorecard items, {e['evidence']} evidence spans from {e['rules']} rules"
            )
    print(
        f"load: {client}, {args.connections} connections, {args.seconds} s per page, "
        f"gunicorn --workers {args.workers} (sync), {os.cpu_count()} CPUs, "
        f"load average {load_average:.1f}"
    )
    print()
    print(f"{'page':<24} {'queries':>7} {'KB':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for (label, path, _e), figure in zip(pages, figures, strict=True):
        print(
            f"{label:<24} {counts[path]['queries']:>7} {counts[path]['bytes'] / 1024:>6.1f} "
            f"{figure['rps']:>8.1f} {figure['p50']:>8.1f} {figure['p99']:>8.1f}"
        )
        if figure["bad"] or figure["errors"]:
            print(f"  !! {figure['bad']} non-2xx responses; socket errors: {figure['errors']}")
    print()
    trivial = figures[-1]["rps"]
    for (label, _path, _e), figure in zip(pages[:-1], figures[:-1], strict=True):
        ratio = trivial / figure["rps"] if figure["rps"] else float("inf")
        print(f"{label}: {ratio:.1f} x fewer requests/s than the trivial page")
    print(json.dumps({"pages": pages, "queries": counts, "figures": figures}, default=str))


if __name__ == "__main__":
    main()
