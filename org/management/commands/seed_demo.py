"""Builds the demo hotline. Safe to run twice: the second run changes nothing.

Each app may ship a `demo.py` with `seed(*, stdout, rng)`; they run in INSTALLED_APPS order,
so the scoring data comes after the organization it belongs to.
"""

from __future__ import annotations

import importlib
import random

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


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
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            # One generator per app, so adding data to one app does not reshuffle another's.
            module.seed(stdout=self.stdout, rng=random.Random(f"qa-center:{config.name}"))
        self.stdout.write(
            self.style.SUCCESS(
                "Demo ready. Logins (password demo): "
                "admin, manager, auditor, supervisor, teamlead, agent"
            )
        )
