"""The dispute form shows the transcript and each item's evidence, and the agent ticks the
items they dispute (a reason box per ticked item) instead of facing a box per item."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scoring.disputes.models import Dispute
from tests.factories import CallCheckFactory, CallFactory, make_evaluation, make_scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(world):
    card = make_scorecard()
    call = CallFactory(agent=world.agents["a1"][0])
    CallCheckFactory(call=call, outcomes={"GREET": "pass", "HOLD": "fail"})
    return make_evaluation(
        call=call,
        card=card,
        evaluator=world.users["supervisor"],
        answers={"greet": 1, "hold": 0, "tone": 3, "leak": 1},
    )


def test_form_shows_transcript_and_evidence_beside_each_item(world, evaluation, client):
    client.force_login(world.users["agent"])
    html = client.get(reverse("disputes:dispute_create", args=[evaluation.pk])).content.decode()
    assert 'class="transcript"' in html and "我想查一下我的话费" in html
    # the greeting's evidence links to its turn of the transcript
    assert 'href="#turn-0" class="evidence-phrase">“您好”' in html
    assert 'id="turn-0"' in html
    # a checkbox per item that reveals its own reason box; no rule code shown to the agent
    assert html.count('data-reveals="why-') == evaluation.answers.count()
    assert "GREET" not in html.replace('data-rules="GREET"', "").replace('title="GREET"', "")


def test_agent_disputes_only_the_ticked_item(world, evaluation, client):
    client.force_login(world.users["agent"])
    hold = evaluation.answers.get(item__code="hold")
    response = client.post(
        reverse("disputes:dispute_create", args=[evaluation.pk]),
        {"item": [hold.pk], f"reason_{hold.pk}": "我说了请稍等", "reason": "请复核"},
    )
    assert response.status_code == 302
    dispute = Dispute.objects.get(evaluation=evaluation)
    assert [i.answer_id for i in dispute.items.all()] == [hold.pk]
