"""The call detail page: transcript with evidence, automatic results, evaluations."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from qa_center.permissions import get_scoped_or_404, has_capability

from ..models import Call, CallCheck, Evaluation, Scorecard
from ..selectors import evaluations as sel
from ..selectors.transcript import transcript_turns


@require_GET
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not (has_capability(user, "view_results") or has_capability(user, "own_results")):
        raise PermissionDenied
    # Scope does the rest: an agent's scope is their own calls.
    call = get_scoped_or_404(
        user,
        Call.objects.select_related("agent", "team", "team__department", "auto_check__library"),
        pk=pk,
    )
    try:
        check: CallCheck | None = call.auto_check
    except CallCheck.DoesNotExist:
        check = None
    results = check.results if check else []
    rule_titles = {}
    if check and isinstance(check.library.definition, dict):
        rule_titles = {
            r.get("code"): r.get("title", "")
            for r in check.library.definition.get("rules", [])
            if isinstance(r, dict)
        }
    turns = transcript_turns(call.turns, results)
    rows = []
    for result in results or []:
        if not isinstance(result, dict):
            continue
        evidence = []
        for ev in result.get("evidence") or []:
            try:
                turn = call.turns[int(ev["turn"])]
                text = str(turn.get("text", ""))[int(ev["start"]) : int(ev["end"])]
            except (KeyError, IndexError, TypeError, ValueError):
                text = ev.get("phrase", "") if isinstance(ev, dict) else ""
            evidence.append({"turn": ev.get("turn"), "text": text})
        rows.append(
            {
                "code": result.get("code"),
                "title": rule_titles.get(result.get("code"), ""),
                "outcome": result.get("outcome"),
                "value": result.get("value"),
                "evidence": evidence,
            }
        )
    evaluations = sel.evaluations_visible(user).filter(call=call, calibration__isnull=True)
    if has_capability(user, "own_results") and not has_capability(user, "view_results"):
        evaluations = evaluations.filter(submitted_at__isnull=False)
    evaluations = evaluations.select_related("evaluator", "scorecard").order_by("created_at")
    mine = None
    if has_capability(user, "score_calls"):
        mine = Evaluation.objects.filter(
            call=call, evaluator=user, calibration__isnull=True
        ).first()
    return render(
        request,
        "scoring/call_detail.html",
        {
            "call": call,
            "check": check,
            "turns": turns,
            "rows": rows,
            "evaluations": evaluations,
            "can_score": has_capability(user, "score_calls"),
            "agent_view": not has_capability(user, "view_results"),
            "my_evaluation": mine,
            "scorecards": Scorecard.objects.filter(status=Scorecard.Status.PUBLISHED),
        },
    )
