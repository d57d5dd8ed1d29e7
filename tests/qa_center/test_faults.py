"""Fault tests: real Celery workers against PostgreSQL and a Redis of the test's own, killed,
cut off from the database or from Redis in the middle of a job; after the retry every call is
checked exactly once, every bulletin exists exactly once, an import is all or nothing, and
nothing is lost. Everything is counted.

"In the middle" is a point in the code, not a guessed moment: the worker (tests/fault_worker.py)
stops inside the job's transaction at a named point, after some batches are committed and
before the others, and says so in a marker file; the test then kills it (SIGKILL), drops its
database connection, or restarts Redis, and a new worker (or the same one) takes over.

The Redis is the test's own (a redis-server on a free port, append-only file on, as a broker
must be for its queue to survive a restart), so the shared one is never disturbed.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.db.models import Count

from tests.factories import WEEK, active_hotline, at, call_dict, jsonl, make_call

ROOT = Path(__file__).resolve().parents[2]
BATCH = 4  # calls per check task: many small batches, so that a kill lands between two
CALLS = 40

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def wait_for(predicate, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"{what}: not within {timeout} s")


class OwnRedis:
    """A redis-server of this test on a free port; `restart` keeps its queue (append-only
    file, written at every command)."""

    def __init__(self, directory: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                str(self.directory),
                "--daemonize",
                "yes",
                "--pidfile",
                str(self.directory / "redis.pid"),
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            check=True,
        )
        wait_for(self.ping, "our redis-server answers", 20)

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=2)

    def ping(self) -> bool:
        try:
            return self.client().ping()
        except Exception:  # noqa: BLE001 - not up yet
            return False

    def stop(self) -> None:
        try:
            self.client().shutdown(nosave=True)
        except Exception:  # noqa: BLE001 - shutdown closes the connection, or it was down
            pass
        wait_for(lambda: not self.ping(), "our redis-server stops", 20)

    def idle(self) -> bool:
        """No message waiting in the queue, none delivered and not acknowledged."""
        client = self.client()
        return client.llen("celery") == 0 and client.hlen("unacked") == 0


@pytest.fixture
def own_redis(tmp_path):
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed") if os.environ.get(
            "QA_REQUIRE_SERVICES"
        ) == "1" else pytest.skip("redis-server is not installed")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(own_redis, settings):
    """This process enqueues to our Redis (not in process), for the length of the test."""
    from qa_center.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.QA_CHECK_BATCH_SIZE = BATCH
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = own_redis.url
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    yield app
    app.conf.broker_url, app.conf.task_always_eager = saved
    app._pool = None
    app.amqp._producer_pool = None


class Workers:
    """Worker processes on the test database and our Redis, one at a time."""

    def __init__(self, app, redis_url: str, marker: Path) -> None:
        db = connection.settings_dict
        auth = quote(db["USER"] or "")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"])
        self.database_url = (
            f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
        self.app = app
        self.redis_url = redis_url
        self.marker = marker
        self.processes: list[subprocess.Popen] = []

    def start(self, pause: str = "", after: int = 1) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "qa_center.settings.base",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "QA_CHECK_BATCH_SIZE": str(BATCH),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "QA_FAULT_PAUSE": pause,
            "QA_FAULT_AFTER": str(after),
            "QA_FAULT_MARKER": str(self.marker),
        }
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        name = f"fault-{len(self.processes)}-{os.getpid()}@%h"
        log = open(self.marker.with_name(f"worker-{len(self.processes)}.log"), "w")  # noqa: SIM115
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.fault_worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                name,
                "-l",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        wanted = name.replace("%h", socket.gethostname())

        def answers():
            if process.poll() is not None:
                pytest.fail(f"the worker exited: {self.log(process)}")
            return any(wanted in reply for reply in self.app.control.ping(timeout=0.5))

        wait_for(answers, "the worker answers", 60)
        return process

    def log(self, process: subprocess.Popen) -> str:
        index = self.processes.index(process)
        return self.marker.with_name(f"worker-{index}.log").read_text()

    def paused(self) -> int:
        """Wait until the worker stops at its point; the pid of its database backend."""
        wait_for(self.marker.exists, "the worker reaches its point", 60)
        return int(wait_for(lambda: self.marker.read_text().strip(), "the marker is written"))

    def go_on(self) -> None:
        Path(f"{self.marker}.go").touch()

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=20)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def workers(transactional_db, broker, own_redis, tmp_path):
    pool = Workers(broker, own_redis.url, tmp_path / "marker")
    yield pool
    pool.stop_all()  # before the test database is flushed: no worker holds a lock on it


def settled(own_redis, predicate):
    """The job is over: nothing waits in (or was taken from) the queue, and `predicate`."""

    def check():
        return own_redis.idle() and predicate()

    return check


def assert_each_call_checked_once(calls, library) -> None:
    from scoring.calls.models import CallCheck

    ids = set(calls.values_list("pk", flat=True))
    checks = CallCheck.objects.filter(call__in=ids)
    per_call = checks.values("call").annotate(n=Count("pk"))
    assert {row["call"] for row in per_call} == ids  # every call checked: none lost
    assert {row["n"] for row in per_call} == {1}  # once
    assert set(checks.values_list("library", flat=True)) == {library.pk}  # by the right one
    assert all(check.outcomes for check in checks)  # a whole result, not a stub


# --- The import and its automatic checks --------------------------------------------------


def _import(world, n: int = CALLS):
    from scoring.calls.services.imports import import_file

    agent = world.agents["a1"][0].employee_no
    content = jsonl(*(call_dict(f"FAULT-{i:03d}", agent) for i in range(n)))
    return import_file(user=world.users["admin"], filename="faults.jsonl", content=content)


def _job_checked(job, n: int = CALLS):
    from scoring.calls.models import CallCheck

    return lambda: CallCheck.objects.filter(call__import_job=job).count() == n


def test_a_worker_killed_during_an_imports_checks(world, workers, own_redis):
    from scoring.calls.models import Call, CallCheck, ImportJob

    library = active_hotline()
    first = workers.start(pause="checks.copy", after=4)
    job = _import(world)
    workers.paused()
    checked = CallCheck.objects.filter(call__import_job=job).count()
    assert checked == 3 * BATCH  # three batches committed, the fourth in the middle
    workers.kill(first)

    workers.start()
    wait_for(settled(own_redis, _job_checked(job)), "all the calls checked after the retry")
    job.refresh_from_db()
    assert (job.status, job.imported, job.total) == (ImportJob.Status.DONE, CALLS, CALLS)
    calls = Call.objects.filter(import_job=job)
    assert calls.count() == CALLS
    assert_each_call_checked_once(calls, library)


def test_a_worker_killed_in_the_middle_of_writing_an_import(world, workers, own_redis):
    from scoring.calls.models import Call, ImportJob

    library = active_hotline()
    first = workers.start(pause="import.copy")
    job = _import(world)
    workers.paused()
    # The calls are being written in one transaction: none is visible, none is left behind.
    assert Call.objects.count() == 0
    workers.kill(first)
    assert Call.objects.count() == 0
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.RUNNING

    workers.start()
    wait_for(settled(own_redis, _job_checked(job)), "the import done and checked after the retry")
    job.refresh_from_db()
    assert (job.status, job.imported) == (ImportJob.Status.DONE, CALLS)
    assert Call.objects.count() == CALLS  # once: not twice, not half
    assert_each_call_checked_once(Call.objects.all(), library)


# --- Rescoring after a library is activated ----------------------------------------------


def _rescore_setup(world):
    import copy

    from scoring.calls.models import Call
    from scoring.calls.services.checks import call_checks_run
    from scoring.rules.services import library_create

    first = active_hotline()
    agents = [agent for team in world.agents.values() for agent in team]
    calls = [make_call(agents[i % len(agents)], started_at=at(WEEK, i % 5)) for i in range(CALLS)]
    call_checks_run(call_ids=[call.pk for call in calls])
    changed = copy.deepcopy(first.definition)
    changed["rules"] = changed["rules"][:3]
    second = library_create(definition=changed)
    return first, second, Call.objects.filter(pk__in=[call.pk for call in calls])


def test_a_worker_killed_during_a_rescore(world, workers, own_redis):
    import datetime

    from scoring.calls.models import CallCheck
    from scoring.calls.services.checks import library_activate_and_rescore, library_rescore_progress

    first, second, calls = _rescore_setup(world)
    assert CallCheck.objects.filter(library=first).count() == CALLS
    worker = workers.start(pause="checks.copy", after=3)
    second = library_activate_and_rescore(
        library=second, rescore_from=WEEK, rescore_to=WEEK + datetime.timedelta(days=6)
    )
    assert second.rescore_total == CALLS
    workers.paused()
    assert CallCheck.objects.filter(library=second).count() == 2 * BATCH
    workers.kill(worker)

    workers.start()
    wait_for(
        settled(own_redis, lambda: library_rescore_progress(second)["finished"]),
        "the rescore finished after the retry",
    )
    assert_each_call_checked_once(calls, second)
    assert CallCheck.objects.count() == CALLS  # one per call: replaced, not added


# --- The weekly bulletins -----------------------------------------------------------------


def _bulletin_week(world):
    for team in world.agents.values():
        for agent in team:
            for day in range(3):
                make_call(agent, started_at=at(WEEK, day), score=90 + day)


def _assert_bulletins_once(world) -> None:
    from bulletins.models import Bulletin
    from qa_center.models import Notification

    scopes = 1 + 2 + 3  # the center, its two departments, their three teams
    bulletins = Bulletin.objects.filter(kind="weekly", period_start=WEEK)
    assert bulletins.count() == scopes
    assert set(bulletins.values_list("revision", flat=True)) == {1}
    assert bulletins.values("scope_key").distinct().count() == scopes
    # Each reader told once of each bulletin.
    told = Notification.objects.values("user", "url").annotate(n=Count("pk"))
    assert told and {row["n"] for row in told} == {1}


def test_a_worker_killed_during_the_weekly_bulletins(world, workers, own_redis):
    from bulletins.models import Bulletin
    from bulletins.tasks import bulletins_weekly

    _bulletin_week(world)
    worker = workers.start(pause="bulletins.inserted")
    bulletins_weekly.delay(WEEK.isoformat())
    workers.paused()
    assert Bulletin.objects.count() == 0  # inserted, not committed
    workers.kill(worker)

    workers.start()
    wait_for(
        settled(own_redis, lambda: Bulletin.objects.count() == 6),
        "the bulletins after the retry",
    )
    _assert_bulletins_once(world)
    bulletins_weekly.delay(WEEK.isoformat())  # and once more, as beat might: nothing new
    wait_for(settled(own_redis, lambda: True), "the second run")
    _assert_bulletins_once(world)


# --- The database connection dropped in the middle of a transaction -----------------------


def _terminate(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone() == (True,)


def test_the_database_connection_dropped_during_checks(world, workers, own_redis):
    from scoring.calls.models import Call

    library = active_hotline()
    workers.start(pause="checks.copy", after=3)
    job = _import(world)
    _terminate(workers.paused())
    workers.go_on()
    wait_for(settled(own_redis, _job_checked(job)), "all the calls checked after the retry")
    assert_each_call_checked_once(Call.objects.filter(import_job=job), library)


def test_the_database_connection_dropped_during_an_import(world, workers, own_redis):
    from scoring.calls.models import Call, ImportJob

    library = active_hotline()
    workers.start(pause="import.copy")
    job = _import(world)
    _terminate(workers.paused())
    workers.go_on()
    wait_for(settled(own_redis, _job_checked(job)), "the import done and checked after the retry")
    job.refresh_from_db()
    assert (job.status, job.imported) == (ImportJob.Status.DONE, CALLS)
    assert Call.objects.count() == CALLS
    assert_each_call_checked_once(Call.objects.all(), library)


def test_the_database_connection_dropped_during_the_weekly_bulletins(world, workers, own_redis):
    from bulletins.models import Bulletin
    from bulletins.tasks import bulletins_weekly

    _bulletin_week(world)
    workers.start(pause="bulletins.inserted")
    bulletins_weekly.delay(WEEK.isoformat())
    _terminate(workers.paused())
    workers.go_on()
    wait_for(
        settled(own_redis, lambda: Bulletin.objects.count() == 6),
        "the bulletins after the retry",
    )
    _assert_bulletins_once(world)


# --- Redis restarted during a job ---------------------------------------------------------


def test_redis_restarted_during_the_checks(world, workers, own_redis):
    from scoring.calls.models import Call

    library = active_hotline()
    workers.start(pause="checks.copy", after=3)
    job = _import(world)
    workers.paused()
    own_redis.stop()
    own_redis.start()
    workers.go_on()
    wait_for(settled(own_redis, _job_checked(job)), "all the calls checked after the restart")
    assert_each_call_checked_once(Call.objects.filter(import_job=job), library)


def test_redis_down_when_an_import_commits(world, workers, own_redis):
    """The import's calls are committed while Redis is away, so its checks cannot be
    enqueued at that moment: the import is still done (its calls are there; it was marked
    refused, "nothing imported", with all its calls in the database), and its checks are not
    lost once Redis is back (its task, not acknowledged, runs again and enqueues them)."""
    from scoring.calls.models import Call, ImportJob

    library = active_hotline()
    workers.start(pause="import.finish")
    job = _import(world)
    workers.paused()
    own_redis.stop()
    workers.go_on()
    wait_for(
        lambda: ImportJob.objects.get(pk=job.pk).status != ImportJob.Status.RUNNING,
        "the import ends while Redis is away",
    )
    job.refresh_from_db()
    assert (job.status, job.imported) == (ImportJob.Status.DONE, CALLS)
    assert Call.objects.count() == CALLS
    own_redis.start()
    # The worker reconnects with its back-off (2, 4, 6 … s), then the import's task, never
    # acknowledged, is given again once its visibility timeout has passed.
    wait_for(settled(own_redis, _job_checked(job)), "the import's calls checked", 90)
    job.refresh_from_db()
    assert (job.status, job.imported) == (ImportJob.Status.DONE, CALLS)
    assert Call.objects.count() == CALLS
    assert_each_call_checked_once(Call.objects.all(), library)
