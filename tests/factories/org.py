"""The organization: centers, departments, teams, agents, users; the world most tests use."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import factory

from org.models import Agent, Center, Department, Role, Team, TeamMembership, User
from org.services import dispute_review_group, working_group_member_add


class CenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Center

    name = factory.Sequence(lambda n: f"中心{n}")
    code = factory.Sequence(lambda n: f"c{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    center = factory.SubFactory(CenterFactory)
    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"d{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"班组{n}")
    code = factory.Sequence(lambda n: f"t{n}")


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent
        skip_postgeneration_save = True

    employee_no = factory.Sequence(lambda n: f"A{9000 + n}")
    name = factory.Iterator(["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇"])
    team = factory.SubFactory(TeamFactory)
    hired_on = datetime.date(2024, 1, 1)

    @factory.post_generation
    def membership(self, create, extracted, **kwargs):
        if create:
            TeamMembership.objects.create(agent=self, team=self.team, started_on=self.hired_on)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.SUPERVISOR
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def saved(self, create, extracted, **kwargs):
        if create:
            self.save()


@dataclass
class OrgWorld:
    center: Center
    dep_a: Department
    dep_b: Department
    team_a1: Team
    team_a2: Team
    team_b1: Team
    agents: dict[str, list[Agent]] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


def build_world() -> OrgWorld:
    center = CenterFactory(name="测试中心", code="test")
    dep_a = DepartmentFactory(center=center, name="客服一部", code="dep-a")
    dep_b = DepartmentFactory(center=center, name="客服二部", code="dep-b")
    team_a1 = TeamFactory(department=dep_a, name="一班", code="a1")
    team_a2 = TeamFactory(department=dep_a, name="二班", code="a2")
    team_b1 = TeamFactory(department=dep_b, name="三班", code="b1")
    agents = {
        "a1": [AgentFactory(team=team_a1, name=n) for n in ("张伟", "王芳", "李娜")],
        "a2": [AgentFactory(team=team_a2, name=n) for n in ("刘洋", "陈静")],
        "b1": [AgentFactory(team=team_b1, name=n) for n in ("杨磊", "赵敏")],
    }
    users = {
        "agent": UserFactory(username="agent", role=Role.AGENT, agent=agents["a1"][0]),
        "other_agent": UserFactory(username="agent2", role=Role.AGENT, agent=agents["a1"][1]),
        "teamlead": UserFactory(username="teamlead", role=Role.TEAM_LEAD, team=team_a1),
        "supervisor": UserFactory(username="supervisor", role=Role.SUPERVISOR, department=dep_a),
        "manager": UserFactory(username="manager", role=Role.MANAGER),
        "dept_manager": UserFactory(username="depmanager", role=Role.MANAGER, department=dep_b),
        "auditor": UserFactory(username="auditor", role=Role.AUDITOR),
        "admin": UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True),
    }
    # The supervisor rules on disputes as a member of the complaint-dispute review group.
    working_group_member_add(group=dispute_review_group(), user=users["supervisor"])
    users["supervisor"].refresh_from_db()
    return OrgWorld(center, dep_a, dep_b, team_a1, team_a2, team_b1, agents, users)
