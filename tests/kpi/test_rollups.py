"""Measurements roll up exactly: a team's, department's, center's and month's value is the sum
of the numerators over the sum of the denominators, to the last digit; recomputing is
idempotent; an agent moving team leaves their days with the old team."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kpi.models import KpiValue, Measurement
from kpi.selectors import unit_series, unit_values
from kpi.services import MeasurementRow, MeasurementsRefusedError, measurements_record, period_close
from org.models import TeamMembership
from tests.factories.kpi import indicator, record

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)


def _day(n: int) -> datetime.date:
    return MARCH + datetime.timedelta(days=n)


@pytest.fixture
def posted(world):
    """Agents with very different volumes: a mean of their rates would be far from the truth."""
    sl = indicator("sl")
    a1, a2, a3 = world.agents["a1"]
    b1 = world.agents["a2"][0]
    c1 = world.agents["b1"][0]
    figures = {
        a1: [(7, 9), (13, 17), (1, 3)],
        a2: [(997, 1009), (0, 1)],
        a3: [(23, 29)],
        b1: [(31, 37), (41, 43)],
        c1: [(53, 59), (61, 67), (71, 73)],
    }
    rows = []
    for agent, days in figures.items():
        for i, (n, d) in enumerate(days):
            rows.append(("agent", agent.employee_no, _day(i * 11).isoformat(), n, d))
    record(sl, rows)
    return sl, figures


def _ratio(pairs) -> float:
    return float(sum(n for n, _d in pairs)) / float(sum(d for _n, d in pairs))


def test_team_department_center_and_month_are_ratios_of_sums(world, posted):
    sl, figures = posted
    period_close(kind="month", day=MARCH)
    values = {(v.level, v.unit_id): v for v in KpiValue.objects.filter(indicator=sl)}
    a1_team = [p for agent in world.agents["a1"] for p in figures[agent]]
    dep_a = a1_team + figures[world.agents["a2"][0]]
    everything = [p for pairs in figures.values() for p in pairs]

    assert values[("team", world.team_a1.pk)].value == _ratio(a1_team)
    assert values[("department", world.dep_a.pk)].value == _ratio(dep_a)
    assert values[("center", 0)].value == _ratio(everything)
    assert values[("agent", world.agents["a1"][0].pk)].value == _ratio(
        figures[world.agents["a1"][0]]
    )
    team = values[("team", world.team_a1.pk)]
    assert (team.numerator, team.denominator) == (Decimal(1041), Decimal(1068))
    # Not the mean of the agents' rates (0.61 here against 0.975 exactly).
    mean_of_rates = sum(_ratio(figures[a]) for a in world.agents["a1"]) / 3
    assert abs(team.value - mean_of_rates) > 0.1


def test_unit_series_by_week_and_unit_values(world, posted):
    sl, figures = posted
    frame = unit_series(
        indicator=sl, level="team", unit=world.team_a1, start=MARCH, end=_day(30), grain="month"
    )
    assert list(frame.columns) == ["period_start", "numerator", "denominator", "value"]
    assert frame.loc[0, "value"] == 1041 / 1068
    weeks = unit_series(
        indicator=sl, level="center", unit=None, start=MARCH, end=_day(30), grain="week"
    )
    assert all(d.weekday() == 0 for d in weeks["period_start"])
    assert weeks["numerator"].sum() == sum(n for p in figures.values() for n, _d in p)
    teams = unit_values(indicators=[sl], level="team", start=MARCH, end=_day(30))
    assert set(teams["unit_id"]) == {world.team_a1.pk, world.team_a2.pk, world.team_b1.pk}


def test_closing_twice_gives_the_same_rows(world, posted):
    sl, _figures = posted
    period_close(kind="month", day=MARCH)
    first = sorted(
        KpiValue.objects.values_list("level", "unit_id", "numerator", "denominator", "value")
    )
    period_close(kind="month", day=_day(20))
    again = sorted(
        KpiValue.objects.values_list("level", "unit_id", "numerator", "denominator", "value")
    )
    assert first == again
    assert KpiValue.objects.count() == 1 + 2 + 3 + 5


def test_posting_a_row_again_replaces_it(world, posted):
    sl, _figures = posted
    agent = world.agents["a1"][0]
    before = Measurement.objects.count()
    record(sl, [("agent", agent.employee_no, MARCH.isoformat(), 8, 9)])
    assert Measurement.objects.count() == before
    row = Measurement.objects.get(indicator=sl, agent=agent, day=MARCH)
    assert (row.numerator, row.denominator) == (8, 9)


def test_a_bad_row_refuses_every_row(world):
    indicator("sl")
    agent = world.agents["a1"][0]
    rows = [
        MeasurementRow("sl", "agent", agent.employee_no, "2026-03-01", 5, 10, line=1),
        MeasurementRow("sl", "agent", "NOBODY", "2026-03-01", 5, 10, line=2),
        MeasurementRow("sl", "agent", agent.employee_no, "2026-03-02", 11, 10, line=3),
        MeasurementRow("sl", "agent", agent.employee_no, "2026-02-30", 1, 10, line=4),
        MeasurementRow("sl", "team", "a1", "2026-03-03", 1, 10, line=5),
        MeasurementRow("nope", "agent", agent.employee_no, "2026-03-03", 1, 10, line=6),
    ]
    with pytest.raises(MeasurementsRefusedError) as refused:
        measurements_record(rows=rows, origin="api")
    where = {(p.line, p.field) for p in refused.value.problems}
    assert where == {(2, "agent"), (3, "numerator"), (4, "date"), (5, "scope"), (6, "indicator")}
    assert not Measurement.objects.exists()


def test_means_roll_up_as_sum_over_count(world):
    aht = indicator("aht", measure="mean", direction="lower")
    a, b = world.agents["a1"][:2]
    record(
        aht,
        [
            ("agent", a.employee_no, "2026-03-02", 300, 10),
            ("agent", b.employee_no, "2026-03-02", 100, 1),
        ],
    )
    period_close(kind="month", day=MARCH)
    team = KpiValue.objects.get(indicator=aht, level="team", unit_id=world.team_a1.pk)
    assert team.value == (300 * 10 + 100) / 11


def test_an_agent_moving_team_keeps_history_with_the_old_team(world):
    sl = indicator("sl")
    agent = world.agents["a1"][0]
    TeamMembership.objects.filter(agent=agent).update(ended_on=datetime.date(2026, 3, 9))
    TeamMembership.objects.create(
        agent=agent, team=world.team_b1, started_on=datetime.date(2026, 3, 10)
    )
    agent.team = world.team_b1
    agent.save()
    record(
        sl,
        [
            ("agent", agent.employee_no, "2026-03-05", 1, 2),
            ("agent", agent.employee_no, "2026-03-15", 3, 4),
        ],
    )
    period_close(kind="month", day=MARCH)
    old = KpiValue.objects.get(indicator=sl, level="team", unit_id=world.team_a1.pk)
    new = KpiValue.objects.get(indicator=sl, level="team", unit_id=world.team_b1.pk)
    assert (old.numerator, old.denominator) == (1, 2)
    assert (new.numerator, new.denominator) == (3, 4)
    assert KpiValue.objects.get(indicator=sl, level="agent", unit_id=agent.pk).value == 4 / 6
