"""Call pages: the list of every call in the user's scope with its automatic check (filtered,
sorted, paginated, exported as CSV or XLSX), one call with its transcript and evidence, the
imports, and activating a rule library with the rescoring of a period's calls."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from org.selectors import agents_for, teams_for
from qa_center.filters import validate_day, validate_text
from qa_center.permissions import (
    capability_required,
    get_scoped_or_404,
    has_capability,
    visible_evaluations,
)
from scoring.calls.importers import problem_location, render_problem
from scoring.calls.models import Call, CallCheck, CriticalReview, ImportJob
from scoring.calls.results import check_results
from scoring.calls.search import validate_phrase
from scoring.calls.selectors import SORTS, CallFilters, calls_for
from scoring.calls.services.checks import (
    library_activate_and_rescore,
    library_rescore_progress,
    period_calls,
)
from scoring.calls.services.imports import import_file, import_job_progress, imports_for
from scoring.calls.services.reviews import critical_review_decide, critical_reviews_of
from scoring.calls.transcript import transcript_turns
from scoring.rules.models import RuleLibrary
from scoring.rules.services import LibraryInvalidError
from scoring.rules.views import ActivateForm

YES_NO = [("", gettext_lazy("Any")), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]
PAGE_SIZE = 50
EXPORT_MAX_ROWS = 200_000


# --- The call list and its export -----------------------------------------------------------


class CallFilterForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_day],  # so "the day after" cannot leave the calendar
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_day],  # so "the day after" cannot leave the calendar
    )
    team = forms.TypedChoiceField(label=gettext_lazy("Team"), required=False, coerce=int)
    agent = forms.TypedChoiceField(label=gettext_lazy("Agent"), required=False, coerce=int)
    score_min = forms.DecimalField(
        label=gettext_lazy("Score from"), required=False, min_value=0, max_value=100
    )
    score_max = forms.DecimalField(
        label=gettext_lazy("Score to"), required=False, min_value=0, max_value=100
    )
    critical = forms.ChoiceField(
        label=gettext_lazy("Critical rule failed"), choices=YES_NO, required=False
    )
    to_confirm = forms.ChoiceField(
        label=gettext_lazy("Critical failure to confirm"), choices=YES_NO, required=False
    )
    evaluated = forms.ChoiceField(label=gettext_lazy("Evaluated"), choices=YES_NO, required=False)
    rule = forms.ChoiceField(label=gettext_lazy("Rule failed"), required=False)
    q = forms.CharField(
        label=gettext_lazy("Call id"), required=False, max_length=64, validators=[validate_text]
    )
    said = forms.CharField(
        label=gettext_lazy("What was said"),
        required=False,
        max_length=100,
        validators=[validate_phrase],
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    sort = forms.ChoiceField(
        required=False, choices=[(key, key) for key in SORTS], widget=forms.HiddenInput
    )

    def __init__(self, *args, user, rules: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        any_choice = [("", _("All"))]
        self.fields["team"].choices = any_choice + [
            (team.pk, str(team)) for team in teams_for(user)
        ]
        self.fields["agent"].choices = any_choice + [
            (agent.pk, str(agent)) for agent in agents_for(user)
        ]
        self.fields["rule"].choices = any_choice + rules

    def filters(self) -> CallFilters:
        """The valid filters; a refused one is left out (its error shows on the form)."""
        if not self.is_bound:
            return CallFilters()
        self.is_valid()
        data = self.cleaned_data  # only the fields that passed

        def yes_no(value: str | None) -> bool | None:
            return {"yes": True, "no": False}.get(value or "")

        return CallFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            team_id=data.get("team") or None,
            agent_id=data.get("agent") or None,
            score_min=data.get("score_min"),
            score_max=data.get("score_max"),
            critical=yes_no(data.get("critical")),
            to_confirm=yes_no(data.get("to_confirm")),
            evaluated=yes_no(data.get("evaluated")),
            rule_failed=data.get("rule") or "",
            query=data.get("q") or "",
            said=data.get("said") or "",
            sort=data.get("sort") or "-started_at",
        )


def _active_rules() -> list[dict]:
    library = RuleLibrary.objects.filter(status=RuleLibrary.Status.ACTIVE).only("definition")
    library = library.first()
    if library is None:
        return []
    return [r for r in library.definition.get("rules", []) if isinstance(r, dict) and "code" in r]


def _form(request: HttpRequest) -> tuple[CallFilterForm, dict[str, str]]:
    rules = _active_rules()
    titles = {r["code"]: r.get("title", "") for r in rules}
    choices = [(r["code"], f"{r['code']} · {r.get('title', '')}") for r in rules]
    return CallFilterForm(request.GET or None, user=request.user, rules=choices), titles


@capability_required("view_results")
def call_list(request: HttpRequest) -> HttpResponse:
    form, titles = _form(request)
    filters = form.filters()
    page = Paginator(calls_for(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    for call in page:
        check = getattr(call, "auto_check", None)
        call.failed_rules = (
            [(code, titles.get(code, "")) for code, out in check.outcomes.items() if out == "fail"]
            if check
            else []
        )
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    context = {
        "form": form,
        "page": page,
        "titles": titles,
        "query": params.urlencode(),
        "sort_query": sort_params.urlencode(),
        "sort": filters.sort,
    }
    return render(request, "calls/call_list.html", context)


def _neutralize(value) -> object:
    """Spreadsheet programs run cells that start with = + - @ (or a tab / carriage return) as
    formulas: prefix them with ' so they stay text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _export_rows(request: HttpRequest, filters: CallFilters) -> Iterator[list]:
    yield [
        _("Call id"),
        _("Started at"),
        _("Agent"),
        _("Employee number"),
        _("Team"),
        _("Duration (s)"),
        _("Channel"),
        _("Automatic score"),
        _("Critical rule failed"),
        _("Failed rules"),
        _("Evaluated"),
    ]
    calls = calls_for(request.user, filters)[:EXPORT_MAX_ROWS]
    for call in calls.iterator(chunk_size=2000):
        check = getattr(call, "auto_check", None)
        failed = (
            " ".join(code for code, outcome in check.outcomes.items() if outcome == "fail")
            if check
            else ""
        )
        yield [
            _neutralize(call.call_id),
            timezone.localtime(call.started_at).strftime("%Y-%m-%d %H:%M:%S"),
            _neutralize(call.agent.name),
            _neutralize(call.agent.employee_no),
            _neutralize(call.team.name),
            call.duration_seconds,
            call.get_channel_display(),
            float(check.score) if check and check.score is not None else None,
            (_("Yes") if check.critical_failed else _("No")) if check else "",
            _neutralize(failed),
            _("Yes") if call.evaluated else _("No"),
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


@capability_required("view_results")
def call_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form, _titles = _form(request)
    filters = form.filters()
    if form.is_bound and form.errors:
        # Never export more than was asked for: show the list with the filter's error instead.
        messages.error(request, _("Correct the filters before exporting."))
        return redirect(f"{reverse('calls:call_list')}?{request.GET.urlencode()}")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Calls"))
        for row in _export_rows(request, filters):
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="calls-{stamp}.xlsx"'
        return response
    writer = csv.writer(_Echo())

    def stream() -> Iterator[str]:
        yield "\ufeff"  # so Excel opens the Chinese text as UTF-8
        for row in _export_rows(request, filters):
            yield writer.writerow(["" if v is None else v for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="calls-{stamp}.csv"'
    return response


# --- One call ----------------------------------------------------------------------------


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
    results = check_results(check)
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
    # The call's evaluations (scoring.evaluations), through the relation and the permission
    # module's visibility rule: this app does not import the evaluations app above it.
    evaluations = visible_evaluations(user, call.evaluations.filter(is_calibration=False))
    evaluations = evaluations.select_related("evaluator", "scorecard").order_by("created_at")
    mine = None
    if has_capability(user, "score_calls"):
        mine = call.evaluations.filter(evaluator=user, is_calibration=False).first()
    return render(
        request,
        "calls/call_detail.html",
        {
            "call": call,
            "check": check,
            "critical_reviews": list(critical_reviews_of(call)),
            "may_review_critical": bool(check and check.to_confirm)
            and has_capability(user, "score_calls"),
            "weak_titles": [(code, rule_titles.get(code, "")) for code in check.weak_critical]
            if check
            else [],
            "turns": turns,
            "rows": rows,
            "evaluations": evaluations,
            "can_score": has_capability(user, "score_calls"),
            "agent_view": not has_capability(user, "view_results"),
            "my_evaluation": mine,
        },
    )


class CriticalReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=CriticalReview.Decision.choices)
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    codes = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)


@require_POST
@capability_required("score_calls")
def critical_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm or reject the call's weak critical failures (the buttons of the call page)."""
    call = get_scoped_or_404(request.user, Call.objects.all(), pk=pk)
    form = CriticalReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose confirm or reject."))
        return redirect("calls:call_detail", pk=pk)
    codes = [c for c in form.cleaned_data["codes"].split(",") if c]
    try:
        check = critical_review_decide(
            call=call,
            by=request.user,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
            codes=codes or None,
        )
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    else:
        if check.review == CriticalReview.Decision.CONFIRMED:
            messages.success(request, _("Critical failure confirmed: the call scores 0."))
        else:
            messages.success(
                request,
                _("Critical failure rejected: the call now scores %(score)s.")
                % {"score": "—" if check.score is None else check.score},
            )
    return redirect("calls:call_detail", pk=pk)


# --- Imports -------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "JSON Lines (one call per line), or CSV / XLSX with one row per turn: "
            "call_id, agent, started_at, speaker, text, start, end (optional: channel, "
            "duration, recording_url). UTF-8."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".jsonl,.ndjson,.json,.csv,.xlsx"}),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        required=False,
        choices=[("", gettext_lazy("From the file")), *ImportJob.Format.choices],
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.QA_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
                % {"size": round(upload.size / 1048576, 1), "limit": round(limit / 1048576, 1)}
            )
        return upload


