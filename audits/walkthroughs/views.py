"""Walk-through pages: the month per department (draw, scores and their formula), one
walk-through (countdown, documents per step, drill, findings, verdict), and its documents,
served only to who may open the walk-through."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from org.models import User
from qa_center import filters, periods
from qa_center.filters import parse_for_page
from qa_center.permissions import (
    get_scoped_or_404,
    has_capability,
    may_draw_walkthroughs,
    may_run_walkthrough,
    visible_walkthroughs,
)

from . import scoring, selectors, services
from .models import Finding, Walkthrough, WalkthroughStep


def _errors_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages_ in exc.message_dict.values() for m in messages_]
    return list(exc.messages)


def _month_param(request: HttpRequest) -> datetime.date:
    parsed = parse_for_page(request, {"month": filters.month})
    return parsed.get("month") or periods.current(periods.MONTH).first_day


@login_required
def month_list(request: HttpRequest) -> HttpResponse:
    month = _month_param(request)
    rows = selectors.month_overview(request.user, month)
    period = periods.period_of(periods.MONTH, month)
    return render(
        request,
        "walkthroughs/list.html",
        {
            "month": month,
            "month_text": f"{month:%Y-%m}",
            "previous_month": f"{periods.previous(period).first_day:%Y-%m}",
            "next_month": f"{periods.following(period).first_day:%Y-%m}",
            "rows": rows,
            "may_draw": may_draw_walkthroughs(request.user),
            "may_report": has_capability(request.user, "audit")
            or has_capability(request.user, "issue_bulletins"),
            "drawn": any(r.draw is not None for r in rows),
            "formula": scoring,
        },
    )


@require_POST
@login_required
def draw(request: HttpRequest) -> HttpResponse:
    if not may_draw_walkthroughs(request.user):
        raise PermissionDenied
    parsed = filters.parse_query(request.POST, {"month": filters.month})
    month = parsed.get("month")
    if month is None:
        messages.error(
            request,
            _("Choose the month to draw: %(error)s")
            % {"error": parsed.errors.get("month", _("Enter a month like 2026-03."))},
        )
        return redirect("walkthroughs:list")
    result = services.walkthroughs_draw_month(month=month, by=request.user)
    if result.created:
        messages.success(
            request,
            _("%(count)s walk-through(s) drawn for %(month)s.")
            % {"count": len(result.created), "month": f"{month:%Y-%m}"},
        )
    else:
        messages.info(
            request,
            _("%(month)s was drawn already: nothing changed.") % {"month": f"{month:%Y-%m}"},
        )
    return redirect(f"{reverse('walkthroughs:list')}?month={month:%Y-%m}")


def _walkthrough_or_404(request: HttpRequest, pk: int) -> Walkthrough:
    return get_scoped_or_404(
        request.user, selectors.walkthrough_detail_queryset(request.user), pk=pk
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    walkthrough = _walkthrough_or_404(request, pk)
    now = timezone.now()
    steps = list(walkthrough.steps.all())
    findings = list(walkthrough.findings.all())
    tally = selectors.tally_of_prefetched(walkthrough)
    score = scoring.score(tally)
    is_owner = walkthrough.owner_id == request.user.pk
    may_run = may_run_walkthrough(request.user, walkthrough)
    open_ = walkthrough.status == Walkthrough.Status.STARTED
    return render(
        request,
        "walkthroughs/detail.html",
        {
            "walkthrough": walkthrough,
            "steps": steps,
            "findings": findings,
            "tally": tally,
            "score": score,
            "formula": scoring,
            "locked": walkthrough.documents_locked(now),
            "running": walkthrough.window_running(now),
            "seconds_left": walkthrough.seconds_left(now),
            "is_owner": is_owner,
            "may_run": may_run,
            "may_start": may_run and walkthrough.status == Walkthrough.Status.DRAWN,
            "may_upload": is_owner and open_,
            "may_record": may_run and open_,
            "drill_choices": WalkthroughStep.Drill.choices,
            "grades": Finding.Grade.choices,
            "verdicts": Walkthrough.Verdict.choices,
            "default_due": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
            "accept": ",".join(services.ALLOWED_EXTENSIONS),
            "max_mb": services.max_upload_bytes() // 2**20,
        },
    )


def _act(request: HttpRequest, pk: int, run) -> HttpResponse:
    """A form post on the walk-through page: 404 out of scope, 403 when not allowed, the
    service's refusal as an error message (nothing changed)."""
    walkthrough = get_scoped_or_404(
        request.user, visible_walkthroughs(request.user, Walkthrough.objects.all()), pk=pk
    )
    try:
        message = run(walkthrough)
    except ValidationError as exc:
        for error in _errors_of(exc):
            messages.error(request, error)
    else:
        messages.success(request, message)
    return redirect("walkthroughs:detail", pk=pk)


