"""Periodic work of the evaluations app. Schedule (CELERY_BEAT_SCHEDULE
"evaluations-verify-history"): every night at 02:30 center time, the whole history is verified
as `manage.py verify_history` does, and the result stored for /health."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="evaluations.verify_history")
def evaluations_verify_history() -> dict:
    from scoring.evaluations.services.history import history_check

    result = history_check()
    for problem in result.problems[:100]:
        logger.error("evaluation history: %s", problem)
    return result.summary()
