"""Calibration pages: a blind score's submission says so and returns to the session; a session
is created by picking its call from a list or a search; kappa and alpha carry a reading."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from org.models import Role
from scoring.calibration.models import CalibrationSession
from scoring.calibration.services import calibration_close, calibration_create
from scoring.calibration.views import agreement_reading
from tests.factories import (
    REVIEW_SCORECARD,
    CallFactory,
    UserFactory,
    make_evaluation,
    make_scorecard,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(db):
    return make_scorecard(REVIEW_SCORECARD)


@pytest.fixture
def second(world):
    return UserFactory(username="sup-b", role=Role.SUPERVISOR, department=world.dep_a)


def _session(world, card, second, call=None):
    return calibration_create(
        created_by=world.users["supervisor"],
        title="周校准",
        call=call or CallFactory(agent=world.agents["a1"][0]),
        scorecard=card,
        participants=[world.users["supervisor"], second],
    )


def test_blind_submission_says_so_and_returns_to_the_session(world, card, second, client):
    session = _session(world, card, second)
    sup = world.users["supervisor"]
    client.force_login(sup)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("calibration:calibration_score", args=[session.pk]))
    evaluation_url = response.url
    evaluation = session.evaluations.get(evaluator=sup)
    data = {
        "version": str(evaluation.version),
        "action": "submit",
        "comment": "",
        "answer-greet": "1",
        "answer-verify": "1",
        "answer-close": "1",
        "answer-tone": "5",
    }
    response = client.post(evaluation_url, data)
    assert response.url == reverse("calibration:calibration_detail", args=[session.pk])
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "blind" in text.lower() and "notified" not in text


def test_session_is_created_by_picking_a_call_found_by_what_was_said(world, card, second, client):
    said = CallFactory(
        agent=world.agents["a1"][1],
        call_id="CAL-SAID",
        turns=[{"speaker": "customer", "text": "宽带又断了，我要投诉。", "start": 0, "end": 1}],
    )
    CallFactory(agent=world.agents["a1"][2], call_id="CAL-OTHER")
    client.force_login(world.users["supervisor"])
    client.cookies["django_language"] = "en"
    html = client.get(reverse("calibration:calibration_create")).content.decode()
    assert 'name="call" value="CAL-SAID"' in html and 'name="call" value="CAL-OTHER"' in html
    assert 'type="text" name="call"' not in html  # no typing an id
    html = client.get(reverse("calibration:calibration_create"), {"said": "宽带又断"}).content
    html = html.decode()
    assert 'value="CAL-SAID"' in html and 'value="CAL-OTHER"' not in html
    response = client.post(
        reverse("calibration:calibration_create"),
        {
            "title": "投诉校准",
            "call": "CAL-SAID",
            "scorecard": card.pk,
            "participants": [world.users["supervisor"].pk, second.pk],
        },
    )
    assert response.status_code == 302
    assert CalibrationSession.objects.get(title="投诉校准").call == said
    # nothing picked: the page says to pick one
    response = client.post(
        reverse("calibration:calibration_create"),
        {"title": "x", "scorecard": card.pk, "participants": [second.pk]},
    )
    assert response.status_code == 200 and "Pick the call" in response.content.decode()


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (-0.1, "poor"),
        (0.1, "slight"),
        (0.3, "fair"),
        (0.5, "moderate"),
        (0.7, "substantial"),
        (0.9, "almost perfect"),
    ],
)
def test_landis_koch_reading(value, words):
    with translation.override("en"):
        assert words in str(agreement_reading(value)["label"])


def test_closed_session_shows_the_reading_beside_kappa(world, card, second, client):
    session = _session(world, card, second)
    for user in (world.users["supervisor"], second):
        make_evaluation(evaluator=user, calibration=session)
    calibration_close(session=session, actor=world.users["supervisor"])
    client.force_login(world.users["supervisor"])
    client.cookies["django_language"] = "en"
    html = client.get(reverse("calibration:calibration_detail", args=[session.pk])).content
    assert "almost perfect agreement" in html.decode() or "agreement" in html.decode()
    assert "Landis" in html.decode()