def _denied_unless(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


@require_POST
@login_required
def start(request: HttpRequest, pk: int) -> HttpResponse:
    def run(walkthrough):
        _denied_unless(may_run_walkthrough(request.user, walkthrough))
        walkthrough = services.walkthrough_start(walkthrough=walkthrough, by=request.user)
        return _("Started: the owner has until %(due)s to upload the documents.") % {
            "due": timezone.localtime(walkthrough.documents_due_at).strftime("%H:%M")
        }

    return _act(request, pk, run)


@require_POST
@login_required
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    def run(walkthrough):
        _denied_unless(walkthrough.owner_id == request.user.pk)
        parsed = filters.parse_query(request.POST, {"step": filters.id_})
        if parsed.get("step") is None:
            raise ValidationError({"step": _("Choose a step of this walk-through.")})
        upload_file = request.FILES.get("file")
        if upload_file is None:
            raise ValidationError({"file": _("Choose a file to upload.")})
        document = services.walkthrough_document_upload(
            walkthrough=walkthrough, step=parsed.get("step"), by=request.user, file=upload_file
        )
        if document.late:
            return _(
                "%(name)s was uploaded after the deadline: it is kept, marked late, and does not count."
            ) % {"name": document.name}
        return _("%(name)s uploaded.") % {"name": document.name}

    return _act(request, pk, run)


@require_POST
@login_required
def drill(request: HttpRequest, pk: int) -> HttpResponse:
    def run(walkthrough):
        _denied_unless(may_run_walkthrough(request.user, walkthrough))
        results = []
        for step in walkthrough.steps.all():
            result = request.POST.get(f"drill_{step.pk}", "")
            if result:
                results.append(
                    {
                        "step": step.pk,
                        "result": result,
                        "note": request.POST.get(f"note_{step.pk}", ""),
                    }
                )
        count = services.walkthrough_drill_record(
            walkthrough=walkthrough, by=request.user, results=results
        )
        return _("The drill of %(count)s step(s) is recorded.") % {"count": count}

    return _act(request, pk, run)


@require_POST
@login_required
def finding(request: HttpRequest, pk: int) -> HttpResponse:
    def run(walkthrough):
        _denied_unless(may_run_walkthrough(request.user, walkthrough))
        parsed = filters.parse_query(
            request.POST,
            {"step": filters.id_, "action_owner": filters.id_, "action_due_on": filters.day},
        )
        if parsed.errors:
            raise ValidationError(
                {name: f"{name}: {message}" for name, message in parsed.errors.items()}
            )
        owner = None
        if parsed.get("action_owner"):
            owner = User.objects.filter(pk=parsed.get("action_owner"), is_active=True).first()
            if owner is None:
                raise ValidationError({"action_owner": _("Choose who carries out the action.")})
        services.finding_record(
            walkthrough=walkthrough,
            by=request.user,
            grade=request.POST.get("grade", ""),
            description=request.POST.get("description", "")[:4000],
            step=parsed.get("step"),
            action_owner=owner,
            action_due_on=parsed.get("action_due_on"),
        )
        return _("Finding recorded.")

    return _act(request, pk, run)


@require_POST
@login_required
def verdict(request: HttpRequest, pk: int) -> HttpResponse:
    def run(walkthrough):
        _denied_unless(may_run_walkthrough(request.user, walkthrough))
        walkthrough = services.walkthrough_conclude(
            walkthrough=walkthrough,
            by=request.user,
            verdict=request.POST.get("verdict", ""),
            reason=request.POST.get("reason", "")[:4000],
        )
        return _("Verdict recorded: %(verdict)s. Score %(score)s.") % {
            "verdict": walkthrough.get_verdict_display(),
            "score": walkthrough.score,
        }

    return _act(request, pk, run)


@login_required
def document(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.document_for(request.user, pk)
    if found is None:
        raise Http404
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.name,
        content_type=found.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
