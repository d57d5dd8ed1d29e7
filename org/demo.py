"""Demo organization: a believable 10086 hotline. Idempotent: running it twice changes nothing."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from org.models import Agent, Center, Department, Role, Team, TeamMembership, User

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰红梅婷雪晨宇欣怡子涵浩然"
    "佳琪思远雨萱梓轩诗涵一诺欣妍嘉怡俊杰晓东海燕春梅志强文静丹丹晶晶亚楠慧敏"
)
DEPARTMENTS = [
    ("d1", "客户服务一部", ["综合业务一班", "综合业务二班", "综合业务三班", "综合业务四班"]),
    ("d2", "客户服务二部", ["家庭宽带一班", "家庭宽带二班", "政企专席班", "英语专席班"]),
    ("d3", "投诉处理部", ["投诉处理一班", "投诉处理二班", "升级投诉班", "回访班"]),
]
AGENTS_PER_TEAM = 11
DEMO_PASSWORD = "demo"
# Every login seed() creates, in the order the console and the login page list them.
DEMO_LOGINS = ("admin", "manager", "auditor", "supervisor", "supervisor2", "teamlead", "agent")


def _name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return surname + given


@transaction.atomic
def seed(*, stdout=None, rng: random.Random | None = None) -> dict:
    rng = rng or random.Random(10086)
    # There is one center (Center's `one_center`): the demo fills the existing one, if any.
    center = Center.objects.first() or Center.objects.create(
        code="hb10086", name="河北移动10086客服中心"
    )
    teams: list[Team] = []
    for code, name, team_names in DEPARTMENTS:
        department, _ = Department.objects.get_or_create(
            code=code, defaults={"center": center, "name": name}
        )
        for team_index, team_name in enumerate(team_names):
            team, _ = Team.objects.get_or_create(
                code=f"{code}-t{team_index + 1}",
                defaults={"department": department, "name": team_name},
            )
            teams.append(team)
    employee = 1000
    today = timezone.localdate()
    for team in teams:
        for _index in range(AGENTS_PER_TEAM):
            employee += 1
            name = _name(rng)
            hired = today - datetime.timedelta(days=rng.randint(90, 2500))
            agent, created = Agent.objects.get_or_create(
                employee_no=f"A{employee}", defaults={"name": name, "team": team, "hired_on": hired}
            )
            if created:
                TeamMembership.objects.create(agent=agent, team=team, started_on=hired)
    first_team = teams[0]
    demo_agent = Agent.objects.filter(team=first_team).order_by("employee_no").first()
    department = first_team.department
    users = [
        ("admin", "系统管理员", Role.ADMIN, {}),
        ("manager", "孙经理", Role.MANAGER, {}),
        ("auditor", "钱稽核", Role.AUDITOR, {}),
        ("supervisor", "周质检", Role.SUPERVISOR, {"department": department}),
        ("supervisor2", "吴质检", Role.SUPERVISOR, {"department": department}),
        ("teamlead", "郑班长", Role.TEAM_LEAD, {"team": first_team, "department": department}),
        ("agent", demo_agent.name, Role.AGENT, {"agent": demo_agent}),
    ]
    for username, full_name, role, extra in users:
        user, created = User.objects.get_or_create(
            username=username, defaults={"full_name": full_name, "role": role, **extra}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            if role == Role.ADMIN:
                user.is_staff = user.is_superuser = True
            user.save()
    # Dispute reviewers are the members of the complaint-dispute review group.
    from org.services import dispute_review_group, working_group_member_add

    working_group_member_add(
        group=dispute_review_group(), user=User.objects.get(username="supervisor")
    )
    counts = {
        "departments": Department.objects.count(),
        "teams": Team.objects.count(),
        "agents": Agent.objects.count(),
        "users": User.objects.count(),
    }
    if stdout:
        stdout.write(f"organization: {counts}")
    return counts
