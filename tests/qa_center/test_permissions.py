from __future__ import annotations

import pytest
from django.http import Http404

from org.models import Agent, Team
from qa_center.permissions import (
    Level,
    get_scoped_or_404,
    has_capability,
    scope_queryset,
    user_scope,
)

pytestmark = pytest.mark.django_db


def _names(queryset) -> set[str]:
    return {agent.name for agent in queryset}


def test_each_role_has_the_scope_of_its_place(world):
    users = world.users
    assert user_scope(users["agent"]).level == Level.AGENT
    assert user_scope(users["teamlead"]).level == Level.TEAM
    assert user_scope(users["supervisor"]).level == Level.DEPARTMENT
    assert user_scope(users["manager"]).level == Level.CENTER
    assert user_scope(users["dept_manager"]).level == Level.DEPARTMENT
    assert user_scope(users["admin"]).level == Level.CENTER


def test_agents_visible_follow_the_scope(world):
    agents = Agent.objects.all()
    assert _names(scope_queryset(world.users["agent"], agents)) == {"张伟"}
    assert _names(scope_queryset(world.users["teamlead"], agents)) == {"张伟", "王芳", "李娜"}
    assert _names(scope_queryset(world.users["supervisor"], agents)) == {
        "张伟",
        "王芳",
        "李娜",
        "刘洋",
        "陈静",
    }
    assert _names(scope_queryset(world.users["dept_manager"], agents)) == {"杨磊", "赵敏"}
    assert scope_queryset(world.users["manager"], agents).count() == 7


def test_out_of_scope_row_is_a_404_not_a_403(world):
    other_team_agent = world.agents["b1"][0]
    with pytest.raises(Http404):
        get_scoped_or_404(world.users["teamlead"], Agent.objects.all(), pk=other_team_agent.pk)


def test_an_agent_sees_no_teams_and_a_team_lead_only_their_own(world):
    assert not scope_queryset(world.users["agent"], Team.objects.all()).exists()
    assert list(scope_queryset(world.users["teamlead"], Team.objects.all())) == [world.team_a1]


def test_inactive_or_anonymous_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    admin = world.users["admin"]
    admin.is_active = False
    assert not scope_queryset(admin, Agent.objects.all()).exists()
    assert not scope_queryset(AnonymousUser(), Agent.objects.all()).exists()
    assert not has_capability(AnonymousUser(), "view_org")


def test_review_group_membership_grants_dispute_review(world):
    assert has_capability(world.users["supervisor"], "review_disputes")  # is_reviewer
    assert not has_capability(world.users["manager"], "review_disputes")
    assert has_capability(world.users["admin"], "review_disputes")


def test_supervisors_find_the_import_page_from_the_call_list(client, world):
    client.force_login(world.users["supervisor"])
    html = client.get("/scoring/calls/").content.decode()
    assert 'data-testid="import-calls"' in html
    client.force_login(world.users["teamlead"])
    html = client.get("/scoring/calls/").content.decode()
    assert 'data-testid="import-calls"' not in html
