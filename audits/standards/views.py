"""Standards library pages: list and search, a standard's page, creating and editing, the
lifecycle (submit, send back, publish, revise, abolish), the rollout with its coverage and
reminders, the agents' reading list, and attachment downloads (permission-checked)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits.standards import selectors, services
from audits.standards.forms import (
    AttachmentForm,
    ContentForm,
    PeopleForm,
    ReasonForm,
    RolloutForm,
    StandardCreateForm,
    steps_text,
)
from audits.standards.models import (
    OPEN_STATUSES,
    AbolitionRequest,
    Attachment,
    Kind,
    Rollout,
    Standard,
    Status,
)
from org.models import Department, Role, Team, User, WorkingGroup
from qa_center import filters
from qa_center.filters import parse_for_page
from qa_center.permissions import (
    has_capability,
    may_approve_abolition,
    may_edit_standard,
    may_manage_standard,
    may_request_abolition,
    scope_queryset,
    user_scope,
    visible_abolition_requests,
    visible_standards,
)

PAGE_SIZE = 200


def _error_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [f"{m}" for messages_ in exc.message_dict.values() for m in messages_]
    return list(exc.messages)


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in _error_messages(exc):
        messages.error(request, message)


def _may_use_library(user) -> bool:
    """The library's pages: its capability, or owning/monitoring a standard (专人负责/监控)."""
    if has_capability(user, "standards"):
        return True
    return Standard.objects.filter(Q(owner=user) | Q(monitor=user)).exists()


def _standard_or_404(user, pk: int) -> Standard:
    try:
        return visible_standards(user, Standard.objects.select_related("department")).get(pk=pk)
    except Standard.DoesNotExist:
        raise Http404 from None


def _people(user):
    """Who may own or monitor a standard the user manages: active non-agent users in scope."""
    qs = User.objects.filter(is_active=True).exclude(role=Role.AGENT)
    scope = user_scope(user)
    if scope.department_id:
        qs = qs.filter(Q(department_id=scope.department_id) | Q(department__isnull=True))
    return qs.order_by("username")


def _managed_departments(user):
    return [
        d
        for d in scope_queryset(user, Department.objects.order_by("code"))
        if may_manage_standard(user, department_id=d.pk)
    ]


@login_required
def standard_list(request: HttpRequest) -> HttpResponse:
    if not _may_use_library(request.user):
        raise PermissionDenied
    parsed = parse_for_page(
        request,
        {
            "kind": filters.choice(Kind.values),
            "status": filters.choice(Status.values),
            "department": filters.id_,
            "working_group": filters.id_,
            "q": filters.text(100),
        },
    )
    qs = selectors.standards_for(
        request.user,
        kind=parsed.get("kind") or None,
        department_id=parsed.get("department"),
        status=parsed.get("status") or None,
        q=parsed.get("q") or "",
        working_group_id=parsed.get("working_group"),
    )
    total = qs.count()
    return render(
        request,
        "standards/list.html",
        {
            "standards": list(qs[:PAGE_SIZE]),
            "total": total,
            "truncated": total > PAGE_SIZE,
            "kinds": Kind.choices,
            "statuses": Status.choices,
            "departments": scope_queryset(request.user, Department.objects.order_by("code")),
            "working_groups": WorkingGroup.objects.order_by("code"),
            "filters": {k: parsed.get(k) or "" for k in ("kind", "status", "q")},
            "department_id": parsed.get("department"),
            "working_group_id": parsed.get("working_group"),
            "may_create": bool(_managed_departments(request.user)),
        },
    )


