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


@shared_task(name="evaluations.trial_run")
def trial_run(trial_id: int) -> str | None:
    """Run a draft rule library over a period of stored calls (RuleTrial); safe to run twice."""
    from scoring.evaluations.services.trials import trial_run as run

    trial = run(trial_id=trial_id)
    return None if trial is None else trial.status
