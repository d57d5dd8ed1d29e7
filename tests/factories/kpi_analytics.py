"""KPI data for the page tests of kpi-analytics: a few indicators, daily measurements for every
agent of the world, targets and appraisal weights — written with bulk_create."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kpi.models import AppraisalWeight, Indicator, IndicatorLink, Measurement, Target
from qa_center.levels import Level

MONTH = datetime.date(2026, 3, 1)


def make_indicators() -> dict[str, Indicator]:
    specs = [
        ("SL", "接通率", "Service level", "rate", "higher", "%", 100, "external"),
        ("FCR", "一次解决率", "First-contact resolution", "rate", "higher", "%", 100, "external"),
        ("AHT", "平均处理时长", "Average handle time", "mean", "lower", "s", 1, "external"),
        ("WT", "走查得分", "Walk-through score", "mean", "higher", "", 1, "walkthrough_score"),
    ]
    made = {}
    for code, zh, en, measure, direction, unit, scale, source in specs:
        made[code] = Indicator.objects.create(
            code=code,
            name_zh=zh,
            name_en=en,
            definition_zh=f"{zh}的定义",
            definition_en=f"Definition of {en}",
            unit=unit,
            scale=scale,
            direction=direction,
            measure=measure,
            period="month",
            grain=Level.DEPARTMENT if code == "WT" else Level.AGENT,
            source=source,
        )
    return made


def agent_row(ind, agent, day, numerator, denominator) -> Measurement:
    return Measurement(
        indicator=ind,
        level=Level.AGENT,
        unit_id=agent.pk,
        agent=agent,
        team_id=agent.team_id,
        department_id=agent.team.department_id,
        day=day,
        numerator=Decimal(str(numerator)),
        denominator=Decimal(str(denominator)) if denominator is not None else None,
        origin=Measurement.Origin.DEMO,
    )


def fill_month(world, indicators, *, month=MONTH, days=28, agents=None, sl=None) -> list:
    """Every agent: 100 offered calls a day, `sl(agent, day)` answered in time (80 by default),
    FCR 70 of 100, AHT 300 s over 100 calls."""
    rows = []
    everyone = agents or [a for group in world.agents.values() for a in group]
    for agent in everyone:
        for i in range(days):
            day = month + datetime.timedelta(days=i)
            answered = sl(agent, day) if sl else 80
            rows.append(agent_row(indicators["SL"], agent, day, answered, 100))
            rows.append(agent_row(indicators["FCR"], agent, day, 70, 100))
            rows.append(agent_row(indicators["AHT"], agent, day, 30000, 100))
    Measurement.objects.bulk_create(rows)
    return rows


def target(ind, *, level, unit=None, value, month=MONTH) -> Target:
    fields = {"level": level, "unit_id": 0}
    if level == Level.DEPARTMENT:
        fields.update(unit_id=unit.pk, department=unit)
    elif level == Level.TEAM:
        fields.update(unit_id=unit.pk, team=unit, department_id=unit.department_id)
    elif level == Level.AGENT:
        fields.update(
            unit_id=unit.pk, agent=unit, team_id=unit.team_id, department_id=unit.team.department_id
        )
    return Target.objects.create(
        indicator=ind,
        period_kind="month",
        valid_from=month,
        valid_to=datetime.date(month.year, 12, 31),
        value=Decimal(str(value)),
        status=Target.Status.ACTIVE,
        **fields,
    )


def weights(indicators, scheme: str, table: dict[str, int]) -> None:
    AppraisalWeight.objects.bulk_create(
        [
            AppraisalWeight(scheme=scheme, indicator=indicators[code], weight=Decimal(w))
            for code, w in table.items()
        ]
    )


def declare(source, target_, *, lag_days=7, sign=-1, department=None) -> IndicatorLink:
    return IndicatorLink.objects.create(
        source=source, target=target_, lag_days=lag_days, sign=sign, department=department
    )
