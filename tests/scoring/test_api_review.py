"""API for sampling plans, queues, disputes and calibration, scoped per role."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from org.models import Role
from scoring.models import Assignment, Dispute
from scoring.services.calibration import calibration_close, calibration_create
from scoring.services.sampling import sampling_plan_save
from tests.factories import UserFactory

from .factories_review import TZ, make_call, make_evaluation, make_scorecard

WEEK = datetime.date(2026, 3, 2)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def card(db):
    return make_scorecard()


@pytest.fixture
def sup2(world):
    return UserFactory(username="sup2", role=Role.SUPERVISOR, department=world.dep_a)


@pytest.fixture
def evaluation(world, card, sup2):
    return make_evaluation(call=make_call(world.agents["a1"][0]), card=card, evaluator=sup2)


def test_sampling_plan_create_run_and_queue(world, card, api):
    for agent in world.agents["a1"]:
        for day in range(3):
            make_call(agent, started_at=datetime.datetime(2026, 3, 3 + day, 10, tzinfo=TZ))
    supervisor = world.users["supervisor"]
    api.force_authenticate(supervisor)
    response = api.post(
        "/api/v1/sampling-plans/",
        {
            "name": "API 计划",
            "scorecard": card.pk,
            "department": world.dep_a.pk,
            "calls_per_agent": 2,
            "assignment": "round_robin",
            "supervisors": [supervisor.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    plan_id = response.json()["id"]
    response = api.post(
        f"/api/v1/sampling-plans/{plan_id}/run/", {"week_start": "2026-03-04"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["created"] == 6 and response.json()["week_start"] == "2026-03-02"
    again = api.post(f"/api/v1/sampling-plans/{plan_id}/run/", {"week_start": "2026-03-02"})
    assert again.json()["created"] == 0
    queue = api.get("/api/v1/assignments/").json()
    assert queue["count"] == 6
    dues = [row["due_at"] for row in queue["results"]]
    assert dues == sorted(dues)


def test_sampling_plan_create_refused_for_other_department(world, card, api):
    api.force_authenticate(world.users["supervisor"])
    response = api.post(
        "/api/v1/sampling-plans/",
        {
            "name": "x",
            "scorecard": card.pk,
            "department": world.dep_b.pk,
            "supervisors": [world.users["supervisor"].pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "department" in response.json()


@pytest.mark.parametrize("role", ["agent", "teamlead", "manager", "auditor"])
def test_sampling_api_needs_score_calls(world, api, role):
    api.force_authenticate(world.users[role])
    assert api.get("/api/v1/sampling-plans/").status_code == 403
    assert api.get("/api/v1/assignments/").status_code == 403


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
        make_evaluation(
            call=session.call, card=card, evaluator=user, answers=ans, calibration=session
        )
    api.force_authenticate(sup2)
    assert api.get("/api/v1/calibrations/").json()["count"] == 1
    assert api.get(f"/api/v1/calibrations/{session.pk}/results/").status_code == 409
    calibration_close(session=session, actor=supervisor)
    body = api.get(f"/api/v1/calibrations/{session.pk}/results/").json()
    assert body["reference_score"] == "83.75"
    assert [i["code"] for i in body["items"]] == ["greet", "verify", "close", "tone"]
    api.force_authenticate(world.users["agent"])
    assert api.get("/api/v1/calibrations/").status_code == 403


def test_schema_is_clean():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_assignment_api_includes_done_on_request(world, card, api):
    plan = sampling_plan_save(
        actor=world.users["admin"],
        supervisors=[world.users["supervisor"]],
        name="p",
        scorecard=card,
        department=world.dep_a,
    )
    call = make_call(world.agents["a1"][0])
    Assignment.objects.create(
        plan=plan,
        call=call,
        supervisor=world.users["supervisor"],
        period_start=WEEK,
        due_at=datetime.datetime(2026, 3, 12, tzinfo=TZ),
        status=Assignment.Status.DONE,
    )
    api.force_authenticate(world.users["supervisor"])
    assert api.get("/api/v1/assignments/").json()["count"] == 0
    assert api.get("/api/v1/assignments/?all=1").json()["count"] == 1
