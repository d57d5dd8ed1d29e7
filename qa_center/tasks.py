"""Housekeeping jobs."""

from __future__ import annotations

import socket

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "qa_center:worker-heartbeat"


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
