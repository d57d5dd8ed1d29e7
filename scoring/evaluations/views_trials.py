"""Pages of a draft rule library's trial on history: the panel on the library page (scoring.rules
shows it through its hook), starting a trial, its progress and its results, read before the
draft is activated. Administrators (manage_rules)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qa_center.filters import validate_day
from qa_center.permissions import capability_required, has_capability
from scoring.evaluations.models import RuleTrial
from scoring.evaluations.services.trials import trial_start, trials_of
from scoring.rules.models import RuleLibrary


def _last_month() -> tuple[datetime.date, datetime.date]:
    first = timezone.localdate().replace(day=1)
    end = first - datetime.timedelta(days=1)
    return end.replace(day=1), end


class TrialForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("Calls from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_day],
    )
    date_to = forms.DateField(
        label=gettext_lazy("to"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_day],
    )


def trials_panel(request: HttpRequest, library: RuleLibrary) -> str:
    """The library page's card: try a draft on last month's calls, and its earlier trials."""
    if not has_capability(request.user, "manage_rules"):
        return ""
    date_from, date_to = _last_month()
    context = {
        "library": library,
        "form": TrialForm(initial={"date_from": date_from, "date_to": date_to}),
        "trials": list(trials_of(library)[:5]),
    }
    return render_to_string("evaluations/_trials_panel.html", context, request=request)


@require_POST
@capability_required("manage_rules")
def trial_create(request: HttpRequest, pk: int) -> HttpResponse:
    library = get_object_or_404(RuleLibrary, pk=pk)
    form = TrialForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}: {error}")
        return redirect("rules:library_detail", pk=pk)
    try:
        trial = trial_start(
            library=library,
            by=request.user,
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
        )
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
        return redirect("rules:library_detail", pk=pk)
    return redirect("evaluations:trial_detail", pk=trial.pk)


def _trial(pk: int) -> RuleTrial:
    return get_object_or_404(RuleTrial.objects.select_related("library", "created_by"), pk=pk)


@capability_required("manage_rules")
def trial_detail(request: HttpRequest, pk: int) -> HttpResponse:
    trial = _trial(pk)
    library = trial.library
    context = {
        "trial": trial,
        "library": library,
        "results": trial.results if trial.status == RuleTrial.Status.DONE else None,
        "can_activate": library.status == RuleLibrary.Status.DRAFT
        and trial.status == RuleTrial.Status.DONE,
    }
    return render(request, "evaluations/trial_detail.html", context)


@capability_required("manage_rules")
def trial_progress(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.headers.get("HX-Request"):
        raise Http404
    trial = _trial(pk)
    response = render(request, "evaluations/_trial_progress.html", {"trial": trial})
    if trial.finished and request.GET.get("status") != trial.status:
        response["HX-Refresh"] = "true"  # finished since the page was drawn: show the results
    return response
