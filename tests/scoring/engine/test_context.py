"""Context in rules: negation before a phrase, negation-safe fuzzy edits, `unless`
exceptions, `ambiguous` phrases and the weak-evidence marker (CheckResult.weak)."""

from __future__ import annotations

import json

import pytest

from scoring.engine import LibraryError, load_library, validate_library
from tests.scoring.engine.helpers import agent, customer, library, outcome, result, rule

FORBID = rule(
    "FORBID",
    "forbidden",
    speaker="agent",
    phrases=["不知道", "自己看"],
    unless=["是否", "您不知道"],
    critical=True,
)
IDENT = rule(
    "IDENT",
    "sequence",
    speaker="agent",
    first=["验证", "服务密码"],
    then=["余额", "话费"],
    unless=["退回", "退款", "到账"],
    ambiguous=["话费"],
    critical=True,
)


def check(rules, *turns):
    lib = load_library(library(*rules))
    line = json.dumps({"call_id": "C-1", "turns": list(turns)}, ensure_ascii=False)
    return lib.check_line(line)


def seen(text: str, evidence: list[dict]) -> list[str]:
    return [text[e["start"] : e["end"]] for e in evidence]


# --- a negator directly before a phrase ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("不可以为您办理", "fail"),
        ("这个不能可以为您办理", "fail"),
        ("我们没法可以为您办理", "fail"),
        ("可以为您办理", "pass"),
        ("不，可以为您办理", "pass"),  # a clause break: the 不 answers something else
        ("非常可以为您办理", "pass"),  # 非常 is "very", not a negation
    ],
)
def test_a_negator_before_a_phrase_in_the_same_clause_negates_it(text, expected):
    r = rule(phrases=["可以为您办理"], speaker="agent")
    assert outcome(r, agent(text)) == expected


def test_the_forbidden_phrase_after_a_negator_is_not_said():
    r = rule(kind="forbidden", phrases=["自己看"], speaker="agent", critical=True)
    res = result(r, agent("不用自己看，我帮您查"))
    assert res["outcome"] == "pass"
    assert res["not_counted"] == [
        {"turn": 0, "start": 2, "end": 5, "phrase": "自己看", "negated": "不用"}
    ]
    assert outcome(r, agent("您自己看吧")) == "fail"


def test_a_phrase_that_starts_with_a_negator_is_never_negated_by_the_one_before():
    r = rule(kind="forbidden", phrases=["不知道"], speaker="agent")
    assert outcome(r, agent("我不不知道")) == "fail"
    assert outcome(r, agent("这个我不知道")) == "fail"


def test_english_negators_before_a_phrase():
    r = rule(phrases=["help you"], speaker="agent")
    assert outcome(r, agent("I cannot help you")) == "fail"
    assert outcome(r, agent("I can't help you")) == "fail"
    assert outcome(r, agent("I can not help you")) == "fail"
    assert outcome(r, agent("Not yet. Help you I will")) == "pass"
    assert outcome(r, agent("I can help you")) == "pass"


# --- fuzzy edits never touch a negator ----------------------------------------------------


def test_a_fuzzy_edit_never_deletes_inserts_or_substitutes_a_negator():
    r = rule(kind="triggered", fuzzy=1, when={"speaker": "customer", "phrases": ["为什么办理不了"]},
             then={"speaker": "agent", "phrases": ["很抱歉"]})  # fmt: skip
    assert outcome(r, customer("为什么办理了"), agent("好的")) == "na"  # deletes 不
    assert outcome(r, customer("为什么办里不了"), agent("好的")) == "fail"  # an ASR slip
    r = rule(phrases=["不能为您办理"], speaker="agent", fuzzy=1)
    assert outcome(r, agent("什么时候能为您办理")) == "fail"  # 不 substituted by 候
    assert outcome(r, agent("不能为你办理")) == "pass"
    r = rule(phrases=["可以为您办理"], speaker="agent", fuzzy=1)
    assert outcome(r, agent("没可以为您办理")) == "fail"  # inserted (and before): negated
    r = rule(phrases=["i can help you"], speaker="agent", fuzzy=1)
    assert outcome(r, agent("i can t help you")) == "fail"
    assert outcome(r, agent("i cam help you")) == "pass"


