"""Demo data for scoring: calls and their checks first, then what supervisors did with them."""

from __future__ import annotations


def seed(*, stdout=None, rng=None) -> None:
    from . import demo_calls, demo_evaluations

    demo_calls.seed(stdout=stdout, rng=rng)
    demo_evaluations.seed(stdout=stdout, rng=rng)
    from . import demo_review  # sampling, disputes, calibration: after evaluations

    demo_review.seed(stdout=stdout, rng=rng)
