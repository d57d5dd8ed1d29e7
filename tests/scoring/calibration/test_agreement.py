"""Agreement statistics against the textbook examples."""

from __future__ import annotations

import pytest

from scoring.calibration.agreement import (
    INTERVAL,
    NOMINAL,
    fleiss_kappa,
    fleiss_kappa_from_counts,
    krippendorff_alpha,
    median,
    spread,
    subject_agreement,
)

# Fleiss (1971) as worked on Wikipedia: 10 subjects, 14 raters, 5 categories.
FLEISS_TABLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", 4 observers × 12 units.
_ = None
KRIPP_OBSERVERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
]
KRIPP_UNITS = [list(col) for col in zip(*KRIPP_OBSERVERS, strict=True)]


def test_fleiss_kappa_wikipedia_example():
    assert fleiss_kappa_from_counts(FLEISS_TABLE) == pytest.approx(0.210, abs=5e-4)


def test_fleiss_kappa_from_raw_ratings_matches_counts():
    ratings = [[c for c, n in enumerate(row) for _ in range(n)] for row in FLEISS_TABLE]
    assert fleiss_kappa(ratings) == pytest.approx(fleiss_kappa_from_counts(FLEISS_TABLE))


def test_fleiss_kappa_perfect_and_undefined():
    assert fleiss_kappa([["yes", "yes"], ["no", "no"], ["na", "na"]]) == pytest.approx(1.0)
    # Everyone said yes to everything: chance agreement is 1, kappa is undefined.
    assert fleiss_kappa([["yes", "yes"], ["yes", "yes"]]) is None


def test_fleiss_kappa_refuses_unequal_raters():
    with pytest.raises(ValueError):
        fleiss_kappa_from_counts([[1, 1], [3, 0]])


def test_subject_agreement():
    assert subject_agreement(["y", "y", "y"]) == 1.0
    assert subject_agreement(["y", "n", "n"]) == pytest.approx(1 / 3)
    assert subject_agreement(["y"]) is None


def test_krippendorff_alpha_nominal_textbook():
    assert krippendorff_alpha(KRIPP_UNITS, NOMINAL) == pytest.approx(0.743, abs=5e-4)


def test_krippendorff_alpha_interval_textbook():
    assert krippendorff_alpha(KRIPP_UNITS, INTERVAL) == pytest.approx(0.849, abs=5e-4)


def test_krippendorff_alpha_binary_two_observers():
    # Krippendorff's binary example: two observers, ten units, alpha = 0.095.
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    units = list(zip(a, b, strict=True))
    assert krippendorff_alpha(units, NOMINAL) == pytest.approx(0.095, abs=5e-4)


def test_krippendorff_alpha_undefined_without_variation():
    assert krippendorff_alpha([[1, 1], [1, 1]]) is None
    assert krippendorff_alpha([[1], [2]]) is None


def test_spread_and_median():
    s = spread([80.0, 90.0, 100.0])
    assert (s["min"], s["max"], s["mean"]) == (80.0, 100.0, 90.0)
    assert s["sd"] == pytest.approx(8.165, abs=1e-3)
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([1.0, 2.0, 3.0, 4.0]) == 2.5
    assert median([]) is None
