"""The PostgreSQL close (kpi.closes: the measurements read once, every level rolled up from the
finest groups, the values written in one statement) stores exactly what the level-by-level
roll-up (kpi.selectors.rollup_many, one GROUP BY per level) gives: the same units, numerators,
denominators, scopes and values, with an agent moving team, a day without a team, a zero
denominator, an additive count and a team-grain indicator; a repeat close writes nothing.
(On SQLite the close is the level-by-level roll-up itself: the check still holds.)"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kpi.models import KpiValue, Measurement
from kpi.selectors import rollup_many
from kpi.services import VALUE_LEVELS, period_close
from qa_center import periods
from tests.factories.kpi import indicator

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)


def _m(ind, agent, team, day, n, d=None):
    return Measurement(
        indicator=ind,
        level="agent",
        unit_id=agent.pk,
        agent=agent,
        team=team,
        department=team.department if team else None,
        day=MARCH + datetime.timedelta(days=day),
        numerator=Decimal(n),
        denominator=None if d is None else Decimal(d),
        origin="api",
    )


def _expected(indicators, period):
    by_id = {i.pk: i for i in indicators}
    out = {}
    for level in VALUE_LEVELS:
        grouped = rollup_many(indicators, level=level, start=period.first_day, end=period.last_day)
        for indicator_id, rows in grouped.items():
            for r in rows:
                out[(indicator_id, str(level), r["unit_id"])] = (
                    r["numerator"],
                    r["denominator"],
                    r["department_id"] if level != "center" else None,
                    r["team_id"] if level in ("team", "agent") else None,
                    r["agent_id"] if level == "agent" else None,
                    by_id[indicator_id].value_of(r["numerator"], r["denominator"]),
                )
    return out


def _stored(period):
    return {
        (v.indicator_id, v.level, v.unit_id): (
            v.numerator,
            v.denominator,
            v.department_id,
            v.team_id,
            v.agent_id,
            v.value,
        )
        for v in KpiValue.objects.filter(period_kind="month", period_start=period.first_day)
    }


def test_the_sql_close_stores_what_the_level_by_level_rollup_gives(world):
    sl, fcr = indicator("sl"), indicator("fcr")
    calls = indicator("calls", measure="additive")
    wg = indicator("wg", grain="team")
    a1, b1 = world.team_a1, world.team_b1
    mover, steady, zero = world.agents["a1"]
    other = world.agents["b1"][0]
    rows = [
        # sl: the mover works in a1 then b1; fcr: only in a1 (moved in sl: b1 for both).
        *(_m(sl, mover, a1, d, 7 + d, 9 + d) for d in range(0, 9)),
        *(_m(sl, mover, b1, d, 3, 4) for d in range(14, 20)),
        *(_m(fcr, mover, a1, d, 1, 2) for d in range(0, 5)),
        # a day without a team, the rest in a1
        _m(sl, steady, None, 3, 5, 8),
        *(_m(sl, steady, a1, d, 11, 13) for d in range(4, 12)),
        # a zero denominator: no value
        *(_m(fcr, zero, a1, d, 0, 0) for d in range(2)),
        *(_m(sl, other, b1, d, 997, 1009) for d in range(3)),
        *(_m(calls, agent, agent.team, d, 2 + d) for agent in (mover, other) for d in range(4)),
    ]
    Measurement.objects.bulk_create(rows)
    for team, n, d in ((a1, 19, 23), (b1, 29, 31)):
        Measurement.objects.create(
            indicator=wg,
            level="team",
            unit_id=team.pk,
            team=team,
            department=team.department,
            day=MARCH,
            numerator=n,
            denominator=d,
            origin="api",
        )
    period = periods.period_of("month", MARCH)
    indicators = [sl, fcr, calls, wg]
    expected = _expected(indicators, period)

    period_close(kind="month", day=MARCH, shortfalls=False)

    stored = _stored(period)
    assert stored == expected
    assert stored[(sl.pk, "agent", mover.pk)][3] == b1.pk
    assert stored[(fcr.pk, "agent", mover.pk)][3] == b1.pk
    assert stored[(fcr.pk, "agent", zero.pk)][5] is None
    assert (wg.pk, "agent", mover.pk) not in stored and (wg.pk, "team", a1.pk) in stored

    # A repeat close writes nothing; a changed figure rewrites its units only, a unit without
    # data any more loses its value.
    stamps = dict(KpiValue.objects.values_list("pk", "computed_at"))
    period_close(kind="month", day=MARCH, shortfalls=False)
    assert dict(KpiValue.objects.values_list("pk", "computed_at")) == stamps
    Measurement.objects.filter(indicator=sl, agent=other).update(numerator=1)
    Measurement.objects.filter(indicator=fcr, agent=zero).delete()
    period_close(kind="month", day=MARCH, shortfalls=False)
    stored = _stored(period)
    assert stored == _expected(indicators, period)
    assert (fcr.pk, "agent", zero.pk) not in stored
    changed = {
        (v.indicator_id, v.level, v.unit_id)
        for v in KpiValue.objects.all()
        if v.computed_at != stamps.get(v.pk)
    }
    assert changed == {
        (sl.pk, "agent", other.pk),
        (sl.pk, "team", b1.pk),
        (sl.pk, "department", b1.department_id),
        (sl.pk, "center", 0),
    }
