"""Reads of the organization, always through the user's scope."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from org.models import Agent, Department, Team, TeamMembership
from qa_center.permissions import scope_queryset


def agents_for(user, *, query: str = "", team_id: int | None = None) -> QuerySet[Agent]:
    """Agents the user may see, in pinyin order. `query` matches the name, the employee
    number or the pinyin initials (张伟: "张", "A1001", "zw")."""
    agents = scope_queryset(user, Agent.objects.select_related("team__department"))
    query = query.strip()
    if query:
        agents = agents.filter(
            Q(name__icontains=query)
            | Q(employee_no__icontains=query)
            | Q(name_initials__startswith=query.lower())
        )
    if team_id:
        agents = agents.filter(team_id=team_id)
    return agents


def teams_for(user) -> QuerySet[Team]:
    return scope_queryset(user, Team.objects.select_related("department")).annotate(
        agent_count=Count("agents", filter=Q(agents__is_active=True))
    )


def departments_for(user) -> QuerySet[Department]:
    """Departments the user may see; a team lead sees their team's department."""
    departments = Department.objects.select_related("center")
    if getattr(user, "role", None) == "teamlead" and user.team_id:
        return departments.filter(teams=user.team_id)
    return scope_queryset(user, departments)


def team_history(agent: Agent) -> QuerySet[TeamMembership]:
    return agent.memberships.select_related("team__department").order_by("-started_on")


def org_summary_for(user) -> dict:
    """Counts for the home page: what lies in this user's scope."""
    return {
        "agents": scope_queryset(user, Agent.objects.filter(is_active=True)).count(),
        "teams": scope_queryset(user, Team.objects.all()).count(),
        "departments": departments_for(user).count(),
    }


Membership = tuple[int, datetime.date, datetime.date | None]  # (team id, started, ended)


def memberships_by_agent(agent_ids: Iterable[int]) -> dict[int, list[Membership]]:
    """Every membership of these agents, newest first, in one query (an import of thousands
    of calls asks once, not per call)."""
    memberships: dict[int, list[Membership]] = defaultdict(list)
    rows = (
        TeamMembership.objects.filter(agent_id__in=list(agent_ids))
        .order_by("agent_id", "-started_on")
        .values_list("agent_id", "team_id", "started_on", "ended_on")
    )
    for agent_id, team_id, started_on, ended_on in rows:
        memberships[agent_id].append((team_id, started_on, ended_on))
    return memberships


def team_id_on(memberships: list[Membership], current_team_id: int, day: datetime.date) -> int:
    """The team an agent was in on `day`: the latest membership started on or before it and
    not ended before it; the current team when no membership covers the day."""
    for team_id, started_on, ended_on in memberships:
        if started_on <= day and (ended_on is None or ended_on >= day):
            return team_id
    return current_team_id


def team_on(agent: Agent, day: datetime.date) -> Team:
    """The team the agent belonged to on `day` (their current team if no membership covers it)."""
    memberships = memberships_by_agent([agent.pk]).get(agent.pk, [])
    team_id = team_id_on(memberships, agent.team_id, day)
    return agent.team if team_id == agent.team_id else Team.objects.get(pk=team_id)
