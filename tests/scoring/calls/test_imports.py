"""Importing calls: all or nothing, duplicates reported, agents' teams at the time, the
command's exit codes, checks after commit."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from org.models import TeamMembership
from scoring.calls.importers import render_problem
from scoring.calls.models import Call, CallCheck, ImportJob
from scoring.calls.results import check_results
from scoring.calls.services.imports import import_file, import_job_progress
from tests.factories import CallFactory, active_hotline, call_dict, jsonl

pytestmark = pytest.mark.django_db


def _import(world, content, filename="calls.jsonl", user="supervisor", **kwargs):
    return import_file(user=world.users[user], filename=filename, content=content, **kwargs)


def test_imports_calls_with_team_and_checks_after_commit(world, django_capture_on_commit_callbacks):
    library = active_hotline()
    agent = world.agents["a1"][0]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = _import(
            world, jsonl(call_dict("C-1", agent.employee_no), call_dict("C-2", agent.employee_no))
        )
    assert job.status == ImportJob.Status.DONE and job.imported == 2
    assert callbacks  # checks were enqueued after commit, not before
    call = Call.objects.get(call_id="C-1")
    assert call.team == world.team_a1 and call.import_job == job
    assert call.duration_seconds == 4.5
    check = call.auto_check
    assert check.library == library
    assert check.outcomes["GREETING"] == "pass"
    assert any(r["code"] == "GREETING" and r["evidence"] for r in check_results(check))
    assert "pass" in check.results  # stored compactly
    assert CallCheck.objects.count() == 2
    assert import_job_progress(job)["finished"]


def test_team_is_the_one_on_the_day_of_the_call(world):
    agent = world.agents["a1"][0]
    TeamMembership.objects.filter(agent=agent).update(ended_on=datetime.date(2026, 10, 31))
    TeamMembership.objects.create(
        agent=agent, team=world.team_a2, started_on=datetime.date(2026, 11, 1)
    )
    agent.team = world.team_a2
    agent.save()
    _import(
        world,
        jsonl(
            call_dict("OLD", agent.employee_no, started_at="2026-10-20T10:00:00"),
            call_dict("NEW", agent.employee_no, started_at="2026-11-20T10:00:00"),
        ),
    )
    assert Call.objects.get(call_id="OLD").team == world.team_a1
    assert Call.objects.get(call_id="NEW").team == world.team_a2


def test_one_bad_row_imports_nothing(world):
    agent = world.agents["a1"][0].employee_no
    bad = call_dict("C-3", agent)
    bad["turns"][1]["speaker"] = "robot"
    job = _import(world, jsonl(call_dict("C-1", agent), call_dict("C-2", "NOBODY"), bad))
    assert job.status == ImportJob.Status.FAILED
    assert Call.objects.count() == 0
    with translation.override("en"):
        lines = [render_problem(p, filename=job.filename) for p in job.errors]
    # Every problem in one pass, in the file's order: the unknown agent beside the bad row,
    # not only once the file's form is right.
    assert lines == [
        "calls.jsonl:2: agent: Unknown agent NOBODY: no agent has this employee number.",
        "calls.jsonl:3: turns[1].speaker: Unknown speaker robot; use agent or customer.",
    ]
    job = _import(world, jsonl(call_dict("C-1", agent), call_dict("C-2", "NOBODY")))
    with translation.override("en"):
        assert render_problem(job.errors[0], filename="f") == (
            "f:2: agent: Unknown agent NOBODY: no agent has this employee number."
        )
    assert Call.objects.count() == 0


def test_duplicates_reported_not_duplicated(world):
    agent = world.agents["a1"][0].employee_no
    _import(world, jsonl(call_dict("C-1", agent)))
    job = _import(world, jsonl(call_dict("C-1", agent), call_dict("C-2", agent)))
    assert job.status == ImportJob.Status.DONE
    assert job.duplicates == ["C-1"] and job.imported == 1
    assert Call.objects.filter(call_id="C-1").count() == 1


def test_refused_file_is_on_record(world):
    job = _import(world, b"\x89PNG\r\n\x1a\n" + bytes(100), filename="calls.csv")
    assert job.status == ImportJob.Status.FAILED and not job.file
    assert Call.objects.count() == 0


@override_settings(QA_IMPORT_ASYNC_CALLS=1)
def test_big_file_goes_through_the_task(world, django_capture_on_commit_callbacks):
    agent = world.agents["a1"][0].employee_no
    with django_capture_on_commit_callbacks(execute=True):
        job = _import(world, jsonl(call_dict("C-1", agent), call_dict("C-2", agent)))
        assert job.status == ImportJob.Status.PENDING
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.imported == 2
    # Running the task again changes nothing.
    from scoring.calls.tasks import import_run

    import_run(job.pk)
    assert Call.objects.count() == 2


def test_command_exit_codes(world, tmp_path, capsys):
    agent = world.agents["a1"][0].employee_no
    good = tmp_path / "good.jsonl"
    good.write_bytes(jsonl(call_dict("C-1", agent)))
    call_command("import_calls", str(good), "--user", "supervisor")
    assert "1" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("call_id,agent,started_at,speaker,text,start,end\nC-9,A0,x,agent,hi,0,1\n")
    with translation.override("en"), pytest.raises(SystemExit) as exc:
        call_command("import_calls", str(bad), "--user", "supervisor")
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert f"{bad}:2: started_at: Not a date and time" in err
    assert Call.objects.count() == 1


def test_upload_page(client, world, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    active_hotline()
    client.force_login(world.users["agent"])
    assert client.get(reverse("calls:import")).status_code == 403
    client.force_login(world.users["teamlead"])
    assert client.get(reverse("calls:import")).status_code == 403
    client.force_login(world.users["supervisor"])
    agent = world.agents["a1"][0].employee_no
    upload = SimpleUploadedFile("calls.jsonl", jsonl(call_dict("C-1", agent)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("calls:import"), {"file": upload})
    job = ImportJob.objects.get()
    assert response.url == reverse("calls:import_detail", args=[job.pk])
    page = client.get(response.url)
    assert page.status_code == 200 and page.context["progress"]["finished"]
    bad = SimpleUploadedFile(
        "bad.csv",
        b"call_id,agent,started_at,speaker,text,start,end\nC-2,A0,2026-11-02 09:00,agent,hi,0,1\n",
    )
    client.post(reverse("calls:import"), {"file": bad}, HTTP_ACCEPT_LANGUAGE="en")
    job = ImportJob.objects.get(filename="bad.csv")
    page = client.get(reverse("calls:import_detail", args=[job.pk]))
    assert "Unknown agent A0" in page.content.decode() or "A0" in page.content.decode()
    assert page.context["errors"][0]["line"] == 2
    # Another supervisor's import is not visible to this one.
    client.force_login(world.users["admin"])
    assert client.get(reverse("calls:import_detail", args=[job.pk])).status_code == 200
    progress = client.get(reverse("calls:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert progress.status_code == 200


@pytest.mark.postgres
def test_copy_on_postgresql_stores_what_bulk_create_stores(world, monkeypatch):
    """The COPY path writes the same rows as the portable one, whatever the text holds."""
    import gc

    from scoring.calls.services import copy as _pg

    agent = world.agents["a1"][0].employee_no
    tricky = call_dict("C\\1", agent, texts=('说"好\\的\t再见\r\n', "\\N", "\u3000 😀 \x7f"))
    tricky.update(
        duration=12,
        channel="Chat",
        recording_url="https://rec.example.com/a?b=1&c=%20",
        queue={"ids": [1, 2.5, None, True, "a\tb\\c"], "": {"x": []}},
        note="\\",
    )
    calls = [
        call_dict("C-1", agent, started_at="2026-11-02T23:30:00"),
        tricky,
        {**call_dict("C-3", agent), "duration_seconds": 0},
    ]
    calls[2]["turns"] = [{"speaker": "agent", "text": "您好"}]  # no times: no duration

    stored = _stored_calls

    assert gc.isenabled()
    job = _import(world, jsonl(*calls))
    assert job.status == ImportJob.Status.DONE and job.imported == 3
    assert gc.isenabled()
    copied = stored()
    Call.objects.all().delete()
    monkeypatch.setattr(_pg, "is_postgres", lambda: False)
    job = _import(world, jsonl(*calls))
    assert job.status == ImportJob.Status.DONE and job.imported == 3
    assert stored() == copied
    assert '说"好\\\\的\\t再见\\r\\n' in copied[2]  # kept as it was, in C\\1


@pytest.mark.postgres
def test_existing_call_ids_whatever_they_hold(world, monkeypatch):
    from scoring.calls.services import copy as _pg
    from scoring.calls.services.imports import _existing_call_ids

    tricky = ['a"b', "c\\d", "e,f", "{g}", "NULL", " h ", "中文", "x'y", '\\"', "", "z"]
    for call_id in tricky[:-1]:
        CallFactory(
            call_id=call_id,
            agent=world.agents["a1"][0],
            team=world.team_a1,
            started_at="2026-11-02T09:00:00+08:00",
        )
    asked = [*tricky, "NOT-THERE", "null", "c\\\\d"]
    assert _existing_call_ids(asked) == set(tricky[:-1])
    monkeypatch.setattr(_pg, "is_postgres", lambda: False)
    assert _existing_call_ids(asked) == set(tricky[:-1])


# --- One pass on PostgreSQL: the outcome of validating the whole file first ------------------


def _stored_calls() -> list[str]:
    rows = Call.objects.order_by("call_id").values_list(
        "call_id",
        "agent_id",
        "team_id",
        "started_at",
        "duration_seconds",
        "channel",
        "recording_url",
        "turns",
        "extra",
    )
    return [repr(row) for row in rows]


def _both_ways(
    world, monkeypatch, content: bytes, *, existing=(), existing_hidden=False, existing_team="a1"
):
    """The job's outcome and the stored calls for `content`, imported in one pass (a few calls
    at a time) and by validating the whole file first; `existing` calls are there before, of
    an agent of `existing_team` (a1: within the importing supervisor's department)."""
    from scoring.calls.services import imports

    monkeypatch.setattr(imports, "STREAM_CHUNK", 3)
    streamed = []
    import_streamed = imports._import_streamed
    monkeypatch.setattr(
        imports, "_import_streamed", lambda *a: streamed.append(1) or import_streamed(*a)
    )
    outcomes = []
    for one_pass in (True, False):
        Call.objects.all().delete()
        for call_id in existing:
            CallFactory(
                call_id=call_id,
                agent=world.agents[existing_team][0],
                team=getattr(world, f"team_{existing_team}"),
                started_at="2026-11-01T09:00:00+08:00",
            )
        with monkeypatch.context() as patch:
            if not one_pass:
                patch.setattr(imports, "jsonl_reader", lambda *a, **k: None)
            if existing_hidden:  # written by another import after we looked: a collision
                patch.setattr(imports, "_existing_call_ids", lambda call_ids: set())
            job = _import(world, content)
        job.refresh_from_db()
        outcome = [job.status, job.errors, job.total, job.processed, job.imported]
        outcomes.append((outcome, job.duplicates, _stored_calls()))
        assert len(streamed) == 1  # the one pass was taken, then not
    assert outcomes[0] == outcomes[1]
    return outcomes[0]


def _calls(world, count=10, **changes):
    agents = [a.employee_no for a in world.agents["a1"] + world.agents["a2"]]
    calls = [
        call_dict(f"C-{i}", agents[i % len(agents)], started_at=f"2026-11-0{1 + i % 9}T10:00:00")
        for i in range(1, count + 1)
    ]
    for index, change in changes.items():
        calls[int(index.removeprefix("line")) - 1].update(change)
    return calls


@pytest.mark.postgres
def test_one_pass_imports_what_the_whole_file_imports(world, monkeypatch):
    (outcome, duplicates, stored) = _both_ways(world, monkeypatch, jsonl(*_calls(world)))
    assert outcome[:1] == ["done"] and outcome[4] == 10 and len(stored) == 10
    (outcome, duplicates, stored) = _both_ways(
        world, monkeypatch, jsonl(*_calls(world)), existing=["C-2", "C-7"]
    )
    assert outcome[4] == 8 and duplicates == ["C-2", "C-7"]
    # Another department's call ids are not duplicates: refused, not confirmed.
    (outcome, duplicates, stored) = _both_ways(
        world, monkeypatch, jsonl(*_calls(world)), existing=["C-2", "C-7"], existing_team="b1"
    )
    assert outcome[0] == "failed" and outcome[4] == 0 and duplicates == []
    assert [(p["line"], p["field"]) for p in outcome[1]] == [(2, "call_id"), (7, "call_id")]
    assert len(stored) == 2  # only the other department's calls


@pytest.mark.postgres
@pytest.mark.parametrize(
    "case",
    [
        "bad speaker at the end",
        "unknown agents",
        "unknown agent then a bad line",
        "twice in the file",
        "not UTF-8",
        "NUL",
        "no calls",
        "many problems",
        "collision",
        "collision then a bad line",
        "collision then an unknown agent",
    ],
)
def test_one_pass_refuses_what_the_whole_file_refuses(world, monkeypatch, case):
    from scoring.calls import importers

    calls = _calls(world)
    existing, hidden = (), False
    bad_turns = [{"speaker": "robot", "text": "x"}]
    if case == "bad speaker at the end":
        calls[9]["turns"] = bad_turns
    elif case == "unknown agents":
        calls[1]["agent"] = calls[8]["agent"] = "NOBODY"
    elif case == "unknown agent then a bad line":
        calls[1]["agent"] = "NOBODY"
        calls[8]["turns"] = bad_turns
    elif case == "twice in the file":
        calls[7]["call_id"] = "C-1"
    elif case == "many problems":
        monkeypatch.setattr(importers.common, "MAX_PROBLEMS", 3)
        for call in calls[2:]:
            call["turns"] = bad_turns
    elif case.startswith("collision"):
        existing, hidden = ["C-5"], True
        if case.endswith("bad line"):
            calls[8]["turns"] = bad_turns
        if case.endswith("unknown agent"):
            calls[8]["agent"] = "NOBODY"
    content = jsonl(*calls)
    if case == "not UTF-8":
        content = content.replace(b"C-9", b"C-\xff")
    elif case == "NUL":  # past the first 64 kB, where it makes the file look binary
        content = jsonl(*_calls(world, 300)) + b'{"call_id": "\x00"}\n'
    elif case == "no calls":
        content = b"\n \n"
    (outcome, _duplicates, stored) = _both_ways(
        world, monkeypatch, content, existing=existing, existing_hidden=hidden
    )
    assert outcome[0] == "failed" and outcome[1] and outcome[4] == 0
    assert len(stored) == len(existing)  # nothing written
    with translation.override("en"):
        messages = " ".join(render_problem(p) for p in outcome[1])
    expected = {
        "unknown agents": "2: agent: Unknown agent NOBODY",
        "unknown agent then a bad line": "9: turns[0].speaker",
        "twice in the file": "appears twice",
        "not UTF-8": "9: The file is not UTF-8",
        "NUL": "NUL characters",
        "no calls": "no calls",
        "many problems": "and 5 more problems",
        "collision": "Another import added",
        "collision then a bad line": "9: turns[0].speaker",
        "collision then an unknown agent": "9: agent: Unknown agent NOBODY",
    }.get(case, "10: turns[0].speaker")
    assert expected in messages


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_import_never_switches_the_collector(world, monkeypatch, fmt):
    """Imports run in request and task code, in threaded processes: switching the cyclic
    collector is process-wide, so only the engine's command line may (scoring.engine.cli)."""
    import gc

    switched = []
    for name in ("disable", "enable", "freeze", "unfreeze"):
        monkeypatch.setattr(gc, name, lambda name=name: switched.append(name))
    active_hotline()
    agent = world.agents["a1"][0]
    if fmt == "jsonl":
        no = agent.employee_no
        content, filename = jsonl(call_dict("GC-1", no), call_dict("GC-2", no)), "c.jsonl"
    else:
        content = (
            "call_id,agent,started_at,speaker,text\n"
            f"GC-1,{agent.employee_no},2026-03-02T10:00:00+08:00,agent,您好\n"
        ).encode()
        filename = "c.csv"
    job = _import(world, content, filename=filename)
    assert job.status == ImportJob.Status.DONE, job.errors
    assert switched == []
