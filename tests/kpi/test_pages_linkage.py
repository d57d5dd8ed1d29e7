"""The linkage page (correlation matrix, lagged cross-correlation beside the declared links,
what a correlation can and cannot mean) and the cycle charts (by day with control limits and
special causes, by week, by weekday)."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from django.urls import reverse

from kpi.models import Measurement
from qa_center.levels import Level
from tests.factories import build_world
from tests.factories.kpi_analytics import agent_row, declare, make_indicators, target

pytestmark = pytest.mark.django_db
START = datetime.date(2025, 12, 1)
DAYS = 120  # to 2026-03-30


@pytest.fixture
def client(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def linked(world):
    """FCR moves with a daily shock; SL (standing in for repeat calls) moves the opposite way
    seven days later. Team a2's SL drops 10 points from 2026-03-09."""
    kpis = make_indicators()
    rng = np.random.default_rng(0)
    shock = rng.normal(0, 0.04, DAYS + 7)
    weekly = np.array([0.97, 1.0, 1.0, 1.0, 1.0, 1.02, 1.03])
    rows = []
    for group in world.agents.values():
        for agent in group:
            for i in range(DAYS):
                day = START + datetime.timedelta(days=i)
                fcr = 0.7 + shock[i + 7] + rng.normal(0, 0.01)
                sl = 0.8 * weekly[day.weekday()] - 0.8 * shock[i] + rng.normal(0, 0.01)
                if agent.team_id == world.team_a2.pk and day >= datetime.date(2026, 3, 9):
                    sl -= 0.10
                rows.append(agent_row(kpis["FCR"], agent, day, round(1000 * fcr), 1000))
                rows.append(agent_row(kpis["SL"], agent, day, round(1000 * sl), 1000))
    Measurement.objects.bulk_create(rows)
    declare(kpis["FCR"], kpis["SL"], lag_days=7, sign=-1)
    target(kpis["SL"], level=Level.TEAM, unit=world.team_a2, value="0.8")
    return kpis


def test_linkage_finds_the_lag_and_sign_next_to_the_declared_link(client, world, linked):
    client.force_login(world.users["manager"])
    html = client.get(
        reverse("kpi:linkage"), {"a": "FCR", "b": "SL", "period": "2026-03"}
    ).content.decode()
    assert "First-contact resolution leads Service level by 7 days" in html
    assert "opposite directions" in html
    assert "the data agree" in html  # the declared 7 days, sign −
    assert "It does not say that one causes the other" in html
    assert 'class="kpi-matrix"' in html and 'class="kpi-chart"' in html
    assert "<script" not in html.split("<main", 1)[1]


def test_linkage_of_a_department_and_its_scope(client, world, linked):
    lead = world.users["teamlead"]
    client.force_login(lead)
    url = reverse("kpi:linkage")
    assert client.get(url, {"department": world.dep_a.pk}).status_code == 200
    assert client.get(url, {"department": world.dep_b.pk}).status_code == 404
    client.force_login(world.users["agent"])
    assert client.get(url).status_code == 403


def test_cycle_chart_marks_the_shift_of_one_team(client, world, linked):
    client.force_login(world.users["manager"])
    url = reverse("kpi:cycles")
    shifted = client.get(
        url, {"indicator": "SL", "node": f"team:{world.team_a2.pk}", "period": "2026-03"}
    ).content.decode()
    assert shifted.count('data-testid="signal"') >= 10
    assert "below the centre line" in shifted
    assert "Target (green dashed line)" in shifted
    for part in ('data-testid="daily"', 'data-testid="weekly"', 'data-testid="weekday"'):
        assert part in shifted
    steady = client.get(
        url, {"indicator": "SL", "node": f"team:{world.team_a1.pk}", "period": "2026-03"}
    ).content.decode()
    assert steady.count('data-testid="signal"') <= 3


@pytest.mark.parametrize(
    "params",
    [{"a": "x" * 300}, {"department": "abc"}, {"period": "2026-99"}, {"a": "SL", "b": "SL"}],
)
def test_bad_parameters_never_500(client, world, linked, params):
    client.force_login(world.users["admin"])
    assert client.get(reverse("kpi:linkage"), params).status_code in (200, 404)
    assert client.get(reverse("kpi:cycles"), {"indicator": "nope", **params}).status_code in (
        200,
        404,
    )


def test_the_matrix_reads_the_closed_months_when_there_are_enough(client, world, linked):
    from kpi.services import period_close

    for month in (1, 2, 3):
        period_close(kind="month", day=datetime.date(2026, month, 1), shortfalls=False)
    client.force_login(world.users["manager"])
    html = client.get(reverse("kpi:linkage"), {"period": "2026-03"}).content.decode()
    assert "one team in one month (the values the month closes stored)" in html
    assert 'class="kpi-matrix"' in html
