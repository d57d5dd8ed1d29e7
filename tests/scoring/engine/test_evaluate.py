"""Every rule kind's pass / fail / na, scores and critical rules."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import CallError, load_library
from scoring.engine.evaluate import _json_str
from tests.scoring.engine.helpers import agent, customer, library, outcome, result, rule, score

GREET = rule("GREET", phrases=["您好"], speaker="agent")


# --- required / forbidden ------------------------------------------------------------------


def test_required_pass_and_fail():
    res = result(GREET, customer("喂"), agent("您好，请讲"))
    assert res == {
        "code": "GREET",
        "outcome": "pass",
        "evidence": [{"turn": 1, "start": 0, "end": 2, "phrase": "您好"}],
    }
    assert result(GREET, agent("请讲")) == {"code": "GREET", "outcome": "fail", "evidence": []}


def test_required_only_counts_its_speaker():
    assert outcome(GREET, customer("您好"), agent("请讲")) == "fail"


def test_required_where_first_and_last():
    first = dict(GREET, where="first", turns=1)
    assert outcome(first, customer("喂"), agent("您好")) == "pass"  # first *agent* turn
    assert outcome(first, agent("请讲"), agent("您好")) == "fail"
    assert outcome(dict(first, turns=2), agent("请讲"), agent("您好")) == "pass"
    last = rule("BYE", phrases=["再见"], speaker="agent", where="last", turns=1)
    assert outcome(last, agent("再见"), customer("好"), agent("嗯")) == "fail"
    assert outcome(last, agent("嗯"), customer("好"), agent("再见")) == "pass"


def test_where_with_fewer_turns_than_asked():
    first = dict(GREET, where="first", turns=5)
    assert outcome(first, agent("请讲"), customer("喂"), agent("您好")) == "pass"
    last = dict(GREET, where="last", turns=5)
    assert outcome(last, agent("您好")) == "pass"
    assert outcome(last) == "fail"  # no turns at all: nothing in scope


def test_forbidden_lists_every_occurrence():
    r = rule("BAD", kind="forbidden", phrases=["不知道", "我不知道"], speaker="agent")
    res = result(r, agent("我不知道"), customer("不知道"), agent("不知道，不知道"))
    assert res["outcome"] == "fail"
    assert [(e["turn"], e["start"], e["end"], e["phrase"]) for e in res["evidence"]] == [
        (0, 0, 4, "我不知道"),
        (0, 1, 4, "不知道"),
        (2, 0, 3, "不知道"),
        (2, 4, 7, "不知道"),
    ]
    assert result(r, agent("您好")) == {"code": "BAD", "outcome": "pass", "evidence": []}


def test_forbidden_where_last():
    r = rule("BAD", kind="forbidden", phrases=["挂了"], speaker="agent", where="last", turns=1)
    assert outcome(r, agent("先挂了"), agent("再见")) == "pass"
    assert outcome(r, agent("再见"), agent("挂了")) == "fail"


# --- triggered ------------------------------------------------------------------------------

EXPLAIN = rule(
    "EXPLAIN",
    kind="triggered",
    when={"speaker": "customer", "phrases": ["听不懂"]},
    then={"speaker": "agent", "phrases": ["可能是我解释的不清楚"]},
)


def test_triggered_na_pass_fail():
    assert outcome(EXPLAIN, agent("您好"), customer("好的")) == "na"
    assert outcome(EXPLAIN, customer("我听不懂"), agent("可能是我解释的不清楚")) == "pass"
    assert outcome(EXPLAIN, customer("我听不懂"), agent("您再听一遍")) == "fail"


def test_triggered_within_counts_then_speaker_turns():
    turns = [customer("听不懂"), customer("真的"), agent("嗯"), agent("可能是我解释的不清楚")]
    assert outcome(EXPLAIN, *turns) == "fail"  # within 1: only the next agent turn
    r = dict(EXPLAIN, then=dict(EXPLAIN["then"], within=2))
    assert outcome(r, *turns) == "pass"


def test_triggered_answer_in_trigger_turn_only_for_the_same_speaker():
    assert outcome(EXPLAIN, customer("听不懂，可能是我解释的不清楚")) == "fail"
    hold = rule(
        "HOLD",
        kind="triggered",
        when={"speaker": "agent", "phrases": ["帮您查询"]},
        then={"speaker": "agent", "phrases": ["请稍等"]},
    )
    assert outcome(hold, agent("我帮您查询一下，请稍等")) == "pass"
    assert outcome(hold, agent("我帮您查询一下"), customer("好"), agent("请稍等")) == "pass"
    assert outcome(hold, agent("我帮您查询一下"), agent("嗯"), agent("请稍等")) == "fail"
    # an answer before the trigger in the same turn still counts: "in the trigger turn"
    assert outcome(hold, agent("请稍等，我帮您查询一下")) == "pass"


def test_triggered_every_trigger_must_be_answered():
    turns = [
        customer("听不懂"),
        agent("可能是我解释的不清楚"),
        customer("还是听不懂"),
        agent("好吧"),
    ]
    res = result(EXPLAIN, *turns)
    assert res["outcome"] == "fail"
    assert [e["turn"] for e in res["evidence"]] == [2]  # the unanswered trigger


def test_triggered_answer_before_trigger_does_not_count():
    assert outcome(EXPLAIN, agent("可能是我解释的不清楚"), customer("听不懂")) == "fail"


# --- sequence -------------------------------------------------------------------------------

IDENT = rule("ID", kind="sequence", speaker="agent", first=["验证"], then=["余额"])


def test_sequence_na_pass_fail():
    assert outcome(IDENT, agent("您好")) == "na"
    assert outcome(IDENT, agent("请先验证身份"), agent("您的余额是10元")) == "pass"
    assert outcome(IDENT, agent("您的余额是10元"), agent("请先验证身份")) == "fail"
    assert outcome(IDENT, agent("您的余额是10元")) == "fail"


def test_sequence_same_turn_order():
    assert outcome(IDENT, agent("验证通过，余额10元")) == "pass"
    assert outcome(IDENT, agent("余额10元，验证通过")) == "fail"


def test_sequence_earliest_then_decides():
    turns = [agent("余额多少我不能说"), agent("验证后"), agent("余额10元")]
    res = result(IDENT, *turns)
    assert res["outcome"] == "fail"
    assert res["evidence"] == [{"turn": 0, "start": 0, "end": 2, "phrase": "余额"}]


def test_sequence_only_counts_its_speaker():
    assert outcome(IDENT, customer("我验证过了"), agent("余额10元")) == "fail"
    assert outcome(IDENT, customer("余额多少"), agent("您好")) == "na"


# --- timing ---------------------------------------------------------------------------------

SILENCE = rule("SIL", kind="silence", max_seconds=10)
INTERRUPT = rule("INT", kind="interruption", max_count=0, min_overlap=0.5)
RATE = rule("RATE", kind="speech_rate", min=150, max=300)


def test_silence():
    turns = [
        customer("喂", 0, 1),
        agent("您好", 5, 6),
        customer("查话费", 7, 8),
        agent("好", 20, 21),
    ]
    res = result(SILENCE, *turns)
    assert res["outcome"] == "fail"
    assert res["value"] == 12
    assert res["evidence"] == [{"turn": 3, "seconds": 12}]
    assert outcome(dict(SILENCE, max_seconds=12), *turns) == "pass"  # not over the limit


def test_silence_only_customer_then_agent_pairs():
    turns = [agent("您好", 0, 1), customer("喂", 30, 31), customer("在吗", 60, 61)]
    assert result(SILENCE, *turns) == {
        "code": "SIL",
        "outcome": "na",
        "value": None,
        "evidence": [],
    }


def test_timing_na_when_a_turn_lacks_times():
    turns = [customer("喂", 0, 1), agent("您好", 50, 51), agent("嗯")]
    assert outcome(SILENCE, *turns) == "na"
    assert outcome(INTERRUPT, *turns) == "na"
    assert outcome(RATE, *turns) == "na"


def test_interruption():
    turns = [
        customer("我想问一下", 0, 3),
        agent("您说", 2.5, 3.5),  # overlap 0.5: an interruption
        customer("话费", 4, 5),
        agent("好的", 4.8, 6),  # overlap 0.2: not
    ]
    res = result(INTERRUPT, *turns)
    assert (res["outcome"], res["value"]) == ("fail", 1)
    assert res["evidence"] == [{"turn": 1, "seconds": 0.5}]
    assert outcome(dict(INTERRUPT, max_count=1), *turns) == "pass"
    assert result(INTERRUPT, agent("您好", 0, 1))["outcome"] == "na"


def test_speech_rate():
    # 10 characters in 3 seconds of agent speech: 200 per minute
    turns = [agent("您好，请问有什么事", 0, 2), customer("嗯嗯嗯", 2, 60), agent("请讲", 60, 61)]
    res = result(RATE, *turns)
    assert res["outcome"] == "pass"
    assert res["value"] == pytest.approx(200)
    assert outcome(dict(RATE, max=199), *turns) == "fail"
    assert outcome(dict(RATE, min=201, max=None), *turns) == "fail"
    assert outcome(rule("R", kind="speech_rate", speaker="customer", max=10), *turns) == "pass"


def test_speech_rate_counts_normalized_characters_without_spaces():
    turns = [agent("ok thanks!", 0, 6)]  # "ok thanks": 8 characters in 6 seconds
    assert result(RATE, *turns)["value"] == pytest.approx(80)


def test_speech_rate_na_without_speaking_time():
    assert outcome(RATE, customer("喂", 0, 1)) == "na"
    assert outcome(RATE, agent("您好", 1, 1), customer("喂", 1, 2)) == "na"


# --- scores ---------------------------------------------------------------------------------


def test_score_counts_points_of_pass_and_fail_not_na():
    rules = [
        rule("A", phrases=["您好"], speaker="agent", points=3),
        rule("B", phrases=["再见"], speaker="agent", points=1),
        dict(EXPLAIN, points=5),  # na
    ]
    res = score(rules, agent("您好"))
    assert res["score"] == 75.0
    assert res["critical_failed"] is False
    assert [r["code"] for r in res["results"]] == ["A", "B", "EXPLAIN"]  # library order


def test_score_rounding():
    rules = [
        rule("A", phrases=["您好"], speaker="agent"),
        rule("B", phrases=["x"], speaker="agent"),
    ]
    rules.append(rule("C", phrases=["y"], speaker="agent"))
    assert score(rules, agent("您好"))["score"] == 33.33
    rules[1]["points"] = 0.5
    assert score(rules, agent("您好"))["score"] == round(100 * 1 / 2.5, 2)


def test_score_null_when_nothing_applies():
    res = score([EXPLAIN, IDENT], agent("您好"))
    assert res["score"] is None
    assert res["critical_failed"] is False
    assert score([], agent("您好")) == {
        "call_id": "C-1",
        "score": None,
        "critical_failed": False,
        "results": [],
    }


def test_zero_points_rules_do_not_count():
    res = score([dict(GREET, points=0)], agent("嗯"))
    assert res["score"] is None


def test_critical_failure_zeroes_the_score():
    bad = rule("BAD", kind="forbidden", phrases=["不知道"], speaker="agent", critical=True)
    res = score([GREET, bad], agent("您好，不知道"))
    assert res["score"] == 0
    assert res["critical_failed"] is True
    res = score([GREET, bad], agent("您好"))
    assert (res["score"], res["critical_failed"]) == (100.0, False)
    # a critical required rule failing by default (no phrase at all) also zeroes
    res = score([dict(GREET, critical=True)], agent("嗯"))
    assert (res["score"], res["critical_failed"]) == (0, True)


def test_results_carry_only_the_contract_fields():
    lib = load_library(library(GREET))
    res = lib.score_call({"call_id": "C-9", "agent": "A1", "extra": [1], "turns": [agent("您好")]})
    assert set(res) == {"call_id", "score", "critical_failed", "results"}


def test_score_call_rejects_invalid_calls():
    lib = load_library(library(GREET))
    with pytest.raises(CallError):
        lib.score_call({"turns": []})


def test_empty_call():
    res = score(
        [GREET, dict(IDENT), SILENCE],
    )
    assert [r["outcome"] for r in res["results"]] == ["fail", "na", "na"]
    assert res["score"] == 0.0


# --- JSON of phrases, codes and call ids --------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12))
def test_strings_are_written_as_the_json_encoder_writes_them(text):
    assert json.loads(_json_str(text)) == text
    assert _json_str(text) == json.dumps(text, ensure_ascii=False)


def test_quotes_and_controls_in_call_ids_and_phrases():
    lib = load_library(library(rule("Q", phrases=['说"好"', "a\\b"], speaker="agent")))
    call = {"call_id": 'C"1\t', "turns": [{"speaker": "agent", "text": '他说"好"，a\\b'}]}
    out = json.loads(lib.score_line(json.dumps(call).encode(), 1)[0])
    assert out["call_id"] == 'C"1\t'
    assert [e["phrase"] for e in out["results"][0]["evidence"]] == ['说"好"', "a\\b"]
