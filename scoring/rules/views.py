"""Rule libraries for administrators: versions, import/export of the engine's JSON, editing as
a new draft with validation, trying the rules on a pasted dialogue. (Activation
rescores calls: scoring.calls.views.)"""

from __future__ import annotations

import datetime
import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from qa_center import filters
from qa_center.filters import parse_for_page
from qa_center.permissions import capability_required, has_capability
from scoring.rules.hooks import enforcers_of, library_panels, rule_examples_for, rule_quality_for
from scoring.rules.models import RuleLibrary
from scoring.rules.services import (
    LibraryInvalidError,
    library_create,
    library_parse_json,
    library_problems,
    library_try,
)

# A compliant call: it passes every rule of the starter library that applies (a test holds it).
SAMPLE_DIALOGUE = "客服：您好，很高兴为您服务，请问有什么可以帮您？\n客户：我想查一下话费。\n"
SAMPLE_DIALOGUE += "客服：好的，为了您的账户安全，请先提供服务密码验证一下身份。\n"
SAMPLE_DIALOGUE += "客户：好的，密码已经输入了。\n"
SAMPLE_DIALOGUE += (
    "客服：验证通过，谢谢您。请稍等，我帮您查询。\n客服：您本月话费是58元。\n客户：好的，谢谢。\n"
)
SAMPLE_DIALOGUE += "客服：请问还有其他可以帮您的吗？感谢您的来电，祝您生活愉快，再见。"


class LibraryImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Rule library JSON"), required=False)
    text = forms.CharField(
        label=gettext_lazy("…or paste it"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste the library."))
        return data


class LibraryEditForm(forms.Form):
    definition = forms.CharField(
        label=gettext_lazy("Rules (the engine's JSON)"),
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "false", "class": "code"}),
    )
    notes = forms.CharField(label=gettext_lazy("What changed"), required=False, max_length=2000)


