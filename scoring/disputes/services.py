"""申诉: an agent disputes items of an evaluation; the review group (客户代表投诉歧义评审小组)
rules on each item — upheld, adjusted or overturned — and the evaluation is rescored.

Rules kept here:
- only the call's agent may dispute, only a submitted or acknowledged evaluation, and only
  within QA_DISPUTE_WINDOW_DAYS calendar days (center time) of its submission: day 7 is in,
  day 8 is out;
- one open dispute per evaluation (also a database constraint);
- a reviewer never rules on an evaluation they scored themselves;
- a dispute is decided once: the row is locked and its status re-read under the lock.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import Role, User
from qa_center.notifications import notify
from qa_center.permissions import dispute_refusal, has_capability
from scoring.disputes.models import Dispute, DisputeItem
from scoring.evaluations.models import NA, Answer, Evaluation, ScorecardItem
from scoring.evaluations.services.evaluations import evaluation_rescore
from scoring.evaluations.services.history import evaluation_event_record


def reviewers() -> Iterable[User]:
    """The review group: its members, and administrators."""
    return User.objects.filter(Q(is_reviewer=True) | Q(role=Role.ADMIN), is_active=True)


def dispute_open(
    *,
    evaluation: Evaluation,
    user: User,
    reason: str,
    items: Iterable[Mapping[str, Any]],
    now: datetime.datetime | None = None,
) -> Dispute:
    """Opens a dispute. `items`: [{"answer": Answer id, "reason": str}] — at least one, each
    with its reason; `reason` is the overall one."""
    reason = (reason or "").strip()
    items = list(items)
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Say why you dispute this evaluation.")]
    if not items:
        errors["items"] = [_("Choose at least one item to dispute.")]
    with transaction.atomic():
        locked = (
            Evaluation.objects.select_for_update(of=("self",))
            .select_related("call")
            .get(pk=evaluation.pk)
        )
        if not user.agent_id or user.agent_id != locked.call.agent_id:
            raise PermissionDenied(_("Only the agent of the call can dispute its evaluation."))
        refusal = dispute_refusal(locked, user, now=now)
        if refusal:
            raise ValidationError(refusal)
        answers = {a.pk: a for a in locked.answers.select_related("item")}
        chosen: list[tuple[Answer, str]] = []
        seen: set[int] = set()
        for index, entry in enumerate(items, start=1):
            try:
                answer = answers[int(entry.get("answer"))]
            except (KeyError, TypeError, ValueError):
                errors.setdefault("items", []).append(
                    _("Item %(n)s is not an item of this evaluation.") % {"n": index}
                )
                continue
            if answer.pk in seen:
                continue
            seen.add(answer.pk)
            item_reason = str(entry.get("reason") or "").strip()
            if not item_reason:
                errors.setdefault(f"reason_{answer.pk}", []).append(
                    _("%(title)s: say why you dispute this item.") % {"title": answer.item.title}
                )
            chosen.append((answer, item_reason))
        if errors:
            raise ValidationError(errors)
        dispute = Dispute(
            evaluation=locked, raised_by=user, reason=reason, score_before=locked.score
        )
        dispute.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                dispute.save()
        except IntegrityError:
            raise ValidationError(_("This evaluation is already being disputed.")) from None
        DisputeItem.objects.bulk_create(
            [DisputeItem(dispute=dispute, answer=a, reason=r) for a, r in chosen]
        )
        status_before = locked.status
        locked.status = Evaluation.Status.DISPUTED
        locked.version += 1
        locked.save(update_fields=["status", "version", "updated_at"])
        evaluation_event_record(
            evaluation=locked,
            actor=user,
            action="disputed",
            changes=[
                *({"item": a.item.code, "value": a.state, "reason": r} for a, r in chosen),
                {"field": "status", "old": status_before, "new": locked.status},
            ],
            reason=reason,
        )
        group = [u for u in reviewers() if u.pk != locked.evaluator_id]
        notify(
            users=group,
            about=dispute,
            title=_("New dispute: call %(call)s") % {"call": locked.call.call_id},
            body=reason[:500],
            url=reverse("disputes:dispute_detail", args=[dispute.pk]),
        )
    return dispute


def _decided_state(item: ScorecardItem, answer: Answer, decision: str, raw: Mapping) -> Any:
    """The answer's state after the decision (a value, NA), or raises ValidationError."""
    title = item.title
    if decision == DisputeItem.Decision.UPHELD:
        return answer.state
    if decision == DisputeItem.Decision.OVERTURNED:
        # In the agent's favour: a yes/no answer flips (N/A becomes yes); a scale answer is set
        # aside (N/A) when the item allows it, else given full marks.
        if item.kind == ScorecardItem.Kind.YES_NO:
            return 1 if answer.is_na or not answer.value else 0
        return NA if item.allow_na and not answer.is_na else item.scale_max
    if decision == DisputeItem.Decision.ADJUSTED:
        value = raw.get("value")
        if raw.get("na") or value == NA:
            if not item.allow_na:
                raise ValidationError({"value": _("%(title)s cannot be N/A.") % {"title": title}})
            new: Any = NA
        else:
            try:
                new = int(value)
            except (TypeError, ValueError):
                raise ValidationError(
                    {"value": _("%(title)s: give the new value.") % {"title": title}}
                ) from None
            if item.kind == ScorecardItem.Kind.YES_NO and new not in (0, 1):
                raise ValidationError(
                    {"value": _("%(title)s: the answer must be yes or no.") % {"title": title}}
                )
            if item.kind == ScorecardItem.Kind.SCALE and not (
                item.scale_min <= new <= item.scale_max
            ):
                raise ValidationError(
                    {
                        "value": _("%(title)s: the value must be between %(min)s and %(max)s.")
                        % {"title": title, "min": item.scale_min, "max": item.scale_max}
                    }
                )
        if new == answer.state:
            raise ValidationError(
                {
                    "value": _(
                        "%(title)s: the new value is the same as before; choose upheld instead."
                    )
                    % {"title": title}
                }
            )
        return new
    raise ValidationError(
        {"decision": _("%(title)s: choose upheld, adjusted or overturned.") % {"title": title}}
    )


