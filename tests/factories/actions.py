"""Corrective actions and the users around them, through the services."""

from __future__ import annotations

import datetime

from audits.actions.models import CorrectiveAction
from audits.actions.services import action_create
from org.models import Role
from tests.factories.org import OrgWorld, UserFactory


def dep_a_people(world: OrgWorld) -> dict:
    """An auditor and a manager of department A (build_world's are the center's), an owner in
    department A, and an auditor of department B."""
    users = world.users
    if "auditor_a" not in users:
        users["auditor_a"] = UserFactory(
            username="auditor_a", role=Role.AUDITOR, department=world.dep_a
        )
        users["manager_a"] = UserFactory(
            username="manager_a", role=Role.MANAGER, department=world.dep_a
        )
        users["owner_a"] = UserFactory(
            username="owner_a", role=Role.SUPERVISOR, department=world.dep_a
        )
        users["auditor_b"] = UserFactory(
            username="auditor_b", role=Role.AUDITOR, department=world.dep_b
        )
    return users


def make_action(
    world: OrgWorld,
    *,
    by=None,
    owner=None,
    department=None,
    team=None,
    due_on: datetime.date | None = None,
    title: str = "请稍等用语培训",
    source: str = CorrectiveAction.Source.FINDING,
) -> CorrectiveAction:
    """An open action of department A (by default) owned by owner_a, set by auditor_a."""
    people = dep_a_people(world)
    if department is None and team is None:
        department = world.dep_a
    return action_create(
        by=by or people["auditor_a"],
        title=title,
        owner=owner or people["owner_a"],
        due_on=due_on or datetime.date(2026, 12, 31),
        source=source,
        department=department,
        team=team,
    )
