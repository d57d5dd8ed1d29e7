"""The call list: every call in the user's scope with its automatic check, filtered, sorted,
paginated, and exported as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from org.selectors import agents_for, teams_for
from qa_center.permissions import capability_required
from scoring.models import RuleLibrary
from scoring.selectors.calls import SORTS, CallFilters, calls_for

YES_NO = [("", gettext_lazy("Any")), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]
PAGE_SIZE = 50
EXPORT_MAX_ROWS = 200_000


class CallFilterForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
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
    evaluated = forms.ChoiceField(label=gettext_lazy("Evaluated"), choices=YES_NO, required=False)
    rule = forms.ChoiceField(label=gettext_lazy("Rule failed"), required=False)
    q = forms.CharField(label=gettext_lazy("Call id"), required=False, max_length=64)
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
        if not self.is_valid():
            return CallFilters()
        data = self.cleaned_data

        def yes_no(value: str) -> bool | None:
            return {"yes": True, "no": False}.get(value)

        return CallFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            team_id=data["team"] or None,
            agent_id=data["agent"] or None,
            score_min=data["score_min"],
            score_max=data["score_max"],
            critical=yes_no(data["critical"]),
            evaluated=yes_no(data["evaluated"]),
            rule_failed=data["rule"],
            query=data["q"],
            sort=data["sort"] or "-started_at",
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
    return render(request, "scoring/call_list.html", context)


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
