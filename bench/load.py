"""Load: supervisors scoring and agents reading at once, against gunicorn and PostgreSQL.

Usage (PostgreSQL and the venv as in the README; `pip install -r requirements-dev.txt` for locust):

    .venv/bin/python bench/load.py                             # 50 supervisors, 200 agents, 120 s
    .venv/bin/python bench/load.py --duration 30 --users-scale 0.2   # 10 + 40 users, quick
    .venv/bin/python bench/load.py --think 2 --workers 4       # less thinking, production's workers
    .venv/bin/python bench/load.py --keep                      # keep the database afterwards
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qa_bench_load (default; created & dropped)

What it does, in one run (setup as bench/scoring_page.py, whose helpers it imports):

1. creates the database, migrates, seeds the demo (`seed_demo`: 6,000 calls, the hotline
   scorecard, evaluations), collects static files;
2. adds, in process, N supervisors spread over the departments, each with an own queue of
   sampled calls nobody else has (Assignment rows), and M agent users (new agents where the demo
   has too few, each with at least one submitted evaluation to read); their session cookies are
   made in process (force_login), and one of them logs in through the login form as a check;
3. starts gunicorn as production does (`-c gunicorn.conf.py`, sync workers, `--workers 2` by
   default) on a free port of 127.0.0.1, DEBUG=0;
4. runs locust headless with this very file as the locustfile (`locust -f bench/load.py`; the
   user classes below exist only when QA_LOAD_PLAN names the plan this script wrote), for
   `--duration` seconds. A supervisor opens "My queue", presses Score on the first call (POST),
   opens the scoring page, saves a draft with answers, reasons and notes (POST, with the page's
   `version`), opens the page again, submits (POST, with the new `version`) and opens it read-only;
   an agent opens the home page, "My results" and one of their evaluations. Each user thinks
   `--think` seconds on average (0.5-1.5 x) between pages. Two probe users load the trivial pages
   (/health?format=json and the login page, anonymous) once a second: the reference;
5. checks: every response was the one expected (200 for pages, 302 to the scoring page for the
   POSTs; a 409 stale-version refusal is an error here, as every supervisor scores only their own
   calls), and every answer the clients sent in their last acknowledged save or submit of each
   evaluation is in the database (value or N/A, and the note), the evaluation at the version
   that write made; the history has exactly one event per acknowledged write;
6. prints p50/p95/p99 per page next to the trivial pages, with the load average seen, then
   stops gunicorn and drops the database (also on Ctrl-C or SIGTERM). Exits 1 on any error.

Only 127.0.0.1 is contacted; locust runs headless (no web UI, no port of its own). Bounded: the
users are counted, the load stops after --duration (locust's -t) plus at most --stop-timeout for
the pages in flight, and a locust that outlives that is killed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scoring_page as shared  # noqa: E402 - bench/ is not a package

ROOT = shared.ROOT
HOST = shared.HOST
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qa_bench_load"
PLAN_ENV = "QA_LOAD_PLAN"
PASSWORD = "demo"
SUPERVISOR_PREFIX, AGENT_PREFIX = "load-sup-", "load-agent-"
QUEUE = "/scoring/queue/"
MY_RESULTS = "/scoring/my/evaluations/"
TRIVIAL = {
    "trivial: /health JSON": "/health?format=json",
    "trivial: login page": "/accounts/login/",
}
EDIT_PATH = re.compile(r"^/scoring/evaluations/(\d+)/$")


# --- The scenario's data, in process -----------------------------------------------------------


def _prepare(*, supervisors: int, agents: int, per_supervisor: int) -> dict:
    """Users, queues and readable results for the run; returns the plan the locustfile reads."""
    import datetime

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from org.models import Agent, Department, Role, TeamMembership, User
    from scoring.calls.models import Call
    from scoring.evaluations import selectors as evaluation_selectors
    from scoring.evaluations.models import Scorecard, ScorecardItem
    from scoring.evaluations.services.evaluations import evaluation_start, evaluation_submit
    from scoring.sampling.models import Assignment

    password = make_password(PASSWORD)  # one Argon2 hash for all: 250 would take half a minute
    departments = list(Department.objects.order_by("code"))
    scorecard = Scorecard.objects.filter(status=Scorecard.Status.PUBLISHED).order_by("name").first()
    seeder = User.objects.get(username=shared.USERNAME)
    now = timezone.now()
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())

    with transaction.atomic():
        sups = User.objects.bulk_create(
            User(
                username=f"{SUPERVISOR_PREFIX}{i:03d}",
                full_name=f"压测质检{i:03d}",
                role=Role.SUPERVISOR,
                department=departments[i % len(departments)],
                password=password,
            )
            for i in range(supervisors)
        )
        queues: dict[int, list[int]] = {}
        for department in departments:
            mine = [u for u in sups if u.department_id == department.pk]
            free = list(
                Call.objects.filter(
                    team__department=department, evaluations__isnull=True, assignments__isnull=True
                )
                .order_by("pk")
                .values_list("pk", flat=True)[: len(mine) * per_supervisor]
            )
            if len(free) < len(mine) * per_supervisor:
                raise SystemExit(f"{department.code}: too few unscored calls for the queues")
            for index, user in enumerate(mine):
                queues[user.pk] = free[index * per_supervisor : (index + 1) * per_supervisor]
        Assignment.objects.bulk_create(
            Assignment(call_id=call, supervisor_id=user, period_start=monday, due_at=now)
            for user, calls in queues.items()
            for call in calls
        )
        queued = {call for calls in queues.values() for call in calls}

        # Agents: the demo's (132, one with the demo login), then new ones in the same teams,
        # each given two unscored calls of its team (a throw-away database).
        pool = list(Agent.objects.filter(user__isnull=True).order_by("employee_no")[:agents])
        bases = list(Agent.objects.order_by("employee_no"))
        moved: set[int] = set()
        for extra in range(agents - len(pool)):
            base = bases[extra % len(bases)]
            agent = Agent.objects.create(
                employee_no=f"L{extra:04d}", name=f"压测话务{extra:03d}", team=base.team,
                hired_on=base.hired_on,
            )  # fmt: skip
            TeamMembership.objects.create(agent=agent, team=base.team, started_on=base.hired_on)
            calls = list(
                Call.objects.filter(team=base.team, evaluations__isnull=True)
                .exclude(pk__in=queued | moved)
                .order_by("-pk")
                .values_list("pk", flat=True)[:2]
            )
            Call.objects.filter(pk__in=calls).update(agent=agent)
            moved.update(calls)  # not given to the next new agent of the team as well
            pool.append(agent)
        readers = User.objects.bulk_create(
            User(
                username=f"{AGENT_PREFIX}{i:03d}",
                full_name=agent.name,
                role=Role.AGENT,
                agent=agent,
                password=password,
            )
            for i, agent in enumerate(pool)
        )
        reading = []
        for user in readers:
            evaluation = evaluation_selectors.my_evaluations(user).first()
            if evaluation is None:
                call = (
                    Call.objects.filter(agent_id=user.agent_id, evaluations__isnull=True)
                    .exclude(pk__in=queued)
                    .select_related("auto_check")
                    .first()
                )
                if call is None:
                    raise SystemExit(f"{user.username}: no call to give a result to")
                evaluation = evaluation_start(call=call, scorecard=scorecard, evaluator=seeder)
                evaluation_submit(
                    evaluation=evaluation,
                    actor=seeder,
                    answers=_unchanged_answers(evaluation, ScorecardItem),
                    expected_version=evaluation.version,
                )
            reading.append((user, evaluation.call_id, evaluation.call.call_id))

    def session(user) -> str:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    return {
        "supervisors": [
            {"username": u.username, "session": session(u), "calls": queues[u.pk]} for u in sups
        ],
        "agents": [
            {"username": u.username, "session": session(u), "call": pk, "call_id": call_id}
            for u, pk, call_id in reading
        ],
    }


def _unchanged_answers(evaluation, item_model) -> dict:
    """Every item answered as the automatic check suggested (yes / the top of the scale where
    it suggested nothing): a submit needing no override reason."""
    answers = {}
    for answer in evaluation.answers.select_related("item"):
        item = answer.item
        if answer.auto_na:
            answers[item.code] = {"na": True}
        elif answer.auto_value is not None:
            answers[item.code] = {"value": answer.auto_value}
        else:
            top = item.scale_max if item.kind == item_model.Kind.SCALE else 1
            answers[item.code] = {"value": top}
    return answers


def _verify(writes: list[dict]) -> dict:
    """Compares the clients' writes with the database. The last acknowledged write of each
    evaluation must be there whole; a write still in flight when locust stopped may or may not
    have landed, and nothing else may have."""
    from scoring.evaluations.models import Evaluation, EvaluationEvent

    by_evaluation: dict[int, list[dict]] = {}
    for write in writes:
        by_evaluation.setdefault(write["evaluation"], []).append(write)
    problems: list[str] = []
    answers_checked = landed_in_flight = in_flight = 0
    evaluations = Evaluation.objects.in_bulk(list(by_evaluation))
    for pk, mine in sorted(by_evaluation.items()):
        mine.sort(key=lambda w: w["version"])
        acked = [w for w in mine if w["http"] == 302]
        unacked = [w for w in mine if w["http"] is None]
        in_flight += len(unacked)
        stored = evaluations[pk]
        expected = acked[-1] if acked else None
        if unacked and stored.version == unacked[-1]["version"] + 1:
            expected = unacked[-1]
            landed_in_flight += 1
        if expected is None:
            continue
        if stored.version != expected["version"] + 1:
            problems.append(
                f"evaluation {pk}: version {stored.version}, the last write made "
                f"{expected['version'] + 1}"
            )
        if expected["action"] == "submit" and stored.status == Evaluation.Status.DRAFT:
            problems.append(f"evaluation {pk}: submitted by the client, a draft in the database")
        rows = {a.item.code: a for a in stored.answers.select_related("item")}
        for code, sent in expected["answers"].items():
            row = rows.get(code)
            want_na = sent["answer"] == "na"
            want_value = None if want_na else int(sent["answer"])
            if row is None or (row.is_na, row.value, row.note) != (
                want_na,
                want_value,
                sent["note"],
            ):
                got = None if row is None else (row.is_na, row.value, row.note)
                problems.append(f"evaluation {pk}, {code}: sent {sent}, stored {got}")
            else:
                answers_checked += 1
        if stored.comment != expected["comment"]:
            problems.append(f"evaluation {pk}: comment {stored.comment!r}")
    acknowledged = sum(1 for w in writes if w["http"] == 302)
    events = EvaluationEvent.objects.filter(
        actor__username__startswith=SUPERVISOR_PREFIX, action__in=["saved", "submitted"]
    ).count()
    if not acknowledged + landed_in_flight <= events <= acknowledged + in_flight:
        problems.append(
            f"{events} save/submit events in the history for {acknowledged} acknowledged writes "
            f"(+ {in_flight} in flight)"
        )
    return {
        "answers_checked": answers_checked,
        "acknowledged": acknowledged,
        "submitted": sum(1 for w in writes if w["http"] == 302 and w["action"] == "submit"),
        "in_flight": in_flight,
        "landed_in_flight": landed_in_flight,
        "events": events,
        "problems": problems,
    }


# --- The locust users (only when locust loads this file with a plan) -------------------------


def _form(html: str) -> dict:
    """What a browser would post from the scoring page: the version, the CSRF token, and each
    item's choices (scale bounds, whether N/A is offered)."""
    version = re.search(r'name="version" value="(\d+)"', html)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    items = []
    for code, kind, low, high in re.findall(
        r'data-item data-code="([^"]+)" data-kind="([^"]+)"[^>]*?data-min="(-?\d+)" '
        r'data-max="(-?\d+)"',
        html,
    ):
        na = f'name="answer-{code}" value="na"' in html
        items.append({"code": code, "kind": kind, "min": int(low), "max": int(high), "na": na})
    return {
        "version": int(version.group(1)) if version else None,
        "token": token.group(1) if token else None,
        "items": items,
    }


