"""Every role against every page and API endpoint that takes no argument, plus the org pages
that take one: what each role may open, and that nobody sees another team's data."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from qa_center.permissions import CAPABILITIES

pytestmark = pytest.mark.django_db

ROLES = ["agent", "teamlead", "supervisor", "manager", "auditor", "admin"]
SKIP_PREFIXES = ("admin/", "i18n/", "__debug__")


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _argument_free_paths() -> list[str]:
    paths = []
    for route, _entry in _walk(get_resolver().url_patterns):
        if "<" in route or "(?P" in route or route.startswith(SKIP_PREFIXES):
            continue
        route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\.", ".")
        if "(" in route or "[" in route:
            continue
        paths.append("/" + route)
    return sorted(set(paths))


def test_the_matrix_covers_every_role():
    assert set(CAPABILITIES) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_or_endpoint_fails_for_any_role(client, world, role):
    client.force_login(world.users[role])
    failures = []
    for path in _argument_free_paths():
        if path == "/accounts/logout/":
            continue
        response = client.get(path)
        if response.status_code >= 500:
            failures.append((path, response.status_code))
    assert failures == []


def test_anonymous_visitors_reach_only_login_and_health(client, world):
    open_paths = []
    for path in _argument_free_paths():
        response = client.get(path)
        if response.status_code == 200:
            open_paths.append(path)
    allowed = {"/accounts/login/", "/health", "/api/schema/", "/api/docs/", "/api/redoc/"}
    assert set(open_paths) <= allowed, set(open_paths) - allowed


ORG_PAGES = {
    # role: (may open org overview, may open agent directory)
    "agent": (403, 403),
    "teamlead": (200, 200),
    "supervisor": (200, 200),
    "manager": (200, 200),
    "auditor": (200, 200),
    "admin": (200, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_org_pages_by_role(client, world, role):
    client.force_login(world.users[role])
    overview, directory = ORG_PAGES[role]
    assert client.get(reverse("org:overview")).status_code == overview
    assert client.get(reverse("org:agent_list")).status_code == directory


def test_an_agent_opens_their_own_page_but_not_a_colleagues(client, world):
    client.force_login(world.users["agent"])
    own, colleague = world.agents["a1"][0], world.agents["a1"][1]
    assert client.get(reverse("org:agent_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("org:agent_detail", args=[colleague.pk])).status_code == 404


def test_a_team_lead_cannot_see_another_teams_people(client, world):
    client.force_login(world.users["teamlead"])
    other = world.agents["b1"][0]
    assert client.get(reverse("org:agent_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("org:team_detail", args=[world.team_b1.pk])).status_code == 404
    listed = {a.name for a in client.get(reverse("org:agent_list")).context["page"]}
    assert listed == {"张伟", "王芳", "李娜"}
    api = client.get("/api/v1/agents/").json()
    assert {row["name"] for row in api["results"]} == {"张伟", "王芳", "李娜"}
    assert client.get(f"/api/v1/agents/{other.pk}/").status_code == 404


def test_a_department_manager_sees_only_their_department(client, world):
    client.force_login(world.users["dept_manager"])
    api = client.get("/api/v1/teams/").json()
    assert [row["code"] for row in api["results"]] == ["b1"]
    assert client.get(reverse("org:team_detail", args=[world.team_a1.pk])).status_code == 404


def test_an_agent_gets_only_themselves_from_the_api(client, world):
    client.force_login(world.users["agent"])
    api = client.get("/api/v1/agents/").json()
    assert [row["name"] for row in api["results"]] == ["张伟"]
    assert client.get("/api/v1/teams/").status_code == 403
    me = client.get("/api/v1/me/").json()
    assert me["role"] == "agent" and me["scope"]["level"] == "agent"


def test_only_admins_move_agents(client, world):
    agent = world.agents["a1"][0]
    url = reverse("org:agent_move", args=[agent.pk])
    data = {"team": world.team_a2.pk, "on": "2026-07-01"}
    client.force_login(world.users["manager"])
    assert client.post(url, data).status_code == 403
    client.force_login(world.users["admin"])
    assert client.post(url, data).status_code == 302
    agent.refresh_from_db()
    assert agent.team == world.team_a2