@login_required
def standard_create_view(request: HttpRequest) -> HttpResponse:
    departments = _managed_departments(request.user)
    if not departments:
        raise PermissionDenied
    form = StandardCreateForm(
        request.POST or None,
        departments=Department.objects.filter(pk__in=[d.pk for d in departments]),
        people=_people(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            standard = services.standard_create(
                by=request.user,
                code=data["code"],
                kind=data["kind"],
                title=data["title"],
                department=data["department"],
                owner=data["owner"],
                monitor=data["monitor"],
                working_group=data["working_group"],
                body=data["body"],
                question=data["question"],
                answer=data["answer"],
                steps=data["steps"],
                rule_codes=data["rule_codes"],
                reason=data["change_note"],
            )
        except ValidationError as exc:
            _add_form_errors(form, exc)
        else:
            messages.success(
                request, _("Standard %(code)s created as a draft.") % {"code": standard.code}
            )
            return redirect("standards:detail", standard.pk)
    return render(request, "standards/form.html", {"form": form, "creating": True})


def _add_form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def standard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        standard = selectors.standard_page(pk, request.user)
    except Standard.DoesNotExist:
        raise Http404 from None
    if not (_may_use_library(request.user) or has_capability(request.user, "read_standards")):
        raise PermissionDenied
    versions = list(standard.versions.all())
    in_force = next((v for v in versions if v.status == Status.PUBLISHED), None)
    open_version = next((v for v in versions if v.status in OPEN_STATUSES), None)
    shown = in_force or open_version or (versions[0] if versions else None)
    manages = may_manage_standard(request.user, department_id=standard.department_id)
    edits = may_edit_standard(request.user, standard)
    codes = [link.rule_code for link in shown.rule_links.all()] if shown else []
    compliance = (
        selectors.rule_compliance_this_week(codes, department_id=standard.department_id)
        if codes
        else {}
    )
    rule_rows = [
        {
            "code": c,
            "percent": compliance.get(c, (None, 0))[0],
            "n": compliance.get(c, (None, 0))[1],
        }
        for c in codes
    ]
    coverage = []
    teams = Team.objects.none()
    if in_force is not None and request.user.role != Role.AGENT:
        # Each reader sees the teams of their own scope (a team lead their team).
        coverage = selectors.rollout_coverage(
            in_force, teams_qs=scope_queryset(request.user, Team.objects.all())
        )
    if manages and in_force is not None:
        teams = scope_queryset(request.user, Team.objects.filter(department=standard.department))
    abolitions = list(
        visible_abolition_requests(
            request.user,
            standard.abolition_requests.select_related("requested_by", "decided_by", "standard"),
        )
    )
    for abolition in abolitions:
        abolition.may_decide = abolition.is_pending and may_approve_abolition(
            request.user, abolition
        )
    return render(
        request,
        "standards/detail.html",
        {
            "standard": standard,
            "versions": versions,
            "in_force": in_force,
            "open_version": open_version,
            "shown": shown,
            "manages": manages,
            "edits": edits,
            "rule_rows": rule_rows,
            "coverage": coverage,
            "coverage_totals": selectors.coverage_totals(coverage),
            "rollout_form": RolloutForm(teams=teams) if manages and in_force else None,
            "reason_form": ReasonForm(),
            "transitions": list(standard.transitions.all()),
            "abolitions": abolitions,
            "may_propose_abolition": standard.status != Status.ABOLISHED
            and not any(a.is_pending for a in abolitions)
            and may_request_abolition(request.user, standard),
        },
    )


@login_required
def standard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    standard = _standard_or_404(request.user, pk)
    if not may_edit_standard(request.user, standard):
        raise PermissionDenied
    version = standard.versions.filter(status__in=OPEN_STATUSES).first()
    manages = may_manage_standard(request.user, department_id=standard.department_id)
    people_form = None
    if manages:
        people_form = PeopleForm(
            request.POST if request.POST.get("form") == "people" else None,
            people=_people(request.user),
            initial={
                "owner": standard.owner_id,
                "monitor": standard.monitor_id,
                "working_group": standard.working_group_id,
            },
            prefix="people",
        )
    content_form = None
    if version is not None:
        content_form = ContentForm(
            request.POST if request.POST.get("form") == "content" else None,
            initial={
                "title": version.title,
                "body": version.body,
                "question": version.question,
                "answer": version.answer,
                "steps": steps_text(version.steps.all()),
                "rule_codes": ", ".join(version.rule_links.values_list("rule_code", flat=True)),
                "change_note": version.change_note,
            },
        )
    attachment_form = AttachmentForm(
        request.POST if request.POST.get("form") == "attachment" else None,
        request.FILES if request.POST.get("form") == "attachment" else None,
    )
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "people" and people_form is not None and people_form.is_valid():
                services.standard_update(
                    standard=standard, by=request.user, **people_form.cleaned_data
                )
                messages.success(request, _("Owner, monitor and working group saved."))
                return redirect("standards:edit", standard.pk)
            if which == "content" and content_form is not None and content_form.is_valid():
                services.version_update(
                    version=version, by=request.user, **content_form.cleaned_data
                )
                messages.success(
                    request, _("Version %(number)s saved.") % {"number": version.number}
                )
                return redirect("standards:edit", standard.pk)
            if which == "attachment" and version is not None and attachment_form.is_valid():
                upload = attachment_form.cleaned_data["file"]
                limit = services.attachment_max_bytes()
                if upload.size > limit:
                    raise ValidationError(
                        {
                            "file": _("%(name)s is %(size)s bytes; the limit is %(limit)s bytes.")
                            % {"name": upload.name, "size": upload.size, "limit": limit}
                        }
                    )
                services.attachment_add(
                    version=version, by=request.user, name=upload.name, data=upload.read()
                )
                messages.success(request, _("File attached."))
                return redirect("standards:edit", standard.pk)
        except ValidationError as exc:
            target = {"people": people_form, "content": content_form}.get(which) or attachment_form
            if target is not None:
                _add_form_errors(target, exc)
    return render(
        request,
        "standards/edit.html",
        {
            "standard": standard,
            "version": version,
            "content_form": content_form,
            "people_form": people_form,
            "attachment_form": attachment_form,
            "attachments": list(version.attachments.all()) if version else [],
            "max_bytes": services.attachment_max_bytes(),
            "allowed_types": ", ".join(sorted(services.ALLOWED_TYPES)),
        },
    )


ACTIONS = {"submit", "send-back", "publish", "revise", "abolish"}


@require_POST
@login_required
def standard_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    standard = _standard_or_404(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("standards:detail", standard.pk)
    reason = form.cleaned_data["reason"]
    version = standard.versions.filter(status__in=OPEN_STATUSES).first()
    try:
        if action in {"submit", "send-back", "publish"} and version is None:
            raise ValidationError(_("There is no version being written."))
        if action == "submit":
            services.version_submit(version=version, by=request.user, reason=reason)
            messages.success(request, _("Submitted for review."))
        elif action == "send-back":
            services.version_send_back(version=version, by=request.user, reason=reason)
            messages.success(request, _("Sent back to its author."))
        elif action == "publish":
            services.version_publish(version=version, by=request.user, reason=reason)
            messages.success(
                request, _("Version %(number)s published.") % {"number": version.number}
            )
        elif action == "revise":
            new = services.standard_revise(standard=standard, by=request.user, reason=reason)
            messages.success(request, _("Version %(number)s opened.") % {"number": new.number})
        elif action == "abolish":
            services.abolition_request(standard=standard, by=request.user, reason=reason)
            messages.success(
                request,
                _("Abolition proposed: the standard stays in force until it is approved."),
            )
    except PermissionDenied:
        raise
    except ValidationError as exc:
        _flash_errors(request, exc)
    return redirect("standards:detail", standard.pk)


@require_POST
@login_required
def standard_rollout(request: HttpRequest, pk: int) -> HttpResponse:
    standard = _standard_or_404(request.user, pk)
    if not may_manage_standard(request.user, department_id=standard.department_id):
        raise PermissionDenied
    version = standard.published_version
    form = RolloutForm(
        request.POST,
        teams=scope_queryset(request.user, Team.objects.filter(department=standard.department)),
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("standards:detail", standard.pk)
    try:
        if version is None:
            raise ValidationError(_("Only the version in force can be rolled out."))
        created = services.rollout_create(
            version=version,
            by=request.user,
            teams=form.cleaned_data["teams"],
            due_on=form.cleaned_data["due_on"],
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Rolled out to %(count)s team(s).") % {"count": len(created)})
    return redirect("standards:detail", standard.pk)


@require_POST
@login_required
def rollout_remind_view(request: HttpRequest, pk: int) -> HttpResponse:
    rollout = (
        scope_queryset(request.user, Rollout.objects.select_related("version__standard"))
        .filter(pk=pk)
        .first()
    )
    if (
        rollout is None
        or not visible_standards(
            request.user, Standard.objects.filter(pk=rollout.version.standard_id)
        ).exists()
    ):
        raise Http404
    try:
        told = services.rollout_remind(rollout=rollout, by=request.user)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Reminder sent to %(count)s agent(s).") % {"count": len(told)})
    return redirect("standards:detail", rollout.version.standard_id)


@login_required
def standard_read(request: HttpRequest, pk: int) -> HttpResponse:
    """An agent reads the version in force rolled out to their team and acknowledges it."""
    standard = _standard_or_404(request.user, pk)
    version = standard.published_version
    if version is None:
        raise Http404
    acknowledged = bool(
        request.user.agent_id
        and version.acknowledgements.filter(agent_id=request.user.agent_id).exists()
    )
    if request.method == "POST":
        try:
            services.acknowledgement_record(standard=standard, user=request.user)
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(request, _("Thank you: your reading is recorded."))
        return redirect("standards:read", standard.pk)
    may_acknowledge = bool(
        request.user.role == Role.AGENT
        and request.user.agent_id
        and version.rollouts.filter(team_id=request.user.agent.team_id).exists()
    )
    return render(
        request,
        "standards/read.html",
        {
            "standard": standard,
            "version": version,
            "steps": list(version.steps.all()),
            "attachments": list(version.attachments.all()),
            "acknowledged": acknowledged,
            "may_acknowledge": may_acknowledge and not acknowledged,
        },
    )


@login_required
def my_reading(request: HttpRequest) -> HttpResponse:
    if not has_capability(request.user, "read_standards"):
        raise PermissionDenied
    return render(
        request,
        "standards/my_reading.html",
        {"rollouts": list(selectors.reading_for(request.user))},
    )


@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file, only to those who may open its standard (and, for a version not in force,
    only to those who may edit it or the library's users). Always a download, never rendered
    inline, so an uploaded file cannot run in the site's origin."""
    attachment = Attachment.objects.select_related("version__standard").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    standard = attachment.version.standard
    if not visible_standards(request.user, Standard.objects.filter(pk=standard.pk)).exists():
        raise Http404
    if attachment.version.status != Status.PUBLISHED and not (
        has_capability(request.user, "standards") or may_edit_standard(request.user, standard)
    ):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Abolition, after approval ----------------------------------------------------------------


@login_required
def abolition_list(request: HttpRequest) -> HttpResponse:
    """The proposals to abolish a standard the user may open: pending first (those the user
    may decide marked), then the decided ones, with who proposed and decided, when and why."""
    if not _may_use_library(request.user):
        raise PermissionDenied
    parsed = parse_for_page(request, {"status": filters.choice(AbolitionRequest.Decision.values)})
    qs = visible_abolition_requests(
        request.user,
        AbolitionRequest.objects.select_related(
            "standard__department", "requested_by", "decided_by"
        ),
    )
    if parsed.get("status"):
        qs = qs.filter(status=parsed.get("status"))
    rows = sorted(
        qs[:PAGE_SIZE],
        key=lambda a: (not a.is_pending, -(a.requested_at.timestamp()), -a.pk),
    )
    for row in rows:
        row.may_decide = row.is_pending and may_approve_abolition(request.user, row)
    return render(
        request,
        "standards/abolitions.html",
        {
            "rows": rows,
            "statuses": AbolitionRequest.Decision.choices,
            "status": parsed.get("status") or "",
            "reason_form": ReasonForm(),
        },
    )


@require_POST
@login_required
def abolition_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    if decision not in {"approve", "reject"}:
        raise Http404
    try:
        abolition = visible_abolition_requests(
            request.user, AbolitionRequest.objects.select_related("standard")
        ).get(pk=pk)
    except AbolitionRequest.DoesNotExist:
        raise Http404 from None
    if not may_approve_abolition(request.user, abolition):
        raise PermissionDenied
    form = ReasonForm(request.POST)
    back = request.POST.get("back") == "list"
    if form.is_valid():
        try:
            services.abolition_decide(
                request=abolition,
                by=request.user,
                approve=decision == "approve",
                note=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _flash_errors(request, exc)
        else:
            messages.success(
                request,
                _("Abolition approved: the standard is abolished.")
                if decision == "approve"
                else _("Abolition rejected: the standard stays in force."),
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    if back:
        return redirect("standards:abolitions")
    return redirect("standards:detail", abolition.standard_id)