def _locust_users(plan_path: str):
    from locust import HttpUser, constant, events, task

    plan = json.loads(Path(plan_path).read_text())
    think, timeout = plan["think"], plan["timeout"]
    supervisors, agents = list(plan["supervisors"]), list(plan["agents"])
    log: dict[str, list] = {"requests": [], "writes": []}

    @events.request.add_listener
    def _record(name, response_time, exception=None, response=None, **_kwargs):
        status = getattr(response, "status_code", None)
        log["requests"].append([name, response_time, status, None if exception is None else str(exception)[:300]])  # fmt: skip

    @events.quitting.add_listener
    def _save(**_kwargs):
        Path(plan["out"]).write_text(json.dumps(log))

    class Base(HttpUser):
        abstract = True
        pool: list[dict] = []

        def wait_time(self) -> float:
            return random.uniform(0.5 * think, 1.5 * think)

        def on_start(self) -> None:
            self.me = self.pool.pop(0)
            self.client.cookies.set("sessionid", self.me["session"])
            self.rng = random.Random(self.me["username"])

        def think(self) -> None:
            time.sleep(self.wait_time())  # gevent's sleep: locust patched time

        def get(self, path: str, name: str, contains: str | None = None):
            with self.client.get(
                path, name=name, allow_redirects=False, catch_response=True, timeout=timeout
            ) as response:
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}, expected 200")
                elif contains and contains not in response.text:
                    response.failure(f"{contains!r} is not on the page")
                else:
                    response.success()
                    return response.text
            return None

        def post(self, path: str, data: dict, name: str, location: re.Pattern | str):
            """A form POST that must answer 302 to `location`: returns the location."""
            with self.client.post(
                path,
                data=data,
                name=name,
                allow_redirects=False,
                catch_response=True,
                timeout=timeout,
            ) as response:
                where = response.headers.get("Location", "")
                ok = (
                    location.match(where) if isinstance(location, re.Pattern) else where == location
                )
                if response.status_code != 302 or not ok:
                    response.failure(f"HTTP {response.status_code} to {where!r}, expected 302")
                    return None, response.status_code
                response.success()
                return where, 302

    class Supervisor(Base):
        fixed_count = len(supervisors)
        pool = supervisors

        @task
        def score_next(self) -> None:
            if not self.me["calls"]:
                self.get(QUEUE, "queue")  # done: the queue says so
                return
            call = self.me["calls"].pop(0)
            start = f"/scoring/calls/{call}/evaluate/"
            page = self.get(QUEUE, "queue", contains=start)
            if page is None:
                return
            self.think()
            token = _form(page)["token"]
            edit, _status = self.post(
                start, {"csrfmiddlewaretoken": token}, "start scoring (POST)", EDIT_PATH
            )
            if edit is None:
                return
            for action in ("save", "submit"):
                page = self.get(edit, "scoring page", contains='name="version"')
                if page is None:
                    return
                self.think()
                if not self.write(edit, _form(page), action):
                    return
            self.get(edit, "scoring page (submitted)")

        def write(self, edit: str, form: dict, action: str) -> bool:
            evaluation = int(EDIT_PATH.match(edit).group(1))
            data = {
                "csrfmiddlewaretoken": form["token"],
                "version": form["version"],
                "action": action,
                "comment": f"{self.me['username']} {action} v{form['version']}",
            }
            answers = {}
            for item in form["items"]:
                choices = (
                    [str(v) for v in range(item["min"], item["max"] + 1)]
                    if item["kind"] == "scale"
                    else ["1", "0"]
                )
                if item["na"] and self.rng.random() < 0.1:
                    choices = ["na"]
                answer = self.rng.choice(choices)
                note = f"{self.me['username']} {action} v{form['version']} {item['code']}"
                data[f"answer-{item['code']}"] = answer
                data[f"reason-{item['code']}"] = f"load test {action}: listened again"
                data[f"note-{item['code']}"] = note
                answers[item["code"]] = {"answer": answer, "note": note}
            record = {
                "supervisor": self.me["username"],
                "evaluation": evaluation,
                "action": action,
                "version": form["version"],
                "answers": answers,
                "comment": data["comment"],
                "http": None,  # None until the answer comes: in flight if locust stops here
            }
            log["writes"].append(record)
            where, status = self.post(edit, data, f"{action} (POST)", edit)
            record["http"] = status
            return where is not None

    class Agent(Base):
        fixed_count = len(agents)
        pool = agents

        @task
        def read(self) -> None:
            self.get("/", "home")
            self.think()
            self.get(MY_RESULTS, "my results")
            self.think()
            self.get(
                f"/scoring/calls/{self.me['call']}/",  # My results links the call's page
                "evaluation's call (agent)",
                contains=self.me["call_id"],
            )

    class Probe(HttpUser):
        fixed_count = 2
        wait_time = constant(1)

        @task
        def trivial(self) -> None:
            for name, path in TRIVIAL.items():
                with self.client.get(
                    path, name=name, catch_response=True, timeout=timeout
                ) as response:
                    if response.status_code == 200:
                        response.success()
                    else:
                        response.failure(f"HTTP {response.status_code}, expected 200")

    return Supervisor, Agent, Probe


