"""python manage.py kpi_catalogue [--bulletin-targets]"""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Load the standard hotline indicators (kpi/catalogue.py): create the missing ones, "
        "rewrite the wording of the others. With --bulletin-targets, also make the bulletins' "
        "standards (QA_BULLETIN_*_STANDARD) the center's targets for this year."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bulletin-targets", action="store_true")

    def handle(self, *args, **options) -> None:
        from kpi.services import bulletin_targets_seed, catalogue_load

        created, updated = catalogue_load()
        self.stdout.write(f"indicators: {created} created, {updated} updated")
        if options["bulletin_targets"]:
            made = bulletin_targets_seed()
            self.stdout.write(f"bulletin standards as targets: {len(made)} created")
