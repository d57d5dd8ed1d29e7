"""Fixtures shared by the scoring apps' API tests."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from org.models import Role
from tests.factories import REVIEW_SCORECARD, UserFactory, make_scorecard


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def card(db):
    return make_scorecard(REVIEW_SCORECARD)


@pytest.fixture
def sup2(world):
    return UserFactory(username="sup2", role=Role.SUPERVISOR, department=world.dep_a)
