"""The bulletins read the center's active KPI targets as their standards (the settings when none
is active) and show the KPI shortfalls of their scope and period."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from bulletins.models import Bulletin
from bulletins.report import standards
from bulletins.services import bulletins_generate_week
from kpi.models import Shortfall
from kpi.selectors import bulletin_standard
from kpi.services import bulletin_targets_seed, catalogue_load, period_close
from tests.factories.kpi import indicator, record, target

pytestmark = pytest.mark.django_db


def test_standards_fall_back_to_the_settings_then_follow_the_center_target(world, settings):
    settings.QA_BULLETIN_PASS_RATE_STANDARD = 90
    catalogue_load()
    assert bulletin_standard("pass_rate") == 90
    made = bulletin_targets_seed()
    assert {t.indicator.code: t.value for t in made}["pass_rate"] == Decimal("0.9")
    assert all(t.status == "active" and t.level == "center" for t in made)
    assert standards()["pass_rate"] == 90
    t = next(t for t in made if t.indicator.code == "pass_rate")
    t.value = "0.95"
    t.save()
    assert standards()["pass_rate"] == 95
    assert bulletin_targets_seed() == []  # seeded once


def test_the_weekly_bulletin_shows_its_teams_shortfalls(client, world):
    week = datetime.date.today() - datetime.timedelta(days=datetime.date.today().weekday() + 7)
    sl = indicator("sl", period="day")
    a = world.agents["a1"][0]
    b = world.agents["b1"][0]
    record(
        sl,
        [
            ("agent", a.employee_no, week.isoformat(), 1, 10),
            ("agent", b.employee_no, week.isoformat(), 1, 10),
        ],
    )
    target(
        sl,
        "0.8",
        level="team",
        unit=world.team_a1,
        valid_from=week - datetime.timedelta(days=30),
        valid_to=week + datetime.timedelta(days=30),
    )
    target(
        sl,
        "0.8",
        level="team",
        unit=world.team_b1,
        valid_from=week - datetime.timedelta(days=30),
        valid_to=week + datetime.timedelta(days=30),
    )
    period_close(kind="day", day=week)
    assert Shortfall.objects.filter(level="team").count() == 2
    bulletins_generate_week(week_start=week, notify_readers=False)
    bulletin = Bulletin.objects.get(team=world.team_a1, kind="weekly")
    client.force_login(world.users["teamlead"])
    page = client.get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert 'data-testid="kpi-shortfalls"' in page
    assert 'data-unit="team:a1"' in page and 'data-unit="team:b1"' not in page
