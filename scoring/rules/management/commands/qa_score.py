"""``manage.py qa_score``: score calls against a rule library (a thin wrapper of the engine CLI).

    python manage.py qa_score --rules RULES.json [--output OUT.jsonl] [--workers N] CALLS.jsonl
    python manage.py qa_score --check RULES.json

Exit status 0 ok, 1 some invalid call lines, 2 invalid rule library (see ``docs/rules.md``).
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from scoring.engine import cli


class Command(BaseCommand):
    help = (
        "Score calls (JSON Lines, - for stdin) against a rule library, or --check a library. "
        "Exit status: 0 ok, 1 some invalid call lines, 2 invalid rule library."
    )
    # The engine needs no database; skipping the system checks keeps start-up fast in pipelines.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        cli.add_arguments(parser)

    def handle(self, *args, **options) -> None:
        # Our own streams unless a caller (call_command) passed others: the engine writes
        # bytes straight to stdout's buffer when it has one.
        stdout = getattr(self.stdout, "_out", sys.stdout)
        stderr = getattr(self.stderr, "_out", sys.stderr)
        status = cli.run(
            rules=options["rules"],
            calls=options["calls"],
            output=options["output"],
            workers=options["workers"],
            check=options["check"],
            compact=options.get("compact", False),
            stdout=stdout,
            stderr=stderr,
        )
        if status:
            # CommandError would always exit 1; the contract needs 1 and 2 apart.
            sys.exit(status)
