"""Generate the bulletins of any past week or month, as the periodic jobs would."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bulletins.services import bulletin_generate_month, bulletins_generate_week
from qa_center import periods


class Command(BaseCommand):
    help = (
        "Generate weekly bulletins (--week, any day of the week) or the monthly notice "
        "(--month YYYY-MM). Idempotent; --revise --reason regenerates as a new revision."
    )

    def add_arguments(self, parser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--week", help="a day of the week (YYYY-MM-DD)")
        group.add_argument("--month", help="YYYY-MM")
        parser.add_argument(
            "--scope",
            action="append",
            help="center, department:<id> or team:<id> (repeatable; default every scope)",
        )
        parser.add_argument("--revise", action="store_true", help="generate a new revision")
        parser.add_argument("--reason", default="", help="why (required with --revise)")
        parser.add_argument("--quiet-notify", action="store_true", help="do not notify readers")

    def handle(self, *args, **options) -> None:
        try:
            if options["week"]:
                try:
                    day = periods.parse_day(options["week"])
                except ValueError as exc:
                    raise CommandError(f"--week: {exc}") from None
                result = bulletins_generate_week(
                    week_start=day,
                    scopes=options["scope"],
                    revise=options["revise"],
                    reason=options["reason"],
                    notify_readers=not options["quiet_notify"],
                )
                label = f"week of {periods.week_start_of(day)}"
            else:
                try:
                    month = periods.parse_period(options["month"], periods.MONTH).first_day
                except ValueError as exc:
                    raise CommandError(f"--month: {exc}") from None
                result = bulletin_generate_month(
                    month=month,
                    revise=options["revise"],
                    reason=options["reason"],
                    notify_readers=not options["quiet_notify"],
                )
                label = f"month {month:%Y-%m}"
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            f"{label}: {len(result.created)} bulletin(s) created, {result.skipped} already there"
        )
