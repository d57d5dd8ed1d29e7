"""Call lines: what is a valid call, and the error line for one that is not."""

from __future__ import annotations

import json

import pytest

from scoring.engine import load_library
from tests.scoring.engine.helpers import library, rule

LIB = load_library(library(rule("GREET", phrases=["您好"], speaker="agent")))


def line(obj) -> str:
    return obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)


def run(obj, line_no=7):
    out, ok = LIB.score_line(line(obj).encode(), line_no)
    return json.loads(out), ok


@pytest.mark.parametrize(
    ("obj", "call_id", "words"),
    [
        ("{not json", None, "invalid JSON"),
        ("[1, 2]", None, "JSON object"),
        ('"text"', None, "JSON object"),
        ({"turns": []}, None, "missing call_id"),
        ({"call_id": None, "turns": []}, None, "missing call_id"),
        ({"call_id": "", "turns": []}, None, "call_id"),
        ({"call_id": {"a": 1}, "turns": []}, None, "call_id"),
        ({"call_id": "C"}, "C", "missing turns"),
        ({"call_id": "C", "turns": {}}, "C", "turns must be a list"),
        ({"call_id": "C", "turns": ["hi"]}, "C", "turns[0]"),
        ({"call_id": "C", "turns": [{"speaker": "robot", "text": "x"}]}, "C", "speaker"),
        ({"call_id": "C", "turns": [{"text": "x"}]}, "C", "speaker"),
        ({"call_id": "C", "turns": [{"speaker": "agent"}]}, "C", "text"),
        ({"call_id": "C", "turns": [{"speaker": "agent", "text": 5}]}, "C", "text"),
        (
            {"call_id": "C", "turns": [{"speaker": "agent", "text": "x", "start": 3, "end": 2}]},
            "C",
            "start",
        ),
        (
            {"call_id": "C", "turns": [{"speaker": "agent", "text": "x", "start": "0", "end": 2}]},
            "C",
            "turns[0].start",
        ),
        (
            {"call_id": "C", "turns": [{"speaker": "agent", "text": "x", "start": 0, "end": True}]},
            "C",
            "turns[0].end",
        ),
    ],
)
def test_invalid_call_lines(obj, call_id, words):
    out, ok = run(obj)
    assert not ok
    assert set(out) == {"call_id", "line", "error"}
    assert out["call_id"] == call_id
    assert out["line"] == 7
    assert words in out["error"]


def test_valid_call_variants():
    # times are optional; integer times and ids are fine; other fields are allowed
    for obj in [
        {"call_id": "C", "turns": []},
        {"call_id": 12, "turns": [{"speaker": "agent", "text": "您好", "start": 0, "end": 1}]},
        {"call_id": "C", "agent": "A1", "turns": [{"speaker": "customer", "text": "", "x": 1}]},
        {"call_id": "C", "turns": [{"speaker": "agent", "text": "您好", "start": 1}]},
        {"call_id": "C", "turns": [{"speaker": "agent", "text": "a", "start": 1, "end": 1}]},
    ]:
        out, ok = run(obj)
        assert ok, out
        assert out["call_id"] == obj["call_id"]


def test_invalid_utf8():
    out, ok = LIB.score_line(b'{"call_id": "\xff"}', 3)
    assert not ok and out.startswith(b"{") and json.loads(out)["line"] == 3
