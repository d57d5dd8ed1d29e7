"""Corrective-action pages: list and detail scoped, forms that write through the services,
in both languages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.actions.models import CorrectiveAction
from tests.factories.actions import dep_a_people, make_action

pytestmark = pytest.mark.django_db


def test_list_and_detail_are_scoped(client, world):
    people = dep_a_people(world)
    action = make_action(world)
    client.force_login(people["auditor_b"])
    assert action.title not in client.get(reverse("actions:list")).content.decode()
    assert client.get(reverse("actions:detail", args=[action.pk])).status_code == 404
    post = client.post(reverse("actions:step", args=[action.pk, "cancel"]), {"note": "x"})
    assert post.status_code == 404
    client.force_login(people["auditor_a"])
    assert action.title in client.get(reverse("actions:list")).content.decode()
    assert client.get(reverse("actions:detail", args=[action.pk])).status_code == 200


def test_the_loop_on_the_pages(client, world):
    people = dep_a_people(world)
    action = make_action(world)
    detail = reverse("actions:detail", args=[action.pk])
    client.force_login(people["owner_a"])
    page = client.get(detail).content.decode()
    assert 'data-testid="complete"' in page and 'data-testid="verify"' not in page
    client.post(reverse("actions:step", args=[action.pk, "complete"]), {"note": "完成"})
    client.force_login(people["auditor_a"])
    assert 'data-testid="verify"' in client.get(detail).content.decode()
    client.post(
        reverse("actions:step", args=[action.pk, "verify"]), {"effective": "no", "note": ""}
    )
    action.refresh_from_db()
    assert action.status == "done"  # refused: a note is needed
    client.post(
        reverse("actions:step", args=[action.pk, "verify"]), {"effective": "no", "note": "仍有问题"}
    )
    action.refresh_from_db()
    assert action.status == "open"
    assert "仍有问题" in client.get(detail).content.decode()


def test_the_verify_note_has_its_own_id_beside_the_follow_up_note(client, world):
    """Both forms have a note: the verify form's label must point at its own box."""
    import re

    people = dep_a_people(world)
    action = make_action(world)
    client.force_login(people["owner_a"])
    client.post(reverse("actions:step", args=[action.pk, "complete"]), {"note": "完成"})
    client.force_login(people["auditor_a"])
    page = client.get(reverse("actions:detail", args=[action.pk])).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    assert 'for="verify_note"' in page and 'id="verify_note"' in page


def test_the_history_shows_follow_ups_beside_the_steps(client, world):
    people = dep_a_people(world)
    action = make_action(world)
    client.force_login(people["owner_a"])
    client.post(reverse("actions:step", args=[action.pk, "follow-up"]), {"note": "已培训"})
    client.post(reverse("actions:step", args=[action.pk, "complete"]), {"note": "完成"})
    page = client.get(reverse("actions:detail", args=[action.pk])).content.decode()
    history = page[page.index('data-testid="history"') :]
    assert history.count('data-testid="history-row"') == 3  # set, follow-up, done
    assert history.index("已培训") < history.index("完成")
    assert "跟进" in history
    assert "已下达" in history and "创建时间" not in history  # the event, not a column name


def test_create_form_offers_only_units_in_scope(client, world):
    people = dep_a_people(world)
    client.force_login(people["auditor_a"])
    page = client.get(reverse("actions:create")).content.decode()
    assert world.dep_a.name in page and world.dep_b.name not in page
    response = client.post(
        reverse("actions:create"),
        {
            "title": "复训",
            "owner": people["owner_a"].pk,
            "due_on": "2026-12-31",
            "department": world.dep_b.pk,
            "source": "other",
        },
    )
    assert response.status_code == 200 and not CorrectiveAction.objects.exists()
    response = client.post(
        reverse("actions:create"),
        {
            "title": "复训",
            "owner": people["owner_a"].pk,
            "due_on": "2026-12-31",
            "department": world.dep_a.pk,
            "source": "other",
        },
    )
    assert response.status_code == 302
    assert CorrectiveAction.objects.get().department == world.dep_a
    client.force_login(world.users["agent"])
    assert client.get(reverse("actions:create")).status_code == 403


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_due_date_box_holds_an_iso_date_in_every_language(client, world, language):
    """<input type=date> takes only yyyy-mm-dd: a Chinese 2026/12/31 would leave it blank."""
    people = dep_a_people(world)
    client.force_login(people["auditor_a"])
    response = client.post(
        reverse("actions:create"),
        {"title": "", "owner": people["owner_a"].pk, "due_on": "2026-12-31", "source": "other"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    page = response.content.decode()
    assert response.status_code == 200  # the empty title keeps the form on the page
    assert 'type="date" name="due_on" value="2026-12-31"' in page


def test_the_home_page_lists_ones_own_actions_and_those_to_verify(client, world):
    import datetime

    from audits.actions import services

    people = dep_a_people(world)
    overdue = make_action(world, due_on=datetime.date(2020, 1, 1), title="逾期的措施")
    done = make_action(world, title="待验证的措施")
    services.action_complete(action=done, by=people["owner_a"])
    client.force_login(people["owner_a"])
    page = client.get(reverse("home")).content.decode()
    assert "逾期的措施" in page and "待验证的措施" not in page
    client.force_login(people["auditor_a"])
    page = client.get(reverse("home")).content.decode()
    assert "待验证的措施" in page
    assert reverse("actions:list") + "?overdue=yes" in page
    client.force_login(people["auditor_b"])
    page = client.get(reverse("home")).content.decode()
    assert "待验证的措施" not in page and overdue.title not in page
