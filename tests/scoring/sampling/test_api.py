"""The sampling API (plans, runs, queues), scoped per role."""

from __future__ import annotations

import datetime

import pytest

from scoring.sampling.models import Assignment
from scoring.sampling.services import sampling_plan_save
from tests.factories import TZ, make_call

WEEK = datetime.date(2026, 3, 2)


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
