"""Sampling pages (专项抽检): plans, running a plan for a week, progress, "My queue"."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

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
    may_create_sampling_plan,
    may_manage_sampling_plan,
)
from scoring.sampling.forms import SamplingPlanForm
from scoring.sampling.models import SamplingPlan
from scoring.sampling.selectors import plans_for, queue_for, sampling_progress
from scoring.sampling.services import (
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


@capability_required("score_calls")
def queue(request: HttpRequest) -> HttpResponse:
    # Assignments whose call the supervisor has scored without the link (opened from the call
    # list, say) are done too; closing them here keeps the queue honest whatever the path.
    assignments_sync_done(supervisor=request.user)
    now = timezone.now()
    rows = []
    for assignment in queue_for(request.user):
        rows.append(
            {
                "assignment": assignment,
                "overdue": assignment.due_at < now,
                "due_soon": now <= assignment.due_at < now + datetime.timedelta(days=1),
                "url": evaluate_url(assignment.call_id),
            }
        )
    overdue_count = sum(1 for row in rows if row["overdue"])
    return render(
        request, "sampling/queue.html", {"rows": rows, "overdue_count": overdue_count, "now": now}
    )


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
