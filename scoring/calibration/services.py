"""校准: a calibration session puts one call before several supervisors, who score it blind;
when the owner closes it the answers are compared and a reference score is set."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import User
from qa_center.notifications import notify
from qa_center.permissions import has_capability, may_manage_calibration_session
from scoring.calibration.agreement import median
from scoring.calibration.models import CalibrationEntry, CalibrationSession
from scoring.calls.models import Call
from scoring.evaluations.models import Evaluation, Scorecard
from scoring.evaluations.services.evaluations import evaluation_start

SCORED = (
    Evaluation.Status.SUBMITTED,
    Evaluation.Status.ACKNOWLEDGED,
    Evaluation.Status.DISPUTED,
    Evaluation.Status.FINAL,
)


@transaction.atomic
def calibration_create(
    *,
    created_by: User,
    title: str,
    call: Call,
    scorecard: Scorecard,
    participants: list[User],
    due_at: datetime.datetime | None = None,
) -> CalibrationSession:
    if not has_capability(created_by, "calibrate"):
        raise PermissionDenied(_("You may not run calibration sessions."))
    participants = list({u.pk: u for u in participants}.values())
    if len(participants) < 2:
        raise ValidationError({"participants": _("Choose at least two participants.")})
    for user in participants:
        if not has_capability(user, "score_calls"):
            raise ValidationError(
                {"participants": _("%(name)s cannot score calls.") % {"name": user.display_name}}
            )
    if scorecard.status != Scorecard.Status.PUBLISHED:
        raise ValidationError({"scorecard": _("Only a published scorecard can be used.")})
    session = CalibrationSession(
        title=title, call=call, scorecard=scorecard, created_by=created_by, due_at=due_at
    )
    session.full_clean()
    session.save()
    session.participants.set(participants)
    from django.urls import reverse

    notify(
        users=[u for u in participants if u.pk != created_by.pk],
        about=session,
        title=_("Calibration: please score call %(call)s") % {"call": call.call_id},
        body=title,
        url=reverse("calibration:calibration_detail", args=[session.pk]),
    )
    return session


def calibration_evaluation_start(*, session: CalibrationSession, user: User) -> Evaluation:
    """The participant's own (blind) evaluation of the session's call."""
    if session.status != CalibrationSession.Status.OPEN:
        raise ValidationError(_("This calibration session is closed."))
    if not session.participants.filter(pk=user.pk).exists():
        raise PermissionDenied(_("You are not a participant of this session."))
    with transaction.atomic():
        CalibrationSession.objects.select_for_update().get(pk=session.pk)
        entry = CalibrationEntry.objects.filter(session=session, evaluator=user).first()
        if entry is not None:
            return entry.evaluation
        evaluation = evaluation_start(
            call=session.call, scorecard=session.scorecard, evaluator=user, blind=True
        )
        CalibrationEntry.objects.create(session=session, evaluation=evaluation, evaluator=user)
    return evaluation


def _reference(
    session: CalibrationSession,
    *,
    reference_score: Decimal | None,
    reference_evaluator: User | None,
) -> Decimal | None:
    scored = session.evaluations.filter(status__in=SCORED, score__isnull=False)
    if reference_score is not None:
        return Decimal(reference_score).quantize(Decimal("0.01"))
    if reference_evaluator is not None:
        evaluation = scored.filter(evaluator=reference_evaluator).first()
        if evaluation is None:
            raise ValidationError(
                {"reference_evaluator": _("This participant has not submitted a score.")}
            )
        return evaluation.score
    middle = median([float(s) for s in scored.values_list("score", flat=True)])
    if middle is None:
        return None
    return Decimal(str(middle)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def calibration_close(
    *,
    session: CalibrationSession,
    actor: User,
    reference_score: Decimal | None = None,
    reference_evaluator: User | None = None,
) -> CalibrationSession:
    """Closes the session (answers become visible). The reference score is the one given, the
    designated evaluator's, or by default the median of the submitted scores."""
    locked = CalibrationSession.objects.select_for_update().get(pk=session.pk)
    if not may_manage_calibration_session(actor, locked):
        raise PermissionDenied(_("Only the session's owner can close it."))
    if locked.status != CalibrationSession.Status.OPEN:
        raise ValidationError(_("This calibration session is already closed."))
    if locked.evaluations.filter(status__in=SCORED).count() < 2:
        raise ValidationError(_("At least two participants must submit before closing."))
    locked.reference_score = _reference(
        locked, reference_score=reference_score, reference_evaluator=reference_evaluator
    )
    locked.status = CalibrationSession.Status.CLOSED
    locked.closed_at = timezone.now()
    locked.full_clean()
    locked.save()
    locked.evaluations.update(blind=False)  # the participants' answers are compared openly now
    return locked


@transaction.atomic
def calibration_set_reference(
    *,
    session: CalibrationSession,
    actor: User,
    reference_score: Decimal | None = None,
    reference_evaluator: User | None = None,
) -> CalibrationSession:
    locked = CalibrationSession.objects.select_for_update().get(pk=session.pk)
    if not may_manage_calibration_session(actor, locked):
        raise PermissionDenied(_("Only the session's owner can set the reference score."))
    locked.reference_score = _reference(
        locked, reference_score=reference_score, reference_evaluator=reference_evaluator
    )
    locked.full_clean()
    locked.save(update_fields=["reference_score"])
    return locked
