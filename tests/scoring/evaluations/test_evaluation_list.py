"""The evaluation list's evaluator filter offers exactly the people who evaluated calls in the
user's scope: a team lead the evaluators of their team's calls (not the whole department's, and
not everybody's when their account has no department), a department its own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from org.models import Role
from scoring.calibration.models import CalibrationSession
from tests.factories import (
    REVIEW_SCORECARD,
    UserFactory,
    make_call,
    make_evaluation,
    make_scorecard,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(world):
    """One evaluator per team: the supervisor scores team a1, a colleague of the same
    department team a2, a supervisor of department B team b1; an administrator scores a1 too."""
    card = make_scorecard(REVIEW_SCORECARD)
    people = {
        "a1": world.users["supervisor"],
        "a2": UserFactory(username="sup-a2", role=Role.SUPERVISOR, department=world.dep_a),
        "b1": UserFactory(username="sup-b1", role=Role.SUPERVISOR, department=world.dep_b),
    }
    for team, evaluator in people.items():
        make_evaluation(call=make_call(world.agents[team][0]), card=card, evaluator=evaluator)
    make_evaluation(
        call=make_call(world.agents["a1"][1]), card=card, evaluator=world.users["admin"]
    )
    return people


def _choices(client, user) -> set[str]:
    client.force_login(user)
    response = client.get(reverse("evaluations:evaluation_list"))
    assert response.status_code == 200
    return {u.username for u in response.context["evaluators"]}


def test_a_team_lead_sees_only_the_evaluators_of_their_teams_calls(client, world, evaluated):
    # The team lead's account has no department: the old filter offered everybody.
    assert _choices(client, world.users["teamlead"]) == {"supervisor", "admin"}


def test_a_team_lead_with_a_department_still_sees_only_their_team(client, world, evaluated):
    lead = UserFactory(
        username="lead-a1", role=Role.TEAM_LEAD, team=world.team_a1, department=world.dep_a
    )
    # The old filter offered the department's evaluators: sup-a2 scored only team a2.
    assert _choices(client, lead) == {"supervisor", "admin"}


def test_a_department_sees_its_evaluators_and_the_center_everybody(client, world, evaluated):
    assert _choices(client, world.users["supervisor"]) == {"supervisor", "sup-a2", "admin"}
    assert _choices(client, world.users["dept_manager"]) == {"sup-b1"}
    assert _choices(client, world.users["manager"]) == {"supervisor", "sup-a2", "sup-b1", "admin"}


def test_blind_calibration_scores_reveal_no_evaluator(client, world, evaluated):
    card = make_scorecard(REVIEW_SCORECARD, name="校准")
    call = make_call(world.agents["b1"][1])
    lone = UserFactory(username="calibrator", role=Role.SUPERVISOR, department=world.dep_b)
    session = CalibrationSession.objects.create(
        title="校准一", call=call, scorecard=card, created_by=lone
    )
    session.participants.add(lone)
    make_evaluation(evaluator=lone, calibration=session)
    assert "calibrator" not in _choices(client, world.users["manager"])
