"""Evaluation services: the score, prefill from the automatic check, save, stale saves,
submit, acknowledge, rescore."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qa_center.models import Notification
from scoring.evaluations.models import Evaluation, EvaluationEvent, ScorecardItem
from scoring.evaluations.services.evaluations import (
    StaleEvaluation,
    evaluation_acknowledge,
    evaluation_rescore,
    evaluation_save,
    evaluation_start,
    evaluation_submit,
    prefill_from_check,
    score_answers,
)
from tests.factories import CallCheckFactory, CallFactory, make_scorecard


def _item(code, kind="yes_no", weight=1, critical=False, lo=1, hi=5):
    return ScorecardItem(
        code=code,
        title=code,
        kind=kind,
        weight=Decimal(weight),
        critical=critical,
        scale_min=lo,
        scale_max=hi,
    )


# --- The formula ----------------------------------------------------------------------------


def test_yes_no_scores_weight_for_yes():
    items = [_item("a", weight=2), _item("b", weight=1)]
    result = score_answers(items, {"a": {"value": 1}, "b": {"value": 0}}, pass_mark=60)
    assert result.score == Decimal("66.67")
    assert result.passed is True
    assert result.items["a"].points == 2 and result.items["b"].points == 0


def test_scale_scores_its_share_of_the_range():
    items = [_item("tone", kind="scale", weight=4, lo=1, hi=5)]
    assert score_answers(items, {"tone": {"value": 4}}, pass_mark=80).score == Decimal("75.00")
    assert score_answers(items, {"tone": {"value": 1}}, pass_mark=80).score == Decimal("0.00")


def test_na_leaves_the_denominator():
    items = [_item("a"), _item("b", weight=3)]
    result = score_answers(items, {"a": {"value": 1}, "b": {"na": True}}, pass_mark=80)
    assert result.score == Decimal("100.00")
    assert result.items["b"].possible is None


def test_nothing_applicable_means_no_score():
    items = [_item("a")]
    result = score_answers(items, {"a": {"na": True}}, pass_mark=80)
    assert result.score is None and result.passed is None


def test_failed_critical_item_zeroes_the_score():
    items = [_item("a", weight=9), _item("leak", critical=True)]
    result = score_answers(items, {"a": {"value": 1}, "leak": {"value": 0}}, pass_mark=0)
    assert result.score == Decimal("0.00")
    assert result.critical_failed is True and result.passed is False


def test_critical_scale_fails_only_at_its_minimum():
    items = [_item("tone", kind="scale", critical=True)]
    assert score_answers(items, {"tone": {"value": 2}}, pass_mark=0).critical_failed is False
    assert score_answers(items, {"tone": {"value": 1}}, pass_mark=0).critical_failed is True


def test_rounds_half_up_to_two_places():
    items = [_item("a", weight=1), _item("b", weight=2), _item("c", weight=5)]
    # 100 × 1/8 = 12.5 exactly; 100 × 1/3 = 33.333…
    assert score_answers(
        items, {"a": {"value": 1}, "b": {"value": 0}, "c": {"value": 0}}, pass_mark=80
    ).score == Decimal("12.50")
    items = [_item("a"), _item("b"), _item("c")]
    result = score_answers(
        items, {"a": {"value": 1}, "b": {"value": 1}, "c": {"value": 0}}, pass_mark=80
    )
    assert result.score == Decimal("66.67")


def test_passed_needs_the_pass_mark():
    items = [_item("a"), _item("b"), _item("c"), _item("d"), _item("e")]
    answers = {c: {"value": 1} for c in "abcd"} | {"e": {"value": 0}}
    assert score_answers(items, answers, pass_mark=80).passed is True
    assert score_answers(items, answers, pass_mark=81).passed is False


# --- Start and prefill ----------------------------------------------------------------------


@pytest.fixture
def scored(world):
    card = make_scorecard()
    call = CallFactory(agent=world.agents["a1"][0])
    CallCheckFactory(call=call, outcomes={"GREET": "pass", "HOLD": "fail"})
    return card, call


def test_prefill_takes_the_automatic_outcomes(scored):
    card, call = scored
    prefill = prefill_from_check(card, call)
    assert prefill == {
        "greet": {"auto_value": 1, "auto_na": False},
        "hold": {"auto_value": 0, "auto_na": False},
    }


def test_prefill_scale_and_na(world):
    card = make_scorecard(
        {
            "name": "scale",
            "sections": [
                {
                    "title": "s",
                    "items": [
                        {"code": "x", "title": "x", "kind": "scale", "rule_code": "X"},
                        {"code": "y", "title": "y", "kind": "scale", "rule_code": "Y"},
                        {"code": "z", "title": "z", "rule_code": "Z"},
                    ],
                }
            ],
        }
    )
    call = CallFactory(agent=world.agents["a1"][0])
    CallCheckFactory(call=call, outcomes={"X": "pass", "Y": "fail", "Z": "na"})
    assert prefill_from_check(card, call) == {
        "x": {"auto_value": 5, "auto_na": False},
        "y": {"auto_value": 1, "auto_na": False},
        "z": {"auto_value": None, "auto_na": True},
    }


def test_start_prefills_and_is_idempotent(scored, world):
    card, call = scored
    supervisor = world.users["supervisor"]
    evaluation = evaluation_start(call=call, scorecard=card, evaluator=supervisor)
    answers = {a.item.code: a for a in evaluation.answers.select_related("item")}
    assert answers["greet"].value == 1 and answers["greet"].auto_value == 1
    assert answers["hold"].value == 0 and answers["hold"].auto_value == 0
    assert answers["tone"].value is None and answers["tone"].auto_value is None
    # 2 points of 3 scored so far.
    assert evaluation.score == Decimal("66.67")
    again = evaluation_start(call=call, scorecard=card, evaluator=supervisor)
    assert again.pk == evaluation.pk
    assert Evaluation.objects.count() == 1
    assert evaluation.events.get().action == "started"


def test_start_without_automatic_check_leaves_items_blank(world):
    card = make_scorecard()
    call = CallFactory(agent=world.agents["a1"][0])
    evaluation = evaluation_start(call=call, scorecard=card, evaluator=world.users["supervisor"])
    assert all(a.value is None for a in evaluation.answers.all())
    assert evaluation.score is None


def test_start_refuses_a_draft_scorecard(world):
    card = make_scorecard(publish=False)
    call = CallFactory(agent=world.agents["a1"][0])
    with pytest.raises(ValidationError):
        evaluation_start(call=call, scorecard=card, evaluator=world.users["supervisor"])


# --- Save -----------------------------------------------------------------------------------


@pytest.fixture
def draft(scored, world):
    card, call = scored
    return evaluation_start(call=call, scorecard=card, evaluator=world.users["supervisor"])


def test_override_without_reason_is_refused_and_names_the_item(draft, world):
    with pytest.raises(ValidationError) as exc:
        evaluation_save(
            evaluation=draft,
            actor=world.users["supervisor"],
            answers={"hold": {"value": 1}},
            expected_version=draft.version,
        )
    assert "hold" in exc.value.message_dict
    assert "请稍等" in exc.value.message_dict["hold"][0]
    draft.refresh_from_db()
    assert draft.version == 1
    assert draft.answers.get(item__code="hold").value == 0


def test_override_with_reason_is_saved_and_recorded(draft, world):
    saved = evaluation_save(
        evaluation=draft,
        actor=world.users["supervisor"],
        answers={
            "hold": {"value": 1, "reason": "客户未等待，无需请稍等"},
            "tone": {"value": 4},
            "leak": {"value": 1},
        },
        comment="整体不错",
        expected_version=1,
    )
    assert saved.version == 2
    # greet 2 + hold 1 + tone 2×3/4 + leak 1 of 6.
    assert saved.score == Decimal("91.67")
    hold = saved.answers.get(item__code="hold")
    assert hold.override_reason == "客户未等待，无需请稍等"
    event = saved.events.get(action="saved")
    assert event.actor == world.users["supervisor"]
    assert event.version == 2
    # An override given without a kind of reason counts as "other" (a verdict on the rule).
    assert {
        "item": "hold",
        "old": 0,
        "new": 1,
        "reason": "客户未等待，无需请稍等",
        "reason_kind": "other",
    } in event.changes
    assert {"field": "comment", "old": "", "new": "整体不错"} in event.changes


def test_returning_to_the_automatic_value_needs_no_reason(draft, world):
    sup = world.users["supervisor"]
    evaluation_save(
        evaluation=draft,
        actor=sup,
        answers={"hold": {"value": 1, "reason": "r"}},
        expected_version=1,
    )
    saved = evaluation_save(
        evaluation=draft, actor=sup, answers={"hold": {"value": 0}}, expected_version=2
    )
    assert saved.answers.get(item__code="hold").override_reason == ""


def test_bad_values_are_refused(draft, world):
    sup = world.users["supervisor"]
    for answers in (
        {"tone": {"value": 9}},
        {"greet": {"value": 3}},
        {"nope": {"value": 1}},
        {"leak": {"na": True}},
    ):
        with pytest.raises(ValidationError):
            evaluation_save(evaluation=draft, actor=sup, answers=answers, expected_version=1)


def test_only_the_evaluator_saves(draft, world):
    with pytest.raises(PermissionDenied):
        evaluation_save(
            evaluation=draft,
            actor=world.users["admin"],
            answers={},
            comment="x",
            expected_version=1,
        )


def test_stale_save_is_refused_with_the_differences(draft, world):
    sup = world.users["supervisor"]
    # Someone (the same supervisor in another tab) saves first.
    evaluation_save(
        evaluation=draft,
        actor=sup,
        answers={"tone": {"value": 2}},
        comment="先保存",
        expected_version=1,
    )
    with pytest.raises(StaleEvaluation) as exc:
        evaluation_save(
            evaluation=draft,
            actor=sup,
            answers={"tone": {"value": 5}, "greet": {"value": 1}, "leak": {"value": 1}},
            comment="我的意见",
            expected_version=1,
        )
    stale = exc.value
    assert stale.current_version == 2 and stale.expected_version == 1
    diffs = {d.item: d for d in stale.differences}
    assert diffs["tone"].theirs == 2 and diffs["tone"].yours == 5
    assert diffs["leak"].theirs is None and diffs["leak"].yours == 1
    assert "greet" not in diffs  # the same on both sides
    assert diffs["comment"].theirs == "先保存" and diffs["comment"].yours == "我的意见"
    assert [e.action for e in stale.events] == ["saved"]
    payload = stale.as_dict()
    assert payload["current_version"] == 2 and payload["differences"]
    # Nothing of the stale save was written.
    draft.refresh_from_db()
    assert draft.version == 2 and draft.comment == "先保存"


# --- Submit, acknowledge, rescore -----------------------------------------------------------


def _complete(draft, sup, **kw):
    return evaluation_submit(
        evaluation=draft,
        actor=sup,
        answers={"tone": {"value": 5}, "leak": {"value": 1}},
        expected_version=draft.version,
        **kw,
    )


def test_submit_needs_every_item_answered(draft, world):
    with pytest.raises(ValidationError) as exc:
        evaluation_submit(
            evaluation=draft,
            actor=world.users["supervisor"],
            answers={"tone": {"value": 3}},
            expected_version=1,
        )
    assert "未泄露客户信息" in str(exc.value)
    draft.refresh_from_db()
    assert draft.status == Evaluation.Status.DRAFT and draft.version == 1


def test_submit_notifies_the_agent(draft, world):
    submitted = _complete(draft, world.users["supervisor"])
    assert submitted.status == Evaluation.Status.SUBMITTED
    assert submitted.submitted_at is not None
    assert submitted.score == Decimal("83.33")  # greet 2 + hold 0 + tone 2 + leak 1 of 6
    assert submitted.passed is True
    note = Notification.objects.get(user=world.users["agent"])
    assert draft.call.call_id in note.title
    assert submitted.events.last().action == "submitted"
    with pytest.raises(ValidationError):
        evaluation_save(
            evaluation=submitted,
            actor=world.users["supervisor"],
            comment="later",
            expected_version=submitted.version,
        )


def test_agent_acknowledges_once(draft, world):
    submitted = _complete(draft, world.users["supervisor"])
    with pytest.raises(PermissionDenied):
        evaluation_acknowledge(evaluation=submitted, agent_user=world.users["other_agent"])
    acked = evaluation_acknowledge(evaluation=submitted, agent_user=world.users["agent"])
    assert acked.status == Evaluation.Status.ACKNOWLEDGED and acked.acknowledged_at
    again = evaluation_acknowledge(evaluation=acked, agent_user=world.users["agent"])
    assert again.acknowledged_at == acked.acknowledged_at
    assert acked.events.filter(action="acknowledged").count() == 1


def test_draft_cannot_be_acknowledged(draft, world):
    with pytest.raises(ValidationError):
        evaluation_acknowledge(evaluation=draft, agent_user=world.users["agent"])


def test_rescore_changes_the_score_and_records_why(draft, world):
    submitted = _complete(draft, world.users["supervisor"])
    rescored = evaluation_rescore(
        evaluation=submitted,
        actor=world.users["admin"],
        changes={"hold": {"value": 1}},
        reason="评审小组：客户未需等待",
        action="dispute_adjusted",
    )
    assert rescored.score == Decimal("100.00")
    assert rescored.version == submitted.version + 1
    event = rescored.events.last()
    assert event.action == "dispute_adjusted" and event.reason == "评审小组：客户未需等待"
    assert {"item": "hold", "old": 0, "new": 1, "reason_kind": "other"} in event.changes
    assert {"field": "score", "old": "83.33", "new": "100.00"} in event.changes


def test_calibration_submissions_do_not_notify(world, scored):
    from scoring.calibration.models import CalibrationSession
    from scoring.calibration.services import calibration_evaluation_start

    card, call = scored
    session = CalibrationSession.objects.create(
        title="校准", call=call, scorecard=card, created_by=world.users["admin"]
    )
    session.participants.add(world.users["supervisor"])
    evaluation = calibration_evaluation_start(session=session, user=world.users["supervisor"])
    _complete(evaluation, world.users["supervisor"])
    assert not Notification.objects.exists()
    assert EvaluationEvent.objects.filter(evaluation=evaluation).count() == 2
