"""KPI pages of kpi-core: the indicator catalogue and an indicator's page, targets (set the
center's, cascade, consistency, tighten, activate), the measurements import, shortfalls.
(The tree, appraisal, linkage and cycle charts are kpi-analytics' views_tree / views_linkage.)"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kpi import selectors, services
from kpi.forms import ActivateForm, MeasurementImportForm, TargetForm, TightenForm
from kpi.models import Indicator, Shortfall, Target
from kpi.selectors import DEPTH
from kpi.smart_data import indicator_smart_report
from qa_center import filters, periods
from qa_center.filters import parse_for_page
from qa_center.levels import Level
from qa_center.permissions import has_capability


def kpi_page(view: Callable) -> Callable:
    """Logged in, and able to see results (their own, for an agent)."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (has_capability(user, "view_results") or has_capability(user, "own_results")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


# Lists read from the top down: the center, its departments, teams, then agents (the level's
# own text would put agents first).
_DEPTH = Case(
    *(When(level=level, then=Value(depth)) for level, depth in DEPTH.items()),
    default=Value(9),
    output_field=IntegerField(),
)


def _may_import(user) -> bool:
    return has_capability(user, "import") or has_capability(user, "kpi")


# --- Indicators ----------------------------------------------------------------------------------


@kpi_page
def indicator_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "kpi/indicators.html",
        {
            "indicators": Indicator.objects.order_by("source", "code").select_related("owner"),
            "may_import": _may_import(request.user),
        },
    )


@kpi_page
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, code=code)
    today = timezone.localdate()
    start = periods.month_start_of(today) - datetime.timedelta(days=365)
    series = selectors.unit_series(
        indicator=indicator, level=Level.CENTER, unit=None, start=start, end=today, grain="month"
    )
    rows = [
        {"period": r.period_start, "shown": indicator.display(r.value), "value": r.value}
        for r in series.itertuples()
    ]
    targets = list(
        selectors.visible_targets(
            request.user, Target.objects.filter(indicator=indicator).exclude(status="retired")
        )
        .select_related("department", "team", "agent")
        .annotate(depth=_DEPTH)
        .order_by("-valid_from", "depth", "unit_id")[:200]
    )
    for t in targets:
        t.shown = indicator.display(t.value)
    return render(
        request,
        "kpi/indicator.html",
        {
            "indicator": indicator,
            "smart": indicator_smart_report(indicator),
            "rows": rows,
            "targets": targets,
            "may_set_center": services.may_set_target(request.user, level=Level.CENTER),
        },
    )


# --- Targets -------------------------------------------------------------------------------------


@kpi_page
def target_list(request: HttpRequest) -> HttpResponse:
    parsed = parse_for_page(
        request,
        {
            "indicator": filters.text(40),
            "level": filters.choice(Level.values),
            "status": filters.choice(Target.Status.values),
        },
    )
    targets = selectors.visible_targets(request.user).select_related(
        "indicator", "department", "team", "agent", "parent"
    )
    if parsed.get("indicator"):
        targets = targets.filter(indicator__code=parsed.get("indicator"))
    if parsed.get("level"):
        targets = targets.filter(level=parsed.get("level"))
    if parsed.get("status"):
        targets = targets.filter(status=parsed.get("status"))
    page = Paginator(
        targets.annotate(depth=_DEPTH).order_by(
            "indicator__code", "-valid_from", "depth", "unit_id"
        ),
        50,
    ).get_page(request.GET.get("page"))
    for t in page:
        t.shown = t.indicator.display(t.value)
    may_set_center = services.may_set_target(request.user, level=Level.CENTER)
    form = None
    if may_set_center:
        year = timezone.localdate().year
        form = TargetForm(
            initial={
                "valid_from": datetime.date(year, 1, 1),
                "valid_to": datetime.date(year, 12, 31),
                "amber_percent": 5,
            }
        )
    return render(
        request,
        "kpi/targets.html",
        {
            "page": page,
            "form": form,
            "indicators": Indicator.objects.order_by("code"),
            "levels": Level.choices,
            "statuses": Target.Status.choices,
            "filters": parsed.values,
        },
    )


