"""Bulletin pages: the list with unread markers, a bulletin, two weeks side by side, Excel and
PDF downloads, measures and targets, and issuing the monthly notice."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits.actions.models import ImprovementTarget
from bulletins import charts, exports, selectors, services
from bulletins.forms import DecisionsForm, TargetForm
from bulletins.models import Bulletin, Kind
from kpi.selectors import shortfalls_for_bulletin as kpi_shortfalls_for_bulletin
from qa_center import filters
from qa_center.filters import parse_for_page
from qa_center.levels import BULLETIN_LEVELS, Level
from qa_center.permissions import capability_required, has_capability, may_write_bulletin


def call_url(call_pk: int) -> str:
    return reverse("calls:call_detail", args=[call_pk])


def _bulletin(request: HttpRequest, pk: int) -> Bulletin:
    queryset = selectors.bulletins_for(request.user).select_related(
        "department", "team", "issued_by", "corrects"
    )
    # bulletins_for already scopes through the permission module (and adds the issued
    # notices everyone reads); out of scope is a 404 like a bulletin that does not exist.
    try:
        return queryset.get(pk=pk)
    except Bulletin.DoesNotExist:
        raise Http404 from None


def _bulletin_to_write(request: HttpRequest, pk: int, capability: str) -> Bulletin:
    """A bulletin the user acts on: one they may read (else 404) and that is in their own
    scope (else 403): every department reads the center's issued notice, but only the
    center's managers correct it, write its decisions or issue it."""
    bulletin = _bulletin(request, pk)
    if not may_write_bulletin(request.user, bulletin, capability=capability):
        raise PermissionDenied
    return bulletin


