"""`manage.py import_calls FILE [--format jsonl|csv|xlsx] [--user USERNAME]`

Imports a calls file exactly as the browser does (validate all, then import all or nothing).
Problems are printed as `file:line: field: message`; the exit status is 1 when the file is
refused, 0 when it was imported (duplicates are reported, not errors).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from scoring.calls.importers import FORMATS, render_problem
from scoring.calls.models import ImportJob
from scoring.calls.services.imports import import_file


class Command(BaseCommand):
    help = "Import calls from a JSON Lines, CSV or XLSX file, with automatic checks."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--format", choices=FORMATS, default=None)
        parser.add_argument(
            "--user", default=None, help="Who the import is recorded for (default: an admin)."
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("%(file)s: no such file.") % {"file": path})
        User = get_user_model()  # noqa: N806
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No user %(user)s.") % {"user": options["user"]})
        else:
            user = User.objects.filter(role="admin", is_active=True).order_by("pk").first()
            if user is None:
                raise CommandError(_("No administrator to record the import for; use --user."))
        job = import_file(
            user=user, filename=path.name, content=path.read_bytes(), fmt=options["format"]
        )
        job.refresh_from_db()
        if job.status == ImportJob.Status.FAILED:
            for problem in job.errors:
                self.stderr.write(render_problem(problem, filename=str(path)))
            self.stderr.write(_("Refused: nothing was imported."))
            raise SystemExit(1)
        if job.status != ImportJob.Status.DONE:
            self.stdout.write(_("Import %(id)s queued for the worker.") % {"id": job.pk})
            return
        for call_id in job.duplicates:
            self.stdout.write(
                _("%(file)s: call %(call_id)s was already imported; skipped.")
                % {"file": path, "call_id": call_id}
            )
        self.stdout.write(
            _("Imported %(imported)s calls (%(duplicates)s already imported).")
            % {"imported": job.imported, "duplicates": len(job.duplicates)}
        )
