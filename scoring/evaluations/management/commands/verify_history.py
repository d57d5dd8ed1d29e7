"""Verify the evaluations' history: `verify_history [--evaluation ID]`.

Each evaluation's chain of events is checked (every hash recomputed, every link to the previous
event, the sequence without a gap) and so are its rows (evaluation and answers) against the
state its last event recorded. Prints what it checked and each problem; exits 1 on any. A run
over the whole history is stored for /health (the nightly task does the same run)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from scoring.evaluations.models import Evaluation
from scoring.evaluations.services.history import history_check


class Command(BaseCommand):
    help = "Verify every evaluation's hash-chained history and its rows; exit 1 on any problem."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--evaluation", type=int, help="one evaluation's id (default: every evaluation)"
        )

    def handle(self, *args, evaluation=None, **options) -> None:
        if evaluation is not None and not Evaluation.objects.filter(pk=evaluation).exists():
            raise CommandError(f"--evaluation {evaluation}: no such evaluation")
        result = history_check(evaluation_id=evaluation)
        self.stdout.write(
            f"Checked {result.evaluations} evaluation(s) and {result.events} event(s)"
            + ("" if evaluation is not None else " (result stored for /health)")
            + "."
        )
        for problem in result.problems:
            self.stdout.write(f"PROBLEM {problem}")
        if result.problems:
            raise CommandError(
                f"{len(result.problems)} problem(s) found in the history.", returncode=1
            )
        self.stdout.write(self.style.SUCCESS("Every history verifies."))
