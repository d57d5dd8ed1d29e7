"""Writes to evaluations: start (prefilled from the automatic check), save, submit,
acknowledge, rescore. Every change is recorded in the append-only, hash-chained history
(EvaluationEvent, written by services.history.evaluation_event_record).

Scoring rule (the same in static/js/scoring.js — tests hold them together):
- yes/no items score `weight` for yes, 0 for no; scale items weight × (value − min) ÷ (max − min);
- N/A answers leave both the points and the possible points;
- unanswered items (drafts only: submit refuses them) also leave both, so the running total
  is the score of what has been scored so far;
- a critical item *fails* when answered no (yes/no) or at the scale's minimum (scale); any failed
  critical item zeroes the score;
- score = 100 × points ÷ possible, rounded half up to 2 places; None when nothing applies;
- passed = score ≥ pass mark and no critical item failed (None when there is no score).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qa_center.notifications import notify
from scoring.calls.models import Call, CallCheck
from scoring.calls.results import check_outcomes
from scoring.evaluations.models import (
    Answer,
    Evaluation,
    EvaluationEvent,
    OverrideKind,
    Scorecard,
    ScorecardItem,
    answer_state,
)
from scoring.evaluations.services.history import evaluation_event_record

TWO_PLACES = Decimal("0.01")


# --- The score ------------------------------------------------------------------------------


class ItemScore(NamedTuple):
    points: Decimal | None  # None: N/A or unanswered, outside the score
    possible: Decimal | None
    critical_failed: bool


class ScoreResult(NamedTuple):
    score: Decimal | None
    critical_failed: bool
    passed: bool | None
    items: dict[str, ItemScore]


def _value_and_na(answer: Any) -> tuple[int | None, bool]:
    """(value, is_na) from an Answer, or a dict with `value` and `na`/`is_na`."""
    if answer is None:
        return None, False
    if isinstance(answer, Mapping):
        is_na = bool(answer.get("na", answer.get("is_na", False)))
        value = answer.get("value")
        return (None if is_na or value is None else int(value)), is_na
    return (None if answer.is_na else answer.value), bool(answer.is_na)


def item_score(item: ScorecardItem, value: int | None, is_na: bool) -> ItemScore:
    if is_na or value is None:
        return ItemScore(None, None, False)
    weight = Decimal(item.weight)
    if item.kind == ScorecardItem.Kind.SCALE:
        span = item.scale_max - item.scale_min
        points = weight * Decimal(value - item.scale_min) / Decimal(span)
        failed = item.critical and value <= item.scale_min
    else:
        points = weight if value else Decimal(0)
        failed = item.critical and not value
    return ItemScore(points, weight, failed)


def score_answers(
    scorecard_items: Iterable[ScorecardItem],
    answers: Mapping[str, Any],
    *,
    pass_mark: Decimal | None = None,
) -> ScoreResult:
    """Scores `answers` ({item code: Answer or {"value", "na"}}) on `scorecard_items`.

    `pass_mark` defaults to the items' scorecard's. See the module docstring for the rule."""
    items = list(scorecard_items)
    if pass_mark is None and items:
        pass_mark = items[0].scorecard.pass_mark
    per_item: dict[str, ItemScore] = {}
    points = possible = Decimal(0)
    critical_failed = False
    for item in items:
        value, is_na = _value_and_na(answers.get(item.code))
        result = item_score(item, value, is_na)
        per_item[item.code] = result
        if result.possible is not None:
            points += result.points
            possible += result.possible
        critical_failed = critical_failed or result.critical_failed
    if possible == 0:
        # Nothing applies (or every weight is 0): no score, but a failed critical still fails.
        score = Decimal("0.00") if critical_failed else None
    elif critical_failed:
        score = Decimal("0.00")
    else:
        score = (Decimal(100) * points / possible).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    if score is None:
        passed = None
    else:
        passed = not critical_failed and score >= Decimal(pass_mark or 0)
    return ScoreResult(score, critical_failed, passed, per_item)


# --- Prefill from the automatic check -------------------------------------------------------


def prefill_from_check(
    scorecard: Scorecard, call: Call, *, items: Iterable[ScorecardItem] | None = None
) -> dict[str, dict[str, Any]]:
    """{item code: {"auto_value", "auto_na"}} for the items linked to an engine rule whose
    outcome the call's automatic check holds: pass → yes (scale: max), fail → no (scale: min),
    na → N/A. Items without a rule, or whose rule the check did not run, are left out."""
    try:
        check: CallCheck | None = call.auto_check
    except CallCheck.DoesNotExist:
        check = None
    if check is None:
        return {}
    outcomes = check_outcomes(check)  # na included: the stored outcomes imply it
    if items is None:
        items = scorecard.items.all()
    prefill: dict[str, dict[str, Any]] = {}
    for item in items:
        if not item.rule_code or item.rule_code not in outcomes:
            continue
        outcome = outcomes[item.rule_code]
        scale = item.kind == ScorecardItem.Kind.SCALE
        if outcome == "pass":
            prefill[item.code] = {"auto_value": item.scale_max if scale else 1, "auto_na": False}
        elif outcome == "fail":
            prefill[item.code] = {"auto_value": item.scale_min if scale else 0, "auto_na": False}
        elif outcome == "na":
            prefill[item.code] = {"auto_value": None, "auto_na": True}
    return prefill


# --- Start ----------------------------------------------------------------------------------


def _existing(*, call: Call, evaluator) -> Evaluation | None:
    return Evaluation.objects.filter(call=call, evaluator=evaluator, is_calibration=False).first()


def evaluation_start(
    *,
    call: Call,
    scorecard: Scorecard,
    evaluator,
    blind: bool = False,
) -> Evaluation:
    """The evaluator's evaluation of the call, created with its answers prefilled from the
    automatic check — or their existing one (one per evaluator per call). `blind`: a new
    calibration score, never shown to the agent nor counted, and hidden from everyone but its
    evaluator until the calibration app reveals it (it keeps one per participant and session)."""
    existing = None if blind else _existing(call=call, evaluator=evaluator)
    if existing is not None:
        return existing
    if scorecard.status != Scorecard.Status.PUBLISHED and not blind:
        raise ValidationError({"scorecard": _("Only a published scorecard can be used.")})
    try:
        with transaction.atomic():
            evaluation = Evaluation(
                call=call,
                scorecard=scorecard,
                evaluator=evaluator,
                is_calibration=blind,
                blind=blind,
            )
            evaluation.full_clean(exclude=["passed"], validate_constraints=False)
            evaluation.save()
            items = list(scorecard.items.select_related("scorecard"))
            prefill = prefill_from_check(scorecard, call, items=items)
            answers = []
            for item in items:
                auto = prefill.get(item.code, {"auto_value": None, "auto_na": False})
                answers.append(
                    Answer(
                        evaluation=evaluation,
                        item=item,
                        value=auto["auto_value"],
                        is_na=auto["auto_na"],
                        auto_value=auto["auto_value"],
                        auto_na=auto["auto_na"],
                    )
                )
            _apply_score(evaluation, items, answers)
            Answer.objects.bulk_create(answers)
            evaluation.save()
            evaluation_event_record(
                evaluation=evaluation,
                actor=evaluator,
                action="started",
                changes=[
                    {"item": code, "field": "auto", "old": None, "new": answer_state(a, n)}
                    for code, a, n in (
                        (c, p["auto_value"], p["auto_na"]) for c, p in prefill.items()
                    )
                ],
                reason=(
                    _("Started; answers prefilled from the automatic check.")
                    if prefill
                    else _("Started.")
                ),
            )
    except IntegrityError:
        # Someone (a double click) started it between our look and our insert.
        existing = None if blind else _existing(call=call, evaluator=evaluator)
        if existing is None:
            raise
        return existing
    return evaluation


# --- Save, submit ---------------------------------------------------------------------------


@dataclass
class Difference:
    """One place where what the user sent differs from what is stored now."""

    item: str  # item code, or "comment"
    title: str
    theirs: Any  # stored now
    yours: Any  # sent

    def as_dict(self) -> dict[str, Any]:
        return {"item": self.item, "title": self.title, "theirs": self.theirs, "yours": self.yours}


class StaleEvaluation(Exception):  # noqa: N818 - the domain's word for it
    """Someone else saved the evaluation after the user loaded it. Carries the evaluation as it
    is now, what differs between the user's answers and the stored ones, and who changed it."""

    def __init__(
        self,
        *,
        evaluation: Evaluation,
        expected_version: int | None,  # None: the client sent none (or an unreadable one)
        differences: list[Difference],
        events: list[EvaluationEvent],
    ) -> None:
        super().__init__(
            f"Evaluation {evaluation.pk} is at version {evaluation.version}, "
            f"not {expected_version}."
        )
        self.evaluation = evaluation
        self.expected_version = expected_version
        self.current_version = evaluation.version
        self.differences = differences
        self.events = events

    def as_dict(self) -> dict[str, Any]:
        return {
            "detail": _("Someone else changed this evaluation after you opened it."),
            "current_version": self.current_version,
            "your_version": self.expected_version,
            "changed_by": sorted(
                {e.actor.display_name for e in self.events if e.actor is not None}
            ),
            "differences": [d.as_dict() for d in self.differences],
        }


