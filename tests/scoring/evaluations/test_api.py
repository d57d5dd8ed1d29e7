"""API: scorecards and evaluations — scoped, start/save/submit/acknowledge, 409 on stale."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from scoring.evaluations.models import Evaluation
from scoring.evaluations.services.evaluations import evaluation_start, evaluation_submit
from tests.factories import CallCheckFactory, CallFactory, make_scorecard


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def setup(world):
    card = make_scorecard()
    call = CallFactory(agent=world.agents["a1"][0])
    CallCheckFactory(call=call, outcomes={"GREET": "pass", "HOLD": "fail"})
    return card, call


def test_scorecards_readable_and_publish_needs_manage_rules(setup, world, api):
    card, _ = setup
    api.force_authenticate(world.users["supervisor"])
    listing = api.get("/api/v1/scorecards/").json()
    assert listing["results"][0]["name"] == card.name
    detail = api.get(f"/api/v1/scorecards/{card.pk}/").json()
    assert [i["code"] for i in detail["sections"][0]["items"]] == ["greet", "hold"]
    assert api.post(f"/api/v1/scorecards/{card.pk}/new-version/").status_code == 403
    api.force_authenticate(world.users["admin"])
    draft = api.post(f"/api/v1/scorecards/{card.pk}/new-version/").json()
    assert draft["status"] == "draft" and draft["version"] == 2
    published = api.post(f"/api/v1/scorecards/{draft['id']}/publish/").json()
    assert published["status"] == "published"
    assert api.post(f"/api/v1/scorecards/{card.pk}/publish/").status_code == 400
    api.force_authenticate(world.users["agent"])
    assert api.get("/api/v1/scorecards/").status_code == 403


def test_start_save_stale_submit_acknowledge(setup, world, api):
    card, call = setup
    api.force_authenticate(world.users["supervisor"])
    started = api.post("/api/v1/evaluations/", {"call": call.pk}, format="json")
    assert started.status_code == 201
    body = started.json()
    pk = body["id"]
    assert {a["item"]: a["value"] for a in body["answers"]}["greet"] == 1
    assert api.post("/api/v1/evaluations/", {"call": call.pk}, format="json").status_code == 200

    refused = api.patch(
        f"/api/v1/evaluations/{pk}/",
        {"version": 1, "answers": {"hold": {"value": 1}}},
        format="json",
    )
    assert refused.status_code == 400 and "hold" in refused.json()
    saved = api.patch(
        f"/api/v1/evaluations/{pk}/",
        {"version": 1, "answers": {"hold": {"value": 1, "reason": "无需等待"}}, "comment": "好"},
        format="json",
    )
    assert saved.status_code == 200 and saved.json()["version"] == 2
    stale = api.patch(
        f"/api/v1/evaluations/{pk}/",
        {"version": 1, "answers": {"tone": {"value": 3}}},
        format="json",
    )
    assert stale.status_code == 409
    payload = stale.json()
    assert payload["current_version"] == 2 and payload["differences"][0]["item"] == "tone"

    submitted = api.post(
        f"/api/v1/evaluations/{pk}/submit/",
        {"version": 2, "answers": {"tone": {"value": 5}, "leak": {"value": 1}}},
        format="json",
    )
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    assert [e["action"] for e in submitted.json()["events"]] == ["started", "saved", "submitted"]

    api.force_authenticate(world.users["agent"])
    mine = api.get("/api/v1/evaluations/").json()
    assert [e["id"] for e in mine["results"]] == [pk]
    acked = api.post(f"/api/v1/evaluations/{pk}/acknowledge/")
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    assert api.patch(f"/api/v1/evaluations/{pk}/", {"version": 3}, format="json").status_code == 403


def test_scoping(setup, world, api):
    card, call = setup
    sup = world.users["supervisor"]
    evaluation = evaluation_start(call=call, scorecard=card, evaluator=sup)
    other = CallFactory(agent=world.agents["b1"][0])
    api.force_authenticate(sup)
    assert api.post("/api/v1/evaluations/", {"call": other.pk}, format="json").status_code == 404
    api.force_authenticate(world.users["other_agent"])
    assert api.get("/api/v1/evaluations/").json()["results"] == []
    assert api.get(f"/api/v1/evaluations/{evaluation.pk}/").status_code == 404
    api.force_authenticate(world.users["agent"])  # the call's agent, but still a draft
    assert api.get(f"/api/v1/evaluations/{evaluation.pk}/").status_code == 404
    api.force_authenticate(world.users["dept_manager"])
    assert api.get(f"/api/v1/evaluations/{evaluation.pk}/").status_code == 404
    api.force_authenticate(world.users["teamlead"])
    assert api.get(f"/api/v1/evaluations/{evaluation.pk}/").status_code == 200
    assert api.post("/api/v1/evaluations/", {"call": call.pk}, format="json").status_code == 403
    evaluation_submit(
        evaluation=evaluation,
        actor=sup,
        answers={"tone": {"value": 3}, "leak": {"value": 1}},
        expected_version=1,
    )
    assert Evaluation.objects.get().status == "submitted"
