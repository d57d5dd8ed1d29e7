"""python manage.py kpi_close --period day|week|month|quarter --date YYYY-MM-DD"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from qa_center import periods


class Command(BaseCommand):
    help = (
        "Close the day, week (Monday–Sunday), month or quarter containing --date for the "
        "indicators watched on that period: values stored, shortfalls locked. Safe to run twice."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period", required=True, choices=periods.KINDS)
        parser.add_argument("--date", required=True, help="Any day of the period, YYYY-MM-DD.")
        parser.add_argument(
            "--indicator", action="append", help="Only this indicator (code); may repeat."
        )

    def handle(self, *args, **options) -> None:
        from kpi.models import Indicator
        from kpi.services import period_close

        try:
            day = periods.parse_day(options["date"])
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from None
        indicators = None
        if options["indicator"]:
            indicators = list(Indicator.objects.filter(code__in=options["indicator"]))
            unknown = set(options["indicator"]) - {i.code for i in indicators}
            if unknown:
                raise CommandError(f"--indicator: unknown {', '.join(sorted(unknown))}")
        result = period_close(kind=options["period"], day=day, indicators=indicators)
        self.stdout.write(
            f"{result.period}: {result.indicators} indicators, {result.values} values, "
            f"{result.shortfalls} new shortfalls, {result.revisions} revisions"
        )
