"""A notification reaches only people who may open what it points to (qa_center.permissions.
may_open, applied by qa_center.notifications.notify to every notification)."""

from __future__ import annotations

import pytest

from org.models import Role
from qa_center.models import Notification
from qa_center.notifications import notify
from qa_center.permissions import may_open, notification_recipients
from tests.factories import (
    REVIEW_SCORECARD,
    UserFactory,
    make_call,
    make_evaluation,
    make_scorecard,
)


@pytest.fixture
def evaluation(world):
    call = make_call(world.agents["a1"][0])
    return make_evaluation(
        call=call, card=make_scorecard(REVIEW_SCORECARD), evaluator=world.users["supervisor"]
    )


def test_notify_drops_who_may_not_open_the_row(world, evaluation):
    Notification.objects.all().delete()
    sent = notify(
        users=[world.users["agent"], world.users["dept_manager"], world.users["other_agent"]],
        about=evaluation,
        title="x",
    )
    assert sent == [world.users["agent"]]
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["agent"]


def test_notify_needs_the_row_it_points_to(world):
    with pytest.raises(TypeError):
        notify(users=[world.users["admin"]], title="x")  # type: ignore[call-arg]


def test_recipients_once_each_in_order(world, evaluation):
    admin, sup = world.users["admin"], world.users["supervisor"]
    assert notification_recipients([admin, sup, admin], evaluation) == [admin, sup]


def test_may_open_an_evaluation(world, evaluation):
    users = world.users
    assert may_open(users["agent"], evaluation)
    assert may_open(users["teamlead"], evaluation)  # team a1
    assert may_open(users["supervisor"], evaluation)  # department a
    assert not may_open(users["dept_manager"], evaluation)  # department b
    assert not may_open(users["other_agent"], evaluation)  # someone else's call


def test_may_open_a_draft_only_those_who_see_results(world):
    call = make_call(world.agents["a1"][0])
    draft = make_evaluation(
        call=call,
        card=make_scorecard(REVIEW_SCORECARD),
        evaluator=world.users["supervisor"],
        submit=False,
    )
    assert may_open(world.users["supervisor"], draft)
    assert not may_open(world.users["agent"], draft)


def test_nobody_inactive_or_anonymous(world, evaluation):
    from django.contrib.auth.models import AnonymousUser

    gone = UserFactory(username="gone", role=Role.ADMIN, is_active=False)
    assert not may_open(gone, evaluation)
    assert not may_open(AnonymousUser(), evaluation)
