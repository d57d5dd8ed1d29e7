"""An unsubmitted draft is the supervisor's: invisible to the agent everywhere. Disputing one
is a 404, like an evaluation that does not exist, not a page (or a 400) that shows or confirms
it; the agent's other pages do not show it either."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from org.models import Role
from scoring.disputes.models import Dispute
from tests.factories import (
    REVIEW_SCORECARD,
    UserFactory,
    make_call,
    make_evaluation,
    make_scorecard,
)


@pytest.fixture
def evaluator(world):
    return UserFactory(
        username="sup2", full_name="吴质检", role=Role.SUPERVISOR, department=world.dep_a
    )


@pytest.fixture
def draft(world, evaluator):
    call = make_call(world.agents["a1"][0])
    return make_evaluation(
        call=call, card=make_scorecard(REVIEW_SCORECARD), evaluator=evaluator, submit=False
    )


def _body(draft):
    answer = draft.answers.first()
    return {"reason": "不认可", "item": [answer.pk], f"reason_{answer.pk}": "我做到了"}


def test_the_dispute_form_of_a_draft_is_a_404(client, world, draft):
    client.force_login(world.users["agent"])
    url = reverse("disputes:dispute_create", args=[draft.pk])
    response = client.get(url)
    assert response.status_code == 404
    assert "吴质检" not in response.content.decode()
    assert client.post(url, _body(draft)).status_code == 404
    assert not Dispute.objects.exists()


def test_the_dispute_form_of_a_submitted_evaluation_opens(client, world, evaluator):
    call = make_call(world.agents["a1"][0])
    submitted = make_evaluation(
        call=call, card=make_scorecard(REVIEW_SCORECARD), evaluator=evaluator
    )
    client.force_login(world.users["agent"])
    assert client.get(reverse("disputes:dispute_create", args=[submitted.pk])).status_code == 200


def test_disputing_a_draft_through_the_api_is_a_404(world, draft):
    api = APIClient()
    api.force_authenticate(world.users["agent"])
    answer = draft.answers.first()
    response = api.post(
        "/api/v1/disputes/",
        {
            "evaluation": draft.pk,
            "reason": "不认可",
            "items": [{"answer": answer.pk, "reason": "x"}],
        },
        format="json",
    )
    assert response.status_code == 404
    assert not Dispute.objects.exists()


def test_my_results_and_the_call_page_do_not_show_a_draft(client, world, draft):
    client.force_login(world.users["agent"])
    mine = client.get(reverse("evaluations:my_evaluations"))
    assert mine.status_code == 200
    assert f"evaluation-{draft.pk}" not in mine.content.decode()
    assert "吴质检" not in mine.content.decode()
    call_page = client.get(reverse("calls:call_detail", args=[draft.call_id]))
    assert call_page.status_code == 200
    assert list(call_page.context["evaluations"]) == []
    assert "吴质检" not in call_page.content.decode()