def test_fuzzy_evidence_is_the_exact_occurrence_not_a_shifted_span():
    r = rule(kind="triggered", fuzzy=1, when={"speaker": "customer", "phrases": ["这是什么意思"]},
             then={"speaker": "agent", "phrases": ["我再给您解释一下"]})  # fmt: skip
    text = "账单这是什么意思啊"
    res = result(r, customer(text), agent("好的"))
    assert res["outcome"] == "fail"
    assert seen(text, res["evidence"]) == ["这是什么意思"]
    text = "账单这是什么意识啊"  # no exact occurrence: the same-length span, not a shift
    res = result(r, customer(text), agent("好的"))
    assert seen(text, res["evidence"]) == ["这是什么意识"]


# --- unless --------------------------------------------------------------------------------


def test_unless_in_the_same_turn_cancels_a_forbidden_phrase():
    res = result(FORBID, agent("暂时不知道您的问题我是否为您解决完毕"))
    assert res["outcome"] == "pass"
    assert res["not_counted"][0]["unless"] == "是否"
    assert outcome(FORBID, agent("您不知道密码的话可以重置")) == "pass"
    assert outcome(FORBID, agent("这个我不知道")) == "fail"
    # another turn's exception does not count
    assert outcome(FORBID, agent("是否还有问题"), agent("这个我不知道")) == "fail"


def test_unless_window_limits_the_exception_to_nearby_characters():
    r = dict(FORBID, unless=["是否"], unless_window=3)
    assert outcome(r, agent("不知道是否")) == "pass"
    assert outcome(r, agent("不知道这件事情到底是否")) == "fail"


def test_unless_on_a_sequence_after_word_and_a_trigger():
    text = "钱会退回余额"
    res = result(IDENT, agent(text))
    assert res["outcome"] == "na"
    assert seen(text, res["not_counted"]) == ["余额"]
    assert outcome(IDENT, agent("您的余额是五元")) == "fail"
    assert outcome(IDENT, agent("先验证一下"), agent("您的余额是五元")) == "pass"
    r = rule(kind="triggered", when={"speaker": "customer", "phrases": ["办不了"]},
             then={"speaker": "agent", "phrases": ["抱歉"]}, unless=["怎么会"])  # fmt: skip
    assert outcome(r, customer("怎么会办不了"), agent("好的")) == "na"
    assert outcome(r, customer("办不了"), agent("好的")) == "fail"


def test_context_fields_are_validated_naming_the_rule_and_the_field():
    problems = validate_library(
        library(
            dict(IDENT, unless=["退回", ""]),
            dict(FORBID, code="F2", unless_window=0),
            dict(FORBID, code="F3", ambiguous=["您好"]),
            dict(FORBID, code="F4", unless=["自己看"]),
            rule("REQ", phrases=["您好"], speaker="agent", unless=["不"]),
        )
    )
    text = "\n".join(str(p) for p in problems)
    assert 'error: rules[0] (IDENT) field "unless[1]": empty phrase' in text
    assert 'error: rules[1] (F2) field "unless_window": must be an integer >= 1' in text
    assert 'error: rules[2] (F3) field "ambiguous[0]": "您好" is not one of phrases' in text
    assert 'error: rules[3] (F4) field "unless[0]"' in text
    assert 'warning: rules[4] (REQ) field "unless": is not a field of a required rule' in text
    with pytest.raises(LibraryError):
        load_library(library(dict(FORBID, unless_window="3")))


# --- weak evidence ------------------------------------------------------------------------


def test_weak_marks_a_critical_failure_on_an_ambiguous_phrase_only():
    res = check([FORBID, IDENT], agent("您本月话费五十元"))
    assert res.outcomes == ["pass", "fail"]
    assert res.weak == [False, True]
    assert res.critical_failed
    assert json.loads(res.results_json)[1]["weak"] is True
    res = check([FORBID, IDENT], agent("您的余额五十元"))
    assert res.weak == [False, False]
    assert "weak" not in json.loads(res.results_json)[1]


