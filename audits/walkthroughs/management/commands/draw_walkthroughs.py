"""Draw a month's process walk-throughs, as the monthly job does on the 1st."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from audits.walkthroughs.services import walkthroughs_draw_month
from qa_center import periods


class Command(BaseCommand):
    help = (
        "Draw up to two published systems or processes per department for --month YYYY-MM "
        "(default: this month). Idempotent: a department drawn already keeps its draw."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", help="YYYY-MM (default: the current month)")

    def handle(self, *args, **options) -> None:
        if options["month"] is None:
            month = periods.current(periods.MONTH).first_day
        else:
            try:
                month = periods.parse_period(options["month"], periods.MONTH).first_day
            except ValueError as exc:
                raise CommandError(f"--month: {exc}") from None
        result = walkthroughs_draw_month(month=month)
        self.stdout.write(
            f"{month:%Y-%m}: {len(result.created)} walk-through(s) drawn for "
            f"{len(result.departments)} department(s) (seed {result.draw.seed})"
        )
        for row in result.departments:
            if row.drawn < 2:
                self.stdout.write(
                    f"  {row.department.name}: {row.drawn} drawn, only {row.available} "
                    "published system(s) or process(es)"
                )
