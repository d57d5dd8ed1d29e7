"""Housekeeping jobs."""

from __future__ import annotations

import socket

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "qa_center:worker-heartbeat"


def _transient_errors() -> tuple[type[BaseException], ...]:
    from django.db import InterfaceError, OperationalError
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (OperationalError, InterfaceError, BrokerError, RedisConnectionError, RedisTimeoutError)


#: What a job meets when the database or Redis goes away for a moment (a dropped connection,
#: a restart): not a fault of the job, which runs again (each of ours is safe to run twice)
#: instead of being acknowledged as failed and lost. `RETRY` is how often and how slowly.
TRANSIENT_ERRORS = _transient_errors()
RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "retry_kwargs": {"max_retries": 8},
}


@shared_task(name="qa_center.tasks.heartbeat")
def heartbeat() -> dict:
    """Record that a worker ran a job just now; /health shows the time of the last one."""
    beat = {"at": timezone.now().isoformat(), "host": socket.gethostname()}
    cache.set(HEARTBEAT_KEY, beat, timeout=None)
    return beat


@shared_task(name="qa_center.tasks.echo")
def echo(value: str) -> str:
    """Returns what it is given: the smallest job that proves a worker runs our code."""
    return value
