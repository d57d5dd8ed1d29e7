"""The KPI tree (center → departments → teams → agents), the department performance appraisal
(部门绩效考核) and the agent and team-lead scorecards, with Excel and PDF of the tree and the
appraisal. Figures come from kpi.tree; who sees which node is decided there too."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kpi import charts, exports, tree
from kpi.models import AppraisalWeight
from qa_center import filters, periods
from qa_center.filters import parse_for_page
from qa_center.levels import Level
from qa_center.permissions import has_capability

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def kpi_reader(view: Callable) -> Callable:
    """Logged in, and able to see results (their own, for an agent)."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (has_capability(user, "view_results") or has_capability(user, "own_results")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _month(request: HttpRequest, params: dict) -> periods.Period:
    given = params.get("period")
    if given is not None:
        return periods.period_of("month", given)
    return periods.previous(periods.current("month"))


def _parse(request: HttpRequest) -> dict:
    parsed = parse_for_page(request, {"period": filters.month, "node": filters.text(40)})
    return parsed.values


def _page(request: HttpRequest, *, trend: bool = True) -> tree.TreePage:
    params = _parse(request)
    node = tree.node_get(request.user, params.get("node") or tree.home_node(request.user))
    return tree.tree_page(request.user, node, _month(request, params), trend=trend)


def _trend_svgs(page: tree.TreePage) -> None:
    for cell in page.own.cells:
        cell.spark = charts.sparkline(
            cell.trend,
            title=_("%(indicator)s, last 12 months") % {"indicator": cell.indicator.name},
            target=float(cell.target.value) if cell.target is not None else None,
        )


def _nav(page: tree.TreePage) -> dict:
    prev, nxt = periods.previous(page.period), periods.following(page.period)
    return {"prev_period": str(prev), "next_period": str(nxt), "period_label": str(page.period)}


@kpi_reader
def kpi_tree(request: HttpRequest) -> HttpResponse:
    page = _page(request)
    _trend_svgs(page)
    return render(
        request,
        "kpi/tree.html",
        {"page": page, "child_level": tree.CHILD.get(page.node.level), **_nav(page)},
    )


@kpi_reader
def kpi_tree_xlsx(request: HttpRequest) -> HttpResponse:
    page = _page(request, trend=False)
    response = HttpResponse(exports.tree_xlsx(page), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{exports.tree_filename(page)}.xlsx"'
    return response


@kpi_reader
def kpi_tree_pdf(request: HttpRequest) -> HttpResponse:
    page = _page(request)
    _trend_svgs(page)
    response = HttpResponse(exports.tree_pdf(page), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{exports.tree_filename(page)}.pdf"'
    return response


def _appraisal_rows(request: HttpRequest) -> tuple[tree.TreePage, list[dict]]:
    """The center's departments the user may see, each with its weighted composite."""
    params = _parse(request)
    if not has_capability(request.user, "view_results"):
        raise PermissionDenied
    center = tree.node_get(request.user, "center")
    page = tree.tree_page(request.user, center, _month(request, params), trend=False)
    cache: dict = {}
    rows = [
        {
            "row": row,
            "composite": tree.appraisal(page, row, AppraisalWeight.Scheme.DEPARTMENT, cache),
        }
        for row in page.children
    ]
    for item in rows:
        _display(item["composite"], page)
    return page, rows


def _display(result, page: tree.TreePage) -> None:
    by_code = {ind.code: ind for ind in page.indicators}
    for component in result.components:
        ind = by_code.get(component.code)
        component.__dict__["value_shown"] = ind.display(component.value) if ind else component.value
        component.__dict__["target_shown"] = (
            ind.display(component.target) if ind and component.target is not None else "—"
        )


@kpi_reader
def kpi_appraisal(request: HttpRequest) -> HttpResponse:
    page, rows = _appraisal_rows(request)
    return render(request, "kpi/appraisal.html", {"page": page, "rows": rows, **_nav(page)})


@kpi_reader
def kpi_appraisal_xlsx(request: HttpRequest) -> HttpResponse:
    page, rows = _appraisal_rows(request)
    response = HttpResponse(exports.appraisal_xlsx(page, rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="appraisal-{page.period}.xlsx"'
    return response


@kpi_reader
def kpi_appraisal_pdf(request: HttpRequest) -> HttpResponse:
    page, rows = _appraisal_rows(request)
    response = HttpResponse(exports.appraisal_pdf(page, rows), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="appraisal-{page.period}.pdf"'
    return response


@kpi_reader
def kpi_scorecard(request: HttpRequest) -> HttpResponse:
    """A team's scorecards: the team lead's (the team's figures under the team-lead weights)
    and each agent's; an agent sees only their own."""
    params = _parse(request)
    node = tree.node_get(request.user, params.get("node") or tree.home_node(request.user))
    period = _month(request, params)
    if node.level == Level.AGENT:
        page = tree.tree_page(request.user, node, period, trend=False)
        team_card = None
        agent_rows = [page.own]
    elif node.level == Level.TEAM:
        page = tree.tree_page(request.user, node, period, trend=False)
        team_card = tree.appraisal(page, page.own, AppraisalWeight.Scheme.TEAM_LEAD)
        _display(team_card, page)
        agent_rows = page.children
    else:
        # Above a team there is no scorecard: the tree shows the way down.
        page = tree.tree_page(request.user, node, period, trend=False)
        return render(
            request, "kpi/scorecard.html", {"page": page, "pick_team": True, **_nav(page)}
        )
    cards, cache = [], {}
    for row in agent_rows:
        card = tree.appraisal(page, row, AppraisalWeight.Scheme.AGENT, cache)
        _display(card, page)
        cards.append({"row": row, "composite": card})
    return render(
        request,
        "kpi/scorecard.html",
        {"page": page, "team_card": team_card, "cards": cards, **_nav(page)},
    )
