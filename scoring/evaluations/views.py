"""Evaluation pages: starting and scoring a call, the evaluation list, the agent's own results
with acknowledging, and the scorecards (list, detail, publishing, a new draft version)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from org.models import Agent, Team
from qa_center.filters import parse_for_page
from qa_center.periods import WEEK, current, previous
from qa_center.permissions import (
    capability_required,
    get_scoped_or_404,
    has_capability,
    scope_queryset,
)
from scoring.calls.models import Call
from scoring.calls.results import check_results
from scoring.evaluations import hooks
from scoring.evaluations import selectors as sel
from scoring.evaluations.models import Evaluation, Scorecard, ScorecardSection
from scoring.evaluations.services import evaluations as svc
from scoring.evaluations.services import scorecards as scorecard_svc
from scoring.evaluations.services.evaluations import StaleEvaluation

# --- Start ----------------------------------------------------------------------------------


@require_POST
@capability_required("score_calls")
def evaluate_call(request: HttpRequest, pk: int) -> HttpResponse:
    """Starts (or reopens) the user's evaluation of a call on the published scorecard."""
    call = get_scoped_or_404(request.user, Call.objects.select_related("auto_check"), pk=pk)
    scorecard = _choose_scorecard(request.POST.get("scorecard"))
    if scorecard is None:
        messages.error(request, _("There is no published scorecard yet."))
        return redirect("calls:call_detail", pk=call.pk)
    evaluation = svc.evaluation_start(call=call, scorecard=scorecard, evaluator=request.user)
    return redirect("evaluations:evaluation_edit", pk=evaluation.pk)


def _choose_scorecard(pk: str | None) -> Scorecard | None:
    published = Scorecard.objects.filter(status=Scorecard.Status.PUBLISHED)
    if pk and pk.isdigit():
        chosen = published.filter(pk=int(pk)).first()
        if chosen:
            return chosen
    return published.order_by("name").first()


# --- The scoring page -----------------------------------------------------------------------


def _can_open(user) -> bool:
    return has_capability(user, "score_calls") or has_capability(user, "view_results")


def _posted_answers(post, sections: list[sel.SectionRows]) -> dict[str, dict[str, Any]]:
    answers = {}
    for section in sections:
        for row in section.rows:
            code = row.code
            raw = post.get(f"answer-{code}", "").strip()
            entry: dict[str, Any] = {"na": True} if raw == "na" else {"value": raw or None}
            entry["reason"] = post.get(f"reason-{code}", "")
            if post.get(f"reason_kind-{code}"):
                entry["reason_kind"] = post.get(f"reason_kind-{code}")
            entry["note"] = post.get(f"note-{code}", "")
            answers[code] = entry
    return answers


def _keep_posted(sections: list[sel.SectionRows], answers: dict[str, dict[str, Any]]) -> None:
    """Shows the user's answers again, unsaved, so nothing they typed is lost."""
    for section in sections:
        for row in section.rows:
            entry = answers.get(row.code)
            if entry is None:
                continue
            answer = row.answer
            answer.is_na = bool(entry.get("na"))
            try:
                answer.value = (
                    None if answer.is_na or not entry.get("value") else int(entry["value"])
                )
            except (TypeError, ValueError):
                answer.value = None
            answer.override_reason = entry.get("reason", "")
            answer.override_kind = entry.get("reason_kind", answer.override_kind)
            answer.note = entry.get("note", "")


