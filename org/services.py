"""Writes to the organization."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import Agent, Team, TeamMembership, User, WorkingGroup, WorkingGroupMembership


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


# --- Working groups ---------------------------------------------------------------------------


def dispute_review_group() -> WorkingGroup:
    """The complaint-dispute review group (migration 0004 creates it; a flushed test database
    gets it back here)."""
    group, _created = WorkingGroup.objects.get_or_create(
        code=WorkingGroup.DISPUTE_REVIEW, defaults={"name": "客户代表投诉歧义评审小组"}
    )
    return group


def process_audit_group() -> WorkingGroup:
    """The 制度流程建设项目组, whose members run the walk-throughs (migration 0005 creates it;
    a flushed test database gets it back here)."""
    group, _created = WorkingGroup.objects.get_or_create(
        code=WorkingGroup.PROCESS_AUDIT, defaults={"name": "制度流程建设项目组"}
    )
    return group


def _sync_reviewer_flag(user: User) -> None:
    """The flags the permission module reads, from the user's memberships: `is_reviewer`
    (the dispute review group) and `is_process_auditor` (the 制度流程建设项目组)."""
    codes = set(
        WorkingGroupMembership.objects.filter(
            user=user, group__code__in=[WorkingGroup.DISPUTE_REVIEW, WorkingGroup.PROCESS_AUDIT]
        ).values_list("group__code", flat=True)
    )
    flags = {
        "is_reviewer": WorkingGroup.DISPUTE_REVIEW in codes,
        "is_process_auditor": WorkingGroup.PROCESS_AUDIT in codes,
    }
    changed = {name: value for name, value in flags.items() if getattr(user, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(user, name, value)
        User.objects.filter(pk=user.pk).update(**changed)


def sync_reviewer_flags(users) -> None:
    """Recomputes `is_reviewer` of these users from their memberships (after an edit that did
    not go through the services, e.g. the admin's inline)."""
    for user in users:
        _sync_reviewer_flag(user)


@transaction.atomic
def working_group_member_add(
    *,
    group: WorkingGroup,
    user: User,
    is_lead: bool = False,
    joined_on: datetime.date | None = None,
) -> WorkingGroupMembership:
    """Seats `user` in `group` (as its lead when `is_lead`: the former lead stays a member).
    A member of the dispute review group becomes a dispute reviewer."""
    group = WorkingGroup.objects.select_for_update().get(pk=group.pk)
    if not user.is_active:
        raise ValidationError({"user": _("An inactive account cannot join a working group.")})
    membership, _created = WorkingGroupMembership.objects.get_or_create(
        group=group, user=user, defaults={"joined_on": joined_on or timezone.localdate()}
    )
    if is_lead and not membership.is_lead:
        group.memberships.filter(is_lead=True).update(is_lead=False)
        membership.is_lead = True
        membership.save(update_fields=["is_lead"])
    _sync_reviewer_flag(user)
    return membership


@transaction.atomic
def working_group_member_remove(*, group: WorkingGroup, user: User) -> None:
    """Takes `user` out of `group`; out of the dispute review group, they no longer rule on
    disputes."""
    deleted, _rows = WorkingGroupMembership.objects.filter(group=group, user=user).delete()
    if not deleted:
        raise ValidationError({"user": _("This person is not a member of the working group.")})
    _sync_reviewer_flag(user)