@capability_required("read_bulletins")
def bulletin_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.current_only(selectors.bulletins_for(request.user))
    parsed = parse_for_page(
        request,
        {"kind": filters.choice(Kind.values), "level": filters.choice(dict(BULLETIN_LEVELS))},
    )
    kind, level = parsed.get("kind", ""), parsed.get("level", "")
    if kind:
        queryset = queryset.filter(kind=kind)
    if level:
        queryset = queryset.filter(level=level)
    queryset = selectors.with_unread(queryset, request.user).select_related("department", "team")
    page = Paginator(queryset.order_by("-period_start", "kind", "level", "scope_key"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "bulletins/list.html",
        {
            "page": page,
            "kind": kind,
            "level": level,
            "kinds": Kind.choices,
            "levels": BULLETIN_LEVELS,
            "can_issue": has_capability(request.user, "issue_bulletins"),
            "monthly_drafts": selectors.current_only(selectors.bulletins_for(request.user))
            .filter(kind=Kind.MONTHLY, status=Bulletin.Status.DRAFT)
            .count(),
        },
    )


def _enrich(bulletin: Bulletin) -> dict:
    """Links to the calls of the examples (resolved once, not per row in the template)."""
    data = bulletin.data
    for worst in data.get("worst", []):
        for example in worst.get("examples", []):
            example["url"] = call_url(example["call"])
    return data


@capability_required("read_bulletins")
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    services.bulletin_mark_read(bulletin=bulletin, user=request.user)
    revisions = list(selectors.revisions_of(bulletin).values("pk", "revision", "reason"))
    context = {
        "bulletin": bulletin,
        "data": _enrich(bulletin),
        "revisions": revisions,
        "latest": revisions[0]["pk"] == bulletin.pk if revisions else True,
        "can_follow_up": has_capability(request.user, "follow_up")
        and bulletin.level != Level.CENTER,
        "can_issue": has_capability(request.user, "issue_bulletins"),
        # The KPI shortfalls of the bulletin's scope and period (kpi, below bulletins).
        "kpi_shortfalls": kpi_shortfalls_for_bulletin(
            level=bulletin.level,
            department_id=bulletin.department_id,
            team_id=bulletin.team_id,
            start=bulletin.period_start,
            end=bulletin.period_end,
            monthly=bulletin.kind == Kind.MONTHLY,
        ),
    }
    if bulletin.kind == Kind.MONTHLY:
        context["decisions_form"] = DecisionsForm(initial={"decisions": bulletin.decisions})
        context["issuing_unit"] = services.settings.QA_ISSUING_UNIT
        return render(request, "bulletins/monthly.html", context)
    others = (
        selectors.current_only(selectors.bulletins_for(request.user))
        .filter(kind=Kind.WEEKLY, scope_key=bulletin.scope_key)
        .exclude(pk=bulletin.pk)
        .order_by("-period_start")
        .values("pk", "period_start")[:26]
    )
    context["compare_with"] = list(others)
    context["charts"] = charts.weekly_charts(context["data"])
    return render(request, "bulletins/weekly.html", context)


@capability_required("read_bulletins")
def bulletin_compare(request: HttpRequest) -> HttpResponse:
    """Two weekly bulletins side by side (of the same scope or not)."""
    parsed = filters.parse_query(request.GET, {"a": filters.id_, "b": filters.id_})
    a_pk, b_pk = parsed.get("a"), parsed.get("b")
    if a_pk is None or b_pk is None:
        messages.error(request, _("Choose two bulletins to compare."))
        return redirect("bulletins:list")
    a, b = _bulletin(request, a_pk), _bulletin(request, b_pk)
    if a.period_start > b.period_start:
        a, b = b, a
    rows = []
    for section in ("rules", "items"):
        left = {r["code"]: r for r in a.data.get(section, [])}
        right = {r["code"]: r for r in b.data.get(section, [])}
        for code in sorted(set(left) | set(right)):
            one, two = left.get(code, {}), right.get(code, {})
            before, after = one.get("compliance"), two.get("compliance")
            rows.append(
                {
                    "kind": section,
                    "label": (two or one).get("label", code),
                    "a": before,
                    "b": after,
                    "change": round(after - before, 1)
                    if before is not None and after is not None
                    else None,
                }
            )
    heads = []
    for key, label in (
        ("checked", _("Calls checked automatically")),
        ("auto_mean", _("Automatic mean score")),
        ("evaluated", _("Calls evaluated")),
        ("eval_mean", _("Evaluation mean score")),
        ("pass_rate", _("Pass rate (%)")),
        ("auto_critical", _("Critical failures (automatic)")),
        ("disputes_opened", _("Disputes opened")),
    ):
        before = a.data.get("headline", {}).get(key)
        after = b.data.get("headline", {}).get(key)
        heads.append(
            {
                "label": label,
                "a": before,
                "b": after,
                "change": round(after - before, 1)
                if before is not None and after is not None
                else None,
            }
        )
    return render(request, "bulletins/compare.html", {"a": a, "b": b, "rows": rows, "heads": heads})


@capability_required("read_bulletins")
def bulletin_excel(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    response = HttpResponse(
        exports.bulletin_xlsx(bulletin),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(bulletin)}.xlsx"'
    return response


@capability_required("read_bulletins")
def bulletin_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin(request, pk)
    response = HttpResponse(exports.bulletin_pdf(bulletin), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(bulletin)}.pdf"'
    return response


@capability_required("follow_up")
def target_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the measure and target for one shortfall of a team's (or department's) bulletin."""
    bulletin = _bulletin_to_write(request, pk, "follow_up")
    if bulletin.kind != Kind.WEEKLY or bulletin.level == Level.CENTER:
        messages.error(request, _("Measures and targets are set on a team's weekly bulletin."))
        return redirect("bulletins:detail", pk=bulletin.pk)
    metric = request.GET.get("metric") or request.POST.get("metric") or "rule"
    code = request.GET.get("code") or request.POST.get("code") or ""
    row = next(
        (
            r
            for r in bulletin.data.get("rules", []) + bulletin.data.get("items", [])
            if r["kind"] == metric and r["code"] == code
        ),
        None,
    )
    default_due = bulletin.period_start + datetime.timedelta(weeks=3)
    form = TargetForm(
        request.POST or None,
        initial={
            "metric": metric,
            "code": code,
            "target_value": bulletin.data.get("standards", {}).get("compliance", 90),
            "due_week": default_due,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.improvement_target_create(
                actor=request.user,
                bulletin=bulletin,
                metric=form.cleaned_data["metric"],
                code=form.cleaned_data["code"],
                label=row["label"] if row else "",
                target_value=form.cleaned_data["target_value"],
                due_week=form.cleaned_data["due_week"],
                measure=form.cleaned_data["measure"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The measure and target are recorded."))
            return redirect("bulletins:detail", pk=bulletin.pk)
    existing = ImprovementTarget.objects.filter(
        team_id=bulletin.team_id,
        department_id=bulletin.department_id,
        metric=metric,
        code=code,
        status=ImprovementTarget.Status.OPEN,
    ).first()
    return render(
        request,
        "bulletins/target_form.html",
        {"bulletin": bulletin, "form": form, "row": row, "existing": existing},
    )


@require_POST
@capability_required("issue_bulletins")
def bulletin_decisions(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = _bulletin_to_write(request, pk, "issue_bulletins")
    form = DecisionsForm(request.POST)
    if form.is_valid():
        try:
            saved = services.bulletin_update_decisions(
                bulletin=bulletin, decisions=form.cleaned_data["decisions"], actor=request.user
            )
            if request.POST.get("issue"):
                confirmed = request.POST.get("confirm_number")
                if not confirmed:
                    # Nothing is issued before the manager has seen the number it will take.
                    if not saved.decisions.strip():
                        raise ValidationError(
                            _(
                                "Write the decisions before issuing: an issued notice cannot be changed."
                            )
                        )
                    return render(
                        request,
                        "bulletins/issue_confirm.html",
                        {"bulletin": saved, "number": services.bulletin_next_number()},
                    )
                issued = services.bulletin_issue(
                    bulletin=bulletin, actor=request.user, expected_number=confirmed
                )
                messages.success(
                    request, _("Notice %(number)s issued.") % {"number": issued.number}
                )
            else:
                messages.success(request, _("The decisions are saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("bulletins:detail", pk=bulletin.pk)


@require_POST
@capability_required("issue_bulletins")
def bulletin_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft a correction of an issued notice: a new revision, later issued with a new number.
    The correction is of the revision the user had on screen: a second click (or a colleague
    correcting it at the same moment) finds it already corrected and drafts nothing more."""
    bulletin = _bulletin_to_write(request, pk, "issue_bulletins")
    reason = request.POST.get("reason", "").strip()
    try:
        result = services.bulletin_generate_month(
            month=bulletin.period_start,
            revise=True,
            reason=reason,
            actor=request.user,
            of_revision=bulletin.revision,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("bulletins:detail", pk=bulletin.pk)
    if not result.created:
        messages.info(request, _("This notice has already been revised; here is the latest."))
        latest = selectors.revisions_of(bulletin).first()
        return redirect("bulletins:detail", pk=latest.pk)
    messages.success(request, _("A corrected draft is ready; review it and issue it."))
    return redirect("bulletins:detail", pk=result.created[0].pk)