@require_POST
@kpi_page
def target_set_center(request: HttpRequest) -> HttpResponse:
    """Set the center's target: a draft, cascaded at once into proposals for the departments,
    teams and agents."""
    form = TargetForm(request.POST)
    if not services.may_set_target(request.user, level=Level.CENTER):
        raise PermissionDenied
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, f"{form.fields[field].label if field in form.fields else ''}: {error}"
                )
        return redirect("kpi:targets")
    data = form.cleaned_data
    try:
        target = services.target_save(
            by=request.user,
            indicator=data["indicator"],
            level=Level.CENTER,
            unit=None,
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            value=form.stored_value(),
            amber_within=form.amber_within(),
            justification=data["justification"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("kpi:targets")
    if data["standard_code"]:
        target.standard_code = data["standard_code"]
        target.save(update_fields=["standard_code"])
    made = services.target_cascade(by=request.user, target=target)
    messages.success(
        request,
        _("The center's target is saved as a draft; %(n)s targets proposed below it.")
        % {"n": len(made)},
    )
    return redirect("kpi:target", pk=target.pk)


def _visible_target(request: HttpRequest, pk: int) -> Target:
    target = selectors.visible_targets(request.user).filter(pk=pk).first()
    if target is None:
        raise Http404
    return target


def _bands(target: Target) -> list[dict]:
    """The bands of a target as people read them: green at or beyond the target, amber within
    the amber band of it, red beyond (≥ 80.00% · ≥ 76.00% · < 76.00% for a higher-is-better
    80 % with a 5 % band)."""
    indicator = target.indicator
    if indicator.lower_is_better:
        edge = target.value * (1 + target.amber_within)
        signs = ("≤", "≤", ">")
    else:
        edge = target.value * (1 - target.amber_within)
        signs = ("≥", "≥", "<")
    return [
        {"band": "green", "rule": f"{signs[0]} {indicator.display(target.value)}"},
        {"band": "amber", "rule": f"{signs[1]} {indicator.display(edge)}"},
        {"band": "red", "rule": f"{signs[2]} {indicator.display(edge)}"},
    ]


@kpi_page
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = _visible_target(request, pk)
    indicator = target.indicator
    children = [
        {
            "target": child,
            "shown": indicator.display(child.value),
            "may_set": services.may_set_target(
                request.user,
                level=child.level,
                department_id=child.department_id,
                team_id=child.team_id,
            ),
            "form": TightenForm(initial={"value": child.value * indicator.scale}),
        }
        for child in selectors.visible_targets(request.user, target.children.all())
        .exclude(status="retired")
        .select_related("department", "team", "agent")
    ]
    consistency = [
        row
        for row in services.cascade_consistency(target)
        if row.target.pk == target.pk or row.reaches is False
    ]
    # Proposals below it not yet in force (a new agent's, after a new cascade of an active one).
    has_proposals = _has_proposals(target)
    return render(
        request,
        "kpi/target.html",
        {
            "target": target,
            "indicator": indicator,
            "shown": indicator.display(target.value),
            "bands": _bands(target),
            "smart": services.target_smart(target),
            "children": children,
            "consistency": consistency,
            "may_set": services.may_set_target(
                request.user,
                level=target.level,
                department_id=target.department_id,
                team_id=target.team_id,
            ),
            "activate_form": ActivateForm(
                initial={"justification": target.justification}, with_proposals=has_proposals
            ),
            "has_proposals": has_proposals,
            "parent": target.parent if target.parent_id else None,
        },
    )


def _has_proposals(target: Target) -> bool:
    """Proposals not yet in force anywhere below it (the cascade goes three levels down)."""
    below = Q(parent=target) | Q(parent__parent=target) | Q(parent__parent__parent=target)
    return Target.objects.filter(below, status=Target.Status.DRAFT, proposed=True).exists()


@require_POST
@kpi_page
def target_activate(request: HttpRequest, pk: int) -> HttpResponse:
    target = _visible_target(request, pk)
    form = ActivateForm(request.POST, with_proposals=True)
    form.is_valid()
    try:
        services.target_activate(
            by=request.user, target=target, justification=form.cleaned_data.get("justification", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("kpi:target", pk=target.pk)
    count = 0
    if form.cleaned_data.get("proposals"):
        count = services.target_activate_proposals(by=request.user, target=target)
    if count:
        messages.success(
            request,
            _("The target is active, and %(n)s proposals below it with it.") % {"n": count},
        )
    else:
        messages.success(request, _("The target is active."))
    return redirect("kpi:target", pk=target.pk)


@require_POST
@kpi_page
def target_cascade(request: HttpRequest, pk: int) -> HttpResponse:
    target = _visible_target(request, pk)
    made = services.target_cascade(by=request.user, target=target)
    messages.success(request, _("%(n)s targets proposed.") % {"n": len(made)})
    return redirect("kpi:target", pk=target.pk)


@require_POST
@kpi_page
def target_tighten(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's own target set (tightened) from the parent's proposal; it becomes a draft of
    its own, no longer a proposal."""
    target = _visible_target(request, pk)
    if not services.may_set_target(
        request.user, level=target.level, department_id=target.department_id, team_id=target.team_id
    ):
        raise PermissionDenied
    form = TightenForm(request.POST)
    edit = target
    if target.status == Target.Status.ACTIVE:
        # A target in force stays in force: the tightened one is a draft beside it (the same
        # one on a second try), which replaces it when it is activated.
        edit = (
            Target.objects.filter(
                indicator=target.indicator,
                level=target.level,
                unit_id=target.unit_id,
                period_kind=target.period_kind,
                valid_from=target.valid_from,
                parent=target.parent,
                status=Target.Status.DRAFT,
                proposed=False,
            )
            .order_by("-pk")
            .first()
        )
    if form.is_valid():
        try:
            saved = services.target_save(
                by=request.user,
                indicator=target.indicator,
                level=target.level,
                unit=target.unit,
                valid_from=target.valid_from,
                valid_to=target.valid_to,
                value=form.cleaned_data["value"] / target.indicator.scale,
                amber_within=target.amber_within,
                weight=target.weight,
                parent=target.parent,
                justification=target.justification,
                target=edit,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if saved.pk != target.pk:
                messages.success(
                    request,
                    _(
                        "The target of %(unit)s is saved as a draft; the active one stays in "
                        "force until the draft is activated."
                    )
                    % {"unit": target.unit_label},
                )
            else:
                messages.success(
                    request, _("The target of %(unit)s is saved.") % {"unit": target.unit_label}
                )
    else:
        messages.error(request, _("Enter a number."))
    return redirect("kpi:target", pk=target.parent_id or target.pk)


# --- Measurements --------------------------------------------------------------------------------


@kpi_page
def measurements_import(request: HttpRequest) -> HttpResponse:
    if not _may_import(request.user):
        raise PermissionDenied
    problems = []
    form = MeasurementImportForm()
    if request.method == "POST":
        form = MeasurementImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                count = services.measurements_import(
                    data=upload.read(), filename=upload.name, by=request.user
                )
            except services.MeasurementsRefusedError as exc:
                problems = exc.problems
                messages.error(
                    request,
                    _("Nothing was imported: %(n)s problems (listed below).")
                    % {"n": len(problems)},
                )
            else:
                messages.success(request, _("%(n)s measurements imported.") % {"n": count})
                return redirect("kpi:measurements_import")
    return render(
        request,
        "kpi/import.html",
        {"form": form, "problems": problems, "columns": services.IMPORT_COLUMNS},
    )


# --- Shortfalls ----------------------------------------------------------------------------------


@kpi_page
def shortfall_list(request: HttpRequest) -> HttpResponse:
    parsed = parse_for_page(
        request,
        {
            "indicator": filters.text(40),
            "kind": filters.choice(Shortfall.Kind.values),
            "period_kind": filters.choice(periods.KINDS),
        },
    )
    shortfalls = selectors.visible_shortfalls(request.user).select_related(
        "indicator", "department", "team", "agent", "owner", "action"
    )
    if parsed.get("indicator"):
        shortfalls = shortfalls.filter(indicator__code=parsed.get("indicator"))
    if parsed.get("kind"):
        shortfalls = shortfalls.filter(kind=parsed.get("kind"))
    if parsed.get("period_kind"):
        shortfalls = shortfalls.filter(period_kind=parsed.get("period_kind"))
    shortfalls = shortfalls.annotate(depth=_DEPTH).order_by(
        "-period_start", "indicator__code", "depth", "unit_id", "kind", "revision"
    )
    page = Paginator(shortfalls, 50).get_page(request.GET.get("page"))
    for s in page:
        s.shown = s.indicator.display(s.value)
        s.target_shown = s.indicator.display(s.target_value) if s.target_value is not None else "—"
        s.period_label = periods.format_period(periods.period_of(s.period_kind, s.period_start))
    return render(
        request,
        "kpi/shortfalls.html",
        {
            "page": page,
            "kinds": Shortfall.Kind.choices,
            "indicators": Indicator.objects.order_by("code"),
            "filters": parsed.values,
        },
    )
