"""Inter-rater agreement for calibration sessions: Fleiss' kappa and Krippendorff's alpha.

Pure Python (no Django, no numpy) so it is easy to test against the textbook examples:
- Fleiss (1971) / Wikipedia's worked example (10 subjects, 14 raters, 5 categories): κ = 0.210.
- Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 observers, 12 units
  with missing values: α nominal = 0.743, α interval = 0.849.

Calibration asks "do our supervisors score the same call the same way?": each scorecard item
is a *unit* (subject), each supervisor a *rater*, each answer a *value* (yes/no/N-A for
yes-no items, the number for scale items).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from itertools import permutations
from math import sqrt

NOMINAL = "nominal"
INTERVAL = "interval"


def fleiss_kappa_from_counts(table: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from a subjects × categories table of counts (how many raters put
    subject i in category j). Every subject must have the same number of raters (n ≥ 2).
    None when agreement is undefined: fewer than one subject, or every rating in a single
    category (chance agreement is 1, so kappa is 0/0)."""
    rows = [list(row) for row in table if sum(row) > 0]
    if not rows:
        return None
    n = sum(rows[0])
    if n < 2:
        return None
    if any(sum(row) != n for row in rows):
        raise ValueError("Fleiss' kappa needs the same number of ratings for every subject.")
    subjects = len(rows)
    categories = len(rows[0])
    p_j = [sum(row[j] for row in rows) / (subjects * n) for j in range(categories)]
    p_i = [(sum(c * c for c in row) - n) / (n * (n - 1)) for row in rows]
    p_bar = sum(p_i) / subjects
    p_e = sum(p * p for p in p_j)
    if p_e >= 1:
        return None
    return (p_bar - p_e) / (1 - p_e)


def subject_agreement(values: Sequence[Hashable]) -> float | None:
    """Fleiss' P_i for one subject: the share of rater pairs that agree (1.0 = unanimous)."""
    n = len(values)
    if n < 2:
        return None
    counts = Counter(values)
    return (sum(c * c for c in counts.values()) - n) / (n * (n - 1))


def fleiss_kappa(ratings: Sequence[Sequence[Hashable]]) -> float | None:
    """Fleiss' kappa from raw ratings: one list per subject with one value per rater."""
    categories = sorted({value for row in ratings for value in row}, key=repr)
    table = [[Counter(row)[category] for category in categories] for row in ratings]
    return fleiss_kappa_from_counts(table)


def _distance(metric: str):
    if metric == NOMINAL:
        return lambda a, b: 0.0 if a == b else 1.0
    if metric == INTERVAL:
        return lambda a, b: float(a - b) ** 2
    raise ValueError(f"Unknown metric {metric!r}; use {NOMINAL!r} or {INTERVAL!r}.")


def krippendorff_alpha(
    units: Sequence[Sequence[Hashable | None]], metric: str = NOMINAL
) -> float | None:
    """Krippendorff's alpha. `units`: one list per unit of the values the raters gave it,
    None for a missing rating. Units with fewer than two values are not pairable and are
    ignored. None when undefined (no pairable values, or no disagreement possible)."""
    delta = _distance(metric)
    pairable = [[v for v in unit if v is not None] for unit in units]
    pairable = [unit for unit in pairable if len(unit) >= 2]
    n = sum(len(unit) for unit in pairable)
    if n < 2:
        return None
    # Observed disagreement: within units, each pair weighted by 1/(m_u - 1).
    d_o = 0.0
    for unit in pairable:
        m = len(unit)
        d_o += sum(delta(a, b) for a, b in permutations(unit, 2)) / (m - 1)
    d_o /= n
    # Expected disagreement: between all pairable values regardless of unit.
    counts = Counter(v for unit in pairable for v in unit)
    values = list(counts)
    d_e = 0.0
    for a in values:
        for b in values:
            d_e += counts[a] * counts[b] * delta(a, b)
    d_e -= sum(counts[a] * delta(a, a) for a in values)
    d_e /= n * (n - 1)
    if d_e == 0:
        return None
    return 1 - d_o / d_e


def spread(values: Sequence[float]) -> dict[str, float | None]:
    """Min, max, mean and (population) standard deviation of total scores."""
    if not values:
        return {"min": None, "max": None, "mean": None, "sd": None}
    mean = sum(values) / len(values)
    sd = sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return {"min": min(values), "max": max(values), "mean": mean, "sd": sd}


def median(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2
