"""Running one piece of work several times at the same moment, in real threads with their own
database connections (PostgreSQL, transactional tests): what two beat processes, a retried
task or two people clicking at once do."""

from __future__ import annotations

import threading

from django.db import connection


def in_threads(target, n=4) -> list[Exception]:
    """Run ``target`` in ``n`` threads released together; the exceptions they raised."""
    barrier = threading.Barrier(n)
    errors: list[Exception] = []

    def run():
        try:
            barrier.wait()
            target()
        except Exception as exc:  # noqa: BLE001 - returned to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