class ActivateForm(forms.Form):
    rescore_from = forms.DateField(
        label=gettext_lazy("Rescore calls from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    rescore_to = forms.DateField(
        label=gettext_lazy("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _rules_table(definition: dict) -> list[dict]:
    rows = []
    for index, rule in enumerate(
        definition.get("rules", []) if isinstance(definition, dict) else []
    ):
        if not isinstance(rule, dict):
            continue
        phrases = []
        for key in ("phrases", "first", "then", "when"):
            value = rule.get(key)
            if isinstance(value, list):
                phrases.extend(str(p) for p in value)
            elif isinstance(value, dict):
                phrases.extend(str(p) for p in value.get("phrases", []))
        rows.append({"index": index, **rule, "phrase_list": phrases})
    return rows


@capability_required("manage_rules")
def library_list(request: HttpRequest) -> HttpResponse:
    libraries = RuleLibrary.objects.select_related("created_by").defer("definition")
    return render(request, "rules/library_list.html", {"libraries": libraries})


@capability_required("manage_rules")
def library_detail(request: HttpRequest, pk: int) -> HttpResponse:
    library = get_object_or_404(RuleLibrary.objects.select_related("created_by"), pk=pk)
    rules = _rules_table(library.definition)
    # Which standards in force enforce each rule (filled by audits.standards, see hooks).
    enforcers = enforcers_of(str(rule.get("code")) for rule in rules)
    for rule in rules:
        rule["enforced_by"] = enforcers.get(str(rule.get("code")), [])
    # Each rule's precision measured from the supervisors' verdicts (scoring.evaluations, see
    # hooks) over the chosen period.
    period = verdict_period(request)
    quality = rule_quality_for(
        [str(rule.get("code")) for rule in rules], period["date_from"], period["date_to"]
    )
    for rule in rules:
        rule["quality"] = quality.get(str(rule.get("code")))
    context = {
        "library": library,
        "rules": rules,
        "period": period,
        "flagged_count": sum(1 for q in quality.values() if q.flagged),
        "panels": library_panels(request, library),
        "problems": library_problems(library.definition),
        "activate_form": ActivateForm(),
        "sample": SAMPLE_DIALOGUE,
    }
    return render(request, "rules/library_detail.html", context)


#: The period of verdicts the rule pages measure by default: the last 90 days.
VERDICT_DAYS = 90


def verdict_period(request: HttpRequest) -> dict:
    """The period of verdicts (?date_from=&date_to=, validated; a refused one is ignored with a
    message), by default the last VERDICT_DAYS days up to today."""
    parsed = parse_for_page(request, {"date_from": filters.day, "date_to": filters.day})
    today = timezone.localdate()
    date_to = parsed.get("date_to") or today
    date_from = parsed.get("date_from") or date_to - datetime.timedelta(days=VERDICT_DAYS - 1)
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    return {"date_from": date_from, "date_to": date_to}


@login_required
def rule_detail(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One rule of a version: its definition, the supervisors' verdicts on it over a period
    (agreement, precision of its failures, recall, override reasons) and the calls filed as
    examples on it ("the rule is wrong here"). Administrators, and supervisors too (read only:
    they give the verdicts, and the examples they see are the calls of their scope)."""
    if not (
        has_capability(request.user, "manage_rules") or has_capability(request.user, "score_calls")
    ):
        raise PermissionDenied
    library = get_object_or_404(RuleLibrary, pk=pk)
    rule = next((r for r in _rules_table(library.definition) if str(r.get("code")) == code), None)
    if rule is None:
        raise Http404
    period = verdict_period(request)
    quality = rule_quality_for([code], period["date_from"], period["date_to"]).get(code)
    context = {
        "library": library,
        "rule": rule,
        "rule_json": json.dumps(
            {k: v for k, v in rule.items() if k not in ("index", "phrase_list")},
            ensure_ascii=False,
            indent=2,
        ),
        "period": period,
        "quality": quality,
        "examples": rule_examples_for(code, request.user),
    }
    return render(request, "rules/rule_detail.html", context)


@capability_required("manage_rules")
def library_import(request: HttpRequest) -> HttpResponse:
    form = LibraryImportForm(request.POST or None, request.FILES or None)
    problems: list[dict] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read() if upload else form.cleaned_data["text"]
        try:
            library = library_create(
                definition=library_parse_json(raw),
                user=request.user,
                notes=form.cleaned_data["notes"],
            )
        except LibraryInvalidError as exc:
            problems = exc.problems
        else:
            messages.success(request, _("Saved as draft %(library)s.") % {"library": library})
            return redirect("rules:library_detail", pk=library.pk)
    return render(request, "rules/library_import.html", {"form": form, "problems": problems})


@capability_required("manage_rules")
def library_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a version's rules; saving makes a new draft version (a saved version never
    changes). `validate` (htmx) only checks."""
    base = get_object_or_404(RuleLibrary, pk=pk)
    initial = {"definition": json.dumps(base.definition, ensure_ascii=False, indent=2)}
    form = LibraryEditForm(request.POST or None, initial=initial)
    problems: list[dict] = []
    validated = False
    if request.method == "POST" and form.is_valid():
        try:
            definition = library_parse_json(form.cleaned_data["definition"])
            if request.POST.get("action") == "validate":
                problems = library_problems(definition)
                validated = True
            else:
                library = library_create(
                    definition=definition, user=request.user, notes=form.cleaned_data["notes"]
                )
                messages.success(request, _("Saved as draft %(library)s.") % {"library": library})
                return redirect("rules:library_detail", pk=library.pk)
        except LibraryInvalidError as exc:
            problems = exc.problems
            validated = True
        if request.headers.get("HX-Request"):
            return render(
                request,
                "rules/library_problems.html",
                {"problems": problems, "validated": validated},
            )
    context = {"base": base, "form": form, "problems": problems, "validated": validated}
    return render(request, "rules/library_edit.html", context)


@require_POST
@capability_required("manage_rules")
def library_try_view(request: HttpRequest, pk: int) -> HttpResponse:
    library = get_object_or_404(RuleLibrary, pk=pk)
    definition = library.definition
    if request.POST.get("definition"):
        try:
            definition = library_parse_json(request.POST["definition"])
        except LibraryInvalidError as exc:
            return render(request, "rules/library_problems.html", {"problems": exc.problems})
    try:
        outcome = library_try(definition=definition, dialogue=request.POST.get("dialogue", ""))
    except LibraryInvalidError as exc:
        return render(request, "rules/library_problems.html", {"problems": exc.problems})
    return render(request, "rules/_rule_results_try.html", {"outcome": outcome})


@capability_required("manage_rules")
def library_export(request: HttpRequest, pk: int) -> HttpResponse:
    library = get_object_or_404(RuleLibrary, pk=pk)
    body = json.dumps(library.definition, ensure_ascii=False, indent=2) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"rules-{library.pk}-v{library.version}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
