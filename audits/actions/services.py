"""Writes of corrective actions: create, follow up, complete, verify, cancel, escalate.

Rules kept here:
- every write checks the writer's scope like the reads (qa_center.permissions): actions are set,
  cancelled and verified by the auditors, managers and team leads of the unit
  (`may_manage_actions`); the owner follows up and completes their own action;
- the status changes only through these services (the FSM field is protected), each change is
  an ActionEvent with who, when and why, under the action's row lock (two verifications at once
  decide once);
- an action is closed only by a verification that finds it effective; a verification that
  finds it not effective sends it back open and must say what is still wrong;
- the owner does not verify their own action (an administrator may);
- an overdue action is escalated once to its department's managers (the center's managers for
  a center action), notified only if they may open it.

`by=None` is the system (a periodic job, a weekly bulletin measuring a target): no user's
permission is checked, the event names no one.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.actions.models import (
    ActionEvent,
    ActionFollowUp,
    ActionVerification,
    CorrectiveAction,
    ImprovementTarget,
)
from org.models import Department, Role, Team, User
from qa_center import periods
from qa_center.notifications import notify
from qa_center.permissions import may_manage_actions, may_open

Status = CorrectiveAction.Status


def _event(
    action: CorrectiveAction,
    *,
    kind: str,
    by: User | None,
    at: datetime.datetime,
    was: str = "",
    note: str = "",
) -> ActionEvent:
    return ActionEvent.objects.create(
        action=action,
        kind=kind,
        from_status=was,
        to_status=action.status,
        by=by,
        at=at,
        note=note,
    )


def _lock(action: CorrectiveAction) -> CorrectiveAction:
    return (
        CorrectiveAction.objects.select_for_update(of=("self",))
        .select_related("team")
        .get(pk=action.pk)
    )


def _may_manage(by: User | None, action: CorrectiveAction) -> bool:
    return by is None or may_manage_actions(
        by, department=action.department_id, team=action.team_id
    )


def action_create(
    *,
    by: User | None,
    title: str,
    owner: User,
    due_on: datetime.date,
    source: str,
    department: Department | None = None,
    team: Team | None = None,
    description: str = "",
) -> CorrectiveAction:
    """A new open action for a unit (team; else department; else the center). The team's
    department is the action's department. Refused (PermissionDenied) unless `by` may manage
    the unit's actions; refused (ValidationError) for an owner who could not open it (an
    inactive account) or bad fields."""
    if team is not None:
        if department is not None and team.department_id != department.pk:
            raise ValidationError({"team": _("The team is not in the department.")})
        department = team.department
    if by is not None and not may_manage_actions(by, department=department, team=team):
        raise PermissionDenied(_("You may set actions only for units in your own scope."))
    if owner is None or not owner.is_active:
        raise ValidationError({"owner": _("Choose an active user as the owner.")})
    action = CorrectiveAction(
        title=(title or "").strip(),
        description=(description or "").strip(),
        department=department,
        team=team,
        owner=owner,
        due_on=due_on,
        source=source,
        created_by=by,
    )
    with transaction.atomic():
        # The status is the state machine's (protected): full_clean would assign it.
        action.full_clean(exclude=["status"])
        action.save()
        now = timezone.now()
        _event(action, kind=ActionEvent.Kind.CREATED, by=by, at=now)
        if owner != by and may_open(owner, action):
            notify(
                users=[owner],
                about=action,
                title=_("A corrective action is yours: %(title)s") % {"title": action.title},
                body=_("Due %(date)s.") % {"date": action.due_on.isoformat()},
                url=reverse("actions:detail", args=[action.pk]),
            )
    return action


def action_follow_up(
    *, action: CorrectiveAction, by: User | None, note: str, at: datetime.datetime | None = None
) -> ActionFollowUp:
    """Record a follow-up (what was done or found). The owner, or someone who manages the
    unit's actions; not on a closed action."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what was done or found.")})
    with transaction.atomic():
        locked = _lock(action)
        if by is not None and by.pk != locked.owner_id and not _may_manage(by, locked):
            raise PermissionDenied(_("Only the owner or a manager of this unit can follow it up."))
        if locked.is_closed:
            raise ValidationError(_("This action is closed."))
        follow_up = ActionFollowUp(action=locked, note=note, by=by, at=at or timezone.now())
        follow_up.full_clean()
        follow_up.save()
    return follow_up


