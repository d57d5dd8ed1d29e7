from __future__ import annotations

import datetime

import pytest

from tests.factories import (
    WEEK,
    WEEKLY_SCORECARD,
    at,
    dispute,
    make_call,
    make_evaluation,
    make_scorecard,
)

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
    last = [make_call(a0, started_at=at(PREV_WEEK), outcomes=clean, score=90) for _ in range(3)]
    for score, hold in ((100, "pass"), (100, "pass"), (60, "fail"), (60, "fail")):
        make_call(a0, started_at=at(WEEK), outcomes={"GREET": "pass", "HOLD": hold}, score=score)
    for _ in range(2):
        make_call(a1, started_at=at(WEEK), outcomes=clean, score=100)
    make_call(b0, started_at=at(WEEK), outcomes=clean, score=100)
    # Scored on WEEKLY_SCORECARD (hold weight 30; tone 1–8, weight 70) by the services.
    card = make_scorecard(WEEKLY_SCORECARD)
    evaluations = [
        make_evaluation(call=call, card=card, evaluator=sup, answers=answers, submitted_at=when)
        for call, answers, when in (
            (last[0], {"hold": 1, "tone": 6}, at(PREV_WEEK, 1, 15)),
            (last[1], {"hold": 1, "tone": 7}, at(WEEK, 1, 15)),
            (last[2], {"hold": 0, "tone": 8}, at(WEEK, 1, 15)),
        )
    ]
    assert [(e.score, e.passed) for e in evaluations] == [(80, True), (90, True), (70, False)]
    dispute(evaluations[1], world.users["agent"], opened_at=at(WEEK, 2), decided_at=at(WEEK, 3))
    return world