def dispute_decide(
    *, dispute: Dispute, reviewer: User, decisions: Mapping[Any, Mapping[str, Any]]
) -> Dispute:
    """Rules on every item of an open dispute and rescores the evaluation.

    `decisions`: {DisputeItem id: {"decision": "upheld"|"adjusted"|"overturned", "value":
    int|"na" (adjusted only), "note": str}}. The evaluation's score is recomputed through
    evaluation_rescore (one history entry with who and why), then the evaluation is final and
    the agent is told."""
    if not has_capability(reviewer, "review_disputes"):
        raise PermissionDenied(_("Only the review group decides disputes."))
    decisions = {int(k): v for k, v in (decisions or {}).items()}
    with transaction.atomic():
        # Two reviewers deciding at once: the second waits here, then sees "decided".
        locked = (
            Dispute.objects.select_for_update(of=("self",))
            .select_related("evaluation__call", "evaluation__evaluator")
            .get(pk=dispute.pk)
        )
        if locked.status != Dispute.Status.OPEN:
            raise ValidationError(_("This dispute has already been decided."))
        evaluation = locked.evaluation
        if evaluation.evaluator_id == reviewer.pk:
            raise PermissionDenied(_("You scored this evaluation; another reviewer must decide."))
        items = list(locked.items.select_related("answer__item"))
        errors: dict[str, list[str]] = {}
        changes: dict[str, dict[str, Any]] = {}
        summary: list[str] = []
        for dispute_item in items:
            answer = dispute_item.answer
            raw = decisions.get(dispute_item.pk) or {}
            decision = str(raw.get("decision") or "")
            try:
                new = _decided_state(answer.item, answer, decision, raw)
            except ValidationError as exc:
                errors[f"item_{dispute_item.pk}"] = exc.messages
                continue
            note = str(raw.get("note") or "").strip()
            dispute_item.decision = decision
            dispute_item.new_value = None if new == NA else new
            dispute_item.note = note
            if new != answer.state:
                changes[answer.item.code] = {"na": True} if new == NA else {"value": new}
            label = DisputeItem.Decision(decision).label
            summary.append(f"{answer.item.title}: {label}" + (f"（{note}）" if note else ""))
        if errors:
            raise ValidationError(errors)
        DisputeItem.objects.bulk_update(items, ["decision", "new_value", "note"])
        reason = _("Dispute #%(id)s decided by %(who)s: %(items)s") % {
            "id": locked.pk,
            "who": reviewer.display_name,
            "items": "；".join(summary),
        }
        rescored = evaluation_rescore(
            evaluation=evaluation,
            actor=reviewer,
            changes=changes,
            reason=reason,
            action="dispute_decided",
            # In the same event as the new answers: a status changed beside the history
            # (an UPDATE after it) is what verify_history reports as tampering.
            status=Evaluation.Status.FINAL,
        )
        locked.status = Dispute.Status.DECIDED
        locked.decided_by = reviewer
        locked.decided_at = timezone.now()
        if locked.score_before is None:
            locked.score_before = evaluation.score
        locked.score_after = rescored.score
        locked.save()
        _notify_agent(locked, rescored)
    return locked


def dispute_withdraw(*, dispute: Dispute, user: User) -> Dispute:
    """The agent takes the dispute back; the evaluation returns to where it was."""
    with transaction.atomic():
        locked = (
            Dispute.objects.select_for_update(of=("self",))
            .select_related("evaluation__call")
            .get(pk=dispute.pk)
        )
        evaluation = locked.evaluation
        if not user.agent_id or user.agent_id != evaluation.call.agent_id:
            raise PermissionDenied(_("Only the agent of the call can withdraw the dispute."))
        if locked.status != Dispute.Status.OPEN:
            raise ValidationError(_("This dispute has already been decided."))
        locked.status = Dispute.Status.WITHDRAWN
        locked.save(update_fields=["status"])
        evaluation = Evaluation.objects.select_for_update(of=("self",)).get(pk=evaluation.pk)
        status_before = evaluation.status
        evaluation.status = (
            Evaluation.Status.ACKNOWLEDGED
            if evaluation.acknowledged_at
            else Evaluation.Status.SUBMITTED
        )
        evaluation.version += 1
        evaluation.save(update_fields=["status", "version", "updated_at"])
        evaluation_event_record(
            evaluation=evaluation,
            actor=user,
            action="dispute_withdrawn",
            changes=[{"field": "status", "old": status_before, "new": evaluation.status}],
            reason=_("Dispute #%(id)s withdrawn by the agent.") % {"id": locked.pk},
        )
    return locked


def _notify_agent(dispute: Dispute, evaluation: Evaluation) -> None:
    users = list(User.objects.filter(agent_id=evaluation.call.agent_id, is_active=True))
    if not users:
        return
    notify(
        users=users,
        about=dispute,
        title=_("Your dispute on call %(call)s was decided: %(before)s → %(after)s")
        % {
            "call": evaluation.call.call_id,
            "before": "—" if dispute.score_before is None else dispute.score_before,
            "after": "—" if dispute.score_after is None else dispute.score_after,
        },
        body=_("Open the dispute to read the review group's notes."),
        url=reverse("disputes:dispute_detail", args=[dispute.pk]),
    )
