"""The starter library (scoring/rules/fixtures/hotline.json) on hand-made cases of what was
seen on real chats (issue 14): no false critical zero, the variants a supervisor counts as
compliant are counted, negated and near-but-different wordings do not match."""

from __future__ import annotations

import json

import pytest

from scoring.engine import load_library
from tests.scoring.engine.helpers import HOTLINE, agent, customer

LIBRARY = load_library(json.loads(HOTLINE.read_text(encoding="utf-8")))


def checked(*turns):
    line = json.dumps({"call_id": "H-1", "turns": list(turns)}, ensure_ascii=False)
    res = LIBRARY.check_line(line)
    codes = [r.code for r in LIBRARY.rules]
    return res, dict(zip(codes, res.outcomes, strict=True)), dict(zip(codes, res.weak, strict=True))


def outcome_of(code, *turns):
    return checked(*turns)[1][code]


# --- a sequence rule on a word with two senses ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "退款会在三个工作日内退回余额",
        "您的余额会在24小时内到账",
        "这笔费用会退还到您的话费里",
        "话费退款已经返还，您的话费是多少可以在短信里看到",
    ],
)
def test_a_refund_explanation_is_no_disclosure_of_the_account(text):
    res, outcomes, _weak = checked(agent("您好，很高兴为您服务"), agent(text))
    assert outcomes["IDENTITY_BEFORE_ACCOUNT"] == "na"
    assert not res.critical_failed


def test_a_disclosure_before_verification_still_zeroes_the_call():
    res, outcomes, weak = checked(agent("您好"), agent("您的余额是四十二元"))
    assert outcomes["IDENTITY_BEFORE_ACCOUNT"] == "fail"
    assert res.critical_failed and res.score == "0"
    assert weak["IDENTITY_BEFORE_ACCOUNT"] is False
    _res, outcomes, _weak = checked(agent("请先验证一下服务密码"), agent("您的余额是四十二元"))
    assert outcomes["IDENTITY_BEFORE_ACCOUNT"] == "pass"


def test_an_account_word_alone_is_a_weak_critical_failure_to_confirm():
    res, outcomes, weak = checked(agent("您好"), agent("您的话费已经充值成功"))
    assert outcomes["IDENTITY_BEFORE_ACCOUNT"] == "fail"
    assert weak["IDENTITY_BEFORE_ACCOUNT"] is True
    assert json.loads(res.results_json)[10]["weak"] is True


# --- a forbidden phrase inside polite wording -------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "暂时不知道您的问题我是否为您解决完毕",
        "您不知道密码的话可以重置",
        "不用自己看，我帮您查",
        "您可以自己看一下短信",
    ],
)
def test_polite_sentences_are_no_forbidden_phrase(text):
    res, outcomes, _weak = checked(agent("您好"), agent(text))
    assert outcomes["FORBIDDEN_SEVERE"] == "pass"
    assert not res.critical_failed


@pytest.mark.parametrize("text", ["这个我也不知道", "这不归我管", "你自己去查吧", "你自己看短信"])
def test_rude_sentences_still_fail_the_critical_rule(text):
    res, outcomes, _weak = checked(agent("您好"), agent(text))
    assert outcomes["FORBIDDEN_SEVERE"] == "fail"
    assert res.critical_failed


# --- fuzzy matching that would flip the meaning -----------------------------------------


def test_a_negator_deleted_or_substituted_is_no_near_match():
    # 办理不了 with its 不 deleted is 办理了: the customer says it worked
    turns = [customer("已经办理了，谢谢"), agent("好的")]
    assert outcome_of("APOLOGY_CUSTOMER_UNMET", *turns) == "na"
    turns = [agent("这个业务什么时候能办理"), agent("好的")]
    assert outcome_of("APOLOGY_AGENT_UNMET", *turns) == "na"


def test_a_negated_confusion_is_no_trigger():
    assert outcome_of("RE_EXPLAIN", customer("没什么意思，就问问"), agent("好的")) == "na"
    assert outcome_of("RE_EXPLAIN", customer("这是什么意思"), agent("好的")) == "fail"


def test_the_highlight_is_the_exact_phrase_not_a_shifted_span():
    text = "这个账单什么意思"
    res, _outcomes, _weak = checked(customer(text), agent("好的"))
    (rule,) = [r for r in json.loads(res.results_json) if r["code"] == "RE_EXPLAIN"]
    assert [text[e["start"] : e["end"]] for e in rule["evidence"]] == ["什么意思"]


# --- variants a supervisor counts as compliant ------------------------------------------


def test_greeting_variants():
    opening = agent("亲爱的用户，很高兴为您服务")
    _res, outcomes, _weak = checked(opening, customer("我想查话费"))
    assert outcomes["GREETING"] == "pass"
    assert outcomes["SELF_INTRO"] == "pass"


@pytest.mark.parametrize(
    "closing", ["请问还有其他可以帮到您的吗", "祝您生活愉快，再见", "请问还有什么可以帮到您"]
)
def test_closing_variants(closing):
    turns = [agent("您好"), customer("好的"), agent(closing)]
    assert outcome_of("CLOSING", *turns) == "pass"


@pytest.mark.parametrize("hold", ["您稍等", "请稍等", "稍等片刻", "请稍候"])
def test_hold_variants(hold):
    turns = [agent(f"我帮您查询一下，{hold}")]
    assert outcome_of("HOLD_BEFORE_LOOKUP", *turns) == "pass"


def test_no_critical_rule_rests_on_a_single_ambiguous_word():
    for rule in LIBRARY.rules:
        if not rule.critical:
            continue
        for role, phrases in rule.phrases.items():
            if rule.kind == "sequence" and role == "first":
                continue  # what makes a sequence pass, not fail
            for phrase in phrases:
                assert len(phrase) >= 3 or phrase in rule.ambiguous, (rule.code, phrase)
