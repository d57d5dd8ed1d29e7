"""申诉: agents dispute items; the review group upholds, adjusts or overturns each one."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from org.models import Role
from qa_center.models import Notification
from scoring.disputes.models import Dispute
from scoring.disputes.services import dispute_decide, dispute_open, dispute_withdraw
from scoring.evaluations.models import Evaluation, EvaluationEvent
from tests.factories import (
    REVIEW_SCORECARD,
    UserFactory,
    make_call,
    make_evaluation,
    make_scorecard,
)

# REVIEW_ANSWERS on REVIEW_SCORECARD, scored by the service: greet yes (40), verify no (30),
# close yes (20), tone 4 of 1–5 (10) → 40 + 0 + 20 + 7.5 = 67.50.
START = Decimal("67.50")


@pytest.fixture
def supervisor2(world):
    return UserFactory(username="sup2", role=Role.SUPERVISOR, department=world.dep_a)


@pytest.fixture
def evaluation(world, supervisor2):
    card = make_scorecard(REVIEW_SCORECARD)
    call = make_call(world.agents["a1"][0])
    return make_evaluation(call=call, card=card, evaluator=supervisor2)


def _answer(evaluation, code):
    return evaluation.answers.get(item__code=code)


def _open(world, evaluation, codes=("verify",)):
    return dispute_open(
        evaluation=evaluation,
        user=world.users["agent"],
        reason="我认为评分有误",
        items=[{"answer": _answer(evaluation, c).pk, "reason": f"{c} 我做到了"} for c in codes],
    )


def _decide(world, dispute, **by_code):
    decisions = {}
    for item in dispute.items.select_related("answer__item"):
        decision = by_code[item.answer.item.code]
        if isinstance(decision, tuple):
            decisions[item.pk] = {"decision": decision[0], "value": decision[1], "note": "复核"}
        else:
            decisions[item.pk] = {"decision": decision, "note": "复核"}
    return dispute_decide(dispute=dispute, reviewer=world.users["supervisor"], decisions=decisions)


def test_agent_opens_a_dispute_and_reviewers_are_told(world, evaluation):
    earlier = list(Notification.objects.values_list("pk", flat=True))  # the agent's evaluation
    dispute = _open(world, evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.DISPUTED
    assert dispute.score_before == START
    assert dispute.items.count() == 1
    event = evaluation.events.get(action="disputed")
    assert event.actor == world.users["agent"]
    assert event.changes[0]["item"] == "verify"
    # The review group: the reviewer supervisor and the admin (not the evaluator).
    told = set(
        Notification.objects.exclude(pk__in=earlier).values_list("user__username", flat=True)
    )
    assert told == {"supervisor", "admin"}


def test_dispute_window_day_seven_in_day_eight_out(world, evaluation):
    now = timezone.now()
    evaluation.submitted_at = now - datetime.timedelta(days=7)
    evaluation.save()
    _open(world, evaluation)  # day 7: in
    other = make_evaluation(
        call=make_call(world.agents["a1"][0]),
        card=evaluation.scorecard,
        evaluator=evaluation.evaluator,
        submitted_at=now - datetime.timedelta(days=8),
    )
    with pytest.raises(ValidationError, match="7"):
        _open(world, other)


def test_window_is_configurable(world, evaluation, settings):
    settings.QA_DISPUTE_WINDOW_DAYS = 2
    evaluation.submitted_at = timezone.now() - datetime.timedelta(days=3)
    evaluation.save()
    with pytest.raises(ValidationError):
        _open(world, evaluation)


def test_only_the_calls_agent_may_dispute(world, evaluation):
    with pytest.raises(PermissionDenied):
        dispute_open(
            evaluation=evaluation,
            user=world.users["other_agent"],
            reason="x",
            items=[{"answer": _answer(evaluation, "verify").pk, "reason": "x"}],
        )


def test_reasons_required_and_items_must_belong(world, evaluation):
    with pytest.raises(ValidationError) as exc:
        dispute_open(evaluation=evaluation, user=world.users["agent"], reason="", items=[])
    assert set(exc.value.message_dict) == {"reason", "items"}
    verify = _answer(evaluation, "verify")
    with pytest.raises(ValidationError) as exc:
        dispute_open(
            evaluation=evaluation,
            user=world.users["agent"],
            reason="r",
            items=[{"answer": verify.pk, "reason": ""}, {"answer": 999999, "reason": "x"}],
        )
    assert f"reason_{verify.pk}" in exc.value.message_dict
    assert not Dispute.objects.exists()


def test_one_open_dispute_per_evaluation(world, evaluation):
    _open(world, evaluation)
    with pytest.raises(ValidationError):
        _open(world, evaluation, codes=("close",))
    assert Dispute.objects.count() == 1


def test_draft_cannot_be_disputed(world, evaluation):
    evaluation.status = Evaluation.Status.DRAFT
    evaluation.save()
    with pytest.raises(ValidationError):
        _open(world, evaluation)


@pytest.mark.parametrize(
    ("decisions", "expected"),
    [
        ({"verify": "upheld"}, START),
        ({"verify": ("adjusted", 1)}, Decimal("97.50")),
        ({"verify": "overturned"}, Decimal("97.50")),
        ({"verify": ("adjusted", "na")}, Decimal("96.43")),  # 67.5 of 70
        ({"tone": "overturned"}, Decimal("66.67")),  # scale → N/A: 60 of 90
        ({"tone": ("adjusted", 5)}, Decimal("70.00")),
        ({"verify": ("adjusted", 1), "tone": "upheld"}, Decimal("97.50")),
    ],
)
def test_each_decision_changes_the_score(world, evaluation, decisions, expected):
    dispute = _open(world, evaluation, codes=tuple(decisions))
    decided = _decide(world, dispute, **decisions)
    evaluation.refresh_from_db()
    assert decided.status == Dispute.Status.DECIDED
    assert (decided.score_before, decided.score_after) == (START, expected)
    assert evaluation.score == expected
    assert evaluation.status == Evaluation.Status.FINAL
    event = evaluation.events.get(action="dispute_decided")
    assert event.actor == world.users["supervisor"]
    assert f"#{dispute.pk}" in event.reason
    if expected != START:
        assert {"field": "score", "old": str(START), "new": str(expected)} in event.changes
    else:
        assert not [c for c in event.changes if c.get("field") == "score"]


def test_agent_notified_of_the_outcome(world, evaluation):
    earlier = list(Notification.objects.values_list("pk", flat=True))  # the agent's evaluation
    dispute = _open(world, evaluation)
    _decide(world, dispute, verify="overturned")
    note = Notification.objects.exclude(pk__in=earlier).get(user=world.users["agent"])
    assert "97.50" in note.title
    assert note.url == reverse("disputes:dispute_detail", args=[dispute.pk])


def test_reviewer_cannot_decide_own_evaluation(world):
    card = make_scorecard(REVIEW_SCORECARD)
    evaluation = make_evaluation(
        call=make_call(world.agents["a1"][0]), card=card, evaluator=world.users["supervisor"]
    )
    dispute = _open(world, evaluation)
    with pytest.raises(PermissionDenied):
        _decide(world, dispute, verify="upheld")
    # The admin, also in the group, may.
    item = dispute.items.get()
    dispute_decide(
        dispute=dispute, reviewer=world.users["admin"], decisions={item.pk: {"decision": "upheld"}}
    )


def test_double_decision_refused(world, evaluation):
    dispute = _open(world, evaluation)
    _decide(world, dispute, verify="overturned")
    with translation.override("en"), pytest.raises(ValidationError, match="already"):
        _decide(world, dispute, verify="upheld")
    evaluation.refresh_from_db()
    assert evaluation.score == Decimal("97.50")
    assert EvaluationEvent.objects.filter(action="dispute_decided").count() == 1


def test_non_reviewer_cannot_decide(world, evaluation, supervisor2):
    dispute = _open(world, evaluation)
    item = dispute.items.get()
    with pytest.raises(PermissionDenied):
        dispute_decide(
            dispute=dispute, reviewer=supervisor2, decisions={item.pk: {"decision": "upheld"}}
        )


def test_every_item_needs_a_valid_decision(world, evaluation):
    dispute = _open(world, evaluation, codes=("verify", "tone"))
    items = {i.answer.item.code: i for i in dispute.items.select_related("answer__item")}
    with pytest.raises(ValidationError) as exc:
        dispute_decide(
            dispute=dispute,
            reviewer=world.users["supervisor"],
            decisions={items["verify"].pk: {"decision": "adjusted", "value": 7}},
        )
    assert set(exc.value.message_dict) == {f"item_{items['verify'].pk}", f"item_{items['tone'].pk}"}
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.OPEN


def test_withdraw_restores_the_evaluation(world, evaluation):
    dispute = _open(world, evaluation)
    dispute_withdraw(dispute=dispute, user=world.users["agent"])
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.SUBMITTED
    _open(world, evaluation)  # may dispute again while the window is open


# --- Pages ------------------------------------------------------------------------------------


def test_agent_disputes_through_the_page(world, evaluation, client):
    client.force_login(world.users["agent"])
    url = reverse("disputes:dispute_create", args=[evaluation.pk])
    page = client.get(url)
    assert page.status_code == 200 and "核实身份" in page.content.decode()
    verify = _answer(evaluation, "verify")
    response = client.post(url, {"item": [verify.pk], "reason": "总体理由"})
    assert response.status_code == 400  # the item's reason is missing
    response = client.post(
        url, {"item": [verify.pk], f"reason_{verify.pk}": "我核实了", "reason": "总体理由"}
    )
    dispute = Dispute.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("disputes:dispute_detail", args=[dispute.pk])


def test_reviewer_decides_through_the_page(world, evaluation, client):
    dispute = _open(world, evaluation)
    item = dispute.items.get()
    client.force_login(world.users["supervisor"])
    listing = client.get(reverse("disputes:dispute_list"))
    assert evaluation.call.call_id in listing.content.decode()
    url = reverse("disputes:dispute_detail", args=[dispute.pk])
    page = client.get(url)
    assert "我做到了" in page.content.decode() and "您好" in page.content.decode()
    client.post(
        url, {f"decision_{item.pk}": "adjusted", f"value_{item.pk}": "1", f"note_{item.pk}": "ok"}
    )
    dispute.refresh_from_db()
    assert dispute.score_after == Decimal("97.50")


def test_scoping_of_dispute_pages(world, evaluation, client):
    dispute = _open(world, evaluation)
    url = reverse("disputes:dispute_detail", args=[dispute.pk])
    client.force_login(world.users["other_agent"])
    assert client.get(url).status_code == 404
    assert (
        evaluation.call.call_id not in client.get(reverse("disputes:dispute_list")).content.decode()
    )
    client.force_login(world.users["agent"])
    assert client.get(url).status_code == 200
    client.force_login(world.users["teamlead"])  # team a1: sees it, cannot decide
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="decide"' not in page.content.decode()
    item = dispute.items.get()
    assert client.post(url, {f"decision_{item.pk}": "upheld"}).status_code == 403
    # A team lead of another team: not found.
    lead_b = UserFactory(username="leadb", role=Role.TEAM_LEAD, team=world.team_b1)
    client.force_login(lead_b)
    assert client.get(url).status_code == 404
    client.force_login(world.users["dept_manager"])
    assert client.get(url).status_code == 404


def test_teamlead_list_is_scoped(world, evaluation, client, supervisor2):
    _open(world, evaluation)
    card = evaluation.scorecard
    b_agent_user = UserFactory(username="agentb", role=Role.AGENT, agent=world.agents["b1"][0])
    b_eval = make_evaluation(
        call=make_call(world.agents["b1"][0]), card=card, evaluator=supervisor2
    )
    dispute_open(
        evaluation=b_eval,
        user=b_agent_user,
        reason="b",
        items=[{"answer": _answer(b_eval, "verify").pk, "reason": "b"}],
    )
    client.force_login(world.users["teamlead"])
    body = client.get(reverse("disputes:dispute_list")).content.decode()
    assert evaluation.call.call_id in body and b_eval.call.call_id not in body


def test_dispute_list_query_count(world, evaluation, client, django_assert_max_num_queries):
    card = evaluation.scorecard
    for _ in range(5):
        e = make_evaluation(
            call=make_call(world.agents["a1"][0]), card=card, evaluator=evaluation.evaluator
        )
        _open(world, e)
    client.force_login(world.users["supervisor"])
    with django_assert_max_num_queries(8):
        assert client.get(reverse("disputes:dispute_list")).status_code == 200


def test_dispute_actions_partial(world, evaluation, rf):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = world.users["agent"]
    html = render_to_string(
        "evaluations/_dispute_actions.html", {"evaluation": evaluation}, request
    )
    assert reverse("disputes:dispute_create", args=[evaluation.pk]) in html
    _open(world, evaluation)
    evaluation.refresh_from_db()
    html = render_to_string(
        "evaluations/_dispute_actions.html", {"evaluation": evaluation}, request
    )
    assert "dispute-button" not in html and "/disputes/" in html


# --- In a real browser ------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_agent_disputes_reviewer_adjusts_agent_sees_new_score(page, browser, live_server):
    from tests.conftest import login, screenshot
    from tests.factories import build_world

    world = build_world()
    supervisor2 = UserFactory(username="sup2", role=Role.SUPERVISOR, department=world.dep_a)
    card = make_scorecard(REVIEW_SCORECARD)
    evaluation = make_evaluation(
        call=make_call(world.agents["a1"][0]), card=card, evaluator=supervisor2
    )
    # The agent disputes "verify" (answered no).
    login(page, live_server, "agent")
    page.goto(f"{live_server.url}{reverse('disputes:dispute_create', args=[evaluation.pk])}")
    page.check("input[data-item=verify]")
    verify = evaluation.answers.get(item__code="verify")
    page.fill(f"#reason_{verify.pk}", "我在通话开头核实了客户身份")
    page.fill("#id_reason", "请复核录音")
    with page.expect_navigation():
        page.click("[data-testid=dispute-submit]")
    dispute = Dispute.objects.get()
    assert page.url.endswith(reverse("disputes:dispute_detail", args=[dispute.pk]))
    screenshot(page, "dispute-raised")

    # The reviewer adjusts it to yes.
    context = browser.new_context(locale="zh-CN")
    reviewer = context.new_page()
    login(reviewer, live_server, "supervisor")
    reviewer.goto(f"{live_server.url}{reverse('disputes:dispute_list')}")
    with reviewer.expect_navigation():
        reviewer.click(f"tr[data-dispute='{dispute.pk}'] a")
    item = dispute.items.get()
    reviewer.check(f"input[name=decision_{item.pk}][value=adjusted]")
    reviewer.select_option("[data-testid=value-verify]", "1")
    reviewer.fill(f"input[name=note_{item.pk}]", "录音第2句已核实")
    with reviewer.expect_navigation():
        reviewer.click("[data-testid=decide]")
    assert reviewer.locator("[data-testid=score-after]").inner_text().strip() == "97.50"
    screenshot(reviewer, "dispute-decided")
    context.close()

    # The agent sees the new score and the notification.
    page.goto(f"{live_server.url}{reverse('disputes:dispute_detail', args=[dispute.pk])}")
    assert page.locator("[data-testid=score-after]").inner_text().strip() == "97.50"
    assert "录音第2句已核实" in page.content()
    page.goto(f"{live_server.url}/notifications/")
    assert "97.50" in page.content()
