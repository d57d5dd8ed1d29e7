"""Rule library validation: errors name the rule and the field; warnings explain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scoring.engine import LibraryError, load_library, validate_library
from tests.scoring.engine.helpers import library, rule

FIXTURE = Path(__file__).parents[3] / "scoring" / "rules" / "fixtures" / "hotline.json"


def errors(*rules, **top):
    data = dict(library(*rules), **top)
    return [p for p in validate_library(data) if p.level == "error"]


def warnings(*rules):
    return [p for p in validate_library(library(*rules)) if p.level == "warning"]


def only_error(*rules):
    (problem,) = errors(*rules)
    return problem


OK = dict(phrases=["您好"], speaker="agent")


@pytest.mark.parametrize(
    ("bad_rule", "field", "words"),
    [
        (rule("X", kind="mandatory", **OK), "kind", "unknown kind"),
        ({"code": "X", "title": "t", **OK}, "kind", "required"),
        (rule("X", phrases=["您好", ""], speaker="agent"), "phrases[1]", "empty phrase"),
        (rule("X", phrases=["  "], speaker="agent"), "phrases[0]", "empty phrase"),
        (rule("X", phrases=[], speaker="agent"), "phrases", "non-empty list"),
        (rule("X", phrases="您好", speaker="agent"), "phrases", "non-empty list"),
        (rule("X", phrases=[3], speaker="agent"), "phrases[0]", "string"),
        (rule("X", speaker="agent"), "phrases", "required"),
        (rule("X", phrases=["您好"], speaker="agnet"), "speaker", '"agnet"'),
        (rule("X", phrases=["您好"]), "speaker", "required"),
        (rule("X", points=-1, **OK), "points", ">= 0"),
        (rule("X", points="5", **OK), "points", ">= 0"),
        (rule("X", points=True, **OK), "points", ">= 0"),
        (rule("X", fuzzy=2, **OK), "fuzzy", "0 or 1"),
        (rule("X", fuzzy="1", **OK), "fuzzy", "0 or 1"),
        (rule("X", critical="yes", **OK), "critical", "true or false"),
        (rule("X", where="middle", **OK), "where", '"middle"'),
        (rule("X", where="first", turns=0, **OK), "turns", ">= 1"),
        (rule("X", where="first", turns=1.5, **OK), "turns", "integer"),
        (
            rule("X", kind="triggered", when={"speaker": "customer", "phrases": ["a"]}),
            "then",
            "required",
        ),
        (
            rule(
                "X",
                kind="triggered",
                when={"speaker": "client", "phrases": ["a"]},
                then={"speaker": "agent", "phrases": ["b"]},
            ),
            "when.speaker",
            '"client"',
        ),
        (
            rule(
                "X",
                kind="triggered",
                when={"speaker": "customer", "phrases": ["a"]},
                then={"speaker": "agent", "phrases": ["b"], "within": 0},
            ),
            "then.within",
            ">= 1",
        ),
        (
            rule(
                "X",
                kind="triggered",
                when={"speaker": "customer", "phrases": ["a"]},
                then={"speaker": "agent", "phrases": [""]},
            ),
            "then.phrases[0]",
            "empty phrase",
        ),
        (rule("X", kind="sequence", speaker="agent", first=["a"]), "then", "required"),
        (rule("X", kind="silence"), "max_seconds", "required"),
        (rule("X", kind="silence", max_seconds="10"), "max_seconds", ">= 0"),
        (rule("X", kind="interruption", max_count=-1), "max_count", ">= 0"),
        (rule("X", kind="interruption", min_overlap=-0.5), "min_overlap", ">= 0"),
        (rule("X", kind="speech_rate", min=300, max=150), "max", "min"),
        (rule("X", kind="speech_rate", speaker="bot", max=150), "speaker", '"bot"'),
        (rule("X", title=7, **OK), "title", "string"),
    ],
)
def test_invalid_rules_name_the_rule_and_the_field(bad_rule, field, words):
    problem = only_error(rule("FIRST", **OK), bad_rule)
    assert problem.index == 1
    assert problem.code == "X"
    assert problem.field == field
    assert words in problem.message
    text = str(problem)
    assert "rules[1]" in text and "(X)" in text and f'"{field}"' in text


def test_duplicate_code():
    problem = only_error(rule("GREET", **OK), rule("BYE", **OK), rule("GREET", **OK))
    assert (problem.index, problem.field) == (2, "code")
    assert "duplicate" in problem.message and "rules[0]" in problem.message


@pytest.mark.parametrize("code", [None, "", 5])
def test_bad_code(code):
    r = rule(**OK)
    if code is None:
        del r["code"]
    else:
        r["code"] = code
    problem = only_error(r)
    assert (problem.index, problem.field) == (0, "code")


@pytest.mark.parametrize("data", [[], "rules", {"name": "x"}, {"rules": {"a": 1}}])
def test_library_shape(data):
    problems = [p for p in validate_library(data) if p.level == "error"]
    assert problems
    with pytest.raises(LibraryError):
        load_library(data)


def test_rule_must_be_an_object():
    problem = only_error(rule(**OK), ["not", "a", "rule"])
    assert problem.index == 1


def test_load_library_raises_with_all_problems():
    with pytest.raises(LibraryError) as exc:
        load_library(library(rule("A", kind="x"), rule("A", phrases=[""], speaker="agent")))
    assert len([p for p in exc.value.problems if p.level == "error"]) == 3
    assert "rules[0] (A)" in str(exc.value)


def test_warnings():
    found = warnings(
        rule("A", phrases=["请", "请稍等"], speaker="agent"),
        rule("B", phrases=["您好", "您 好"], speaker="agent"),
        rule("C", phrases=["，。"], speaker="agent"),
        rule("D", turns=2, **OK),
        rule("E", fuzzy=1, **OK),
        rule("F", kind="speech_rate"),
        rule("G", phrase=["typo"], **OK),
        rule(
            "H",
            kind="triggered",
            when={"speaker": "agent", "phrases": ["请稍等一下"]},
            then={"speaker": "agent", "phrases": ["请稍等"]},
        ),
        rule("I", kind="silence", max_seconds=5, fuzzy=1),
    )
    by_code = {}
    for p in found:
        by_code.setdefault(p.code, []).append(p)
    assert "contains" in by_code["A"][0].message
    assert "same" in by_code["B"][0].message
    assert "normalizes to nothing" in by_code["C"][0].message
    assert by_code["D"][0].field == "turns"  # where "any": turns is unreachable
    assert by_code["E"][0].field == "fuzzy"  # no phrase long enough
    assert by_code["F"][0].field == "min"
    assert by_code["G"][0].field == "phrase"
    assert by_code["H"][0].field == "then.phrases"
    assert by_code["I"][0].field == "fuzzy"
    # warnings do not stop loading
    load_library(library(rule("A", phrases=["请", "请稍等"], speaker="agent")))


def test_phrase_that_normalizes_to_nothing_never_matches():
    lib = load_library(library(rule("A", phrases=["，。", "您好"], speaker="agent")))
    res = lib.score_call({"call_id": "c", "turns": [{"speaker": "agent", "text": "嗯，。"}]})
    assert res["results"][0]["outcome"] == "fail"


def test_missing_title_is_a_warning_not_an_error():
    r = {"code": "A", "kind": "required", **OK}
    assert not errors(r)
    assert [p.field for p in warnings(r)] == ["title"]


def test_the_starter_library_is_clean():
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert validate_library(data) == []
    lib = load_library(data)
    assert len(lib.rules) >= 12
    kinds = {r.kind for r in lib.rules}
    assert kinds == {
        "required",
        "forbidden",
        "triggered",
        "sequence",
        "silence",
        "interruption",
        "speech_rate",
    }


def test_starter_library_on_a_good_and_a_bad_call():
    lib = load_library(json.loads(FIXTURE.read_text(encoding="utf-8")))
    good = {
        "call_id": "G",
        "turns": [
            {"speaker": "agent", "text": "您好，工号1024，很高兴为您服务。", "start": 0, "end": 4},
            {"speaker": "customer", "text": "我想查一下话费。", "start": 4.5, "end": 6},
            {
                "speaker": "agent",
                "text": "好的，请先验证一下您的服务密码。",
                "start": 6.5,
                "end": 10,
            },
            {"speaker": "customer", "text": "验证好了。", "start": 10.5, "end": 11.5},
            {"speaker": "agent", "text": "谢谢，我帮您查询一下，请稍等。", "start": 12, "end": 15},
            {"speaker": "agent", "text": "您本月话费58元，余额42元。", "start": 18, "end": 21},
            {"speaker": "customer", "text": "好的。", "start": 21.5, "end": 22},
            {
                "speaker": "agent",
                "text": "请问还有什么可以帮您？感谢您的来电，再见。",
                "start": 22.5,
                "end": 27,
            },
        ],
    }
    res = lib.score_call(good)
    outcomes = {r["code"]: r["outcome"] for r in res["results"]}
    assert res["critical_failed"] is False
    assert res["score"] == 100.0, outcomes
    bad = {
        "call_id": "B",
        "turns": [
            {"speaker": "agent", "text": "喂喂，说吧。"},
            {"speaker": "customer", "text": "我余额多少？"},
            {"speaker": "agent", "text": "余额是五元，别的你自己去查，我不知道。"},
        ],
    }
    res = lib.score_call(bad)
    outcomes = {r["code"]: r["outcome"] for r in res["results"]}
    assert res["critical_failed"] is True and res["score"] == 0
    assert outcomes["FORBIDDEN_SEVERE"] == "fail"
    assert outcomes["IDENTITY_BEFORE_ACCOUNT"] == "fail"
    assert outcomes["GREETING"] == "fail"
    assert outcomes["SILENCE"] == "na"