def _job_for(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(imports_for(request.user), pk=pk)


@capability_required("import")
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = import_file(
            user=request.user,
            filename=upload.name,
            content=upload.read(),
            fmt=form.cleaned_data["format"] or None,
        )
        return redirect("calls:import_detail", pk=job.pk)
    jobs = imports_for(request.user)[:10]
    return render(request, "calls/import_upload.html", {"form": form, "jobs": jobs})


@capability_required("import")
def import_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(imports_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "calls/import_list.html", {"page": page})


def _errors(job: ImportJob) -> list[dict]:
    return [
        {
            "where": problem_location(problem),
            "line": problem.get("line"),
            "field": problem.get("field"),
            "message": render_problem({**problem, "line": None, "field": None}),
        }
        for problem in job.errors
    ]


@capability_required("import")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    context = {"job": job, "progress": import_job_progress(job), "errors": _errors(job)}
    return render(request, "calls/import_detail.html", context)


@capability_required("import")
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.headers.get("HX-Request"):
        raise Http404
    job = _job_for(request, pk)
    progress = import_job_progress(job)
    response = render(request, "calls/import_progress.html", {"job": job, "progress": progress})
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED) and (
        request.GET.get("status") != job.status
    ):
        # The job finished since the page was drawn: reload it to show the result.
        response["HX-Refresh"] = "true"
    return response


