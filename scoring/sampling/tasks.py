"""Periodic sampling (专项抽检). Schedule (CELERY_BEAT_SCHEDULE "sampling-weekly"): every
Monday 07:00 center time, each active plan draws from the previous Monday–Sunday week."""

from __future__ import annotations

from celery import shared_task

from qa_center.periods import WEEK, current, parse_day, previous, week_start_of


@shared_task(name="sampling.run_weekly")
def sampling_run_weekly(week_start: str | None = None) -> dict:
    """Safe to run twice: a plan's week is only topped up to N calls per agent."""
    from scoring.sampling.services import sampling_run_active

    if week_start:
        monday = week_start_of(parse_day(week_start))
    else:
        monday = previous(current(WEEK)).first_day
    results = sampling_run_active(week_start=monday)
    return {"week_start": monday.isoformat(), "created": {r.plan_id: r.created for r in results}}


@shared_task(name="sampling.run_plan")
def sampling_run_plan(plan_id: int, week_start: str) -> int:
    from scoring.sampling.models import SamplingPlan
    from scoring.sampling.services import sampling_run

    plan = SamplingPlan.objects.get(pk=plan_id)
    return sampling_run(plan=plan, week_start=parse_day(week_start)).created