def action_complete(
    *, action: CorrectiveAction, by: User | None, note: str = ""
) -> CorrectiveAction:
    """The owner (or a manager of the unit) says the action is done: it now awaits the check
    of its effectiveness. Only an open action."""
    with transaction.atomic():
        locked = _lock(action)
        if by is not None and by.pk != locked.owner_id and not _may_manage(by, locked):
            raise PermissionDenied(_("Only the owner or a manager of this unit can complete it."))
        if locked.status != Status.OPEN:
            raise ValidationError(_("Only an open action can be completed."))
        was = locked.status
        locked._complete()
        locked.save(update_fields=["status"])
        _event(
            locked,
            kind=ActionEvent.Kind.COMPLETED,
            by=by,
            at=timezone.now(),
            was=was,
            note=(note or "").strip(),
        )
    action.refresh_from_db()
    return locked


def action_verify(
    *, action: CorrectiveAction, by: User | None, effective: bool, note: str
) -> ActionVerification:
    """Check a done action's effectiveness: effective closes it (verified); not effective sends
    it back open with the note (required) saying what is still wrong. By someone who manages
    the unit's actions, not its owner (unless an administrator)."""
    note = (note or "").strip()
    if not effective and not note:
        raise ValidationError({"note": _("Say what is still wrong.")})
    with transaction.atomic():
        locked = _lock(action)
        if not _may_manage(by, locked):
            raise PermissionDenied(_("Only a manager of this unit can verify its actions."))
        if by is not None and by.pk == locked.owner_id and by.role != Role.ADMIN:
            raise PermissionDenied(_("The owner does not verify their own action."))
        if locked.status != Status.DONE:
            raise ValidationError(_("Only a done action can be verified."))
        now = timezone.now()
        verification = ActionVerification(
            action=locked, effective=effective, note=note, by=by, at=now
        )
        verification.full_clean()
        verification.save()
        was = locked.status
        if effective:
            locked._verify()
            locked.closed_at = now
            kind = ActionEvent.Kind.VERIFIED
        else:
            locked._reopen()
            kind = ActionEvent.Kind.REOPENED
        locked.save(update_fields=["status", "closed_at"])
        _event(locked, kind=kind, by=by, at=now, was=was, note=note)
        if not effective and by is not None and by.pk != locked.owner_id:
            notify(
                users=[locked.owner],
                about=locked,
                title=_("Not effective yet: %(title)s") % {"title": locked.title},
                body=note,
                url=reverse("actions:detail", args=[locked.pk]),
            )
    action.refresh_from_db()
    return verification


def action_cancel(*, action: CorrectiveAction, by: User | None, reason: str) -> CorrectiveAction:
    """Cancel an open or done action (it was set in error, or another replaces it), saying why.
    By someone who manages the unit's actions."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the action is cancelled.")})
    with transaction.atomic():
        locked = _lock(action)
        if not _may_manage(by, locked):
            raise PermissionDenied(_("Only a manager of this unit can cancel its actions."))
        if locked.is_closed:
            raise ValidationError(_("This action is closed."))
        was = locked.status
        now = timezone.now()
        locked._cancel()
        locked.closed_at = now
        locked.save(update_fields=["status", "closed_at"])
        _event(locked, kind=ActionEvent.Kind.CANCELLED, by=by, at=now, was=was, note=reason)
    action.refresh_from_db()
    return locked


def escalation_recipients(action: CorrectiveAction) -> list[User]:
    """The managers an overdue action escalates to: the department's (a team's action: its
    department's); the center's managers (no department) for a center action."""
    return list(
        User.objects.filter(
            role=Role.MANAGER, is_active=True, department_id=action.department_id
        ).order_by("pk")
    )


def actions_escalate_overdue(*, today: datetime.date | None = None) -> list[CorrectiveAction]:
    """Escalate every open action past its due date that was not escalated yet: mark it (once:
    a conditional update decides, so two runs at once escalate it once), record the event and
    notify the department's managers who may open it. Returns the actions escalated."""
    today = today or timezone.localdate()
    escalated = []
    overdue = CorrectiveAction.objects.filter(
        status=Status.OPEN, due_on__lt=today, escalated_at__isnull=True
    ).select_related("owner", "department", "team")
    for action in overdue:
        with transaction.atomic():
            now = timezone.now()
            won = CorrectiveAction.objects.filter(
                pk=action.pk, status=Status.OPEN, escalated_at__isnull=True
            ).update(escalated_at=now)
            if won != 1:
                continue
            action.escalated_at = now
            managers = escalation_recipients(action)
            notified = notify(
                users=managers,
                about=action,
                title=_("Overdue corrective action: %(title)s") % {"title": action.title},
                body=_("Owner %(owner)s; due %(date)s.")
                % {"owner": action.owner.display_name, "date": action.due_on.isoformat()},
                url=reverse("actions:detail", args=[action.pk]),
                email=True,
            )
            _event(
                action,
                kind=ActionEvent.Kind.ESCALATED,
                by=None,
                at=now,
                was=action.status,
                note=", ".join(user.display_name for user in notified),
            )
            escalated.append(action)
    return escalated


