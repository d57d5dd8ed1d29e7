"""KPI test data: indicators of each measure, measurements recorded through the service."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kpi.models import Indicator, Target
from kpi.services import MeasurementRow, measurements_record
from qa_center.levels import Level


def indicator(code: str = "sl", *, measure: str = "rate", **fields) -> Indicator:
    defaults = {
        "name_zh": f"指标{code}",
        "name_en": f"Indicator {code}",
        "definition_zh": "定义",
        "definition_en": "Definition",
        "measure": measure,
        "direction": "higher",
        "period": "month",
        "source": "external",
        "unit": "%" if measure == "rate" else "s",
        "scale": 100 if measure == "rate" else 1,
    }
    return Indicator.objects.create(code=code, **{**defaults, **fields})


def record(ind: Indicator, rows, *, origin: str = "api") -> int:
    """rows: (scope, unit code, day, numerator, denominator) for rates, (scope, unit, day,
    value[, count]) otherwise."""
    made = []
    for i, row in enumerate(rows):
        scope, unit, day, *figures = row
        if ind.measure == "rate":
            made.append(MeasurementRow(ind.code, scope, unit, day, figures[0], figures[1], line=i))
        else:
            count = figures[1] if len(figures) > 1 else None
            made.append(
                MeasurementRow(ind.code, scope, unit, day, value=figures[0], count=count, line=i)
            )
    return measurements_record(rows=made, origin=origin)


def target(
    ind: Indicator, value, *, level=Level.CENTER, unit=None, status="active", **fields
) -> Target:
    unit_fields = {"unit_id": 0}
    if level == Level.DEPARTMENT:
        unit_fields = {"unit_id": unit.pk, "department": unit}
    elif level == Level.TEAM:
        unit_fields = {"unit_id": unit.pk, "team": unit, "department": unit.department}
    elif level == Level.AGENT:
        unit_fields = {
            "unit_id": unit.pk,
            "agent": unit,
            "team": unit.team,
            "department": unit.team.department,
        }
    defaults = {
        "period_kind": ind.period,
        "valid_from": datetime.date(2026, 1, 1),
        "valid_to": datetime.date(2026, 12, 31),
    }
    return Target.objects.create(
        indicator=ind,
        level=level,
        value=Decimal(str(value)),
        status=status,
        **unit_fields,
        **{**defaults, **fields},
    )
