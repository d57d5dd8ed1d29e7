"""The agent is told of a new evaluation only through accounts that may open it."""

from __future__ import annotations

from org.models import Role
from qa_center.models import Notification
from tests.factories import (
    REVIEW_SCORECARD,
    UserFactory,
    make_call,
    make_evaluation,
    make_scorecard,
)


def test_a_new_evaluation_reaches_only_who_may_open_it(world):
    call = make_call(world.agents["a1"][0])
    card = make_scorecard(REVIEW_SCORECARD)
    make_evaluation(call=call, card=card, evaluator=world.users["supervisor"])
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["agent"]
    # An agent's account since become a team lead's in another department (promoted, still
    # linked to the agent): the evaluation of the agent's call is outside its scope now.
    agent = world.agents["a1"][2]
    UserFactory(username="promoted", role=Role.TEAM_LEAD, team=world.team_b1, agent=agent)
    Notification.objects.all().delete()
    make_evaluation(call=make_call(agent), card=card, evaluator=world.users["supervisor"])
    assert not Notification.objects.exists()