if os.environ.get(PLAN_ENV) and __name__ != "__main__":
    SupervisorUser, AgentUser, ProbeUser = _locust_users(os.environ[PLAN_ENV])


# --- Running it ---------------------------------------------------------------------------------


def _percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(p * len(values)))] if values else 0.0


def _run_locust(plan_path: str, port: int, users: int, args, workdir: Path) -> subprocess.Popen:
    env = dict(os.environ, **{PLAN_ENV: plan_path})
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)  # the load client needs neither
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(Path(__file__).resolve()),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(args.spawn_rate),
            "-t",
            f"{args.duration}s",
            "--stop-timeout",
            str(args.stop_timeout),
            "--host",
            f"http://{HOST}:{port}",
            *(["--csv", str(Path(args.csv_dir).resolve() / "load")] if args.csv_dir else []),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
        ],
        cwd=workdir,
        env=env,
        stdout=open(workdir / "locust.out", "w"),  # noqa: SIM115 - closed with the process
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group: stopped by pid, even on Ctrl-C
    )


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=int, default=120, help="seconds of load (120)")
    parser.add_argument(
        "--users-scale", type=float, default=1.0, help="x 50 supervisors, 200 agents"
    )
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between pages (5)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--spawn-rate", type=float, default=25.0, help="users started per second")
    parser.add_argument("--stop-timeout", type=int, default=30, help="for pages in flight (30)")
    parser.add_argument("--per-supervisor", type=int, default=0, help="calls queued (auto)")
    parser.add_argument("--timeout", type=float, default=120.0, help="per request, seconds")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--csv-dir", help="keep locust's own CSV statistics there (load_*.csv)")
    args = parser.parse_args()
    if not (5 <= args.duration <= 1800 and 0.01 <= args.users_scale <= 2):
        raise SystemExit("--duration must be 5..1800 and --users-scale 0.01..2")
    if not (0 <= args.think <= 60 and 1 <= args.workers <= 16 and 0 < args.spawn_rate <= 500):
        raise SystemExit("--think must be 0..60, --workers 1..16, --spawn-rate 0..500")
    if not (1 <= args.stop_timeout <= 300 and 1 <= args.timeout <= 600):
        raise SystemExit("--stop-timeout must be 1..300 and --timeout 1..600")
    n_supervisors = max(1, round(50 * args.users_scale))
    n_agents = max(1, round(200 * args.users_scale))
    per_supervisor = args.per_supervisor or max(3, math.ceil(args.duration / max(3 * args.think, 1)) + 2)  # fmt: skip
    if not 1 <= per_supervisor <= 200:
        raise SystemExit("--per-supervisor must be 1..200")

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(f"DATABASE_URL={url!r}: this benchmark needs PostgreSQL")
    name = shared._db_name(url)
    env = shared._server_env(url)
    os.environ.update({k: v for k, v in env.items() if k != "QA_DEMO"})
    os.environ.pop("REDIS_URL", None)
    # SIGTERM (a CI timeout, kill PID) cleans up like Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)

    shared._sql_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shared._sql_admin(url, f'CREATE DATABASE "{name}"')
    server = locust = None
    workdir = Path(tempfile.mkdtemp(prefix="qa-load-"))
    loads: list[float] = []
    try:
        began = time.perf_counter()
        shared._manage(env, "migrate", "--no-input", "-v0")
        shared._manage(env, "seed_demo")
        shared._manage(env, "collectstatic", "--no-input", "-v0")
        import django

        django.setup()
        from django.db import connections

        plan = _prepare(supervisors=n_supervisors, agents=n_agents, per_supervisor=per_supervisor)
        connections.close_all()
        print(
            f"setup (migrate, seed_demo, collectstatic, users): {time.perf_counter() - began:.0f} s"
        )

        port = shared._free_port()
        server = shared._start_gunicorn(
            env, port, args.workers, config=str(ROOT / "gunicorn.conf.py")
        )
        shared._wait_ready(server, port)
        # One real login through the form, so the in-process sessions stand for a working one.
        shared._login(port, username=plan["supervisors"][0]["username"], password=PASSWORD)

        plan_path = workdir / "plan.json"
        out_path = workdir / "out.json"
        plan.update(think=args.think, timeout=args.timeout, out=str(out_path))
        plan_path.write_text(json.dumps(plan))
        users = n_supervisors + n_agents + 2
        print(
            f"load: {n_supervisors} supervisors ({per_supervisor} calls queued each), "
            f"{n_agents} agents, 2 probes; {args.duration} s, think {args.think} s, "
            f"gunicorn -c gunicorn.conf.py --workers {args.workers} on {HOST}:{port}"
        )
        loads.append(os.getloadavg()[0])
        locust = _run_locust(str(plan_path), port, users, args, workdir)
        started = time.perf_counter()
        stop_sampling = threading.Event()

        def sample() -> None:
            while not stop_sampling.wait(5):
                loads.append(os.getloadavg()[0])

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        deadline = args.duration + args.stop_timeout + 90
        try:
            locust.wait(timeout=deadline)
        except subprocess.TimeoutExpired:
            print(f"!! locust still running after {deadline} s: stopped")
        elapsed = time.perf_counter() - started
        stop_sampling.set()
        shared._stop(locust)
        shared._stop(server)  # nothing writes while the database is compared
        server = None
        if not out_path.exists():
            sys.stdout.write((workdir / "locust.out").read_text()[-4000:])
            raise SystemExit("locust wrote no results (its output is above)")
        log = json.loads(out_path.read_text())
        verified = _verify(log["writes"])
    finally:
        shared._stop(locust)
        shared._stop(server)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        if not args.keep:
            shared._sql_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _remove(workdir)

    ok = _report(log, verified, elapsed, loads, args)
    raise SystemExit(0 if ok else 1)


