"""Organization pages: overview, teams, the agent directory."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from org.forms import AgentMoveForm
from org.models import Agent, Team
from org.selectors import agents_for, departments_for, team_history, teams_for
from org.services import agent_change_team
from org.team_panels import team_panels
from qa_center import filters
from qa_center.filters import parse_for_page
from qa_center.permissions import capability_required, get_scoped_or_404, has_capability


@capability_required("view_org")
def overview(request: HttpRequest) -> HttpResponse:
    teams = list(teams_for(request.user))
    departments = []
    for department in departments_for(request.user):
        own = [team for team in teams if team.department_id == department.pk]
        departments.append(
            {
                "department": department,
                "teams": own,
                "agent_count": sum(team.agent_count for team in own),
            }
        )
    return render(request, "org/overview.html", {"departments": departments})


@capability_required("view_org")
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_scoped_or_404(request.user, Team.objects.select_related("department"), pk=pk)
    members = team.agents.filter(is_active=True)
    former = (
        team.memberships.filter(ended_on__isnull=False)
        .select_related("agent")
        .order_by("-ended_on")[:50]
    )
    return render(
        request,
        "org/team_detail.html",
        {
            "team": team,
            "members": members,
            "former": former,
            "panels": team_panels(request.user, team),
        },
    )


@capability_required("view_org")
def agent_list(request: HttpRequest) -> HttpResponse:
    parsed = parse_for_page(request, {"q": filters.text(100), "team": filters.id_})
    query, team_id = parsed.get("q", ""), parsed.get("team")
    agents = agents_for(request.user, query=query, team_id=team_id)
    page = Paginator(agents, 50).get_page(request.GET.get("page"))
    context = {"page": page, "query": query, "team_id": team_id, "teams": teams_for(request.user)}
    template = "org/_agent_rows.html" if request.headers.get("HX-Request") else "org/agents.html"
    return render(request, template, context)


@login_required
def agent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Agents may open their own page; everyone else within their scope.
    agent = get_scoped_or_404(request.user, Agent.objects.select_related("team__department"), pk=pk)
    context = {
        "agent": agent,
        "history": team_history(agent),
        "move_form": AgentMoveForm() if has_capability(request.user, "manage_org") else None,
    }
    return render(request, "org/agent_detail.html", context)


@require_POST
@capability_required("manage_org")
def agent_move(request: HttpRequest, pk: int) -> HttpResponse:
    agent = get_scoped_or_404(request.user, Agent.objects.all(), pk=pk)
    form = AgentMoveForm(request.POST)
    if form.is_valid():
        try:
            agent_change_team(
                agent=agent, team=form.cleaned_data["team"], on=form.cleaned_data["on"]
            )
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(
                request,
                _("%(agent)s moved to %(team)s.")
                % {"agent": agent.name, "team": form.cleaned_data["team"]},
            )
    else:
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, error)
    return redirect("org:agent_detail", pk=agent.pk)