def evaluation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The scoring page: transcript with evidence on the left, the scorecard on the right.
    Editable by its evaluator while a draft; read-only for everyone else in scope."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    if not _can_open(request.user):
        raise PermissionDenied
    evaluation = sel.evaluation_for_page(request.user, pk).first()
    if evaluation is None:
        raise Http404
    editable = (
        evaluation.status == Evaluation.Status.DRAFT
        and evaluation.evaluator_id == request.user.pk
        and has_capability(request.user, "score_calls")
    )
    sections = sel.evaluation_sections(evaluation)
    context: dict[str, Any] = {"errors": {}, "stale": None, "posted_version": None}
    status = 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        answers = _posted_answers(request.POST, sections)
        comment = request.POST.get("comment", "")
        submit = request.POST.get("action") == "submit"
        service = svc.evaluation_submit if submit else svc.evaluation_save
        try:
            service(
                evaluation=evaluation,
                actor=request.user,
                answers=answers,
                comment=comment,
                expected_version=_int(request.POST.get("version")),
            )
        except StaleEvaluation as stale:
            # Keep everything the user entered; show what the other save changed; let them
            # save again over the current version once they have looked.
            evaluation = stale.evaluation
            sections = sel.evaluation_sections(evaluation)
            items = sel.items_by_code(sections)
            _keep_posted(sections, answers)
            evaluation.comment = comment
            context["stale"] = {
                "changed_by": sorted(
                    {e.actor.display_name for e in stale.events if e.actor is not None}
                ),
                "differences": [
                    {
                        "title": d.title,
                        "theirs": sel.format_answer(items.get(d.item), d.theirs),
                        "yours": sel.format_answer(items.get(d.item), d.yours),
                    }
                    for d in stale.differences
                ],
            }
            status = 409
        except ValidationError as exc:
            _keep_posted(sections, answers)
            evaluation.comment = comment
            context["errors"] = (
                exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            )
            context["posted_version"] = request.POST.get("version")
            status = 400
        else:
            if not submit:
                messages.success(request, _("Draft saved."))
                return redirect("evaluations:evaluation_edit", pk=evaluation.pk)
            # The apps above say where to go next (the queue's next call, the calibration
            # session); else the submitted evaluation, read-only.
            following = hooks.after_submit(request, evaluation)
            if following is not None:
                getattr(messages, following.level)(request, following.message)
                return redirect(following.url)
            if evaluation.is_calibration:
                messages.success(
                    request,
                    _(
                        "Your blind calibration score is submitted. It is not shown to the "
                        "agent; the others see it when the session is closed."
                    ),
                )
            else:
                messages.success(request, _("Evaluation submitted. The agent has been notified."))
            return redirect("evaluations:evaluation_edit", pk=evaluation.pk)
    items = sel.items_by_code(sections)
    context.update(
        evaluation=evaluation,
        call=evaluation.call,
        sections=sections,
        editable=editable,
        turns=sel.call_transcript(evaluation.call),
        history=sel.evaluation_history(evaluation, items),
        error_items=[
            {"code": code, "title": items[code].title if code in items else "", "messages": msgs}
            for code, msgs in context["errors"].items()
        ],
        error_codes=set(context["errors"]),
        version=context["posted_version"] or evaluation.version,
    )
    return render(request, "evaluations/evaluation_edit.html", context, status=status)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# --- Lists ----------------------------------------------------------------------------------


