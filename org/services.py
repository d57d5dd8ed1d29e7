"""Writes to the organization."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import Agent, Team, TeamMembership


@transaction.atomic
def agent_create(
    *, employee_no: str, name: str, team: Team, hired_on: datetime.date | None = None
) -> Agent:
    agent = Agent(employee_no=employee_no, name=name, team=team, hired_on=hired_on)
    agent.full_clean()
    agent.save()
    TeamMembership.objects.create(
        agent=agent, team=team, started_on=hired_on or timezone.localdate()
    )
    return agent


@transaction.atomic
def agent_change_team(*, agent: Agent, team: Team, on: datetime.date) -> Agent:
    """Moves an agent to another team from `on`. The old membership is closed the day before,
    so past calls keep the team the agent was in at the time."""
    agent = Agent.objects.select_for_update().get(pk=agent.pk)
    if agent.team_id == team.pk:
        raise ValidationError({"team": _("The agent is already in this team.")})
    current = agent.memberships.filter(ended_on__isnull=True).first()
    if current is not None:
        if on <= current.started_on:
            raise ValidationError(
                {
                    "on": _("The move must come after the current team's start (%(date)s).")
                    % {"date": current.started_on}
                }
            )
        current.ended_on = on - datetime.timedelta(days=1)
        current.save(update_fields=["ended_on"])
    TeamMembership.objects.create(agent=agent, team=team, started_on=on)
    agent.team = team
    agent.save(update_fields=["team"])
    return agent