@dataclass
class _Incoming:
    value: int | None
    is_na: bool
    reason: str | None  # None: not sent, keep what is stored
    note: str | None
    kind: str | None = None  # the kind of override reason (OverrideKind); None: not sent


@dataclass
class _Plan:
    changed: list[Answer] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)


def _parse_answers(
    items_by_code: dict[str, ScorecardItem], answers: Mapping[str, Mapping[str, Any]]
) -> dict[str, _Incoming]:
    errors: dict[str, list[str]] = {}
    parsed: dict[str, _Incoming] = {}
    for code, raw in (answers or {}).items():
        item = items_by_code.get(code)
        if item is None:
            errors.setdefault("answers", []).append(
                _("%(code)s is not an item of this scorecard.") % {"code": code}
            )
            continue
        raw = raw or {}
        is_na = bool(raw.get("na") or raw.get("is_na"))
        value = raw.get("value")
        if is_na:
            value = None
        elif value is not None and value != "":
            try:
                value = int(value)
            except (TypeError, ValueError):
                errors.setdefault(code, []).append(
                    _("%(title)s: %(value)r is not a number.")
                    % {"title": item.title, "value": value}
                )
                continue
            if item.kind == ScorecardItem.Kind.SCALE:
                if not item.scale_min <= value <= item.scale_max:
                    errors.setdefault(code, []).append(
                        _("%(title)s: the value must be between %(min)s and %(max)s.")
                        % {"title": item.title, "min": item.scale_min, "max": item.scale_max}
                    )
                    continue
            elif value not in (0, 1):
                errors.setdefault(code, []).append(
                    _("%(title)s: the answer must be yes or no.") % {"title": item.title}
                )
                continue
        else:
            value = None
        reason = raw.get("reason")
        note = raw.get("note")
        kind = raw.get("reason_kind")
        if kind is not None and kind != "" and kind not in OverrideKind.values:
            errors.setdefault(code, []).append(
                _("%(title)s: %(kind)r is not a kind of reason.")
                % {"title": item.title, "kind": kind}
            )
            continue
        parsed[code] = _Incoming(
            value=value,
            is_na=is_na,
            reason=None if reason is None else str(reason).strip(),
            note=None if note is None else str(note).strip(),
            kind=kind or None,
        )
    if errors:
        raise ValidationError(errors)
    return parsed


