"""Demo KPIs: the standard catalogue, a year of daily measurements for every demo agent, the
2026 targets cascaded from the center to the teams, appraisal weights, two declared links and
last month's close (shortfalls with their corrective actions).

The series are made so that the pages have something true to find:
- a weekly cycle (Mondays busy and slower to answer, weekends quieter and better answered);
- real shifts: team d1-t2's service level drops by 7 points over the last three weeks of last
  month, team d2-t1's handle time rises by 40 s from the first of last month — both are found
  by their control charts at the close;
- a lagged link: the center's first-contact resolution moves with a daily shock, and repeat
  calls move the opposite way seven days later (the linkage page shows lag +7, sign −).

Fast: numbers drawn with numpy, rows written with bulk_create (~330,000 rows). Safe to run
twice: nothing is written when demo measurements exist.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

DAYS = 365
LAG = 7
# Monday … Sunday: calls offered, and the service level's weekday factor.
VOLUME = (1.25, 1.1, 1.05, 1.0, 1.0, 0.75, 0.6)
SL_WEEKDAY = (0.95, 0.98, 1.0, 1.0, 1.0, 1.03, 1.04)
# The indicators with a year of agent × day measurements, and their 2026 targets. Five, not
# the whole external catalogue: each adds ~48,000 rows and the whole seed_demo must stay fast.
TARGETS_2026 = {
    "service_level": "0.85",
    "aht": "300",
    "fcr": "0.75",
    "repeat_calls": "0.12",
    "csat": "0.90",
}
JUSTIFICATION = "演示数据 / demo data"
WEIGHTS = {
    "department": {
        "service_level": 25,
        "fcr": 20,
        "csat": 15,
        "repeat_calls": 10,
        "aht": 10,
        "walkthrough_score": 20,
    },
    "teamlead": {"service_level": 30, "fcr": 25, "csat": 25, "repeat_calls": 20},
    "agent": {"service_level": 30, "fcr": 25, "aht": 20, "csat": 25},
}


def seed(*, stdout=None, rng=None) -> None:
    import numpy as np
    from django.db import connection, transaction
    from django.utils import timezone

    from kpi.models import AppraisalWeight, Indicator, IndicatorLink, Measurement
    from kpi.services import catalogue_load
    from org.models import Agent, User
    from qa_center import periods

    catalogue_load()
    if Measurement.objects.filter(origin=Measurement.Origin.DEMO).exists():
        return
    agents = list(Agent.objects.select_related("team").order_by("employee_no"))
    if not agents:
        return
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=TARGETS_2026)}
    seed_value = rng.randrange(2**32) if rng is not None else 10086
    gen = np.random.default_rng(seed_value)
    today = periods.current("day").first_day
    first = today - datetime.timedelta(days=DAYS)
    days = [first + datetime.timedelta(days=i) for i in range(DAYS)]
    weekday = np.array([d.weekday() for d in days])
    last_month = periods.previous(periods.current("month"))
    lm_start = (last_month.first_day - first).days
    lm_end = (last_month.last_day - first).days + 1

    # The center's daily shock to first-contact resolution; repeat calls answer it LAG days later.
    shock = gen.normal(0, 0.025, DAYS + LAG)
    fcr_shock = shock[LAG:]
    repeat_shock = -0.6 * shock[:DAYS]
    volume = np.array(VOLUME)[weekday]
    sl_weekday = np.array(SL_WEEKDAY)[weekday]

    rows: list[tuple] = []
    adapt_day = connection.ops.adapt_datefield_value
    day_values = [adapt_day(d) for d in days]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    origin = str(Measurement.Origin.DEMO.value)

    def add(code, agent, numerators, denominators):
        ind = indicators.get(code)
        if ind is None:
            return
        team = agent.team
        fixed = ("agent", agent.pk, agent.pk, team.pk, team.department_id, ind.pk)
        for day, num, den in zip(
            day_values, numerators.tolist(), denominators.tolist(), strict=True
        ):
            rows.append((*fixed, day, int(num), int(den), origin, now))

    team_effect: dict[int, float] = {}
    for agent in agents:
        team = agent.team
        effect = team_effect.setdefault(team.pk, float(gen.normal(0, 0.015)))
        skill = float(gen.normal(0, 0.01))
        offered = gen.poisson(70 * volume)
        sl = 0.86 * sl_weekday + effect + skill + gen.normal(0, 0.02, DAYS)
        if team.code == "d1-t2":  # a real shift: the last three weeks of last month
            sl[max(lm_start, lm_end - 21) : lm_end] -= 0.07
        answered_in_time = gen.binomial(offered, np.clip(sl, 0.3, 0.99))
        add("service_level", agent, answered_in_time, offered)
        abandoned = gen.binomial(offered, np.clip(0.04 + (0.86 - sl) * 0.4, 0.005, 0.5))
        handled = offered - abandoned
        aht = 290 + 25 * (volume - 1) + gen.normal(0, 12, DAYS) + 100 * skill
        if team.code == "d2-t1":  # a real shift: handle time up from the first of last month
            aht[lm_start:] += 40
        add("aht", agent, np.round(aht * handled), handled)
        fcr = 0.76 + effect + fcr_shock + gen.normal(0, 0.02, DAYS)
        resolved = gen.binomial(handled, np.clip(fcr, 0.3, 0.99))
        add("fcr", agent, resolved, handled)
        repeat = 0.12 - effect / 2 + repeat_shock + gen.normal(0, 0.01, DAYS)
        add("repeat_calls", agent, gen.binomial(handled, np.clip(repeat, 0.01, 0.6)), handled)
        surveyed = gen.binomial(handled, 0.3)
        add("csat", agent, gen.binomial(surveyed, np.clip(0.9 + effect, 0.5, 0.99)), surveyed)

    with transaction.atomic():
        _insert(Measurement, rows)
        _weights(AppraisalWeight, Indicator)
        admin = (
            User.objects.filter(username="admin").first()
            or User.objects.filter(is_superuser=True).first()
        )
        if indicators.get("fcr") and indicators.get("repeat_calls"):
            IndicatorLink.objects.get_or_create(
                source=indicators["fcr"],
                target=indicators["repeat_calls"],
                department=None,
                defaults={
                    "lag_days": LAG,
                    "sign": -1,
                    "note": "一次解决率下降，一周内重复来电上升（7 天内同一事项再次来电）。",
                    "declared_by": admin,
                },
            )
        if indicators.get("aht") and indicators.get("service_level"):
            IndicatorLink.objects.get_or_create(
                source=indicators["aht"],
                target=indicators["service_level"],
                department=None,
                defaults={
                    "lag_days": 0,
                    "sign": -1,
                    "note": "处理时长上升，当天接通率下降。",
                    "declared_by": admin,
                },
            )
    if admin is not None:
        _targets(admin, indicators)
    from kpi.services import period_close

    # Last month closed for every demo indicator (whatever period each is watched on), so the
    # month's shortfalls — the two shifts among them — are there with their actions.
    closed = period_close(
        kind="month", day=last_month.first_day, indicators=list(indicators.values())
    )
    if stdout is not None:
        stdout.write(
            f"KPI demo: {len(rows)} measurements; close of {closed.period}: "
            f"{closed.shortfalls} shortfalls."
        )


def _insert(Measurement, rows: list[tuple]) -> None:  # noqa: N803 - the model class
    """Plain INSERTs in batches: a third of a million model instances through bulk_create take
    minutes; the same rows as tuples through executemany take seconds. Columns from the
    model's own metadata, values adapted by the backend (SQLite and PostgreSQL alike)."""
    from django.db import connection

    meta = Measurement._meta
    names = [
        "level",
        "unit_id",
        "agent",
        "team",
        "department",
        "indicator",
        "day",
        "numerator",
        "denominator",
        "origin",
        "updated_at",
    ]
    columns = ", ".join(connection.ops.quote_name(meta.get_field(n).column) for n in names)
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 20000):
            cursor.executemany(sql, rows[start : start + 20000])


