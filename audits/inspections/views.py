"""Inspection pages (稽核验证层): the overview of the three kinds, a self-inspection and its
checklist, the third-party import and its results."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits.inspections import selectors, services
from audits.inspections.forms import ItemResultForm, SelfInspectionForm, ThirdPartyImportForm
from audits.inspections.importers import ThirdPartyFileRefusedError
from audits.inspections.models import ChecklistItem, SelfInspection
from org.models import Department, User
from qa_center import filters
from qa_center.filters import parse_for_page
from qa_center.permissions import capability_required, may_run_inspections, scope_queryset

# Every page here: the auditors, managers and administrators (of their scope).
CAPABILITY = "view_results"


def _require(request: HttpRequest) -> None:
    if not services.has_inspections_capability(request.user):
        raise PermissionDenied


@capability_required(CAPABILITY)
def inspection_overview(request: HttpRequest) -> HttpResponse:
    _require(request)
    parsed = parse_for_page(request, {"week": filters.week})
    user = request.user
    return render(
        request,
        "inspections/overview.html",
        {
            "self_inspections": list(selectors.self_inspection_list(user)[:100]),
            "sampling": selectors.sampling_inspections(user, week_start=parsed.get("week")),
            "third_party": list(selectors.visible_third_party(user)[:50]),
        },
    )


def _departments(user):
    return [
        d for d in Department.objects.order_by("name") if may_run_inspections(user, department=d.pk)
    ]


@capability_required(CAPABILITY)
def self_inspection_create(request: HttpRequest) -> HttpResponse:
    _require(request)
    departments = scope_queryset(request.user, Department.objects.all()).order_by("name")
    inspectors = User.objects.filter(is_active=True).exclude(role="agent").order_by("username")
    form = SelfInspectionForm(request.POST or None, departments=departments, inspectors=inspectors)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.self_inspection_open(by=request.user, **data)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The self-inspection is open."))
            return redirect("inspections:self_detail", inspection.pk)
    return render(request, "inspections/self_form.html", {"form": form})


@capability_required(CAPABILITY)
def self_inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    inspection = selectors.self_inspection_detail(request.user, pk)
    if inspection is None:
        raise Http404
    may_record = (
        may_run_inspections(request.user, department=inspection.department_id)
        and inspection.status == SelfInspection.Status.OPEN
    )
    return render(
        request,
        "inspections/self_detail.html",
        {
            "inspection": inspection,
            "items": list(inspection.items.all()),
            "may_record": may_record,
            "results": ChecklistItem.Result.choices,
        },
    )


@require_POST
@capability_required(CAPABILITY)
def checklist_item_record_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    _require(request)
    inspection = selectors.self_inspection_detail(request.user, pk)
    item = (
        ChecklistItem.objects.filter(inspection=inspection, pk=item_pk).first()
        if inspection
        else None
    )
    if item is None:
        raise Http404
    form = ItemResultForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a result."))
        return redirect("inspections:self_detail", pk)
    try:
        recorded = services.checklist_item_record(item=item, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if recorded.action_id:
            messages.success(
                request,
                _("Recorded; its corrective action is %(title)s.")
                % {"title": recorded.action.title},
            )
        else:
            messages.success(request, _("Recorded."))
    return redirect("inspections:self_detail", pk)


@require_POST
@capability_required(CAPABILITY)
def self_inspection_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    inspection = selectors.self_inspection_detail(request.user, pk)
    if inspection is None:
        raise Http404
    try:
        services.self_inspection_complete(inspection=inspection, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The self-inspection is completed."))
    return redirect("inspections:self_detail", pk)


@capability_required(CAPABILITY)
def third_party_import_view(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = ThirdPartyImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            evaluation = services.third_party_import(
                by=request.user,
                data=upload.read(),
                filename=upload.name,
                evaluator=form.cleaned_data["evaluator"],
                method=form.cleaned_data["method"],
                month=form.cleaned_data["month"],
            )
        except ThirdPartyFileRefusedError as exc:
            problems = exc.problems
            messages.error(request, _("Nothing was imported: correct the problems below."))
        else:
            messages.success(request, _("The results are imported."))
            return redirect("inspections:third_party_detail", evaluation.pk)
    return render(
        request,
        "inspections/third_party_form.html",
        {
            "form": form,
            "problems": problems,
            "filename": getattr(request.FILES.get("file"), "name", ""),
        },
    )


@capability_required(CAPABILITY)
def third_party_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    evaluation = selectors.visible_third_party(request.user).filter(pk=pk).first()
    if evaluation is None:
        raise Http404
    return render(
        request,
        "inspections/third_party_detail.html",
        {
            "evaluation": evaluation,
            "summary": selectors.third_party_summary(request.user, evaluation),
            "results": list(selectors.third_party_results(request.user, evaluation)),
        },
    )