def _differences(
    evaluation: Evaluation,
    answers_by_code: dict[str, Answer],
    incoming: dict[str, _Incoming],
    comment: str | None,
) -> list[Difference]:
    diffs = []
    for code, new in incoming.items():
        stored = answers_by_code[code]
        theirs = stored.state
        yours = answer_state(new.value, new.is_na)
        if theirs != yours:
            diffs.append(Difference(code, stored.item.title, theirs, yours))
        if new.note is not None and new.note != stored.note:
            diffs.append(
                Difference(code, stored.item.title, {"note": stored.note}, {"note": new.note})
            )
        if (
            new.reason is not None
            and new.reason != stored.override_reason
            and (new.reason or stored.override_reason)
        ):
            diffs.append(
                Difference(
                    code,
                    stored.item.title,
                    {"reason": stored.override_reason},
                    {"reason": new.reason},
                )
            )
    if comment is not None and comment.strip() != evaluation.comment:
        diffs.append(Difference("comment", _("Comment"), evaluation.comment, comment.strip()))
    return diffs


def _is_override(answer: Answer) -> bool:
    """The answer differs from what the engine suggested (only for items it suggested)."""
    if answer.auto_value is None and not answer.auto_na:
        return False
    return (answer.value, answer.is_na) != (answer.auto_value, answer.auto_na)


