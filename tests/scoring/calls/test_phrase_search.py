"""Calls found by what was said: the call list, its export and the API take `said`, a phrase
of the transcript (punctuation, spaces and case ignored; never across two turns)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from scoring.calls.search import normalize, search_text_of
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db

COMPLAINT = [
    {"speaker": "customer", "text": "我要投诉！你们的 WiFi 又断了。", "start": 0, "end": 2},
    {"speaker": "agent", "text": "非常抱歉，给您带来不便。", "start": 2, "end": 4},
]


@pytest.fixture
def calls(world):
    agent = world.agents["a1"][0]
    return {
        "complaint": CallFactory(agent=agent, call_id="P-COMPLAINT", turns=COMPLAINT),
        "plain": CallFactory(agent=agent, call_id="P-PLAIN"),
        "other_dep": CallFactory(agent=world.agents["b1"][0], call_id="P-B", turns=COMPLAINT),
    }


def test_normalized_text_is_kept_with_the_turns(calls):
    assert calls["complaint"].search_text == "我要投诉你们的wifi又断了 非常抱歉给您带来不便"
    assert normalize("ＷｉＦｉ，又断") == "wifi又断"
    assert search_text_of([{"text": None}, "x", {"speaker": "agent"}]) == ""


@pytest.mark.parametrize(
    ("phrase", "found"),
    [
        ("投诉", ["P-COMPLAINT"]),
        ("wifi 又断了", ["P-COMPLAINT"]),  # case, spaces and punctuation ignored
        ("您好，很高兴", ["P-PLAIN"]),
        ("断了非常", []),  # across two turns
        ("退费", []),  # nobody said it
    ],
)
def test_call_list_finds_the_phrase_in_scope(world, calls, client, phrase, found):
    client.force_login(world.users["supervisor"])  # 客服一部: P-B is not theirs
    html = client.get(reverse("calls:call_list"), {"said": phrase}).content.decode()
    listed = [c for c in ("P-COMPLAINT", "P-PLAIN", "P-B") if f">{c}</a>" in html]
    assert listed == found


def test_api_filters_on_said_and_refuses_one_character(world, calls):
    api = APIClient()
    api.force_authenticate(world.users["admin"])
    response = api.get("/api/v1/calls/", {"said": "投诉"})
    assert response.status_code == 200
    ids = sorted(row["call_id"] for row in response.json()["results"])
    assert ids == ["P-B", "P-COMPLAINT"]
    response = api.get("/api/v1/calls/", {"said": "投"})
    assert response.status_code == 400 and "said" in response.json()
