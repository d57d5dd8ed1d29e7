"""Each role's home page shows its own numbers and the work waiting for it."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scoring.sampling.models import Assignment
from tests.factories import REVIEW_SCORECARD, make_call, make_evaluation, make_scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.cookies["django_language"] = "en"  # the labels below are the English ones
    return client


def _stats(response) -> dict[str, str]:
    return {str(stat.label): stat.value for stat in response.context["panels"]["stats"]}


def test_the_agent_sees_results_to_acknowledge(client, world):
    card = make_scorecard(REVIEW_SCORECARD)
    own = world.agents["a1"][0]
    make_evaluation(call=make_call(own, score=90), card=card, evaluator=world.users["supervisor"])
    colleague = world.agents["a1"][1]
    make_evaluation(
        call=make_call(colleague, score=90), card=card, evaluator=world.users["supervisor"]
    )
    client.force_login(world.users["agent"])
    response = client.get(reverse("home"))
    stats = _stats(response)
    assert stats["My evaluations"] == 1
    assert stats["To acknowledge"] == 1
    assert "Calls to score" not in stats


def test_the_supervisor_sees_the_queue_and_what_is_overdue(client, world):
    supervisor = world.users["supervisor"]
    now = timezone.now()
    for days, agent in ((-1, world.agents["a1"][0]), (2, world.agents["a1"][1])):
        Assignment.objects.create(
            call=make_call(agent, score=80),
            supervisor=supervisor,
            period_start=timezone.localdate(),
            due_at=now + datetime.timedelta(days=days),
        )
    client.force_login(supervisor)
    response = client.get(reverse("home"))
    stats = _stats(response)
    assert stats["Calls to score"] == 2
    assert stats["Overdue"] == 1
    assert stats["Calls checked this week"] == 2
    assert stats["Disputes to rule on"] == 0  # a review-group member


def test_the_team_lead_counts_only_the_team(client, world):
    make_call(world.agents["a1"][0], score=90, critical=True)
    make_call(world.agents["b1"][0], score=20, critical=True)
    client.force_login(world.users["teamlead"])
    stats = _stats(client.get(reverse("home")))
    assert stats["Calls checked this week"] == 1
    assert stats["Critical failures this week"] == 1
    assert "Calls to score" not in stats


def test_home_costs_the_same_queries_with_more_data(client, world):
    client.force_login(world.users["admin"])
    make_call(world.agents["a1"][0], score=90)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for team in ("a1", "a2", "b1"):
        for agent in world.agents[team]:
            make_call(agent, score=70)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(many) == len(few)
