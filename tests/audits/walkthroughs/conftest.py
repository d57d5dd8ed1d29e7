from __future__ import annotations

import pytest

from tests.factories.walkthroughs import WalkWorld, walk_world


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def walk(world) -> WalkWorld:
    return walk_world(world)


@pytest.fixture(autouse=True)
def _english():
    """Service messages are asserted in English (the default language is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
