"""Celery jobs of corrective actions (schedule: CELERY_BEAT_SCHEDULE in settings).

- actions_escalate_overdue: every day at 09:00 (center time), open actions past their due date
  are escalated, once each, to their department's managers (the center's for a center action).
  Safe to run twice or at once: a conditional update marks each action escalated once.
"""

from __future__ import annotations

from celery import shared_task

from qa_center.tasks import RETRY


@shared_task(name="actions.escalate_overdue", **RETRY)
def actions_escalate_overdue() -> dict:
    from audits.actions.services import actions_escalate_overdue as escalate

    return {"escalated": [action.pk for action in escalate()]}