def _remove(workdir: Path) -> None:
    for child in workdir.iterdir():
        child.unlink()
    workdir.rmdir()


def _report(log: dict, verified: dict, elapsed: float, loads: list[float], args) -> bool:
    by_page: dict[str, list[float]] = {}
    failures: dict[str, dict[str, int]] = {}
    for name, ms, _status, error in log["requests"]:
        by_page.setdefault(name, []).append(ms)
        if error:
            failures.setdefault(name, {}).setdefault(error, 0)
            failures[name][error] += 1
    order = [n for n in TRIVIAL] + sorted(n for n in by_page if n not in TRIVIAL)
    reference = sorted(by_page.get(next(iter(TRIVIAL)), [])) or [float("nan")]
    ref_p50 = _percentile(reference, 0.5)
    total = sum(len(v) for v in by_page.values())
    print()
    print(
        f"{total} requests in {elapsed:.0f} s ({total / elapsed:.1f}/s: start, {args.duration} s "
        f"of load, the tasks in flight), {os.cpu_count()} CPUs, load average {min(loads):.1f}-{max(loads):.1f} "
        f"(mean {sum(loads) / len(loads):.1f}) — a shared machine: the figures are noisy"
    )
    print()
    print(f"{'page':<26} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p50 ÷ trivial':>13}")  # fmt: skip
    for name in order:
        values = sorted(by_page.get(name, []))
        p50 = _percentile(values, 0.5)
        errors = sum(failures.get(name, {}).values())
        print(
            f"{name:<26} {len(values):>8} {errors:>6} {p50:>8.0f} {_percentile(values, 0.95):>8.0f} "
            f"{_percentile(values, 0.99):>8.0f} {p50 / ref_p50 if ref_p50 else float('nan'):>12.1f}x"
        )
    print()
    print(
        f"writes: {verified['acknowledged']} acknowledged ({verified['submitted']} submits), "
        f"{verified['in_flight']} in flight at the stop ({verified['landed_in_flight']} landed); "
        f"{verified['events']} save/submit events; {verified['answers_checked']} answers found "
        f"in the database as sent"
    )
    ok = True
    for name, errors in failures.items():
        ok = False
        for error, count in sorted(errors.items(), key=lambda e: -e[1])[:5]:
            print(f"!! {name}: {count} x {error}")
    for problem in verified["problems"][:20]:
        ok = False
        print(f"!! lost or wrong: {problem}")
    if not verified["submitted"]:
        ok = False
        print("!! no evaluation was submitted: the run tested nothing (longer --duration?)")
    print("OK: no error, no lost answer" if ok else "FAILED")
    return ok


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # the finally blocks have stopped gunicorn and dropped the database
        print("interrupted: gunicorn and locust stopped, database dropped (unless --keep)")
        sys.exit(130)
