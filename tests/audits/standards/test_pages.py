"""The standards pages as their users see them: the library and its search, a standard's
page, the lifecycle buttons, the rollout with coverage, the agent's reading list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audits.standards.models import Status
from audits.standards.services import rollout_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_the_library_lists_the_scope_and_searches_by_owner_initials(
    client, world, process, process_b
):
    world.users["supervisor"].full_name = "周质检"
    world.users["supervisor"].save()
    from audits.standards.services import standard_refresh

    standard_refresh(process)
    client.force_login(world.users["auditor"])
    page = client.get(reverse("standards:list"))
    assert page.status_code == 200
    assert "LC-001" in page.text and "LC-B01" in page.text
    found = client.get(reverse("standards:list"), {"q": "zzj"})
    assert "LC-001" in found.text and "LC-B01" not in found.text
    found = client.get(reverse("standards:list"), {"q": "报修"})
    assert "LC-001" in found.text and "LC-B01" not in found.text


def test_a_department_manager_sees_only_their_department(client, world, process, process_b):
    client.force_login(world.users["dept_manager"])
    page = client.get(reverse("standards:list"))
    assert "LC-B01" in page.text and "LC-001" not in page.text
    assert client.get(reverse("standards:detail", args=[process.pk])).status_code == 404


def test_the_standard_page_shows_steps_documents_and_history(client, world, process):
    client.force_login(world.users["auditor"])
    page = client.get(reverse("standards:detail", args=[process.pk]))
    assert page.status_code == 200
    assert "受理登记表" in page.text and "首次发布" in page.text


def test_rollout_coverage_and_acknowledgement(client, world, process):
    admin = world.users["admin"]
    rollout_create(version=process.current_published, by=admin, teams=[world.team_a1])
    client.force_login(world.users["agent"])
    reading = client.get(reverse("standards:my_reading"))
    assert "LC-001" in reading.text
    read = client.get(reverse("standards:read", args=[process.pk]))
    assert read.status_code == 200 and 'data-testid="acknowledge"' in read.text
    client.post(reverse("standards:read", args=[process.pk]))
    assert (
        'data-testid="acknowledged"'
        in client.get(reverse("standards:read", args=[process.pk])).text
    )
    client.force_login(world.users["auditor"])
    page = client.get(reverse("standards:detail", args=[process.pk]))
    assert '<td class="num">1/3</td>' in page.text
    assert "王芳" in page.text  # not read yet


def test_publishing_without_a_monitor_is_refused_on_the_page(client, world):
    from tests.factories.audits import make_standard

    draft = make_standard(
        department=world.dep_a,
        code="LC-009",
        publish=False,
        owner=world.users["supervisor"],
        by=world.users["admin"],
    )
    client.force_login(world.users["admin"])
    answer = client.post(reverse("standards:action", args=[draft.pk, "publish"]), follow=True)
    assert "monitor" in answer.text
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_layers_and_loop_pages(client, world, process):
    client.force_login(world.users["auditor"])
    assert client.get(reverse("layers:overview")).status_code == 200
    for layer in ("support", "improvement", "audit"):
        assert client.get(reverse("layers:layer", args=[layer])).status_code == 200
    assert client.get(reverse("layers:loop", args=[process.pk])).status_code == 200
