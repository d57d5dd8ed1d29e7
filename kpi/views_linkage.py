"""How indicators drive one another (大质量指标联动): the correlation matrix of the center's or a
department's indicators across teams and weeks, the lagged cross-correlation of a pair of
seasonally adjusted daily series next to the links managers declared, and each indicator's
cycle charts (by day with control limits, by week, by weekday)."""

from __future__ import annotations

import datetime
import math

import pandas as pd
from django.db.models import Q, Sum
from django.db.models.functions import TruncWeek
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kpi import charts, tree
from kpi.analytics import linkage, spc
from kpi.models import Indicator, IndicatorLink, KpiValue, Measurement
from kpi.selectors import DEPTH, UNIT_COLUMN, target_for, unit_series
from qa_center import filters, periods
from qa_center.filters import parse_for_page
from qa_center.levels import Level
from qa_center.permissions import capability_required

WINDOW_DAYS = 182
CYCLE_DAYS = 84
CYCLE_WEEKS = 26
MAX_LAG = 14


def _window(period: periods.Period, days: int) -> tuple[datetime.date, datetime.date]:
    end = period.last_day
    return end - datetime.timedelta(days=days - 1), end


def _code_parser(raw: str | None) -> str | None:
    return filters.text(20)(raw) or None


MIN_STORED_MONTHS = 3


def correlation_frame(
    indicators: list[Indicator], *, scope: tuple[str, object] | None, start, end
) -> tuple[pd.DataFrame, str]:
    """Every indicator's value per team of the scope and period, long format for
    linkage.correlation_matrix, and the grain used: the months the closes stored (KpiValue,
    a small indexed table) when at least MIN_STORED_MONTHS of the window are closed, else the
    weeks, in ONE GROUP BY (indicator, team, week) over the measurements."""
    by_id = {ind.pk: ind for ind in indicators if DEPTH[Level.TEAM] <= DEPTH[ind.grain]}
    stored = KpiValue.objects.filter(
        indicator_id__in=list(by_id),
        level=Level.TEAM,
        period_kind="month",
        period_start__gte=start,
        period_start__lte=end,
    )
    if scope is not None:
        stored = stored.filter(**{UNIT_COLUMN[scope[0]]: scope[1]})
    stored_rows = list(stored.values_list("indicator_id", "unit_id", "period_start", "value"))
    if len({row[2] for row in stored_rows}) >= MIN_STORED_MONTHS:
        frame = pd.DataFrame.from_records(
            [(by_id[i].code, u, p, v) for i, u, p, v in stored_rows],
            columns=["indicator", "unit", "period_start", "value"],
        )
        frame["value"] = frame["value"].astype("float64")
        return frame, "month"
    rows = Measurement.objects.filter(
        indicator_id__in=list(by_id), day__gte=start, day__lte=end, team_id__isnull=False
    )
    if scope is not None:
        rows = rows.filter(**{UNIT_COLUMN[scope[0]]: scope[1]})
    grouped = (
        rows.annotate(week=TruncWeek("day"))
        .values("indicator_id", "team_id", "week")
        .annotate(numerator=Sum("numerator"), denominator=Sum("denominator"))
        .order_by()
    )
    records = [
        {
            "indicator": by_id[r["indicator_id"]].code,
            "unit": r["team_id"],
            "period_start": r["week"],
            "value": by_id[r["indicator_id"]].value_of(r["numerator"], r["denominator"]),
        }
        for r in grouped
    ]
    frame = pd.DataFrame.from_records(
        records, columns=["indicator", "unit", "period_start", "value"]
    )
    frame["value"] = frame["value"].astype("float64")
    return frame, "week"


def _matrix_svg(matrix: pd.DataFrame, names: dict[str, str]):
    if matrix.empty:
        return ""
    codes = list(matrix.columns)
    values = [
        [None if not math.isfinite(v) else float(v) for v in matrix.loc[code, codes]]
        for code in codes
    ]
    return charts.matrix_svg(
        labels=[names.get(c, c) for c in codes],
        matrix=values,
        title=_("Correlation of the indicators across teams and weeks"),
    )


