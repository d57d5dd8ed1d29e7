"""The bulletins' hand-worked week, for the improvement targets (which bulletins follow up)."""

from tests.bulletins.conftest import hand_week, small_standards  # noqa: F401
