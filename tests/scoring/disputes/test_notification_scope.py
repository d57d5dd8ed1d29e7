"""A dispute's notifications reach only those who may open the dispute: a reviewer of
another department never reads the call id and the agent's reason of a dispute that is a 404
to them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from org.models import Role
from qa_center.models import Notification
from qa_center.permissions import may_open
from scoring.disputes.services import dispute_decide, dispute_open
from tests.factories import (
    REVIEW_SCORECARD,
    UserFactory,
    make_call,
    make_evaluation,
    make_scorecard,
)


@pytest.fixture
def evaluation(world):
    evaluator = UserFactory(username="sup2", role=Role.SUPERVISOR, department=world.dep_a)
    call = make_call(world.agents["a1"][0])
    return make_evaluation(call=call, card=make_scorecard(REVIEW_SCORECARD), evaluator=evaluator)


def _open(world, evaluation):
    answer = evaluation.answers.get(item__code="verify")
    return dispute_open(
        evaluation=evaluation,
        user=world.users["agent"],
        reason="我核实过身份",
        items=[{"answer": answer.pk, "reason": "做到了"}],
    )


def test_a_reviewer_of_another_department_is_not_told_of_a_dispute(world, evaluation):
    reviewer_b = UserFactory(
        username="reviewer_b", role=Role.SUPERVISOR, department=world.dep_b, is_reviewer=True
    )
    Notification.objects.all().delete()
    dispute = _open(world, evaluation)
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"supervisor", "admin"}  # the reviewers of department a and the center
    assert not Notification.objects.filter(user=reviewer_b).exists()
    # …to whom the dispute is a 404, as it was while they were told of it.
    client = Client()
    client.force_login(reviewer_b)
    url = reverse("disputes:dispute_detail", args=[dispute.pk])
    assert client.get(url).status_code == 404
    for notification in Notification.objects.select_related("user"):
        assert may_open(notification.user, dispute)


def test_the_decision_reaches_only_whoever_may_open_the_dispute(world, evaluation):
    dispute = _open(world, evaluation)
    # The agent's account has since become a team lead's in another department (promoted,
    # still linked to the agent): the dispute is outside its scope now.
    agent_user = world.users["agent"]
    agent_user.role, agent_user.team = Role.TEAM_LEAD, world.team_b1
    agent_user.save()
    Notification.objects.all().delete()
    item = dispute.items.get()
    dispute_decide(
        dispute=dispute,
        reviewer=world.users["supervisor"],
        decisions={item.pk: {"decision": "upheld", "note": ""}},
    )
    assert not may_open(agent_user, dispute)
    assert not Notification.objects.exists()


def test_the_decision_reaches_the_agent(world, evaluation):
    dispute = _open(world, evaluation)
    Notification.objects.all().delete()
    item = dispute.items.get()
    dispute_decide(
        dispute=dispute,
        reviewer=world.users["supervisor"],
        decisions={item.pk: {"decision": "upheld", "note": ""}},
    )
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["agent"]
