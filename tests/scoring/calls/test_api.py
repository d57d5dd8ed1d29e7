"""API: calls scoped like the pages, imports by upload, rule libraries for administrators."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from scoring.calls.models import Call
from scoring.rules.models import RuleLibrary
from tests.factories import HOTLINE, CallCheckFactory, CallFactory, active_hotline, call_dict, jsonl

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_calls_scoped(api, world):
    a1 = CallFactory(call_id="A1", agent=world.agents["a1"][0])
    CallCheckFactory(call=a1)
    CallFactory(call_id="B1", agent=world.agents["b1"][0])
    api.force_authenticate(world.users["teamlead"])
    listed = api.get("/api/v1/calls/").json()
    assert [c["call_id"] for c in listed["results"]] == ["A1"]
    assert "turns" not in listed["results"][0]
    detail = api.get(f"/api/v1/calls/{a1.pk}/").json()
    assert detail["turns"][0]["text"].startswith("您好")
    assert detail["auto_check"]["results"]
    b1 = Call.objects.get(call_id="B1")
    assert api.get(f"/api/v1/calls/{b1.pk}/").status_code == 404
    api.force_authenticate(world.users["supervisor"])
    assert api.get(f"/api/v1/calls/{b1.pk}/").status_code == 404
    api.force_authenticate(world.users["agent"])
    assert api.get("/api/v1/calls/").status_code == 403
    api.force_authenticate(world.users["admin"])
    assert api.get("/api/v1/calls/", {"critical": "true"}).json()["count"] == 0
    assert api.get("/api/v1/calls/", {"sort": "bogus"}).status_code == 400


def test_import_upload(api, world, django_capture_on_commit_callbacks):
    active_hotline()
    api.force_authenticate(world.users["supervisor"])
    agent = world.agents["a1"][0].employee_no
    upload = SimpleUploadedFile("calls.jsonl", jsonl(call_dict("C-1", agent)))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/imports/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["status"] == "done" and job["imported"] == 1
    assert api.get(f"/api/v1/imports/{job['id']}/").json()["progress"]["finished"]
    bad = SimpleUploadedFile("bad.jsonl", b'{"call_id": "x"}\n')
    response = api.post("/api/v1/imports/", {"file": bad}, format="multipart")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} >= {"agent", "turns"}
    api.force_authenticate(world.users["teamlead"])
    assert api.get("/api/v1/imports/").status_code == 403
    api.force_authenticate(world.users["admin"])
    assert api.get("/api/v1/imports/").json()["count"] == 2


def test_rule_libraries(api, world):
    data = json.loads(HOTLINE.read_text(encoding="utf-8"))
    api.force_authenticate(world.users["supervisor"])
    assert api.get("/api/v1/rule-libraries/").status_code == 403
    api.force_authenticate(world.users["admin"])
    bad = {**data, "rules": [{**data["rules"][0], "kind": "nope"}]}
    response = api.post("/api/v1/rule-libraries/validate/", {"definition": bad}, format="json")
    assert response.json()["valid"] is False
    assert response.json()["problems"][0]["field"] == "kind"
    response = api.post("/api/v1/rule-libraries/", {"definition": data}, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    response = api.post(
        f"/api/v1/rule-libraries/{pk}/try/", {"dialogue": "客服：您好"}, format="json"
    )
    assert response.status_code == 200 and response.json()["results"]
    response = api.post(f"/api/v1/rule-libraries/{pk}/activate/", {}, format="json")
    assert response.json()["status"] == "active"
    assert api.get(f"/api/v1/rule-libraries/{pk}/export/").json() == data
    assert RuleLibrary.objects.get().status == "active"
