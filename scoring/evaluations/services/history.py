"""The evaluations' history: the one way an event is written, and its verification.

Every change of an evaluation or its answers — by the evaluation services, disputes,
calibration — ends with evaluation_event_record in the same transaction. It reads the previous
event under the evaluation's row lock, so two writers never both append after the same event
(the chain would fork), and records the state the rows hold after the change. history_verify
recomputes every chain and compares each evaluation's rows with its last event's state
(manage.py verify_history, the nightly task "evaluations.verify_history").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from qa_center.models import SystemCheck
from scoring.evaluations.chain import evaluation_state, event_hash, state_differences
from scoring.evaluations.models import Answer, Evaluation, EvaluationEvent

BATCH = 500
KEPT_PROBLEMS = 20  # how many problems the stored result keeps (the command prints them all)


def evaluation_event_record(
    *,
    evaluation: Evaluation,
    actor,
    action: str,
    reason: str,
    changes: Sequence[Mapping[str, Any]] = (),
) -> EvaluationEvent:
    """Appends an event to the evaluation's history, after the change has been written (in the
    caller's transaction): who, what (`action`, `changes`), why (`reason`, required), and the
    state the evaluation and answer rows now hold, chained to the previous event."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(f"An evaluation event ({action}) needs a reason.")
    with transaction.atomic():
        # Already held by the caller in most paths; taken here so that no path can fork the
        # chain. Read from the row, not the caller's instance: the event records what is stored.
        locked = Evaluation.objects.select_for_update(of=("self",)).get(pk=evaluation.pk)
        answers = Answer.objects.filter(evaluation=locked).select_related("item")
        previous = (
            EvaluationEvent.objects.filter(evaluation=locked)
            .order_by("-sequence")
            .values_list("sequence", "hash")
            .first()
        )
        event = EvaluationEvent(
            evaluation=locked,
            actor=actor,
            action=action,
            changes=list(changes),
            reason=reason,
            version=locked.version,
            sequence=previous[0] + 1 if previous else 1,
            prev_hash=previous[1] if previous else "",
            at=timezone.now(),
            state=evaluation_state(locked, answers),
        )
        event.hash = event_hash(event)
        event.save()
    return event


# --- Verification ---------------------------------------------------------------------------


@dataclass
class Problem:
    evaluation: int
    event: int | None
    what: str

    def as_dict(self) -> dict[str, Any]:
        return {"evaluation": self.evaluation, "event": self.event, "what": self.what}

    def __str__(self) -> str:
        event = f" event {self.event}" if self.event is not None else ""
        return f"evaluation {self.evaluation}{event}: {self.what}"


@dataclass
class Verification:
    evaluations: int = 0
    events: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict[str, Any]:
        return {
            "evaluations": self.evaluations,
            "events": self.events,
            "problems": len(self.problems),
            "first_problems": [p.as_dict() for p in self.problems[:KEPT_PROBLEMS]],
        }


def _verify_one(
    evaluation: Evaluation, events: list[EvaluationEvent], answers: Iterable[Answer]
) -> list[Problem]:
    pk = evaluation.pk
    if not events:
        return [Problem(pk, None, "no history: the evaluation has no event")]
    problems = []
    previous: EvaluationEvent | None = None
    for expected, event in enumerate(events, start=1):
        if event.sequence != expected:
            problems.append(
                Problem(
                    pk,
                    event.pk,
                    f"sequence {event.sequence} where {expected} was expected "
                    "(an event is missing)",
                )
            )
        if event.hash != event_hash(event):
            problems.append(Problem(pk, event.pk, "hash does not match the event's content"))
        if event.prev_hash != (previous.hash if previous else ""):
            what = (
                f"prev_hash does not match event {previous.pk}"
                if previous
                else "the first event names a previous one"
            )
            problems.append(Problem(pk, event.pk, what))
        if previous is not None and event.at < previous.at:
            problems.append(
                Problem(pk, event.pk, f"recorded before event {previous.pk}, which it follows")
            )
        previous = event
    last = events[-1]
    if last.version != evaluation.version:
        problems.append(
            Problem(
                pk,
                last.pk,
                f"version: history {last.version!r}, table {evaluation.version!r}",
            )
        )
    for difference in state_differences(last.state, evaluation_state(evaluation, answers)):
        problems.append(Problem(pk, last.pk, difference))
    return problems


def history_verify(*, evaluation_id: int | None = None) -> Verification:
    """Checks every evaluation's chain (each hash recomputed, each link, the sequence without a
    gap) and its rows against its last event's state. Read-only."""
    result = Verification()
    evaluations = Evaluation.objects.order_by("pk")
    if evaluation_id is not None:
        evaluations = evaluations.filter(pk=evaluation_id)
    pks = list(evaluations.values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        batch = pks[start : start + BATCH]
        events: dict[int, list[EvaluationEvent]] = {pk: [] for pk in batch}
        for event in EvaluationEvent.objects.filter(evaluation_id__in=batch).order_by(
            "evaluation_id", "sequence", "pk"
        ):
            events[event.evaluation_id].append(event)
        answers: dict[int, list[Answer]] = {pk: [] for pk in batch}
        for answer in Answer.objects.filter(evaluation_id__in=batch).select_related("item"):
            answers[answer.evaluation_id].append(answer)
        for evaluation in Evaluation.objects.filter(pk__in=batch).order_by("pk"):
            result.evaluations += 1
            result.events += len(events[evaluation.pk])
            result.problems += _verify_one(
                evaluation, events[evaluation.pk], answers[evaluation.pk]
            )
    return result


def history_check(*, evaluation_id: int | None = None) -> Verification:
    """history_verify, and — for a verification of the whole history — its result stored for
    /health (SystemCheck "evaluation_history"). One evaluation's check is not stored: it would
    hide what the last full one found."""
    result = history_verify(evaluation_id=evaluation_id)
    if evaluation_id is None:
        SystemCheck.objects.update_or_create(
            name=SystemCheck.EVALUATION_HISTORY,
            defaults={"ok": result.ok, "summary": result.summary(), "checked_at": timezone.now()},
        )
    return result
