"""Scorecards: create, publish (supersedes), new versions; published versions never change."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from scoring.evaluations.models import Scorecard
from scoring.evaluations.services.scorecards import (
    scorecard_create,
    scorecard_ensure_draft,
    scorecard_new_version,
    scorecard_publish,
)
from tests.factories import DEFAULT_SCORECARD, make_scorecard


def test_create_builds_sections_and_items_in_order(db):
    card = scorecard_create(definition=DEFAULT_SCORECARD)
    assert card.status == Scorecard.Status.DRAFT and card.version == 1
    assert [s.title for s in card.sections.all()] == ["服务用语", "声调语气", "流程规范"]
    assert [i.code for i in card.items.all()] == ["greet", "hold", "tone", "leak"]
    assert card.items.get(code="leak").critical is True


def test_create_names_the_bad_field(db):
    bad = {"name": "x", "sections": [{"title": "s", "items": [{"code": "a b", "title": "t"}]}]}
    with pytest.raises(ValidationError) as exc:
        scorecard_create(definition=bad)
    assert "sections[0].items[0].code" in exc.value.message_dict
    assert not Scorecard.objects.exists()


def test_publish_supersedes_the_previous_version(db):
    v1 = make_scorecard()
    v2 = scorecard_new_version(scorecard=v1)
    assert v2.version == 2 and v2.status == Scorecard.Status.DRAFT
    assert [i.code for i in v2.items.all()] == [i.code for i in v1.items.all()]
    assert scorecard_new_version(scorecard=v1).pk == v2.pk  # one draft at a time
    scorecard_publish(scorecard=v2)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.status == Scorecard.Status.SUPERSEDED
    assert v2.status == Scorecard.Status.PUBLISHED


def test_published_versions_are_never_changed(db):
    card = make_scorecard()
    with pytest.raises(ValidationError):
        scorecard_ensure_draft(card)
    with pytest.raises(ValidationError):
        scorecard_publish(scorecard=card)


def test_the_database_allows_one_published_version(db):
    make_scorecard()
    with pytest.raises(IntegrityError), transaction.atomic():
        Scorecard.objects.create(name=DEFAULT_SCORECARD["name"], version=9, status="published")


def test_an_empty_draft_cannot_be_published(db):
    card = scorecard_create(definition={"name": "empty", "sections": []})
    with pytest.raises(ValidationError):
        scorecard_publish(scorecard=card)


def test_admin_makes_published_scorecards_read_only(world, client):
    card = make_scorecard()
    draft = scorecard_new_version(scorecard=card)
    client.force_login(world.users["admin"])
    page = client.get(f"/admin/evaluations/scorecard/{card.pk}/change/")
    assert page.status_code == 200
    assert b'name="name"' not in page.content  # view only
    page = client.get(f"/admin/evaluations/scorecard/{draft.pk}/change/")
    assert b'name="name"' in page.content
    response = client.post(f"/admin/evaluations/scorecard/{card.pk}/change/", {"name": "changed"})
    assert response.status_code == 403
    card.refresh_from_db()
    assert card.name == DEFAULT_SCORECARD["name"]
