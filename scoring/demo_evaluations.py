from __future__ import annotations


def seed(*, stdout=None, rng=None) -> None:
    """Filled in by the scoring issue."""
