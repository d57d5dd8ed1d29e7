"""Scorecard pages: the list of versions, one version's sections and items, and (for rule
managers) publishing a draft or starting a new version. Drafts are edited in the admin."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qa_center.permissions import capability_required, has_capability

from ..models import Scorecard, ScorecardSection
from ..services import scorecards as svc


@capability_required("view_results")
def scorecard_list(request: HttpRequest) -> HttpResponse:
    scorecards = Scorecard.objects.annotate(n_items=Count("items")).order_by("name", "-version")
    return render(
        request,
        "scoring/scorecard_list.html",
        {"scorecards": scorecards, "can_manage": has_capability(request.user, "manage_rules")},
    )


@capability_required("view_results")
def scorecard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scorecard = get_object_or_404(Scorecard.objects.select_related("created_by"), pk=pk)
    sections = list(ScorecardSection.objects.filter(scorecard=scorecard).prefetch_related("items"))
    total_weight = sum(item.weight for s in sections for item in s.items.all())
    return render(
        request,
        "scoring/scorecard_detail.html",
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
        svc.scorecard_publish(scorecard=scorecard, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(card)s is published.") % {"card": scorecard})
    return redirect("scoring:scorecard_detail", pk=pk)


@require_POST
@capability_required("manage_rules")
def scorecard_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    scorecard = get_object_or_404(Scorecard, pk=pk)
    draft = svc.scorecard_new_version(scorecard=scorecard, actor=request.user)
    messages.success(request, _("Draft %(card)s is ready to edit.") % {"card": draft})
    return redirect("scoring:scorecard_detail", pk=draft.pk)
