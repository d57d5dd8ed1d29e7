"""Sampling pages (专项抽检): plans, running a plan for a week, progress, "My queue"."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from org.models import Agent, Team
from qa_center import filters
from qa_center.periods import (
    WEEK,
    current,
    following,
    period_of,
    previous,
)
from qa_center.permissions import (
    capability_required,
    has_capability,
    may_create_sampling_plan,
    may_manage_sampling_plan,
    scope_queryset,
)
from scoring.sampling.forms import SamplingPlanForm
from scoring.sampling.models import SamplingPlan
from scoring.sampling.next import remember_queue_query
from scoring.sampling.selectors import (
    QUEUE_SORTS,
    QueueFilters,
    plans_for,
    queue_rows,
    sampling_progress,
)
from scoring.sampling.services import (
    assignments_reassign,
    assignments_sync_done,
    sampling_plan_save,
    sampling_run,
)


def evaluate_url(call_id: int) -> str:
    """The scoring page's start URL for a call (a POST form: the plan's `scorecard` goes along);
    submitting the evaluation completes the assignment (`assignments_sync_done`)."""
    return reverse("evaluations:evaluate_call", args=[call_id])


def _week(request: HttpRequest, default: datetime.date) -> datetime.date:
    raw = request.POST.get("week") or request.GET.get("week")
    try:
        # qa_center.filters bounds the week, so the page's previous/next weeks always exist.
        return filters.week(raw) or default
    except filters.FilterError as exc:
        filters.warn_ignored(request, "week", exc.message)
        return default


def _reassign_candidates(user):
    """Who the user may give calls to: active supervisors (and administrators) of the user's
    department, or of the team's department for a team lead; the service checks each call."""
    from org.models import Role, User

    qs = User.objects.filter(role__in=[Role.SUPERVISOR, Role.ADMIN], is_active=True)
    department_id = user.department_id or (user.team.department_id if user.team_id else None)
    if user.role != Role.ADMIN and department_id:
        qs = qs.filter(Q(department_id=department_id) | Q(role=Role.ADMIN))
    return qs.order_by("full_name", "username")


def queue(request: HttpRequest) -> HttpResponse:
    """The supervisor's day: their open assignments (or, for reassigning, every open one in
    their scope), filtered, searched (call id, what was said) and sorted; rows can be picked
    and given to another supervisor."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    scores = has_capability(request.user, "score_calls")
    assigns = has_capability(request.user, "assign_calls")
    if not scores and not assigns:
        raise PermissionDenied
    # Assignments whose call the supervisor has scored without the link (opened from the call
    # list, say) are done too; closing them here keeps the queue honest whatever the path.
    assignments_sync_done(supervisor=request.user)
    parsed = filters.parse_for_page(request, QueueFilters.spec())
    flt = QueueFilters.from_parsed(parsed, default_who="mine" if scores else "all")
    if not scores:
        flt.who = "all"  # a team lead has no queue of their own
    query = request.GET.copy()
    for name in parsed.errors:
        query.pop(name, None)
    if flt.who == "mine":
        remember_queue_query(request, query.urlencode())
    now = timezone.now()
    qs = queue_rows(request.user, flt)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    rows = []
    for assignment in page:
        rows.append(
            {
                "assignment": assignment,
                "overdue": assignment.due_at < now,
                "due_soon": now <= assignment.due_at < now + datetime.timedelta(days=1),
                "url": evaluate_url(assignment.call_id)
                if scores and assignment.supervisor_id == request.user.pk
                else "",
            }
        )
    overdue_count = qs.filter(due_at__lt=now).count()
    sort_query = query.copy()
    sort_query.pop("sort", None)
    sort_query.pop("page", None)
    page_query = query.copy()
    page_query.pop("page", None)
    teams = scope_queryset(request.user, Team.objects.all()).order_by("code")
    agents = scope_queryset(request.user, Agent.objects.filter(is_active=True))
    if flt.team:
        agents = agents.filter(team_id=flt.team)
    return render(
        request,
        "sampling/queue.html",
        {
            "rows": rows,
            "page": page,
            "total": page.paginator.count,
            "overdue_count": overdue_count,
            "now": now,
            "flt": flt,
            "scores": scores,
            "can_reassign": assigns,
            "candidates": _reassign_candidates(request.user) if assigns else [],
            "teams": teams,
            "agents": agents.order_by("name_sort")[:500],
            "plans": plans_for(request.user),
            "sorts": QUEUE_SORTS,
            "sort_query": sort_query.urlencode(),
            "page_query": page_query.urlencode(),
            "back": request.get_full_path(),
        },
    )


@require_POST
def queue_reassign(request: HttpRequest) -> HttpResponse:
    """Gives the picked rows to another supervisor: all of them or, with a reason, none."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={reverse('sampling:queue')}")
    if not has_capability(request.user, "assign_calls"):
        raise PermissionDenied
    back = request.POST.get("next", "")
    if not back.startswith(reverse("sampling:queue")):
        back = reverse("sampling:queue")
    ids = [int(v) for v in request.POST.getlist("assignment") if v.isascii() and v.isdigit()]
    ids = [v for v in ids if 1 <= v <= filters.MAX_ID]
    target_id = request.POST.get("to", "")
    target = (
        _reassign_candidates(request.user).filter(pk=int(target_id)).first()
        if target_id.isascii() and target_id.isdigit() and int(target_id) <= filters.MAX_ID
        else None
    )
    if target is None:
        messages.error(request, _("Choose the supervisor to give the calls to."))
        return redirect(back)
    try:
        moved = assignments_reassign(actor=request.user, assignment_ids=ids, to=target)
    except ValidationError as exc:
        messages.error(
            request,
            _("Nothing was reassigned: %(problems)s") % {"problems": " ".join(exc.messages)},
        )
    else:
        messages.success(
            request,
            ngettext(
                "%(n)s call given to %(name)s.",
                "%(n)s calls given to %(name)s.",
                moved,
            )
            % {"n": moved, "name": target.display_name},
        )
    return redirect(back)


