"""The hash chain of an evaluation's history: what an event's hash covers, and how.

Each EvaluationEvent carries `hash` = sha256 over a canonical JSON of its content (evaluation,
sequence, version, actor, action, changes, reason, when, and the evaluation's state after the
event) and of `prev_hash`, the hash of the evaluation's previous event ("" for the first). A
row changed, removed or slipped in by SQL breaks a hash or a link; an evaluation or an answer
changed by SQL no longer matches the state its last event recorded (manage.py verify_history).

Plain functions over duck-typed rows, so the migration that chains the existing history (with
historical models) and the services compute the same thing. Changing anything here changes
every hash: it needs a migration that rechains the history.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

TWO_PLACES = Decimal("0.01")


def _score(value: Any) -> str | None:
    # A Decimal reads back as 85.00 or 85 depending on the database and the path: one form.
    return None if value is None else str(Decimal(value).quantize(TWO_PLACES))


def _when(value: datetime.datetime) -> str:
    # Microseconds and UTC, as both databases store it.
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def evaluation_state(evaluation: Any, answers: Iterable[Any]) -> dict[str, Any]:
    """The evaluation's state as the history records it: its status, score, critical failure,
    pass, comment, and each answer (by item code) with its value, N/A, override reason, note.
    `answers` need `item.code` (select_related("item"))."""
    return {
        "status": evaluation.status,
        "score": _score(evaluation.score),
        "critical_failed": bool(evaluation.critical_failed),
        "passed": evaluation.passed,
        "comment": evaluation.comment or "",
        "answers": {
            answer.item.code: {
                "value": answer.value,
                "na": bool(answer.is_na),
                "override_reason": answer.override_reason or "",
                "note": answer.note or "",
            }
            for answer in answers
        },
    }


def event_content(event: Any) -> dict[str, Any]:
    """What an event's hash covers (every field but `hash` itself)."""
    return {
        "evaluation": event.evaluation_id,
        "sequence": event.sequence,
        "version": event.version,
        "actor": event.actor_id,
        "action": event.action,
        # Through JSON and back: what the JSON column gives back is what gets hashed.
        "changes": json.loads(json.dumps(event.changes or [])),
        "reason": event.reason or "",
        "at": _when(event.at),
        "state": event.state,
        "prev_hash": event.prev_hash or "",
    }


def canonical(content: dict[str, Any]) -> bytes:
    # Sorted keys: PostgreSQL's jsonb does not keep the order the keys were written in.
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def event_hash(event: Any) -> str:
    return hashlib.sha256(canonical(event_content(event))).hexdigest()


def state_differences(recorded: Any, current: dict[str, Any]) -> list[str]:
    """Where the current state differs from the recorded one: ["score: 85.00 → 100.00", …]."""
    if not isinstance(recorded, dict):
        return ["no state recorded"]
    found = []
    for key in ("status", "score", "critical_failed", "passed", "comment"):
        if recorded.get(key) != current.get(key):
            found.append(f"{key}: history {recorded.get(key)!r}, table {current.get(key)!r}")
    theirs, ours = recorded.get("answers") or {}, current.get("answers") or {}
    for code in sorted(set(theirs) | set(ours)):
        if code not in ours:
            found.append(f"answer {code}: in the history, missing from the table")
        elif code not in theirs:
            found.append(f"answer {code}: in the table, not in the history")
        else:
            for key in ("value", "na", "override_reason", "note"):
                if theirs[code].get(key) != ours[code].get(key):
                    found.append(
                        f"answer {code} {key}: history {theirs[code].get(key)!r}, "
                        f"table {ours[code].get(key)!r}"
                    )
    return found