def _plan_changes(
    answers_by_code: dict[str, Answer], incoming: dict[str, _Incoming], *, require_reasons: bool
) -> _Plan:
    plan = _Plan()
    missing_reason: dict[str, list[str]] = {}
    for code, new in incoming.items():
        answer = answers_by_code[code]
        item = answer.item
        if new.is_na and not item.allow_na and not answer.auto_na:
            raise ValidationError({code: _("%(title)s cannot be N/A.") % {"title": item.title}})
        old_state = answer.state
        old_note, old_reason, old_kind = answer.note, answer.override_reason, answer.override_kind
        answer.value, answer.is_na = new.value, new.is_na
        if new.note is not None:
            answer.note = new.note
        if _is_override(answer):
            if new.reason is not None:
                answer.override_reason = new.reason
            if new.kind is not None:
                answer.override_kind = new.kind
            if not answer.override_kind:
                # Every override is a verdict on the rule: one without a kind counts as "other".
                answer.override_kind = OverrideKind.OTHER
            if require_reasons and not answer.override_reason:
                missing_reason[code] = [
                    _("%(title)s: you changed the automatic result; give a reason.")
                    % {"title": item.title}
                ]
        else:
            answer.override_reason = ""
            answer.override_kind = ""
        new_state = answer.state
        entry: dict[str, Any] = {}
        if new_state != old_state:
            entry.update(old=old_state, new=new_state)
        if answer.override_reason != old_reason:
            entry["reason"] = answer.override_reason
        if answer.note != old_note:
            entry["note"] = answer.note
        if answer.override_kind != old_kind:
            entry["reason_kind"] = answer.override_kind
        if entry:
            entry["item"] = code
            if "old" not in entry:
                entry.update(old=old_state, new=new_state)
            if "reason" not in entry and answer.override_reason:
                entry["reason"] = answer.override_reason
            plan.changed.append(answer)
            plan.changes.append(entry)
    if missing_reason:
        raise ValidationError(missing_reason)
    return plan


def _apply_score(
    evaluation: Evaluation, items: list[ScorecardItem], answers: Iterable[Answer]
) -> ScoreResult:
    by_code = {a.item.code: a for a in answers}
    result = score_answers(items, by_code, pass_mark=evaluation.scorecard.pass_mark)
    for code, answer in by_code.items():
        item_result = result.items[code]
        answer.points = (
            None
            if item_result.points is None
            else item_result.points.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        )
        answer.possible = item_result.possible
    evaluation.score = result.score
    evaluation.critical_failed = result.critical_failed
    evaluation.passed = result.passed
    return result


def _lock(evaluation: Evaluation) -> Evaluation:
    return (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("scorecard", "call")
        .get(pk=evaluation.pk)
    )


def _load_answers(evaluation: Evaluation) -> tuple[list[ScorecardItem], dict[str, Answer]]:
    answers = list(evaluation.answers.select_related("item", "item__scorecard"))
    items = [a.item for a in answers]
    return items, {a.item.code: a for a in answers}


def _check_stale(
    locked: Evaluation,
    expected_version: int | None,
    answers_by_code: dict[str, Answer],
    incoming: dict[str, _Incoming],
    comment: str | None,
) -> None:
    version = _version(expected_version)
    if version is not None and version == locked.version:
        return
    # A missing or unreadable version is refused like a stale one: nothing then says the user
    # saw the stored answers, and saving would overwrite another tab's work unseen. Without a
    # version nobody can be named as having saved since; the bound keeps a version from the
    # future (or 10**30) out of the query.
    events = (
        []
        if version is None
        else list(
            locked.events.filter(version__gt=max(0, min(version, locked.version))).select_related(
                "actor"
            )
        )
    )
    raise StaleEvaluation(
        evaluation=locked,
        expected_version=version,
        differences=_differences(locked, answers_by_code, incoming, comment),
        events=events,
    )


