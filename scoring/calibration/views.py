"""Calibration pages (校准): sessions, blind scoring, and the comparison after closing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qa_center import filters
from qa_center.permissions import (
    capability_required,
    may_manage_calibration_session,
    scope_queryset,
)
from scoring.calibration.forms import CalibrationForm, CalibrationReferenceForm
from scoring.calibration.models import CalibrationSession
from scoring.calibration.selectors import (
    calibration_bias,
    participant_status,
    session_results,
    sessions_for,
)
from scoring.calibration.services import (
    calibration_close,
    calibration_create,
    calibration_evaluation_start,
    calibration_set_reference,
)
from scoring.calls.models import Call
from scoring.calls.search import phrase_filter, phrase_parameter


def agreement_reading(value) -> dict | None:
    """How a kappa or an alpha reads (Landis & Koch, 1977): the words and a tone."""
    if value is None:
        return None
    value = float(value)
    if value < 0:
        return {"label": _("poor agreement (worse than chance)"), "tone": "bad"}
    for upper, label, tone in (
        (0.20, _("slight agreement"), "bad"),
        (0.40, _("fair agreement"), "warn"),
        (0.60, _("moderate agreement"), "warn"),
        (0.80, _("substantial agreement"), "ok"),
    ):
        if value <= upper:
            return {"label": label, "tone": tone}
    return {"label": _("almost perfect agreement"), "tone": "ok"}


def _session(request: HttpRequest, pk: int) -> CalibrationSession:
    return get_object_or_404(sessions_for(request.user), pk=pk)


@capability_required("calibrate")
def calibration_list(request: HttpRequest) -> HttpResponse:
    sessions = list(sessions_for(request.user)[:200])
    mine = set(
        CalibrationSession.objects.filter(participants=request.user).values_list("pk", flat=True)
    )
    for session in sessions:
        session.is_participant = session.pk in mine
    return render(
        request,
        "calibration/calibration_list.html",
        {"sessions": sessions, "bias": calibration_bias(request.user)},
    )


PICK_LIMIT = 20


@capability_required("calibrate")
def calibration_create_view(request: HttpRequest) -> HttpResponse:
    """A new session: the call is picked from the newest calls in scope, narrowed by a search
    (call id, agent, what was said), never typed in."""
    calls = scope_queryset(request.user, Call.objects.all())
    parsed = filters.parse_for_page(
        request,
        {"call": filters.text(64), "q": filters.text(64), "said": phrase_parameter},
    )
    q, said = parsed.get("q"), parsed.get("said")
    chosen = request.POST.get("call") or parsed.get("call") or ""
    candidates = calls.select_related("agent", "team", "auto_check").defer(
        "turns", "extra", "search_text"
    )
    if q:
        candidates = candidates.filter(Q(call_id__icontains=q) | Q(agent__name__icontains=q))
    if said:
        candidates = phrase_filter(candidates, said)
    candidates = list(candidates.order_by("-started_at", "-pk")[:PICK_LIMIT])
    if chosen and chosen not in {c.call_id for c in candidates}:
        picked = calls.select_related("agent", "team", "auto_check").filter(call_id=chosen).first()
        if picked is not None:
            candidates.insert(0, picked)
    form = CalibrationForm(
        request.POST or None,
        user=request.user,
        calls=calls,
        initial={"call": chosen, "participants": [request.user.pk]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = calibration_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Calibration session created; participants were told."))
            return redirect("calibration:calibration_detail", session.pk)
    return render(
        request,
        "calibration/calibration_form.html",
        {
            "form": form,
            "candidates": candidates,
            "chosen": chosen,
            "q": q or "",
            "said": said or "",
            "limit": PICK_LIMIT,
        },
    )


@capability_required("calibrate")
def calibration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    is_open = session.status == CalibrationSession.Status.OPEN
    context = {
        "session": session,
        "can_manage": may_manage_calibration_session(request.user, session),
        "is_participant": session.participants.filter(pk=request.user.pk).exists(),
    }
    if is_open:
        # Blind: only who has submitted, never what anyone answered.
        status = participant_status(session)
        context["participants"] = status
        context["submitted_count"] = sum(1 for row in status if row["submitted"])
        mine = session.evaluations.filter(evaluator=request.user).first()
        context["my_evaluation"] = mine
        if mine is not None:
            context["my_url"] = reverse("evaluations:evaluation_edit", args=[mine.pk])
    else:
        results = session_results(session)
        context["results"] = results
        context["readings"] = {
            "kappa": agreement_reading(getattr(results, "fleiss_kappa", None)),
            "alpha_nominal": agreement_reading(getattr(results, "alpha_nominal", None)),
            "alpha_interval": agreement_reading(getattr(results, "alpha_interval", None)),
        }
        context["reference_form"] = CalibrationReferenceForm(session=session)
    return render(request, "calibration/calibration_detail.html", context)


@require_POST
@capability_required("calibrate")
def calibration_score(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    try:
        evaluation = calibration_evaluation_start(session=session, user=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("calibration:calibration_detail", session.pk)
    return redirect("evaluations:evaluation_edit", evaluation.pk)


@require_POST
@capability_required("calibrate")
def calibration_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    if not may_manage_calibration_session(request.user, session):
        raise PermissionDenied
    try:
        calibration_close(session=session, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("Session closed; the answers are now visible."))
    return redirect("calibration:calibration_detail", session.pk)


@require_POST
@capability_required("calibrate")
def calibration_reference(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    if not may_manage_calibration_session(request.user, session):
        raise PermissionDenied
    form = CalibrationReferenceForm(request.POST, session=session)
    if form.is_valid():
        try:
            calibration_set_reference(
                session=session,
                actor=request.user,
                reference_score=form.cleaned_data["reference_score"],
                reference_evaluator=form.cleaned_data["reference_evaluator"],
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("Reference score saved."))
    else:
        messages.error(request, _("Give a score between 0 and 100 or choose a participant."))
    return redirect("calibration:calibration_detail", session.pk)