@capability_required("view_results")
def kpi_linkage(request: HttpRequest) -> HttpResponse:
    parsed = parse_for_page(
        request,
        {
            "department": filters.id_,
            "a": _code_parser,
            "b": _code_parser,
            "period": filters.month,
        },
    ).values
    user = request.user
    node = tree.node_get(
        user, f"department:{parsed['department']}" if parsed.get("department") else "center"
    )
    period = (
        periods.period_of("month", parsed["period"])
        if parsed.get("period")
        else periods.previous(periods.current("month"))
    )
    start, end = _window(period, WINDOW_DAYS)
    indicators = tree.active_indicators()
    names = {ind.code: ind.name for ind in indicators}
    by_code = {ind.code: ind for ind in indicators}
    scope = None if node.level == Level.CENTER else (node.level, node.unit_id)
    observations, matrix_grain = correlation_frame(indicators, scope=scope, start=start, end=end)
    matrix = linkage.correlation_matrix(observations)
    departments = tree.children_of(user, tree.Node(Level.CENTER, 0))
    declared = list(
        IndicatorLink.objects.filter(
            Q(department__isnull=True) | Q(department_id=node.unit_id or None)
        ).select_related("source", "target", "department")
    )
    a = by_code.get(parsed.get("a") or "")
    b = by_code.get(parsed.get("b") or "")
    if (a is None or b is None) and declared:
        a, b = by_code.get(declared[0].source.code), by_code.get(declared[0].target.code)
    pair = None
    if a is not None and b is not None and a != b:
        series_a = unit_series(
            indicator=a, level=node.level, unit=node.unit_id or None, start=start, end=end
        )
        series_b = unit_series(
            indicator=b, level=node.level, unit=node.unit_id or None, start=start, end=end
        )
        link = linkage.cross_correlation(
            series_a,
            series_b,
            max_lag=MAX_LAG,
            rate_a=a.measure == Indicator.Measure.RATE,
            rate_b=b.measure == Indicator.Measure.RATE,
        )
        highlight = link.lags.index(link.lag) if link.significant else None
        pair = {
            "a": a,
            "b": b,
            "link": link,
            "statement": link.statement(a.name, b.name),
            "chart": charts.bars_svg(
                labels=[str(k) for k in link.lags],
                values=[None if not math.isfinite(v) else v for v in link.r],
                title=_("Cross-correlation of %(a)s and %(b)s by lag (days)")
                % {"a": a.name, "b": b.name},
                band=link.band if math.isfinite(link.band) else None,
                highlight=highlight,
            ),
            "declared": [d for d in declared if {d.source_id, d.target_id} == {a.pk, b.pk}],
        }
    return render(
        request,
        "kpi/linkage.html",
        {
            "node": node,
            "period": period,
            "start": start,
            "end": end,
            "indicators": indicators,
            "departments": departments,
            "matrix_svg": _matrix_svg(matrix, names),
            "matrix_grain": matrix_grain,
            "declared": declared,
            "pair": pair,
            "caveat": linkage.CAVEAT,
            "max_lag": MAX_LAG,
        },
    )


def _weekday_labels() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


@capability_required("view_results")
def kpi_cycles(request: HttpRequest) -> HttpResponse:
    parsed = parse_for_page(
        request, {"indicator": _code_parser, "node": filters.text(40), "period": filters.month}
    ).values
    user = request.user
    node = tree.node_get(user, parsed.get("node") or "center")
    indicator = Indicator.objects.filter(code=parsed.get("indicator") or "").first()
    if indicator is None:
        indicator = Indicator.objects.filter(is_active=True).order_by("code").first()
        if indicator is None:
            raise Http404
    period = (
        periods.period_of("month", parsed["period"])
        if parsed.get("period")
        else periods.previous(periods.current("month"))
    )
    unit = node.unit_id or None
    start, end = _window(period, CYCLE_DAYS)
    daily = unit_series(indicator=indicator, level=node.level, unit=unit, start=start, end=end)
    target = target_for(indicator, level=node.level, unit_id=node.unit_id, day=period.first_day)
    target_value = float(target.value) if target is not None else None
    fmt = indicator.display
    context = {
        "node": node,
        "indicator": indicator,
        "indicators": tree.active_indicators(),
        "period": period,
        "target": target,
    }
    if len(daily) >= spc.MIN_POINTS:
        chart = spc.control_chart(daily, kind=indicator.measure, baseline_end=period.first_day)
        points = chart.points
        context["chart"] = chart
        context["daily_svg"] = charts.control_chart_svg(
            labels=[d.strftime("%m-%d") for d in points["period_start"]],
            values=list(points["value"]),
            center=list(points["center"]),
            lcl=list(points["lcl"]),
            ucl=list(points["ucl"]),
            signals=list(points["signal"]),
            target=target_value,
            title=_("%(indicator)s by day, weekly cycle removed, with control limits")
            % {"indicator": indicator.name},
            fmt=fmt,
        )
        context["signals"] = [s for s in chart.signals if s.period_start >= period.first_day]
        raw = daily.copy()
        weekday = pd.to_datetime(raw["period_start"]).dt.day_of_week
        if indicator.measure == Indicator.Measure.ADDITIVE:
            by_day = raw.groupby(weekday)["value"].mean()
        else:
            sums = raw.groupby(weekday)[["numerator", "denominator"]].sum()
            by_day = sums["numerator"] / sums["denominator"]
        context["weekday_svg"] = charts.weekday_bars_svg(
            labels=_weekday_labels(),
            values=[by_day.get(i) for i in range(7)],
            title=_("%(indicator)s by weekday") % {"indicator": indicator.name},
            fmt=fmt,
            target=target_value if indicator.measure != Indicator.Measure.ADDITIVE else None,
        )
    week_start = periods.week_start_of(end) - datetime.timedelta(weeks=CYCLE_WEEKS - 1)
    weekly = unit_series(
        indicator=indicator, level=node.level, unit=unit, start=week_start, end=end, grain="week"
    )
    if len(weekly) >= spc.MIN_POINTS:
        wchart = spc.control_chart(weekly, kind=indicator.measure, deseasonalize=False)
        wp = wchart.points
        context["weekly_svg"] = charts.control_chart_svg(
            labels=[d.strftime("%m-%d") for d in wp["period_start"]],
            values=list(wp["value"]),
            center=list(wp["center"]),
            lcl=list(wp["lcl"]),
            ucl=list(wp["ucl"]),
            signals=list(wp["signal"]),
            target=target_value if indicator.measure != Indicator.Measure.ADDITIVE else None,
            title=_("%(indicator)s by week, with control limits") % {"indicator": indicator.name},
            fmt=fmt,
        )
    return render(request, "kpi/cycles.html", context)
