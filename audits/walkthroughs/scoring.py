"""The walk-through score, as a pure function: what a department earns for one walk-through.

    score = 40 × (steps with a document uploaded on time ÷ steps)
          + 30 × (drill: done = 1, unreasonable = ½, missing or not drilled = 0, ÷ steps)
          + 30 − 15 per major nonconformity − 5 per minor one (never below 0)

Observations and good practices cost nothing. A department's monthly score is the mean of its
concluded walk-throughs (selectors.department_walkthrough_score).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DOCUMENTS_POINTS = Decimal(40)
DRILL_POINTS = Decimal(30)
FINDINGS_POINTS = Decimal(30)
MAJOR_PENALTY = Decimal(15)
MINOR_PENALTY = Decimal(5)
DRILL_CREDIT = {"done": Decimal(1), "unreasonable": Decimal("0.5"), "missing": Decimal(0)}
ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True)
class Tally:
    steps: int
    steps_on_time: int
    drill: tuple[str, ...]  # one result per drilled step ("done", "missing", "unreasonable")
    major: int = 0
    minor: int = 0


@dataclass(frozen=True)
class Score:
    documents: Decimal
    drill: Decimal
    findings: Decimal

    @property
    def total(self) -> Decimal:
        return (self.documents + self.drill + self.findings).quantize(ONE_PLACE, ROUND_HALF_UP)


def score(tally: Tally) -> Score:
    steps = max(tally.steps, 1)
    documents = DOCUMENTS_POINTS * Decimal(min(tally.steps_on_time, steps)) / steps
    drill_credit = sum((DRILL_CREDIT.get(r, Decimal(0)) for r in tally.drill), Decimal(0))
    drill = DRILL_POINTS * min(drill_credit, Decimal(steps)) / steps
    findings = max(
        FINDINGS_POINTS - MAJOR_PENALTY * tally.major - MINOR_PENALTY * tally.minor, Decimal(0)
    )
    q = lambda d: d.quantize(ONE_PLACE, ROUND_HALF_UP)  # noqa: E731
    return Score(documents=q(documents), drill=q(drill), findings=q(findings))