@capability_required("view_results")
def evaluation_list(request: HttpRequest) -> HttpResponse:
    filters = sel.EvaluationFilters.from_parsed(
        parse_for_page(request, sel.EvaluationFilters.spec())
    )
    qs = sel.evaluation_list(request.user, filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    teams = scope_queryset(request.user, Team.objects.select_related("department"))
    agents = scope_queryset(request.user, Agent.objects.all())
    if filters.team:
        agents = agents.filter(team_id=filters.team)
    evaluators = sel.evaluator_choices(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "evaluations/evaluation_list.html",
        {
            "page": page,
            "filters": filters,
            "teams": teams,
            "agents": agents[:500],
            "evaluators": evaluators.order_by("full_name", "username")[:200],
            "statuses": Evaluation.Status.choices,
            "query": query.urlencode(),
        },
    )


TREND_WEEKS = 8


def _trend(evaluations) -> dict:
    """The agent's mean score per week over the last TREND_WEEKS weeks, as an SVG polyline
    drawn on the server (no script, no CDN: the CSP allows neither)."""
    weeks = [current(WEEK)]
    for _week in range(TREND_WEEKS - 1):
        weeks.insert(0, previous(weeks[0]))
    rows = evaluations.filter(submitted_at__gte=weeks[0].start).values_list("submitted_at", "score")
    sums: dict[int, list] = {i: [] for i in range(len(weeks))}
    for submitted_at, score in rows:
        if score is None:
            continue
        for i, week in enumerate(weeks):
            if submitted_at in week:
                sums[i].append(float(score))
                break
    width, height, pad = 560, 160, 28
    step = (width - 2 * pad) / (len(weeks) - 1)
    points = []
    for i, week in enumerate(weeks):
        values = sums[i]
        mean = round(sum(values) / len(values), 1) if values else None
        x = pad + i * step
        y = None if mean is None else pad + (100 - mean) / 100 * (height - 2 * pad)
        points.append({"week": week, "mean": mean, "count": len(values), "x": round(x, 1), "y": y})
    drawn = [p for p in points if p["y"] is not None]
    for p in drawn:
        p["y"] = round(p["y"], 1)
    return {
        "points": points,
        "line": " ".join(f"{p['x']},{p['y']}" for p in drawn),
        "width": width,
        "height": height,
        "pad": pad,
        "right": width - pad,
        "grid": [
            {"value": v, "y": round(pad + (100 - v) / 100 * (height - 2 * pad), 1)}
            for v in (0, 50, 100)
        ],
        "any": bool(drawn),
    }


@capability_required("own_results")
def my_evaluations(request: HttpRequest) -> HttpResponse:
    """The agent's results: the trend of the last weeks, the list (date, score, critical,
    acknowledged, disputable until), and one evaluation opened at a time (`?open=<id>`;
    by default the newest one still to acknowledge, else none)."""
    qs = sel.my_evaluations(request.user)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    raw_open = request.GET.get("open", "")
    opened = None
    if raw_open.isascii() and raw_open.isdigit() and int(raw_open) <= 2**31 - 1:
        opened = qs.filter(pk=int(raw_open)).first()
    elif not raw_open:
        opened = next((e for e in page if e.acknowledged_at is None), None)
    cards = []
    for evaluation in [opened] if opened is not None else []:
        try:
            check = evaluation.call.auto_check
        except Exception:  # noqa: BLE001 - no automatic check for this call
            check = None
        results = sel.results_by_code(check_results(check))
        rows = [
            {
                "answer": a,
                "item": a.item,
                "value": sel.format_answer(a.item, a.state),
                "result": results.get(a.item.rule_code) if a.item.rule_code else None,
            }
            for a in evaluation.answers.all()
        ]
        cards.append(
            {
                "evaluation": evaluation,
                "rows": rows,
                "turns": sel.call_transcript(evaluation.call),
            }
        )
    query = request.GET.copy()
    query.pop("open", None)
    return render(
        request,
        "evaluations/my_evaluations.html",
        {
            "page": page,
            "cards": cards,
            "opened": opened,
            "trend": _trend(qs),
            "page_query": query.urlencode(),
        },
    )


@require_POST
@capability_required("own_results")
def evaluation_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_scoped_or_404(request.user, sel.my_evaluations(request.user), pk=pk)
    try:
        svc.evaluation_acknowledge(evaluation=evaluation, agent_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Thank you: the evaluation is acknowledged."))
    url = reverse("evaluations:my_evaluations")
    return redirect(f"{url}?open={evaluation.pk}#evaluation-{evaluation.pk}")


# --- Scorecards ------------------------------------------------------------------------------


@capability_required("view_results")
def scorecard_list(request: HttpRequest) -> HttpResponse:
    scorecards = Scorecard.objects.annotate(n_items=Count("items")).order_by("name", "-version")
    return render(
        request,
        "evaluations/scorecard_list.html",
        {"scorecards": scorecards, "can_manage": has_capability(request.user, "manage_rules")},
    )


@capability_required("view_results")
def scorecard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scorecard = get_object_or_404(Scorecard.objects.select_related("created_by"), pk=pk)
    sections = list(ScorecardSection.objects.filter(scorecard=scorecard).prefetch_related("items"))
    total_weight = sum(item.weight for s in sections for item in s.items.all())
    return render(
        request,
        "evaluations/scorecard_detail.html",
        {
            "scorecard": scorecard,
            "sections": sections,
            "total_weight": total_weight,
            "can_manage": has_capability(request.user, "manage_rules"),
        },
    )


@require_POST
@capability_required("manage_rules")
def scorecard_publish(request: HttpRequest, pk: int) -> HttpResponse:
    scorecard = get_object_or_404(Scorecard, pk=pk)
    try:
        scorecard_svc.scorecard_publish(scorecard=scorecard, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(card)s is published.") % {"card": scorecard})
    return redirect("evaluations:scorecard_detail", pk=pk)


@require_POST
@capability_required("manage_rules")
def scorecard_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    scorecard = get_object_or_404(Scorecard, pk=pk)
    draft = scorecard_svc.scorecard_new_version(scorecard=scorecard, actor=request.user)
    messages.success(request, _("Draft %(card)s is ready to edit.") % {"card": draft})
    return redirect("evaluations:scorecard_detail", pk=draft.pk)
