"""Shortfalls are locked when a period closes: one set however often it closes, assigned to the
unit's owner with a corrective action; late data make a new revision, the locked figures stay."""

from __future__ import annotations

import datetime

import pytest

from kpi.models import Shortfall
from kpi.services import period_close
from tests.factories.kpi import indicator, record, target

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)


@pytest.fixture
def missed(world):
    sl = indicator("sl")
    a, b = world.agents["a1"][:2]
    c = world.agents["a2"][0]
    record(
        sl,
        [
            ("agent", a.employee_no, "2026-03-02", 60, 100),
            ("agent", b.employee_no, "2026-03-02", 70, 100),
            ("agent", c.employee_no, "2026-03-02", 95, 100),
        ],
    )
    target(sl, "0.8")  # the center: 225/300 = 0.75, amber? no: 0.75 < 0.76 → red
    target(sl, "0.8", level="team", unit=world.team_a1)  # 130/200 = 0.65 → red
    target(sl, "0.8", level="team", unit=world.team_a2)  # 0.95 → green, no shortfall
    return sl


def _misses():
    return sorted(
        Shortfall.objects.filter(kind="target_miss").values_list("level", "unit_id", "revision")
    )


def test_a_missed_target_is_a_shortfall_owned_and_with_an_action(world, missed):
    result = period_close(kind="month", day=MARCH)
    assert result.shortfalls == 2
    team = Shortfall.objects.get(kind="target_miss", level="team")
    assert team.unit_id == world.team_a1.pk
    assert (team.numerator, team.denominator, team.band) == (130, 200, "red")
    assert team.owner == world.users["teamlead"]
    assert team.action is not None and team.action.source == "shortfall"
    assert team.action.owner == world.users["teamlead"] and team.action.team == world.team_a1
    center = Shortfall.objects.get(kind="target_miss", level="center")
    assert center.owner == world.users["manager"]


def test_closing_twice_gives_one_set(world, missed):
    period_close(kind="month", day=MARCH)
    first = _misses()
    again = period_close(kind="month", day=datetime.date(2026, 3, 31))
    assert (again.shortfalls, again.revisions) == (0, 0)
    assert _misses() == first


def test_late_data_make_a_revision_and_the_locked_figures_stay(world, missed):
    period_close(kind="month", day=MARCH)
    locked = Shortfall.objects.get(kind="target_miss", level="team")
    late = world.agents["a1"][2]
    record(missed, [("agent", late.employee_no, "2026-03-20", 10, 100)])
    result = period_close(kind="month", day=MARCH)
    assert result.revisions == 2  # the team and the center
    locked.refresh_from_db()
    assert (locked.numerator, locked.denominator, locked.revision) == (130, 200, 1)
    revision = Shortfall.objects.get(kind="target_miss", level="team", revision=2)
    assert (revision.numerator, revision.denominator) == (140, 300)
    assert revision.is_revision and revision.action_id == locked.action_id
    assert period_close(kind="month", day=MARCH).revisions == 0


def test_a_draft_target_finds_nothing(world):
    sl = indicator("sl")
    a = world.agents["a1"][0]
    record(sl, [("agent", a.employee_no, "2026-03-02", 1, 100)])
    target(sl, "0.8", status="draft")
    assert period_close(kind="month", day=MARCH).shortfalls == 0


def test_lower_is_better_bands(world):
    aban = indicator("aban", direction="lower")
    a = world.agents["a1"][0]
    record(aban, [("agent", a.employee_no, "2026-03-02", 52, 1000)])
    t = target(aban, "0.05")
    assert t.band_of(0.05) == "green"
    assert t.band_of(0.052) == "amber"
    assert t.band_of(0.06) == "red"
    period_close(kind="month", day=MARCH)
    assert Shortfall.objects.get(level="center").band == "amber"


def test_a_shift_injected_in_one_team_is_a_special_cause(world):
    sl = indicator("sl", period="week")
    a = world.agents["a1"][0]
    b = world.agents["b1"][0]
    start = datetime.date(2026, 1, 5)
    rows = []
    for i in range(84 + 7):
        day = start + datetime.timedelta(days=i)
        wobble = (i * 7) % 5
        shifted = i >= 84
        rows.append(
            ("agent", a.employee_no, day.isoformat(), (500 if shifted else 800) + wobble, 1000)
        )
        rows.append(("agent", b.employee_no, day.isoformat(), 800 + wobble, 1000))
    record(sl, rows)
    period_close(kind="week", day=start + datetime.timedelta(days=84))
    found = Shortfall.objects.filter(kind="special_cause")
    assert {(s.level, s.unit_id) for s in found if s.level == "team"} == {
        ("team", world.team_a1.pk)
    }
    assert all(s.signal for s in found)
