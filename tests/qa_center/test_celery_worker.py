"""A real Celery worker process, against Redis, runs our tasks end to end."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.worker, pytest.mark.redis]


@pytest.fixture
def worker():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "qa_center.settings.base"}
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "qa_center",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"pytest-{os.getpid()}@%h",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    from qa_center.celery import app

    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the worker exited: {process.stdout.read()}")
            if app.control.ping(timeout=0.5):
                break
        else:
            pytest.fail("no worker answered within 60 s")
        yield process
    finally:
        app.conf.task_always_eager = True
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_worker_runs_a_task_and_returns_its_result(worker):
    from qa_center.tasks import echo

    assert echo.delay("你好 worker").get(timeout=30) == "你好 worker"


def test_the_heartbeat_job_is_seen_by_health(worker, client, settings, db):
    from django.core.cache import cache

    from qa_center.tasks import HEARTBEAT_KEY, heartbeat

    cache.delete(HEARTBEAT_KEY)
    beat = heartbeat.delay().get(timeout=30)
    assert cache.get(HEARTBEAT_KEY)["at"] == beat["at"]
    settings.REDIS_URL = os.environ["REDIS_URL"]
    from qa_center.celery import app

    app.conf.task_always_eager = False
    data = client.get("/health").json()
    assert data["checks"]["worker"]["ok"] is True
    assert data["checks"]["worker"]["workers"]
