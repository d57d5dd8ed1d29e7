"""A real Celery worker for the fault tests (tests/qa_center/test_faults.py), with a seam the
test drives through the environment, so that "in the middle of a job" is a point in the
code, not a moment guessed with a sleep:

- QA_FAULT_PAUSE=<point>: when the worker reaches <point> the `QA_FAULT_AFTER`-th time
  (default 1), inside the job's transaction, it writes its database backend's pid to
  QA_FAULT_MARKER and waits until the file QA_FAULT_MARKER + ".go" exists (the test kills it
  meanwhile, or drops its database connection and then lets it go on). Points:
  `checks.copy` (the COPY of a batch of automatic checks), `import.copy` (the COPY of an
  import's calls), `import.finish` (the import written and marked done, its checks to be
  enqueued when it commits), `bulletins.<stage>` (bulletins.services._hook: collected, inserted,
  followed_up).

Without QA_FAULT_PAUSE it is a plain worker. Run as `python -m tests.fault_worker <celery
worker arguments>`, with DATABASE_URL and REDIS_URL set for the worker.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qa_center.settings.base")

import django  # noqa: E402

django.setup()

from qa_center.celery import app  # noqa: E402

# A message whose worker died is given again once its visibility timeout has passed (kombu's
# Redis transport); the hour of the default would outlast the test. Scanned every second.
app.conf.broker_transport_options = {
    "visibility_timeout": float(os.environ.get("QA_FAULT_VISIBILITY", "4")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

POINT = os.environ.get("QA_FAULT_PAUSE", "")
AFTER = int(os.environ.get("QA_FAULT_AFTER", "1"))
MARKER = Path(os.environ.get("QA_FAULT_MARKER", "/nonexistent"))
_reached = 0


def _pause(point: str) -> None:
    global _reached
    if point != POINT:
        return
    _reached += 1
    if _reached != AFTER:
        return
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    MARKER.write_text(str(pid))
    go = Path(f"{MARKER}.go")
    deadline = time.monotonic() + 120
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def _install() -> None:
    from bulletins import services as bulletins
    from scoring.calls.models import Call, CallCheck
    from scoring.calls.services import copy

    hook = bulletins._hook

    def bulletins_hook(stage: str) -> None:
        _pause(f"bulletins.{stage}")
        hook(stage)

    bulletins._hook = bulletins_hook

    from scoring.calls.services import imports

    finish = imports._finish

    def paused_finish(*args, **kwargs):
        finish(*args, **kwargs)
        _pause("import.finish")

    imports._finish = paused_finish

    copy_lines = copy.copy_lines
    # The checks of calls never checked go straight into their table, the others (a rescore)
    # through the temporary table `_qa_checks`.
    tables = {
        CallCheck._meta.db_table: "checks.copy",
        "_qa_checks": "checks.copy",
        Call._meta.db_table: "import.copy",
    }

    def paused_copy_lines(table, *args, **kwargs):
        if table in tables:
            _pause(tables[table])
        return copy_lines(table, *args, **kwargs)

    copy.copy_lines = paused_copy_lines


if __name__ == "__main__":
    _install()
    app.worker_main(["worker", *sys.argv[1:]])
