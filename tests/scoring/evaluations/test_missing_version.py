"""A save without a readable `version` is refused like a stale one: nothing says the user saw
the stored answers, so saving would overwrite another tab's work unseen. The page keeps the
user's input and offers the current version; the API answers 400 naming `version`; the
service itself refuses None, text and versions that are not the stored one."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from scoring.evaluations.services.evaluations import (
    StaleEvaluation,
    evaluation_save,
    evaluation_start,
    evaluation_submit,
)
from tests.factories import CallCheckFactory, CallFactory, make_scorecard

BAD_VERSIONS = [None, "", "  ", "abc", "1.0", "NaN", "1" + "0" * 30, "-1", "0"]


@pytest.fixture
def draft(world):
    card = make_scorecard()
    call = CallFactory(agent=world.agents["a1"][0])
    CallCheckFactory(call=call, outcomes={"GREET": "pass", "HOLD": "fail"})
    sup = world.users["supervisor"]
    evaluation = evaluation_start(call=call, scorecard=card, evaluator=sup)
    # Another tab saved meanwhile: tone is 2 at version 2.
    return evaluation_save(
        evaluation=evaluation, actor=sup, answers={"tone": {"value": 2}}, expected_version=1
    )


def _form(version):
    data = {"comment": "我的评语", "action": "save", "answer-greet": "1", "answer-hold": "0"}
    data |= {"answer-tone": "5", "answer-leak": ""}
    if version is not None:
        data["version"] = version
    return data


@pytest.mark.parametrize("version", BAD_VERSIONS)
@pytest.mark.parametrize("action", ["save", "submit"])
def test_the_page_refuses_a_missing_or_bad_version_and_keeps_the_input(
    draft, world, client, version, action
):
    client.force_login(world.users["supervisor"])
    url = reverse("evaluations:evaluation_edit", args=[draft.pk])
    data = _form(version) | {"action": action, "answer-leak": "1"}
    response = client.post(url, data)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="stale"' in html
    assert 'name="answer-tone" value="5" checked' in html and "我的评语" in html
    assert 'name="version" value="2"' in html  # save again over what is stored, once seen
    draft.refresh_from_db()
    assert draft.version == 2 and draft.status == "draft"
    assert draft.answers.get(item__code="tone").value == 2
    # Saving again with the version the page now carries goes through.
    assert client.post(url, data | {"version": "2"}).status_code == 302


@pytest.mark.parametrize("version", [None, "", "abc", True, 10**30, -1, 3])
@pytest.mark.parametrize("service", [evaluation_save, evaluation_submit])
def test_the_service_refuses_a_version_that_is_not_the_stored_one(draft, world, version, service):
    with pytest.raises(StaleEvaluation) as refused:
        service(
            evaluation=draft,
            actor=world.users["supervisor"],
            answers={"tone": {"value": 5}, "leak": {"value": 1}},
            expected_version=version,
        )
    assert refused.value.current_version == 2
    assert [d.item for d in refused.value.differences] == ["tone", "leak"]
    draft.refresh_from_db()
    assert draft.version == 2 and draft.answers.get(item__code="tone").value == 2


@pytest.mark.parametrize("body", [{}, {"version": None}, {"version": ""}, {"version": "abc"}])
@pytest.mark.parametrize("endpoint", ["", "submit/"])
def test_the_api_refuses_a_missing_or_bad_version_naming_it(draft, world, body, endpoint):
    api = APIClient()
    api.force_authenticate(world.users["supervisor"])
    url = f"/api/v1/evaluations/{draft.pk}/{endpoint}"
    body = body | {"answers": {"tone": {"value": 5}}}
    response = (api.post if endpoint else api.patch)(url, body, format="json")
    assert response.status_code == 400
    assert "version" in response.json()
    draft.refresh_from_db()
    assert draft.version == 2 and draft.answers.get(item__code="tone").value == 2


@pytest.mark.parametrize("version", [10**30, -1, 0, 3])
def test_the_api_answers_409_for_a_version_that_is_not_the_stored_one(draft, world, version):
    api = APIClient()
    api.force_authenticate(world.users["supervisor"])
    response = api.patch(
        f"/api/v1/evaluations/{draft.pk}/",
        {"version": version, "answers": {"tone": {"value": 5}}},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    draft.refresh_from_db()
    assert draft.answers.get(item__code="tone").value == 2
