"""Results stored compactly: `qa_score --compact` lists only the rules that applied, and the
compact form a store keeps (check_line(..., compact=True)) gives every rule back."""

from __future__ import annotations

import json

from scoring.engine import load_library
from scoring.engine.result import codes_digest, expand_outcomes, expand_results
from tests.scoring.engine.helpers import big_library, library_phrases, write_calls
from tests.scoring.engine.test_cli import qa_score
from tests.scoring.engine.test_library import FIXTURE

LIB = big_library(300)


def _calls(tmp_path, count=60):
    path = tmp_path / "calls.jsonl"
    write_calls(path, count, library_phrases(LIB))
    return path


def test_compact_lines_are_the_full_lines_without_na_rules(tmp_path):
    path = _calls(tmp_path)
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(LIB, ensure_ascii=False), encoding="utf-8")
    full = qa_score("--rules", rules, path)
    compact = qa_score("--rules", rules, "--compact", path)
    two = qa_score("--rules", rules, "--compact", "--workers", "2", path)
    assert full.returncode == compact.returncode == two.returncode == 0
    assert compact.stdout == two.stdout
    for a, b in zip(full.stdout.splitlines(), compact.stdout.splitlines(), strict=True):
        a, b = json.loads(a), json.loads(b)
        assert b == dict(a, results=[r for r in a["results"] if r["outcome"] != "na"])
    assert len(compact.stdout) < len(full.stdout) * 0.8


def test_stored_compact_form_expands_to_every_rule(tmp_path):
    engine = load_library(LIB)
    codes = [r.code for r in engine.rules]
    sizes = []
    for line in _calls(tmp_path).read_bytes().splitlines():
        full = engine.check_line(line)
        compact = engine.check_line(line, compact=True)
        assert (compact.score, compact.outcomes, compact.weak) == (
            full.score,
            full.outcomes,
            full.weak,
        )
        data = json.loads(compact.results_json)
        assert data["lib"] == codes_digest(codes)
        rules = json.loads(full.results_json)
        assert expand_results(data, codes) == [r for r in rules if r["outcome"] != "na"]
        assert expand_outcomes(data, codes) == dict(zip(codes, full.outcomes, strict=True))
        sizes.append(len(compact.results_json))
    assert max(sizes) < 4000  # a full line here is ~15 kB


def test_compact_keeps_values_not_counted_and_weak():
    lib = json.loads(FIXTURE.read_text(encoding="utf-8"))
    engine = load_library(lib)
    codes = [r.code for r in engine.rules]
    turns = [
        {"speaker": "agent", "text": "您好，退款会退回余额", "start": 0, "end": 2},
        {"speaker": "customer", "text": "好", "start": 2.5, "end": 3},
        {"speaker": "agent", "text": "您的话费已经充值成功", "start": 17, "end": 19},
    ]
    line = json.dumps({"call_id": "K", "turns": turns}, ensure_ascii=False)
    full = json.loads(engine.check_line(line).results_json)
    data = json.loads(engine.check_line(line, compact=True).results_json)
    assert data["weak"] == [codes.index("IDENTITY_BEFORE_ACCOUNT")]
    assert expand_results(data, codes) == [r for r in full if r["outcome"] != "na"]
    silence = next(r for r in expand_results(data, codes) if r["code"] == "SILENCE")
    assert silence["value"] == 14 and silence["evidence"] == [{"turn": 2, "seconds": 14}]
