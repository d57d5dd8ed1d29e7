"""The scorecard editor for drafts: sections, items, weights, critical, N/A allowed and the
linked rule, edited in the product (not the Django admin), all or nothing, drafts only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from scoring.evaluations.models import Scorecard
from scoring.evaluations.services.scorecards import scorecard_update_draft
from tests.factories import make_scorecard

pytestmark = pytest.mark.django_db


def _form(client, card) -> dict[str, str]:
    """The editor's fields as the page renders them (value attributes and checked boxes)."""
    import re

    html = client.get(reverse("evaluations:scorecard_edit", args=[card.pk])).content.decode()
    data = {}
    for m in re.finditer(r'<input type="(text|number)" name="([^"]+)"[^>]*value="([^"]*)"', html):
        data[m.group(2)] = m.group(3)
    for m in re.finditer(r'<input type="checkbox" name="([^"]+)" checked', html):
        data[m.group(1)] = "on"
    for m in re.finditer(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', m.group(2))
        data[m.group(1)] = chosen.group(1) if chosen else ""
    return data


def test_an_administrator_edits_a_draft_in_the_product(client, world):
    card = make_scorecard(publish=False)
    client.force_login(world.users["admin"])
    detail = client.get(reverse("evaluations:scorecard_detail", args=[card.pk])).content
    assert b'data-testid="edit-draft"' in detail and b"/admin/" not in detail
    data = _form(client, card)
    assert data["s0-i0-code"] == "greet" and data["s0-i0-rule_code"] == "GREET"
    data.update({"s0-i0-weight": "3", "s0-i1-drop": "on", "s0-i1-critical": "on"})
    # a new item in the first section's blank row, and a new section
    data.update({"s0-i2-code": "thanks", "s0-i2-title": "致谢", "s0-i2-kind": "yes_no"})
    data.update({"s3-title": "结束", "s3-i0-code": "bye", "s3-i0-title": "结束语"})
    data["s3-i0-critical"] = "on"
    data.pop("s3-i0-allow_na", None)
    response = client.post(reverse("evaluations:scorecard_edit", args=[card.pk]), data)
    assert response.status_code == 302
    items = {i.code: i for i in card.items.all()}
    assert (
        "hold" not in items and items["greet"].weight == 3 and items["greet"].rule_code == "GREET"
    )
    assert items["thanks"].section.title == "服务用语"
    assert items["bye"].section.title == "结束" and items["bye"].critical
    assert not items["bye"].allow_na


def test_a_bad_edit_changes_nothing_and_says_where(client, world):
    card = make_scorecard(publish=False)
    client.force_login(world.users["admin"])
    data = _form(client, card)
    data["s0-i0-weight"] = "-1"
    data["s1-i0-code"] = "greet"  # a second item with the same code
    response = client.post(reverse("evaluations:scorecard_edit", args=[card.pk]), data)
    assert response.status_code == 400
    assert b'data-testid="scorecard-errors"' in response.content
    assert card.items.get(code="greet").weight == 2 and card.items.count() == 4


def test_only_drafts_without_evaluations_and_only_administrators(client, world):
    published = make_scorecard()
    with pytest.raises(ValidationError):
        scorecard_update_draft(scorecard=published, definition={"sections": []})
    client.force_login(world.users["admin"])
    url = reverse("evaluations:scorecard_edit", args=[published.pk])
    assert client.get(url).status_code == 302  # back to the scorecard, with a message
    draft = make_scorecard(publish=False, name="草稿")
    client.force_login(world.users["supervisor"])
    assert client.get(reverse("evaluations:scorecard_edit", args=[draft.pk])).status_code == 403
    assert Scorecard.objects.get(pk=published.pk).items.count() == 4