# --- improvement targets (source = improvement_target) -----------------------------------------


def improvement_target_create(
    *,
    by: User,
    level: str,
    department_id: int,
    team_id: int | None,
    metric: str,
    code: str,
    label: str,
    baseline: Decimal | None,
    target_value: Decimal,
    due_week: datetime.date,
    measure: str,
    source_bulletin_id: int | None = None,
) -> ImprovementTarget:
    """An improvement target and its corrective action (owner `by`, the measure as its
    description, due the Sunday of the due week). A target still open for the same item and
    scope is amended by this one: it is closed as amended and its action cancelled, never
    counted as missed. Who may set it is the caller's question first (a bulletin in the
    writer's scope); the action's own rule (`may_manage_actions`) holds too."""
    due_week = periods.week_start_of(due_week)
    department = Department.objects.get(pk=department_id)
    team = Team.objects.get(pk=team_id) if team_id else None
    same_item = ImprovementTarget.objects.filter(
        department_id=department_id,
        team_id=team_id,
        metric=metric,
        code=code,
        status=ImprovementTarget.Status.OPEN,
    )
    try:
        with transaction.atomic():
            now = timezone.now()
            for amended in same_item.select_for_update(of=("self",)).select_related("action"):
                ImprovementTarget.objects.filter(pk=amended.pk).update(
                    status=ImprovementTarget.Status.AMENDED, closed_at=now
                )
                if not amended.action.is_closed:
                    action_cancel(
                        action=amended.action,
                        by=None,
                        reason=_("Amended: a new measure replaces it."),
                    )
            action = action_create(
                by=by,
                title=_("%(label)s ≥ %(value)s%%")
                % {"label": label or code, "value": target_value},
                owner=by,
                due_on=due_week + datetime.timedelta(days=6),
                source=CorrectiveAction.Source.IMPROVEMENT_TARGET,
                department=department if team is None else None,
                team=team,
                description=measure,
            )
            target = ImprovementTarget(
                action=action,
                level=level,
                department=department,
                team=team,
                metric=metric,
                code=code,
                label=label or code,
                baseline=baseline,
                target_value=target_value,
                due_week=due_week,
                source_bulletin_id=source_bulletin_id,
            )
            # Validated once the target it amends is closed, or the one-open-target
            # constraint would refuse it; an invalid target rolls the amendment back.
            target.full_clean(exclude=["action"])
            target.save()
    except IntegrityError:
        # Someone recorded a target for the same item at the same moment: the database
        # keeps one open target per item (action_one_open_*_target_per_item).
        if not same_item.exists():
            raise
        raise ValidationError(_("Another target for this item is open.")) from None
    return target


def improvement_target_settle(
    *, target: ImprovementTarget, status: str, week_start: datetime.date, actual
) -> None:
    """What a weekly bulletin's verdict on a target means for its action: met, the action is
    verified effective by that measurement (done first if it was still open) and closed;
    escalated, the action is marked escalated (the department's managers were told, the daily
    escalation does not tell them again); missed, the action stays open. Called by the weekly
    run after it changed the target's status, inside its transaction."""
    action = _lock(target.action)
    now = timezone.now()
    if status == ImprovementTarget.Status.MET and not action.is_closed:
        note = _("Week %(week)s: %(actual)s%%, target ≥ %(target)s%% met.") % {
            "week": week_start.isocalendar()[1],
            "actual": actual,
            "target": target.target_value,
        }
        if action.status == Status.OPEN:
            action_complete(action=action, by=None, note=note)
        action_verify(action=action, by=None, effective=True, note=note)
    elif status == ImprovementTarget.Status.ESCALATED and action.escalated_at is None:
        CorrectiveAction.objects.filter(pk=action.pk).update(escalated_at=now)
        action.escalated_at = now
        _event(action, kind=ActionEvent.Kind.ESCALATED, by=None, at=now, was=action.status)


def improvement_target_follow_up_note(target: ImprovementTarget, week_start, actual) -> None:
    """The week's measurement as a follow-up on the action, so its page shows the trend."""
    if target.action.is_closed:
        return
    ActionFollowUp.objects.create(
        action_id=target.action_id,
        note=_("Week %(week)s: %(actual)s (target ≥ %(target)s%%)")
        % {
            "week": week_start.isocalendar()[1],
            "actual": "—" if actual is None else f"{actual}%",
            "target": target.target_value,
        },
        by=None,
        at=timezone.now(),
    )
