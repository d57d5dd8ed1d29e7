"""Automatic checks: every imported call checked after commit, idempotent, library cached."""

from __future__ import annotations

import json
import random
from types import SimpleNamespace

import orjson
import pytest

from scoring.calls.models import Call, CallCheck
from scoring.calls.results import compact_from_results
from scoring.calls.services import checks
from scoring.calls.services import copy as _pg
from scoring.calls.services.imports import import_file
from scoring.engine import load_library
from scoring.engine.result import expand_results
from scoring.rules.services import library_activate, library_create
from tests.factories import HOTLINE, active_hotline, call_dict, jsonl

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


# --- The PostgreSQL path stores what the portable one stores ----------------------------------

# A rule whose phrase needs escaping in JSON (and then in COPY), with float points so that the
# score has decimals; the calls pass or fail it, fail a critical rule or not.
_QUOTE_RULE = {
    "code": "QUOTE",
    "title": "quote",
    "kind": "required",
    "speaker": "agent",
    "phrases": ['说"好\\的'],
    "points": 1.5,
}
_TRICKY_TURNS = [
    [
        {
            "speaker": "agent",
            "text": '您好，请说"好\\的，\t很高兴为您服务',
            "start": 0.0,
            "end": 2.0,
        },
        {"speaker": "customer", "text": "我想查一下话费\n谢谢", "start": 1.0, "end": 3.25},
    ],
    [
        {"speaker": "agent", "text": "喂喂，不知道", "start": 0.0, "end": 1.5},
        {"speaker": "customer", "text": "什么意思"},
    ],
    call_dict("C", "A", texts=("您好，工号1001，请问", "办不了吗", "请稍等，我帮您查询一下"))[
        "turns"
    ],
]


def _quote_library():
    definition = json.loads(HOTLINE.read_text(encoding="utf-8"))
    definition["rules"].append(_QUOTE_RULE)
    return library_activate(library=library_create(definition=definition))


def _stored() -> dict:
    return {
        k.call_id: (k.library_id, k.score, k.critical_failed, k.outcomes, k.results)
        for k in CallCheck.objects.all()
    }


@pytest.mark.postgres
def test_postgresql_path_stores_what_the_portable_path_stores(world, monkeypatch):
    _quote_library()
    agent = world.agents["a1"][0]
    ids = [
        Call.objects.create(
            call_id=f'X"\\{i}',
            agent=agent,
            team=world.team_a1,
            started_at="2026-11-02T09:00:00+08:00",
            turns=turns,
        ).pk
        for i, turns in enumerate(_TRICKY_TURNS)
    ]
    copy_lines = _pg.copy_lines
    tables = []
    monkeypatch.setattr(
        _pg, "copy_lines", lambda t, c, rows: tables.append(t) or copy_lines(t, c, rows)
    )
    assert checks.call_checks_run(call_ids=ids) == 3  # new calls: straight COPY
    direct = _stored()
    with monkeypatch.context() as patch:
        patch.setattr(_pg, "is_postgres", lambda: False)
        assert checks.call_checks_run(call_ids=ids, force=True) == 3
    portable = _stored()
    CallCheck.objects.filter(pk=ids[0]).update(outcomes={}, results=[], score=None)
    assert checks.call_checks_run(call_ids=ids, force=True) == 3  # checked before: upsert
    assert tables == ["calls_callcheck", "_qa_checks"]
    assert _stored() == portable == direct
    assert {check[2] for check in portable.values()} == {True, False}
    # The stored form is compact (only the rules that applied); read it as the pages do.
    from scoring.calls.results import check_results

    results = check_results(CallCheck.objects.get(pk=ids[0]))
    assert results[-1]["evidence"][0]["phrase"] == '说"好\\的'
    assert portable[ids[0]][1] % 1  # a score with decimals


@pytest.mark.postgres
def test_a_check_written_meanwhile_is_replaced(world, monkeypatch):
    library = active_hotline()
    agent = world.agents["a1"][0]
    call = Call.objects.create(
        call_id="X",
        agent=agent,
        team=world.team_a1,
        started_at="2026-11-02T09:00:00+08:00",
        turns=call_dict("X", "A")["turns"],
    )
    copy_lines = _pg.copy_lines
    tables = []

    def racing_copy(table, columns, lines):
        tables.append(table)
        if table == "calls_callcheck":  # another task's check lands first
            CallCheck.objects.create(call=call, library=library, score=1)
        copy_lines(table, columns, lines)

    monkeypatch.setattr(_pg, "copy_lines", racing_copy)
    assert checks.call_checks_run(call_ids=[call.pk]) == 1
    monkeypatch.undo()
    assert tables == ["calls_callcheck", "_qa_checks"]  # refused, then upserted
    racing = _stored()
    CallCheck.objects.all().delete()
    assert checks.call_checks_run(call_ids=[call.pk]) == 1
    assert _stored() == racing


def _copy_fields(line: bytes) -> list:
    """A COPY line of calls_callcheck as values: JSON columns parsed."""
    fields = line.rstrip(b"\n").split(b"\t")
    for column in (4, 5):
        fields[column] = orjson.loads(fields[column].replace(b"\\\\", b"\\"))
    return fields


def test_check_lines_hold_what_the_result_line_says(monkeypatch):
    """The check path stores the engine's typed result (Library.check_line) without parsing
    the results again: its COPY line has the values of the contract's JSON result line."""
    from scoring.calls.demo import _transcript

    definition = json.loads(HOTLINE.read_text(encoding="utf-8"))
    definition["rules"].append(_QUOTE_RULE)
    engine = load_library(definition)
    rng = random.Random(3)
    transcripts = [
        _transcript(rng, SimpleNamespace(employee_no="A1"), {"quality": q / 10, "rate": 240})
        for q in range(2, 11)
        for _ in range(4)
    ]
    codes = [rule["code"] for rule in definition["rules"]]
    check_lines = checks._CheckLines(3, codes, b"NOW")
    parsed = []
    loads = checks._pg.loads
    monkeypatch.setattr(checks._pg, "loads", lambda raw: parsed.append(raw) or loads(raw))
    scores = set()
    for turns in _TRICKY_TURNS + transcripts:
        line = orjson.dumps({"call_id": 'X"\\', "turns": turns})
        out, ok = engine.score_line(line, 0)
        assert ok
        result = orjson.loads(out)
        scores.add(result["score"])
        del parsed[:]
        fields = _copy_fields(check_lines(7, engine.check_line(line, compact=True)))
        assert all(len(raw) < 10 for raw in parsed)  # at most the score was parsed
        score = result["score"]
        # Stored compactly: the applied rules' outcomes (na implied), the compact results,
        # which give the result line's rules back.
        assert fields == [
            b"7",
            b"3",
            b"\\N" if score is None else str(score).encode(),
            b"t" if result["critical_failed"] else b"f",
            {r["code"]: r["outcome"] for r in result["results"] if r["outcome"] != "na"},
            compact_from_results(result["results"], codes),
            b"NOW",
        ]
        na = {"outcome": "na", "evidence": []}
        assert expand_results(fields[5], codes, with_na=True) == [
            r if r["outcome"] != "na" else {"code": r["code"], **na} for r in result["results"]
        ]
    assert len(scores) > 10  # various scores


@pytest.mark.postgres
def test_copy_reports_the_error_of_the_rows_not_the_driver(world):
    def rows():
        yield ("A", None)
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        _pg.copy_rows("calls_call", ["call_id", "duration_seconds"], rows())
