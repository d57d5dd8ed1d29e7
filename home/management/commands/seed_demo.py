"""Builds the demo hotline. Safe to run twice: the second run changes nothing.

The apps' demos run in the order of their dependencies, so each finds what it builds on: the
organization, the calls and their checks, the evaluations, then what supervisors, agents and
the review group did with them, and last the bulletins.
"""

from __future__ import annotations

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audits.inspections import demo as inspections_demo
from audits.standards import demo as standards_demo
from audits.walkthroughs import demo as walkthroughs_demo
from bulletins import demo as bulletins_demo
from kpi import demo as kpi_demo
from org import demo as org_demo
from org.demo import DEMO_LOGINS
from scoring.calibration import demo as calibration_demo
from scoring.calls import demo as calls_demo
from scoring.disputes import demo as disputes_demo
from scoring.evaluations import demo as evaluations_demo
from scoring.sampling import demo as sampling_demo

DEMOS = [
    ("org", org_demo),
    ("calls", calls_demo),
    ("evaluations", evaluations_demo),
    ("sampling", sampling_demo),
    ("disputes", disputes_demo),
    ("calibration", calibration_demo),
    ("standards", standards_demo),
    ("inspections", inspections_demo),
    ("walkthroughs", walkthroughs_demo),
    ("kpi", kpi_demo),
    ("bulletins", bulletins_demo),
]


class Command(BaseCommand):
    help = "Create the demo organization, users (password 'demo') and data. Demo use only."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even when DEBUG is off (the demo users all have the password 'demo').",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not settings.QA_DEMO and not options["allow_production"]:
            raise CommandError(
                "Refusing to create demo users with a known password on a production server "
                "(DEBUG is off and QA_DEMO is not set). Pass --allow-production to insist."
            )
        started = time.monotonic()
        for name, module in DEMOS:
            # One generator per app, so adding data to one app does not reshuffle another's.
            began = time.monotonic()
            module.seed(stdout=self.stdout, rng=random.Random(f"qa-center:{name}"))
            self.stdout.write(f"  ({name}: {time.monotonic() - began:.1f} s)")
        self.stdout.write(f"Seeded in {time.monotonic() - started:.0f} s.")
        self.stdout.write(
            self.style.SUCCESS(f"Demo ready. Logins (password demo): {', '.join(DEMO_LOGINS)}")
        )
