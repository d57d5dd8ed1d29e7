"""An import stays within the importer's scope: another department's agents are unknown, its
call ids neither imported nor confirmed, by both import paths and by the command."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import translation

from org.models import TeamMembership
from scoring.calls.importers import render_problem
from scoring.calls.models import Call, ImportJob
from scoring.calls.services.imports import import_file
from tests.factories import CallFactory, call_dict, jsonl

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["one pass", "whole file"])
def path(request, monkeypatch):
    from scoring.calls.services import imports

    if request.param == "whole file":
        monkeypatch.setattr(imports, "jsonl_reader", lambda *a, **k: None)
    return request.param


def _import(world, content, user="supervisor", filename="calls.jsonl"):
    job = import_file(user=world.users[user], filename=filename, content=content)
    job.refresh_from_db()
    return job


def _rendered(job) -> list[str]:
    with translation.override("en"):
        return [render_problem(p) for p in job.errors]


def _mixed(world) -> bytes:
    """Calls of department A (lines 1, 3) and of department B (lines 2, 4)."""
    a1, a2 = world.agents["a1"][0].employee_no, world.agents["a2"][0].employee_no
    b1, b2 = (agent.employee_no for agent in world.agents["b1"])
    return jsonl(
        call_dict("A-1", a1), call_dict("B-1", b1), call_dict("A-2", a2), call_dict("B-2", b2)
    )


def test_other_departments_agents_are_unknown(world, path):
    job = _import(world, _mixed(world))
    assert job.status == ImportJob.Status.FAILED and Call.objects.count() == 0
    b1, b2 = (agent.employee_no for agent in world.agents["b1"])
    assert _rendered(job) == [
        f"2: agent: Unknown agent {b1}: no agent has this employee number.",
        f"4: agent: Unknown agent {b2}: no agent has this employee number.",
    ]
    # Exactly what an employee number nobody has gives: nothing is learned.
    nobody = _import(world, jsonl(call_dict("A-1", "NOBODY")))
    assert nobody.errors[0]["message"] == job.errors[0]["message"]
    assert set(nobody.errors[0]) == set(job.errors[0])


def test_the_centers_importer_imports_every_department(world, path):
    job = _import(world, _mixed(world), user="admin")
    assert job.status == ImportJob.Status.DONE and job.imported == 4


def test_other_departments_call_ids_are_not_confirmed(world, path):
    """A call id of department B is neither imported nor reported as "already imported"."""
    CallFactory(
        call_id="B-OLD",
        agent=world.agents["b1"][0],
        team=world.team_b1,
        started_at="2026-11-01T09:00:00+08:00",
    )
    CallFactory(
        call_id="A-OLD",
        agent=world.agents["a1"][0],
        team=world.team_a1,
        started_at="2026-11-01T09:00:00+08:00",
    )
    a1 = world.agents["a1"][0].employee_no
    job = _import(world, jsonl(call_dict("A-OLD", a1), call_dict("A-NEW", a1)))
    assert job.status == ImportJob.Status.DONE and job.duplicates == ["A-OLD"]  # in scope
    job = _import(world, jsonl(call_dict("B-OLD", a1), call_dict("A-NEW-2", a1)))
    assert job.status == ImportJob.Status.FAILED and job.duplicates == []
    (message,) = _rendered(job)
    assert message.startswith("1: call_id: Call id B-OLD cannot be imported here")
    assert "already" not in message and world.team_b1.name not in message
    assert not Call.objects.filter(call_id="A-NEW-2").exists()
    assert Call.objects.get(call_id="B-OLD").agent == world.agents["b1"][0]  # untouched
    # With another department's agent, the agent is what is unknown, as for any id.
    b1 = world.agents["b1"][0].employee_no
    for call_id in ("B-OLD", "NEVER-SEEN"):
        job = _import(world, jsonl(call_dict(call_id, b1)))
        assert [p["field"] for p in job.errors] == ["agent"]


def test_the_team_on_the_day_decides(world, path):
    """The call is stored with the agent's team on its day: that team must be in scope."""
    moved = world.agents["a1"][0]  # in B until November, in A since
    TeamMembership.objects.filter(agent=moved).update(started_on=datetime.date(2026, 11, 1))
    TeamMembership.objects.create(
        agent=moved,
        team=world.team_b1,
        started_on=datetime.date(2026, 1, 1),
        ended_on=datetime.date(2026, 10, 31),
    )
    left = world.agents["b1"][0]  # in A until November, in B since
    TeamMembership.objects.filter(agent=left).update(started_on=datetime.date(2026, 11, 1))
    TeamMembership.objects.create(
        agent=left,
        team=world.team_a1,
        started_on=datetime.date(2026, 1, 1),
        ended_on=datetime.date(2026, 10, 31),
    )
    october = "2026-10-20T10:00:00+08:00"
    job = _import(world, jsonl(call_dict("OCT", moved.employee_no, started_at=october)))
    assert job.status == ImportJob.Status.FAILED
    assert _rendered(job) == [
        f"1: agent: On 2026-10-20 agent {moved.employee_no} was in a team outside your scope: "
        "their call cannot be imported here."
    ]
    # An agent since gone to B, on a day they were in A: the call is the department's.
    job = _import(world, jsonl(call_dict("OCT-2", left.employee_no, started_at=october)))
    assert job.status == ImportJob.Status.DONE
    assert Call.objects.get(call_id="OCT-2").team == world.team_a1
    # ...but not on a day they were in B, which is "unknown" as for any agent of B.
    job = _import(world, jsonl(call_dict("NOV", left.employee_no)))
    assert job.errors[0]["message"].startswith("Unknown agent")


def test_command_runs_within_its_users_scope(world, tmp_path, capsys):
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(_mixed(world))
    with translation.override("en"), pytest.raises(SystemExit) as exc:
        call_command("import_calls", str(mixed), "--user", "supervisor")
    assert exc.value.code == 1
    err = capsys.readouterr().err
    b1 = world.agents["b1"][0].employee_no
    assert f"{mixed}:2: agent: Unknown agent {b1}" in err and ":1:" not in err
    assert Call.objects.count() == 0
    call_command("import_calls", str(mixed))  # an administrator's, by default
    assert Call.objects.count() == 4


def test_upload_by_a_supervisor_of_another_department(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world.users["supervisor"])
    upload = SimpleUploadedFile("mixed.jsonl", _mixed(world))
    response = api.post("/api/v1/imports/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert [(e["line"], e["field"]) for e in response.json()["errors"]] == [
        (2, "agent"),
        (4, "agent"),
    ]
    client.force_login(world.users["supervisor"])
    upload = SimpleUploadedFile("mixed.jsonl", _mixed(world))
    response = client.post(reverse("calls:import"), {"file": upload})
    assert response.status_code == 302
    assert Call.objects.count() == 0
