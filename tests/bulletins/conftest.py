from __future__ import annotations

import datetime

import pytest

from tests.bulletins.factories import WEEK, at, checked_call, dispute, evaluated_call

PREV_WEEK = WEEK - datetime.timedelta(days=7)


@pytest.fixture
def small_standards(settings):
    settings.QA_BULLETIN_MIN_SAMPLE = 2
    settings.QA_BULLETIN_COMPLIANCE_STANDARD = 90
    settings.QA_BULLETIN_PASS_RATE_STANDARD = 90
    settings.QA_BULLETIN_SCORE_STANDARD = 80
    return settings


@pytest.fixture
def hand_week(world, small_standards):
    """A small week whose figures are worked out by hand in test_services.py.

    Last week, team a1: agent a0 made 3 calls (score 90, all passed every rule); one
    evaluation submitted (80, passed; item hold yes).
    This week, team a1: a0 made 4 calls (100, 100, 60, 60; HOLD failed in the two 60s), a1 two
    (100, 100); two evaluations of a0 submitted (90 passed, hold yes; 70 failed, hold no); one
    dispute opened and decided. Team b1: one call (100). Team a2: nothing.
    """
    sup = world.users["supervisor"]
    a0, a1 = world.agents["a1"][0], world.agents["a1"][1]
    b0 = world.agents["b1"][0]
    clean = {"GREET": "pass", "HOLD": "pass"}
    last = [checked_call(a0, PREV_WEEK, outcomes=clean, score=90) for _ in range(3)]
    evaluated_call(a0, sup, PREV_WEEK, score=80, passed=True, answers={"hold": 1}, call=last[0])
    for score, hold in ((100, "pass"), (100, "pass"), (60, "fail"), (60, "fail")):
        checked_call(a0, WEEK, outcomes={"GREET": "pass", "HOLD": hold}, score=score)
    for _ in range(2):
        checked_call(a1, WEEK, outcomes=clean, score=100)
    checked_call(b0, WEEK, outcomes=clean, score=100)
    e1 = evaluated_call(a0, sup, WEEK, score=90, passed=True, answers={"hold": 1}, call=last[1])
    evaluated_call(a0, sup, WEEK, score=70, passed=False, answers={"hold": 0}, call=last[2])
    dispute(e1, world.users["agent"], opened_at=at(WEEK, 2), decided_at=at(WEEK, 3))
    return world