# --- Activating a rule library, and the rescoring it starts -------------------------------


@require_POST
@capability_required("manage_rules")
def library_activate(request: HttpRequest, pk: int) -> HttpResponse:
    library = get_object_or_404(RuleLibrary, pk=pk)
    form = ActivateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("rules:library_detail", pk=pk)
    date_from, date_to = form.cleaned_data["rescore_from"], form.cleaned_data["rescore_to"]
    if request.POST.get("confirmed") != "1":
        # Activation changes every call checked from now on, for the whole center: say so, and
        # how many stored calls it rescores, before doing it.
        rescore = period_calls(date_from, date_to).count() if (date_from or date_to) else 0
        current = RuleLibrary.objects.filter(status=RuleLibrary.Status.ACTIVE).first()
        return render(
            request,
            "calls/library_activate_confirm.html",
            {
                "library": library,
                "current": current,
                "rescore": rescore,
                "rescore_from": date_from,
                "rescore_to": date_to,
            },
        )
    try:
        library = library_activate_and_rescore(
            library=library,
            rescore_from=date_from,
            rescore_to=date_to,
        )
    except LibraryInvalidError as exc:
        for problem in exc.problems:
            if problem["level"] == "error":
                messages.error(request, problem["message"])
    else:
        messages.success(
            request,
            _("%(library)s is active; %(count)s calls are being rescored.")
            % {"library": library, "count": library.rescore_total},
        )
    return redirect("rules:library_detail", pk=pk)


@capability_required("manage_rules")
def library_rescore(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.headers.get("HX-Request"):
        raise Http404
    library = get_object_or_404(RuleLibrary, pk=pk)
    return render(
        request,
        "calls/library_rescore.html",
        {"library": library, "rescore": library_rescore_progress(library)},
    )