def _version(value: Any) -> int | None:
    """The version the client sent, as an int, or None when missing or not a whole number."""
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _check_editable(locked: Evaluation, actor) -> None:
    if locked.evaluator_id != actor.pk:
        raise PermissionDenied(_("Only the evaluator can change this evaluation."))
    if locked.status != Evaluation.Status.DRAFT:
        raise ValidationError(_("This evaluation has been submitted and can no longer be edited."))


def _save(
    *,
    evaluation: Evaluation,
    actor,
    answers: Mapping[str, Mapping[str, Any]] | None,
    comment: str | None,
    expected_version: int | None,
    action: str,
    submit: bool,
) -> Evaluation:
    with transaction.atomic():
        locked = _lock(evaluation)
        items, answers_by_code = _load_answers(locked)
        incoming = _parse_answers({i.code: i for i in items}, answers or {})
        _check_stale(locked, expected_version, answers_by_code, incoming, comment)
        _check_editable(locked, actor)
        plan = _plan_changes(answers_by_code, incoming, require_reasons=True)
        changes = plan.changes
        if comment is not None and comment.strip() != locked.comment:
            changes.append({"field": "comment", "old": locked.comment, "new": comment.strip()})
            locked.comment = comment.strip()
        if submit:
            unanswered = [
                a.item.title for a in answers_by_code.values() if a.value is None and not a.is_na
            ]
            if unanswered:
                raise ValidationError(
                    {
                        "answers": _(
                            "Answer every item (or mark it N/A) before submitting: %(items)s"
                        )
                        % {"items": "、".join(unanswered)}
                    }
                )
            # Reasons may have been given in an earlier draft; check them all again.
            missing = [
                a.item.title
                for a in answers_by_code.values()
                if _is_override(a) and not a.override_reason
            ]
            if missing:
                raise ValidationError(
                    {
                        "answers": _("Give a reason for each changed automatic result: %(items)s")
                        % {"items": "、".join(missing)}
                    }
                )
        if not changes and not submit:
            return locked
        _apply_score(locked, items, answers_by_code.values())
        locked.version += 1
        if submit:
            locked.status = Evaluation.Status.SUBMITTED
            locked.submitted_at = timezone.now()
        locked.full_clean(exclude=["passed"], validate_constraints=False)
        locked.save()
        Answer.objects.bulk_update(
            list(answers_by_code.values()),
            ["value", "is_na", "override_reason", "override_kind", "note", "points", "possible"],
        )
        evaluation_event_record(
            evaluation=locked,
            actor=actor,
            action=action,
            changes=changes,
            reason=_save_reason(changes, submit=submit),
        )
        if submit:
            # A sampled call's assignment closes on its own: the queue counts it done once its
            # supervisor has submitted (scoring.sampling.services.assignments_sync_done).
            _notify_agent(locked)
    return locked


def _save_reason(changes: list[dict[str, Any]], *, submit: bool) -> str:
    """Why the history says the answers changed: the evaluator's scoring, with the reasons
    given for overriding automatic results."""
    why = _("Submitted by the evaluator.") if submit else _("Draft saved by the evaluator.")
    overrides = [
        f"{c['item']}: {c['reason']}" for c in changes if c.get("item") and c.get("reason")
    ]
    if overrides:
        why += " " + _("Overrides: %(reasons)s") % {"reasons": "; ".join(overrides)}
    return why


def evaluation_save(
    *,
    evaluation: Evaluation,
    actor,
    answers: Mapping[str, Mapping[str, Any]] | None = None,
    comment: str | None = None,
    expected_version: int | None,
) -> Evaluation:
    """Saves a draft. `answers`: {item code: {"value": int|None, "na": bool, "reason": str,
    "note": str}} (only the items sent change). Raises StaleEvaluation when the evaluation is
    no longer at `expected_version` (or none, or an unreadable one, is given), ValidationError for a bad value or an automatic result
    overridden without a reason. Nothing is written unless everything is valid."""
    return _save(
        evaluation=evaluation,
        actor=actor,
        answers=answers,
        comment=comment,
        expected_version=expected_version,
        action="saved",
        submit=False,
    )


