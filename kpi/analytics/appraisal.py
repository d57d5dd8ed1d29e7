"""Weighted composites: the department performance appraisal (部门绩效考核) and the agent and
team-lead scorecards.

Each component is an indicator's attainment of its target, scored 0–`CAP` points:
value ÷ target × 100 when higher is better, target ÷ value × 100 when lower is better (capped
at CAP so one excellent indicator cannot hide a poor one). The composite is Σ weightᵢ·scoreᵢ ÷
Σ weightᵢ over the components that have both a value and a target; the weights must sum to 100 —
`check_weights` says what is wrong otherwise. A component without value or target is shown but
leaves the composite, whose `coverage` says how much weight was scored.

Zones (scorecards, as NICE and Genesys show them): green ≥ GREEN, amber ≥ AMBER, else red.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

CAP = 120.0
GREEN = 100.0
AMBER = 90.0


def check_weights(weights: Mapping[str, float | Decimal]) -> list[str]:
    """Errors in a weight table (empty when it is valid)."""
    errors = []
    for code, weight in weights.items():
        if float(weight) < 0:
            errors.append(_("The weight of %(code)s is negative.") % {"code": code})
    total = sum(float(w) for w in weights.values())
    if abs(total - 100.0) > 1e-6:
        errors.append(_("The weights sum to %(total)s, not 100.") % {"total": f"{total:g}"})
    return errors


def attainment(value: float | None, target: float | None, direction: str) -> float | None:
    if value is None or target is None:
        return None
    if direction == "lower":
        if value <= 0:
            return CAP
        score = 100.0 * target / value
    else:
        if target <= 0:
            return None
        score = 100.0 * value / target
    return max(0.0, min(CAP, score))


def zone(score: float | None) -> str:
    if score is None:
        return ""
    return "green" if score >= GREEN else "amber" if score >= AMBER else "red"


@dataclass(frozen=True)
class Component:
    code: str
    label: str
    weight: float
    value: float | None
    target: float | None
    direction: str
    score: float | None
    zone: str

    @property
    def points(self) -> float | None:
        return None if self.score is None else self.weight * self.score / 100.0


@dataclass(frozen=True)
class Composite:
    components: list[Component]
    score: float | None
    coverage: float  # weight with a score, out of 100
    zone: str
    errors: list[str]


@dataclass(frozen=True)
class Part:
    """One indicator's input to a composite."""

    code: str
    label: str
    weight: float
    value: float | None
    target: float | None
    direction: str = "higher"


def composite(parts: Sequence[Part]) -> Composite:
    errors = check_weights({p.code: p.weight for p in parts})
    components = []
    for part in parts:
        score = attainment(part.value, part.target, part.direction)
        components.append(
            Component(
                part.code,
                part.label,
                float(part.weight),
                part.value,
                part.target,
                part.direction,
                score,
                zone(score),
            )
        )
    scored = [c for c in components if c.score is not None]
    coverage = sum(c.weight for c in scored)
    total = sum(c.weight * c.score for c in scored) / coverage if coverage and not errors else None
    return Composite(components, total, coverage, zone(total), errors)


__all__ = ["Component", "Composite", "Part", "attainment", "check_weights", "composite", "zone"]
