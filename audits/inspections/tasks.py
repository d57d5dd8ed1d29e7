"""Celery jobs of inspections (schedule: CELERY_BEAT_SCHEDULE in settings).

- inspections_schedule: the 1st of every month at 07:00 (center time), each active
  SelfInspectionSchedule opens its period's self-inspection (a quarterly one on the first month
  of the quarter). Safe to run twice or at once: one per department and period (a constraint).
"""

from __future__ import annotations

from celery import shared_task

from qa_center.tasks import RETRY


@shared_task(name="inspections.schedule", **RETRY)
def inspections_schedule() -> dict:
    from audits.inspections.services import self_inspections_schedule

    return {"opened": [inspection.pk for inspection in self_inspections_schedule()]}
