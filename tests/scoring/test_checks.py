"""Automatic checks: every imported call checked after commit, idempotent, library cached."""

from __future__ import annotations

import pytest

from scoring.models import Call, CallCheck
from scoring.services import checks
from scoring.services.imports import import_file

from .helpers_calls import active_hotline, call_dict, jsonl

pytestmark = pytest.mark.django_db


def test_every_imported_call_is_checked_in_batches(
    world, settings, django_capture_on_commit_callbacks
):
    settings.QA_CHECK_BATCH_SIZE = 3
    active_hotline()
    agent = world.agents["a2"][0].employee_no
    content = jsonl(*(call_dict(f"C-{i}", agent) for i in range(10)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_file(user=world.users["admin"], filename="c.jsonl", content=content)
    assert CallCheck.objects.count() == 0  # nothing is checked before the commit
    assert len(callbacks) == 4  # ceil(10 / 3) tasks
    for callback in callbacks:
        callback()
    assert CallCheck.objects.count() == Call.objects.count() == 10


def test_checks_are_idempotent_and_cached(world):
    library = active_hotline()
    call = Call.objects.create(
        call_id="X",
        agent=world.agents["a1"][0],
        team=world.team_a1,
        started_at="2026-11-02T09:00:00+08:00",
        turns=call_dict("X", "A")["turns"],
    )
    assert checks.call_checks_run(call_ids=[call.pk]) == 1
    assert checks.call_checks_run(call_ids=[call.pk]) == 0  # already checked by this version
    assert checks.call_checks_run(call_ids=[call.pk], force=True) == 1
    assert CallCheck.objects.get().library == library
    assert checks.engine_library(library) is checks.engine_library(library)


def test_no_active_library_checks_nothing(world):
    call = Call.objects.create(
        call_id="X",
        agent=world.agents["a1"][0],
        team=world.team_a1,
        started_at="2026-11-02T09:00:00+08:00",
        turns=call_dict("X", "A")["turns"],
    )
    assert checks.call_checks_run(call_ids=[call.pk]) == 0
