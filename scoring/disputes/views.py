"""Dispute pages (申诉): agents raise them, the review group rules, team leads read them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qa_center import filters
from qa_center.filters import parse_for_page
from qa_center.permissions import (
    capability_required,
    get_scoped_or_404,
    may_decide_dispute,
    visible_evaluations,
)
from scoring.disputes.forms import DisputeForm
from scoring.disputes.models import Dispute, DisputeItem
from scoring.disputes.selectors import (
    can_see_disputes,
    dispute_items,
    disputes_for,
    transcript_with_evidence,
)
from scoring.disputes.services import (
    dispute_decide,
    dispute_open,
    dispute_refusal,
    dispute_withdraw,
)
from scoring.evaluations import selectors as evaluation_selectors
from scoring.evaluations.models import Evaluation


def _require_dispute_access(request: HttpRequest) -> None:
    if not can_see_disputes(request.user):
        raise PermissionDenied


@login_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    _require_dispute_access(request)
    parsed = parse_for_page(request, {"status": filters.choice(Dispute.Status.values)})
    status = parsed.get("status", "")
    disputes = list(disputes_for(request.user, status=status or None)[:500])
    now = timezone.now()
    for dispute in disputes:
        dispute.age_days = (now - dispute.opened_at).days
    return render(
        request,
        "disputes/dispute_list.html",
        {
            "disputes": disputes,
            "status": status,
            "statuses": Dispute.Status.choices,
            "open_count": sum(1 for d in disputes if d.status == Dispute.Status.OPEN),
        },
    )


@capability_required("own_results")
def dispute_create(request: HttpRequest, evaluation_pk: int) -> HttpResponse:
    # Only an evaluation the agent may see (visible_evaluations): a draft on their own call is
    # a 404 like one that does not exist, never a page with its running score and evaluator.
    evaluation = get_scoped_or_404(
        request.user,
        visible_evaluations(
            request.user, Evaluation.objects.select_related("call", "scorecard", "evaluator")
        ),
        pk=evaluation_pk,
        is_calibration=False,
    )
    refusal = dispute_refusal(evaluation, request.user)
    answers = list(evaluation.answers.select_related("item__section"))
    form = DisputeForm(request.POST or None)
    errors: dict[str, list[str]] = {}
    chosen = {int(v) for v in request.POST.getlist("item") if v.isdigit()}
    if request.method == "POST" and refusal is None:
        items = [
            {"answer": pk, "reason": request.POST.get(f"reason_{pk}", "")} for pk in sorted(chosen)
        ]
        try:
            dispute = dispute_open(
                evaluation=evaluation,
                user=request.user,
                reason=request.POST.get("reason", ""),
                items=items,
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            form.is_valid()
        else:
            messages.success(request, _("Your dispute was sent to the review group."))
            return redirect("disputes:dispute_detail", dispute.pk)
    try:
        check = evaluation.call.auto_check
    except Exception:  # noqa: BLE001 - no automatic check for this call
        check = None
    results = evaluation_selectors.results_by_code(check.results if check else None)
    rows = [
        {
            "answer": answer,
            "checked": answer.pk in chosen,
            "reason": request.POST.get(f"reason_{answer.pk}", ""),
            "errors": errors.get(f"reason_{answer.pk}", []),
            "result": results.get(answer.item.rule_code) if answer.item.rule_code else None,
        }
        for answer in answers
    ]
    return render(
        request,
        "disputes/dispute_form.html",
        {
            "evaluation": evaluation,
            "form": form,
            "rows": rows,
            "refusal": refusal,
            "general_errors": errors.get("items", []) + errors.get("__all__", []),
            "reason_errors": errors.get("reason", []),
            "deadline": evaluation.dispute_deadline(),
            "window_days": evaluation.dispute_window_days(),
            "call": evaluation.call,
            "turns": evaluation_selectors.call_transcript(evaluation.call),
        },
        status=400 if errors else 200,
    )


@login_required
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_dispute_access(request)
    dispute = get_scoped_or_404(request.user, disputes_for(request.user), pk=pk)
    evaluation = dispute.evaluation
    items = dispute_items(dispute)
    may_decide = may_decide_dispute(request.user, dispute)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied
        decisions = {
            item.pk: {
                "decision": request.POST.get(f"decision_{item.pk}", ""),
                "value": request.POST.get(f"value_{item.pk}", ""),
                "note": request.POST.get(f"note_{item.pk}", ""),
            }
            for item in items
        }
        try:
            dispute_decide(dispute=dispute, reviewer=request.user, decisions=decisions)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, _("Decision recorded; the agent has been notified."))
            return redirect("disputes:dispute_detail", dispute.pk)
    rule_codes = {i.answer.item.rule_code for i in items if i.answer.item.rule_code}
    rows = [
        {
            "item": item,
            "answer": item.answer,
            "scorecard_item": item.answer.item,
            "scale": range(item.answer.item.scale_min, item.answer.item.scale_max + 1),
            "errors": errors.get(f"item_{item.pk}", []),
            "posted": {
                "decision": request.POST.get(f"decision_{item.pk}", ""),
                "value": request.POST.get(f"value_{item.pk}", ""),
                "note": request.POST.get(f"note_{item.pk}", ""),
            },
        }
        for item in items
    ]
    return render(
        request,
        "disputes/dispute_detail.html",
        {
            "dispute": dispute,
            "evaluation": evaluation,
            "call": evaluation.call,
            "rows": rows,
            "turns": transcript_with_evidence(evaluation.call, rule_codes),
            "may_decide": may_decide,
            "own_evaluation": evaluation.evaluator_id == request.user.pk,
            "is_agent": request.user.agent_id == evaluation.call.agent_id,
            "general_errors": errors.get("__all__", []),
            "decisions": DisputeItem.Decision.choices,
            "age_days": (timezone.now() - dispute.opened_at).days,
        },
        status=400 if errors else 200,
    )


@require_POST
@capability_required("own_results")
def dispute_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = get_scoped_or_404(request.user, Dispute.objects.all(), pk=pk)
    try:
        dispute_withdraw(dispute=dispute, user=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("Your dispute was withdrawn."))
    return redirect("disputes:dispute_detail", dispute.pk)
