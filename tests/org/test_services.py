from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from org.models import TeamMembership
from org.selectors import team_history, team_on
from org.services import agent_change_team, agent_create

pytestmark = pytest.mark.django_db


def test_moving_an_agent_keeps_the_old_team_for_past_days(world):
    agent = world.agents["a1"][0]
    agent_change_team(agent=agent, team=world.team_b1, on=datetime.date(2026, 6, 1))
    agent.refresh_from_db()
    assert agent.team == world.team_b1
    assert team_on(agent, datetime.date(2026, 5, 31)) == world.team_a1
    assert team_on(agent, datetime.date(2026, 6, 1)) == world.team_b1
    history = list(team_history(agent))
    assert [(m.team, m.ended_on) for m in history] == [
        (world.team_b1, None),
        (world.team_a1, datetime.date(2026, 5, 31)),
    ]


def test_moving_to_the_same_team_is_refused(world):
    agent = world.agents["a1"][0]
    with pytest.raises(ValidationError):
        agent_change_team(agent=agent, team=world.team_a1, on=datetime.date(2026, 6, 1))


def test_a_move_before_the_current_membership_started_is_refused(world):
    agent = world.agents["a1"][0]
    with pytest.raises(ValidationError):
        agent_change_team(agent=agent, team=world.team_b1, on=datetime.date(2023, 1, 1))
    assert agent.memberships.count() == 1


def test_the_database_allows_one_open_membership(world):
    agent = world.agents["a1"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMembership.objects.create(agent=agent, team=world.team_b1, started_on="2026-01-01")


def test_agent_create_opens_a_membership(world):
    agent = agent_create(employee_no="A7777", name="欧阳娜娜", team=world.team_a2)
    assert agent.memberships.get().team == world.team_a2
    assert agent.name_initials == "oynn"


def test_agent_create_validates(world):
    with pytest.raises(ValidationError):
        agent_create(employee_no="", name="", team=world.team_a2)
