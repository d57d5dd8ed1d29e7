"""The disputes API (raise, list, decide), scoped per role."""

from __future__ import annotations

import datetime

import pytest

from org.models import Role
from scoring.disputes.models import Dispute
from tests.factories import (
    UserFactory,
    make_call,
    make_evaluation,
)

WEEK = datetime.date(2026, 3, 2)


@pytest.fixture
def evaluation(world, card, sup2):
    return make_evaluation(call=make_call(world.agents["a1"][0]), card=card, evaluator=sup2)


def test_dispute_create_list_decide(world, evaluation, api):
    verify = evaluation.answers.get(item__code="verify")
    api.force_authenticate(world.users["agent"])
    response = api.post(
        "/api/v1/disputes/",
        {
            "evaluation": evaluation.pk,
            "reason": "评分有误",
            "items": [{"answer": verify.pk, "reason": "我核实了身份"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    dispute = response.json()
    assert dispute["status"] == "open" and dispute["items"][0]["item"] == "verify"
    # The agent cannot decide.
    decide = {"decisions": [{"item": dispute["items"][0]["id"], "decision": "overturned"}]}
    url = f"/api/v1/disputes/{dispute['id']}/decide/"
    assert api.post(url, decide, format="json").status_code == 403
    api.force_authenticate(world.users["supervisor"])
    response = api.post(url, decide, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["score_after"] == "97.50"
    assert api.post(url, decide, format="json").status_code == 400  # already decided


def test_dispute_scoping(world, evaluation, api):
    verify = evaluation.answers.get(item__code="verify")
    api.force_authenticate(world.users["agent"])
    created = api.post(
        "/api/v1/disputes/",
        {
            "evaluation": evaluation.pk,
            "reason": "r",
            "items": [{"answer": verify.pk, "reason": "x"}],
        },
        format="json",
    ).json()
    url = f"/api/v1/disputes/{created['id']}/"
    api.force_authenticate(world.users["other_agent"])
    assert api.get(url).status_code == 404
    assert api.get("/api/v1/disputes/").json()["count"] == 0
    # Another agent cannot dispute someone else's evaluation: it is not in their scope.
    response = api.post(
        "/api/v1/disputes/",
        {
            "evaluation": evaluation.pk,
            "reason": "r",
            "items": [{"answer": verify.pk, "reason": "x"}],
        },
        format="json",
    )
    assert response.status_code == 404
    api.force_authenticate(world.users["teamlead"])
    assert api.get(url).status_code == 200
    lead_b = UserFactory(username="leadb", role=Role.TEAM_LEAD, team=world.team_b1)
    api.force_authenticate(lead_b)
    assert api.get(url).status_code == 404
    assert Dispute.objects.count() == 1