@capability_required("score_calls")
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = list(plans_for(request.user))
    for plan in plans:
        plan.can_manage = may_manage_sampling_plan(request.user, plan=plan)
    can_create = may_create_sampling_plan(request.user)
    last_week = previous(current(WEEK)).first_day
    return render(
        request,
        "sampling/sampling_list.html",
        {"plans": plans, "can_create": can_create, "last_week": last_week},
    )


def _plan_form(request: HttpRequest, plan: SamplingPlan | None) -> HttpResponse:
    form = SamplingPlanForm(request.POST or None, instance=plan, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        supervisors = list(data.pop("supervisors"))
        try:
            saved = sampling_plan_save(
                actor=request.user, plan=plan, supervisors=supervisors, **data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Sampling plan saved."))
            return redirect("sampling:sampling_progress", saved.pk)
    return render(request, "sampling/sampling_form.html", {"form": form, "plan": plan})


@capability_required("score_calls")
def plan_create(request: HttpRequest) -> HttpResponse:
    if not may_create_sampling_plan(request.user):
        raise Http404
    return _plan_form(request, None)


@capability_required("score_calls")
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(plans_for(request.user), pk=pk)
    if not may_manage_sampling_plan(request.user, plan=plan):
        raise Http404
    return _plan_form(request, plan)


@require_POST
@capability_required("score_calls")
def plan_run(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(plans_for(request.user), pk=pk)
    if not may_manage_sampling_plan(request.user, plan=plan):
        raise Http404
    week = _week(request, previous(current(WEEK)).first_day)
    try:
        result = sampling_run(plan=plan, week_start=week)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(created)s calls sampled for the week of %(week)s (%(already)s already were).")
            % {"created": result.created, "week": week, "already": result.already},
        )
    return redirect(reverse("sampling:sampling_progress", args=[plan.pk]) + f"?week={week}")


@capability_required("score_calls")
def plan_progress(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(plans_for(request.user), pk=pk)
    week = _week(request, previous(current(WEEK)).first_day)
    period = period_of(WEEK, week)
    rows = sampling_progress(request.user, plan=plan, week_start=week)
    totals = {
        "calls": sum(r.calls for r in rows),
        "target": sum(r.target for r in rows),
        "sampled": sum(r.sampled for r in rows),
        "evaluated": sum(r.evaluated for r in rows),
    }
    return render(
        request,
        "sampling/sampling_progress.html",
        {
            "plan": plan,
            "rows": rows,
            "totals": totals,
            "week": week,
            "week_end": period.last_day,
            "prev_week": previous(period).first_day,
            "next_week": following(period).first_day,
            "can_manage": may_manage_sampling_plan(request.user, plan=plan),
            "supervisors": plan.supervisors.all(),
        },
    )