def _weights(AppraisalWeight, Indicator) -> None:  # noqa: N803 - model classes passed in
    by_code = {i.code: i for i in Indicator.objects.all()}
    made = []
    for scheme, table in WEIGHTS.items():
        if AppraisalWeight.objects.filter(scheme=scheme, department__isnull=True).exists():
            continue
        if not all(code in by_code for code in table):
            continue
        made += [
            AppraisalWeight(scheme=scheme, indicator=by_code[code], weight=Decimal(weight))
            for code, weight in table.items()
        ]
    AppraisalWeight.objects.bulk_create(made)


def _targets(admin, indicators) -> None:
    """The center's 2026 targets, cascaded to departments and teams, all active (the demo
    administrator justifies any that fails SMART)."""
    from kpi.models import Target
    from kpi.services import target_activate, target_cascade, target_save
    from qa_center.levels import Level

    if Target.objects.filter(level=Level.CENTER, valid_from__year=2026).exists():
        return
    teams: list[int] = []
    for code, value in TARGETS_2026.items():
        ind = indicators.get(code)
        if ind is None:
            continue
        center = target_save(
            by=admin,
            indicator=ind,
            level=Level.CENTER,
            unit=None,
            valid_from=datetime.date(2026, 1, 1),
            valid_to=datetime.date(2026, 12, 31),
            value=Decimal(value),
        )
        target_activate(by=admin, target=center, justification=JUSTIFICATION)
        for child in target_cascade(by=admin, target=center, depth=2):
            if child.level == Level.DEPARTMENT:
                target_activate(by=admin, target=child, justification=JUSTIFICATION)
            else:
                teams.append(child.pk)
    # The teams' proposals (the same value as their department's for rates and means) are
    # activated in one UPDATE rather than 84 SMART reports: the demo must seed in seconds.
    Target.objects.filter(pk__in=teams).update(
        status=Target.Status.ACTIVE, proposed=False, justification=JUSTIFICATION
    )
