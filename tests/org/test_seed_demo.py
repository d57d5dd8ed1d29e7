from __future__ import annotations

import pytest
from django.core.management import call_command

from org.demo import seed
from org.models import Agent, Department, Team, User

pytestmark = pytest.mark.django_db


def test_demo_organization_is_believable_and_seeding_twice_changes_nothing():
    first = seed()
    second = seed()
    assert first == second
    assert Department.objects.count() == 3
    assert Team.objects.count() == 12
    assert Agent.objects.count() >= 120
    assert all("\u4e00" <= agent.name[0] <= "\u9fff" for agent in Agent.objects.all())
    roles = dict(User.objects.values_list("username", "role"))
    assert {
        name: roles[name]
        for name in ("admin", "manager", "auditor", "supervisor", "teamlead", "agent")
    } == {
        "admin": "admin",
        "manager": "manager",
        "auditor": "auditor",
        "supervisor": "supervisor",
        "teamlead": "teamlead",
        "agent": "agent",
    }
    assert all(User.objects.get(username=name).check_password("demo") for name in roles)


def test_every_demo_login_is_listed_on_the_login_page_and_the_console(client, settings):
    """supervisor2 was created but listed nowhere: the lists now come from one tuple."""
    from org.demo import DEMO_LOGINS

    seed()
    assert set(User.objects.values_list("username", flat=True)) == set(DEMO_LOGINS)
    settings.QA_DEMO = True
    page = client.get("/accounts/login/").content.decode()
    assert all(f"<code>{name}</code>" in page for name in DEMO_LOGINS)


def test_seed_demo_refuses_production_without_consent(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    settings.QA_DEMO = False
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")


def test_no_migration_creates_users():
    assert not User.objects.exists()
