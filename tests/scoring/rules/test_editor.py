"""Editing rules in the product: the sample dialogue of "try a rule" passes the starter
library; activating a version for the whole center asks first and says how many calls it
rescores."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from scoring.calls.models import Call
from scoring.rules.models import RuleLibrary
from scoring.rules.services import library_create, library_try
from scoring.rules.views import SAMPLE_DIALOGUE
from tests.factories import HOTLINE

pytestmark = pytest.mark.django_db


def test_the_sample_dialogue_passes_the_starter_library():
    outcome = library_try(
        definition=json.loads(HOTLINE.read_text(encoding="utf-8")), dialogue=SAMPLE_DIALOGUE
    )
    failed = [r["code"] for r in outcome["results"] if r["outcome"] == "fail"]
    assert failed == [] and not outcome["critical_failed"] and outcome["score"] == 100


def test_activation_says_how_many_calls_it_rescores_before_doing_it(
    client, world, django_capture_on_commit_callbacks
):
    for i in range(3):
        Call.objects.create(
            call_id=f"A-{i}",
            agent=world.agents["a1"][0],
            team=world.team_a1,
            started_at=f"2026-11-0{i + 2}T10:00:00+08:00",
            turns=[{"speaker": "agent", "text": "您好"}],
        )
    library = library_create(definition=json.loads(HOTLINE.read_text(encoding="utf-8")))
    client.force_login(world.users["admin"])
    url = reverse("calls:library_activate", args=[library.pk])
    period = {"rescore_from": "2026-11-02", "rescore_to": "2026-11-03"}
    asked = client.post(url, period)
    assert asked.status_code == 200
    assert asked.context["rescore"] == 2  # two of the three calls lie in the period
    assert 'data-testid="activate-rescore-count"' in asked.content.decode()
    assert RuleLibrary.objects.get(pk=library.pk).status == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {**period, "confirmed": "1"})
    assert done.status_code == 302
    library.refresh_from_db()
    assert library.status == "active" and library.rescore_total == 2
