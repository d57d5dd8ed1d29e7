"""Draw this plan's (or every active plan's) sample for a week: `sample_calls [--plan ID]
[--week YYYY-MM-DD]`. Any day of the week names its Monday; the default is last week."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from qa_center.periods import WEEK, current, parse_day, previous, week_start_of
from scoring.sampling.models import SamplingPlan
from scoring.sampling.services import sampling_run


class Command(BaseCommand):
    help = "Draw sampled calls for supervisors (专项抽检) for one week."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--plan", type=int, help="sampling plan id (default: all active)")
        parser.add_argument("--week", help="a day of the week to sample, YYYY-MM-DD")

    def handle(self, *args, plan=None, week=None, **options) -> None:
        if week:
            try:
                day = parse_day(week)
            except ValueError as exc:
                raise CommandError(f"--week: {exc}") from None
            monday = week_start_of(day)
        else:
            monday = previous(current(WEEK)).first_day
        plans = SamplingPlan.objects.filter(is_active=True)
        if plan is not None:
            plans = SamplingPlan.objects.filter(pk=plan)
            if not plans.exists():
                raise CommandError(f"--plan {plan}: no such sampling plan")
        for each in plans.order_by("pk"):
            try:
                result = sampling_run(plan=each, week_start=monday)
            except ValidationError as exc:
                self.stderr.write(f"{each}: {'; '.join(exc.messages)}")
                continue
            self.stdout.write(
                f"{each} · {monday}: {result.created} new, {result.already} already sampled, "
                f"{len(result.short_agents)} agents with fewer calls than the plan asks"
            )