def evaluation_submit(
    *,
    evaluation: Evaluation,
    actor,
    answers: Mapping[str, Mapping[str, Any]] | None = None,
    comment: str | None = None,
    expected_version: int | None,
) -> Evaluation:
    """Saves like evaluation_save, then submits: every item must be answered or N/A. The
    agent is notified (not for calibration sessions, which are practice on a call)."""
    return _save(
        evaluation=evaluation,
        actor=actor,
        answers=answers,
        comment=comment,
        expected_version=expected_version,
        action="submitted",
        submit=True,
    )


def _notify_agent(evaluation: Evaluation) -> None:
    if evaluation.is_calibration:
        return
    from org.models import User

    users = list(User.objects.filter(agent_id=evaluation.call.agent_id, is_active=True))
    if not users:
        return
    notify(
        users=users,
        about=evaluation,
        title=_("New evaluation of your call %(call)s: %(score)s")
        % {
            "call": evaluation.call.call_id,
            "score": "—" if evaluation.score is None else evaluation.score,
        },
        body=_("Please read it and acknowledge it."),
        url=reverse("evaluations:my_evaluations")
        + f"?open={evaluation.pk}#evaluation-{evaluation.pk}",
    )


# --- After submission -----------------------------------------------------------------------


def evaluation_acknowledge(*, evaluation: Evaluation, agent_user) -> Evaluation:
    """The agent has read the evaluation. Only the call's agent; only once."""
    with transaction.atomic():
        locked = _lock(evaluation)
        if not agent_user.agent_id or agent_user.agent_id != locked.call.agent_id:
            raise PermissionDenied(_("Only the agent of the call can acknowledge it."))
        if locked.acknowledged_at is not None:
            return locked
        if locked.status not in (Evaluation.Status.SUBMITTED, Evaluation.Status.FINAL):
            raise ValidationError(_("Only a submitted evaluation can be acknowledged."))
        if locked.status == Evaluation.Status.SUBMITTED:
            locked.status = Evaluation.Status.ACKNOWLEDGED
        locked.acknowledged_at = timezone.now()
        locked.version += 1
        locked.save()
        evaluation_event_record(
            evaluation=locked,
            actor=agent_user,
            action="acknowledged",
            reason=_("Acknowledged by the agent: they have read the evaluation."),
        )
    return locked


def evaluation_rescore(
    *,
    evaluation: Evaluation,
    actor,
    changes: Mapping[str, Mapping[str, Any]],
    reason: str,
    action: str = "rescored",
    status: str | None = None,
) -> Evaluation:
    """Changes answers after submission (a dispute decision, say): applies `changes`
    ({item code: {"value"|"na", "note"?}}), recomputes the score, sets `status` if given, bumps
    the version and records one event with `action`, `reason` and every change (the status's
    too). No override reasons are asked: `reason` is the why."""
    with transaction.atomic():
        locked = _lock(evaluation)
        items, answers_by_code = _load_answers(locked)
        incoming = _parse_answers({i.code: i for i in items}, changes or {})
        for new in incoming.values():
            new.reason = None  # keep the evaluator's override reasons as they were
        plan = _plan_changes(answers_by_code, incoming, require_reasons=False)
        before, status_before = locked.score, locked.status
        _apply_score(locked, items, answers_by_code.values())
        if status is not None:
            locked.status = status
        locked.version += 1
        locked.save()
        Answer.objects.bulk_update(
            plan.changed,
            ["value", "is_na", "override_reason", "override_kind", "note", "points", "possible"],
        )
        entries = plan.changes
        if before != locked.score:
            entries = [
                *entries,
                {
                    "field": "score",
                    "old": None if before is None else str(before),
                    "new": None if locked.score is None else str(locked.score),
                },
            ]
        if locked.status != status_before:
            entries = [*entries, {"field": "status", "old": status_before, "new": locked.status}]
        evaluation_event_record(
            evaluation=locked, actor=actor, action=action, changes=entries, reason=reason
        )
    return locked
