"""The calibration API (sessions, results), scoped per role."""

from __future__ import annotations

import datetime

from scoring.calibration.services import calibration_close, calibration_create
from tests.factories import (
    make_call,
    make_evaluation,
)

WEEK = datetime.date(2026, 3, 2)


def test_calibration_results_hidden_while_open(world, card, sup2, api):
    supervisor = world.users["supervisor"]
    session = calibration_create(
        created_by=supervisor,
        title="校准",
        call=make_call(world.agents["a1"][0]),
        scorecard=card,
        participants=[supervisor, sup2],
    )
    for user, ans in ((supervisor, {"greet": 1, "verify": 1, "close": 1, "tone": 5}), (sup2, None)):
        make_evaluation(evaluator=user, answers=ans, calibration=session)
    api.force_authenticate(sup2)
    assert api.get("/api/v1/calibrations/").json()["count"] == 1
    assert api.get(f"/api/v1/calibrations/{session.pk}/results/").status_code == 409
    calibration_close(session=session, actor=supervisor)
    body = api.get(f"/api/v1/calibrations/{session.pk}/results/").json()
    assert body["reference_score"] == "83.75"
    assert [i["code"] for i in body["items"]] == ["greet", "verify", "close", "tone"]
    api.force_authenticate(world.users["agent"])
    assert api.get("/api/v1/calibrations/").status_code == 403
