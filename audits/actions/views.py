"""Corrective-action pages: the list (theirs and their units'), one action with its history,
and the forms to set, follow up, complete, verify and cancel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits.actions import selectors, services
from audits.actions.forms import ActionForm, NoteForm, VerifyForm
from audits.actions.models import CorrectiveAction
from audits.actions.sources import source_link
from org.models import Department, Team, User
from qa_center import filters
from qa_center.filters import parse_for_page
from qa_center.levels import Level
from qa_center.permissions import (
    ACTION_CAPABILITIES,
    has_capability,
    may_manage_actions,
    scope_queryset,
    user_scope,
)


def may_set_actions(user) -> bool:
    return any(has_capability(user, cap) for cap in ACTION_CAPABILITIES)


@login_required
def action_list_view(request: HttpRequest) -> HttpResponse:
    parsed = parse_for_page(
        request,
        {
            "status": filters.choice(CorrectiveAction.Status.values),
            "source": filters.choice(CorrectiveAction.Source.values),
            "mine": filters.yes_no,
            "overdue": filters.yes_no,
        },
    )
    today = timezone.localdate()
    actions = list(
        selectors.action_list(
            request.user,
            status=parsed.get("status") or None,
            source=parsed.get("source") or None,
            mine=bool(parsed.get("mine")),
            overdue=bool(parsed.get("overdue")),
            today=today,
        )[:500]
    )
    for action in actions:
        action.overdue = action.is_overdue(today)
    return render(
        request,
        "actions/list.html",
        {
            "actions": actions,
            "status": parsed.get("status") or "",
            "source": parsed.get("source") or "",
            "mine": bool(parsed.get("mine")),
            "overdue": bool(parsed.get("overdue")),
            "statuses": CorrectiveAction.Status.choices,
            "sources": CorrectiveAction.Source.choices,
            "may_create": may_set_actions(request.user),
        },
    )


def _form_choices(user):
    """The units the user may set actions for and the people who may own them: the active users
    of those units (an owner must be able to open the action)."""
    scope = user_scope(user)
    departments = scope_queryset(user, Department.objects.all()).order_by("name")
    teams = scope_queryset(user, Team.objects.select_related("department")).order_by("name")
    owners = User.objects.filter(is_active=True).exclude(role="agent")
    if scope.level == Level.DEPARTMENT:
        owners = owners.filter(department_id=scope.department_id)
    elif scope.level == Level.TEAM:
        owners = owners.filter(Q(team_id=scope.team_id) | Q(pk=user.pk))
        departments = departments.none()
    return owners.order_by("username"), departments, teams


@login_required
def action_create_view(request: HttpRequest) -> HttpResponse:
    if not may_set_actions(request.user):
        raise PermissionDenied
    owners, departments, teams = _form_choices(request.user)
    form = ActionForm(
        request.POST or None,
        owners=owners,
        departments=departments,
        teams=teams,
        initial={"owner": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = services.action_create(
                by=request.user,
                title=data["title"],
                description=data["description"],
                owner=data["owner"],
                due_on=data["due_on"],
                source=data["source"],
                department=data["department"],
                team=data["team"],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not set this action."))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The action is recorded."))
            return redirect("actions:detail", action.pk)
    return render(request, "actions/form.html", {"form": form})


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def action_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_detail(request.user, pk)
    if action is None:
        raise Http404
    user = request.user
    manages = may_manage_actions(user, department=action.department_id, team=action.team_id)
    is_owner = action.owner_id == user.pk
    today = timezone.localdate()
    return render(
        request,
        "actions/detail.html",
        {
            "action": action,
            "history": _history(action),
            "source_link": source_link(action),
            "overdue": action.is_overdue(today),
            "may_follow_up": (is_owner or manages) and not action.is_closed,
            "may_complete": (is_owner or manages) and action.status == CorrectiveAction.Status.OPEN,
            "may_verify": manages
            and action.status == CorrectiveAction.Status.DONE
            and (not is_owner or user.role == "admin"),
            "may_cancel": manages and not action.is_closed,
            "note_form": NoteForm(),
            # Its own ids: the follow-up form on the same page has a note too.
            "verify_form": VerifyForm(auto_id="verify_%s"),
        },
    )


def _history(action: CorrectiveAction) -> list[dict]:
    """Every step of the action in time order, who and when: its events (set, done, verified,
    reopened, cancelled, escalated) and its follow-ups."""
    rows = [
        {"at": e.at, "what": e.get_kind_display(), "by": e.by, "note": e.note}
        for e in action.events.all()
    ]
    rows += [
        {"at": f.at, "what": _("Follow-up"), "by": f.by, "note": f.note}
        for f in action.follow_ups.all()
    ]
    return sorted(rows, key=lambda row: row["at"])


STEPS = ("follow-up", "complete", "verify", "cancel")


@require_POST
@login_required
def action_step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    # Only an action the user may open: any other is a 404, like one that does not exist.
    action = selectors.visible_actions(request.user).filter(pk=pk).first()
    if action is None:
        raise Http404
    form = VerifyForm(request.POST) if step == "verify" else NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("actions:detail", pk)
    note = form.cleaned_data["note"]
    try:
        if step == "follow-up":
            services.action_follow_up(action=action, by=request.user, note=note)
            messages.success(request, _("The follow-up is recorded."))
        elif step == "complete":
            services.action_complete(action=action, by=request.user, note=note)
            messages.success(request, _("The action is done; it now awaits verification."))
        elif step == "verify":
            effective = form.cleaned_data["effective"]
            services.action_verify(action=action, by=request.user, effective=effective, note=note)
            messages.success(
                request,
                _("Verified effective: the action is closed.")
                if effective
                else _("Not effective: the action is open again."),
            )
        else:
            services.action_cancel(action=action, by=request.user, reason=note)
            messages.success(request, _("The action is cancelled."))
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("actions:detail", pk)
