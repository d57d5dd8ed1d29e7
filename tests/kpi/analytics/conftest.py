"""The analytics tests read the English reasons; one test in test_smart.py reads the Chinese."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield
