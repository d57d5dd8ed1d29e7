"""Demo sampling (after the evaluations demo): a plan per department (2 calls per agent per
week), drawn for last week and this week; some of the demo supervisors' assignments scored, some
open, some overdue. Idempotent: plans are found by name."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from org.models import Department, Role, User
from qa_center.periods import WEEK, current, previous
from scoring.evaluations.demo import demo_score, review_context, write
from scoring.sampling.models import Assignment, SamplingPlan


def _sampling(*, stdout, rng, scorecard, users) -> None:
    from scoring.sampling.services import sampling_run

    week = current(WEEK)
    this_week, last_week = week.first_day, previous(week).first_day
    for department in Department.objects.order_by("code"):
        supervisors = list(
            User.objects.filter(
                role=Role.SUPERVISOR, department=department, is_active=True
            ).order_by("username")
        ) or [users["admin"]]
        plan, created = SamplingPlan.objects.get_or_create(
            name=f"{department.name}每周专项抽检",
            defaults={
                "scorecard": scorecard,
                "department": department,
                "calls_per_agent": 2,
                "assignment": SamplingPlan.Assign.ROUND_ROBIN,
                "due_days": 3,
            },
        )
        if created:
            plan.supervisors.set(supervisors)
        for week in (last_week, this_week):
            sampling_run(plan=plan, week_start=week)
    # The demo supervisors' last-week work: about half scored, a few overdue.
    for username in ("supervisor", "supervisor2"):
        user = users.get(username)
        if user is None:
            continue
        last = list(
            Assignment.objects.filter(supervisor=user, period_start=last_week)
            .select_related("call__auto_check", "plan__scorecard")
            .order_by("pk")
        )
        for index, assignment in enumerate(last):
            check = getattr(assignment.call, "auto_check", None)
            if check is not None and check.provisional:
                continue  # a call to confirm stays first in the queue, for the demo supervisor
            if index % 2 == 0 and assignment.status == Assignment.Status.OPEN:
                demo_score(assignment.call, assignment.plan.scorecard, user, rng)
            elif index % 6 == 1 and assignment.status == Assignment.Status.OPEN:
                # Due last Sunday evening: overdue whatever day the demo runs.
                overdue = datetime.datetime.combine(
                    last_week + datetime.timedelta(days=6),
                    datetime.time(18),
                    tzinfo=timezone.get_current_timezone(),
                )
                Assignment.objects.filter(pk=assignment.pk).update(due_at=overdue)
    from scoring.sampling.services import assignments_sync_done

    assignments_sync_done()
    write(stdout, f"sampling: {Assignment.objects.count()} assignments")


@transaction.atomic
def seed(*, stdout=None, rng: random.Random | None = None) -> None:
    context = review_context(stdout, "sampling")
    if context is not None:
        _sampling(stdout=stdout, rng=rng or random.Random(4), **context)
