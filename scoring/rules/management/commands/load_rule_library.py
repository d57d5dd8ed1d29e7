"""`manage.py load_rule_library FILE [--activate]`: load a rule library JSON as a new version
(or find the identical version already loaded) and optionally make it the active one."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from scoring.rules.services import LibraryInvalidError, library_load_file


class Command(BaseCommand):
    help = "Load a rule library (the engine's JSON) and optionally activate it."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--activate", action="store_true")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("%(file)s: no such file.") % {"file": path})
        try:
            library = library_load_file(path=path, activate=options["activate"])
        except LibraryInvalidError as exc:
            for problem in exc.problems:
                where = " ".join(
                    str(bit)
                    for bit in (
                        f"rules[{problem['index']}]" if problem["index"] is not None else "",
                        problem["code"] or "",
                        problem["field"] or "",
                    )
                    if bit
                )
                self.stderr.write(f"{path}: {problem['level']}: {where}: {problem['message']}")
            raise SystemExit(2) from None
        self.stdout.write(
            _("%(library)s (%(status)s), %(rules)s rules.")
            % {
                "library": library,
                "status": library.get_status_display(),
                "rules": len(library.definition.get("rules", [])),
            }
        )