def test_weak_marks_a_critical_failure_on_fuzzy_evidence_only():
    r = rule("SEVERE", "forbidden", speaker="agent", phrases=["你自己去查吧"], fuzzy=1,
             critical=True)  # fmt: skip
    assert check([r], agent("那你自己去查呗")).weak == [True]
    assert check([r], agent("那你自己去查吧")).weak == [False]
    assert check([r], agent("你自己去查吧，你自己去查呗")).weak == [False]
    # not critical: never weak (the marker is about zeroed calls)
    assert check([dict(r, critical=False)], agent("那你自己去查呗")).weak == [False]


def test_weak_list_follows_the_library_order_for_untouched_rules():
    res = check([FORBID, IDENT, rule("G", phrases=["您好"], speaker="agent")], agent("喂"))
    assert res.weak == [False, False, False]


# --- qa_score --check ---------------------------------------------------------------------


def test_containment_warnings_judge_latin_phrases_by_whole_words():
    lib = library(rule(phrases=["hi", "thank you for reaching out"], speaker="agent"))
    assert not [p for p in validate_library(lib) if p.field == "phrases"]
    lib = library(rule(phrases=["hi", "hi there"], speaker="agent"))
    (warning,) = [p for p in validate_library(lib) if p.field == "phrases"]
    assert '"hi there" contains "hi"' in warning.message
    # Chinese has no words: containment is containment
    lib = library(rule(phrases=["您好", "您好呀"], speaker="agent"))
    assert [p for p in validate_library(lib) if p.field == "phrases"]


def test_check_explains_exceptions_and_weak_phrases(tmp_path):
    import io

    from scoring.engine import cli

    path = tmp_path / "rules.json"
    path.write_text(json.dumps(library(FORBID, IDENT), ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    assert cli.run(rules=None, calls=None, check=str(path), stdout=out) == 0
    text = out.getvalue()
    assert (
        "note: rules[0] (FORBID): a phrase (不知道/自己看) does not count when 是否/您不知道 "
        "occurs in the same turn" in text
    )
    assert "note: rules[1] (IDENT): a critical failure resting only on 话费 is weak" in text


# --- English: the ASCII path gives the results of the general one ------------------------


def test_ascii_calls_score_the_same_through_the_one_byte_path(monkeypatch):
    import sys

    normalize = sys.modules["scoring.engine.normalize"]
    lib = load_library(
        library(
            rule("HELLO", phrases=["thank you for calling", "hi"], speaker="agent", fuzzy=1),
            rule("NO", "forbidden", phrases=["help yourself"], speaker="agent"),
            rule(
                "TRIG",
                "triggered",
                when={"speaker": "customer", "phrases": ["refund"]},
                then={"speaker": "agent", "phrases": ["sorry"]},
                unless=["no refund"],
            ),  # fmt: skip
        )
    )
    calls = [
        [agent("Hi!  Thank you for callin, how can I help?"), customer("A refund, please")],
        [agent("You can't help yourself... sorry"), customer("no refund then?"), agent("OK")],
        [agent("  thank-you for calling\t"), customer("Refund!"), agent("So sorry.")],
        [agent("“Thank you for calling” — hi"), customer("refund…"), agent("sorry – 您好")],
    ]
    lines = [json.dumps({"call_id": i, "turns": t}) for i, t in enumerate(calls)]
    fast = [lib.score_line(line, 1)[0] for line in lines]
    monkeypatch.setattr(normalize, "_ASCII_FAST", False)
    monkeypatch.setattr(sys.modules["scoring.engine.matcher"], "_ASCII_SCAN", False)
    assert [lib.score_line(line, 1)[0] for line in lines] == fast
    first = json.loads(fast[0])["results"][0]
    assert first["outcome"] == "pass" and len(first["evidence"]) == 2
