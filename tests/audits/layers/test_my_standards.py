"""Owners (专人负责) and monitors (专人监控) without the library's capability reach their
standards from the navigation and the home page: what they own or monitor and what is due on
each (a running walk-through first, open actions, the rollout's coverage), in a fixed number of
queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.standards.services import rollout_create
from audits.walkthroughs import services as walk_services
from qa_center.permissions import has_capability
from tests.factories.audits import make_standard
from tests.factories.walkthroughs import MONTH, started, walk_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings, tmp_path, client):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client.cookies["django_language"] = "en"


def _rows(html: str) -> list[str]:
    import re

    return re.findall(r'<tr data-standard="([^"]+)"', html)


def test_an_owner_without_the_library_finds_their_standards_running_walkthrough_first(
    client, world
):
    walk = walk_world(world)
    owner = walk.users["owner_a"]  # a supervisor: no library capability
    assert not has_capability(owner, "standards")
    walkthrough = started(walk)  # the hour is running on one of owner_a's processes
    rollout_create(
        version=walk.standards_a[1].published_version, by=world.users["admin"],
        teams=[world.team_a1],
    )  # fmt: skip
    client.force_login(owner)
    home = client.get(reverse("home")).content.decode()
    assert reverse("layers:my_standards") in home  # in the navigation and the home panel
    assert "My standards" in home and walkthrough.standard.code in home
    assert "min left for documents" in home
    html = client.get(reverse("layers:my_standards")).content.decode()
    rows = _rows(html)
    assert set(rows) == {s.code for s in walk.standards_a}
    assert rows[0] == walkthrough.standard.code  # the running hour comes first
    assert 'data-testid="window-running"' in html
    assert "0 of 3 agents" in html  # 一班's agents, none has read it yet
    assert "You own 3 and monitor 0" in html


def test_a_monitor_sees_what_they_monitor_and_others_see_nothing(client, world):
    walk = walk_world(world)
    monitor = walk.users["auditor_a"]
    client.force_login(monitor)
    html = client.get(reverse("layers:my_standards")).content.decode()
    assert set(_rows(html)) == {s.code for s in walk.standards_a}
    assert "You own 0 and monitor 3" in html
    client.force_login(world.users["teamlead"])
    html = client.get(reverse("layers:my_standards")).content.decode()
    assert _rows(html) == [] and 'data-testid="my-standards-empty"' in html
    home = client.get(reverse("home")).content.decode()
    assert "Nothing due on your standards." not in home  # no panel for who answers for none


def test_open_actions_of_a_standard_are_listed(client, world):
    walk = walk_world(world)
    walkthrough = started(walk)
    from tests.factories.walkthroughs import past_deadline

    past_deadline(walkthrough)
    finding = walk_services.finding_record(
        walkthrough=walkthrough,
        by=world.users["auditor"],
        grade="minor",
        description="缺少登记表",
        action_due_on=timezone.localdate(),
    )
    client.force_login(walk.users["owner_a"])
    html = client.get(reverse("layers:my_standards")).content.decode()
    assert reverse("actions:detail", args=[finding.action_id]) in html


def test_the_page_costs_the_same_queries_for_one_standard_or_many(client, world):
    walk = walk_world(world, processes_a=1)
    owner = walk.users["owner_a"]
    rollout_create(
        version=walk.standards_a[0].published_version, by=world.users["admin"],
        teams=[world.team_a1],
    )  # fmt: skip
    walk_services.walkthroughs_draw_month(month=MONTH)
    client.force_login(owner)
    client.get(reverse("layers:my_standards"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("layers:my_standards"))
    for i in range(5):
        standard = make_standard(
            department=world.dep_a, code=f"LC-Z{i}", owner=owner, monitor=world.users["auditor"]
        )
        rollout_create(
            version=standard.published_version, by=world.users["admin"], teams=[world.team_a1]
        )
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("layers:my_standards")).content.decode()
    assert len(_rows(html)) == 6
    assert len(many) == len(few)
