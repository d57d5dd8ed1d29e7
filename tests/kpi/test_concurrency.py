"""Closes at once: PostgreSQL, real threads, real transactions. Four closes of one month at the
same moment leave one value per unit and one set of shortfalls, each with one action."""

from __future__ import annotations

import datetime

import pytest

from kpi.models import KpiValue, Shortfall
from kpi.services import period_close
from tests.concurrency import in_threads
from tests.factories.kpi import indicator, record, target

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MARCH = datetime.date(2026, 3, 1)


def _missing_targets(world):
    sl = indicator("sl")
    rows = []
    for team in ("a1", "a2", "b1"):
        for i, agent in enumerate(world.agents[team]):
            rows.append(("agent", agent.employee_no, f"2026-03-{i + 2:02d}", 50 + i, 100))
    record(sl, rows)
    target(sl, "0.9")
    for team in (world.team_a1, world.team_a2, world.team_b1):
        target(sl, "0.9", level="team", unit=team)
    return sl


def test_four_closes_at_once_give_one_set(world):
    _missing_targets(world)
    errors = in_threads(lambda: period_close(kind="month", day=MARCH))
    assert errors == []
    assert Shortfall.objects.filter(kind="target_miss").count() == 4  # the center, three teams
    assert Shortfall.objects.filter(revision__gt=1).count() == 0
    actions = list(Shortfall.objects.values_list("action_id", flat=True))
    assert None not in actions and len(set(actions)) == len(actions)
    assert KpiValue.objects.count() == 1 + 2 + 3 + 7


def test_late_data_closed_twice_at_once_make_one_revision(world):
    sl = _missing_targets(world)
    period_close(kind="month", day=MARCH)
    locked = {s.pk: (s.numerator, s.denominator) for s in Shortfall.objects.all()}
    record(sl, [("agent", world.agents["a1"][0].employee_no, "2026-03-20", 1, 100)])
    errors = in_threads(lambda: period_close(kind="month", day=MARCH))
    assert errors == []
    revisions = Shortfall.objects.filter(revision=2)
    assert {s.level for s in revisions} == {"center", "team"} and revisions.count() == 2
    assert {
        s.pk: (s.numerator, s.denominator) for s in Shortfall.objects.filter(pk__in=locked)
    } == locked
