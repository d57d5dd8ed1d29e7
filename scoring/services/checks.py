"""Automatic checks: every call scored by the engine with the active rule library.

Checks run in Celery tasks of a few hundred calls each, enqueued after the transaction that
created the calls commits (`checks_enqueue`). A task is safe to run twice: it upserts one
CallCheck per call and skips calls already checked by the same library version. The compiled
engine library is cached per worker process, keyed by version and content.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from scoring.models import Call, CallCheck, RuleLibrary

from . import _pg

logger = logging.getLogger(__name__)

# {library pk: (content digest, compiled engine library)}
_ENGINE_CACHE: dict[int, tuple[str, Any]] = {}


def _digest(definition: dict[str, Any]) -> str:
    raw = json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def engine_library(library: RuleLibrary):
    """The compiled engine library for this version, compiled once per process."""
    from scoring.engine import load_library

    digest = _digest(library.definition)
    cached = _ENGINE_CACHE.get(library.pk) if library.pk else None
    if cached and cached[0] == digest:
        return cached[1]
    compiled = load_library(library.definition)
    if library.pk:
        _ENGINE_CACHE[library.pk] = (digest, compiled)
    return compiled


def active_library() -> RuleLibrary | None:
    return RuleLibrary.objects.filter(status=RuleLibrary.Status.ACTIVE).first()


def engine_call(call_id: str, turns: list[dict[str, Any]]) -> dict[str, Any]:
    return {"call_id": call_id, "turns": turns}


def check_from_result(call_pk: int, library: RuleLibrary, result: dict[str, Any]) -> CallCheck:
    """A CallCheck row (unsaved) from one engine result."""
    score = result.get("score")
    return CallCheck(
        call_id=call_pk,
        library=library,
        score=None if score is None else Decimal(str(score)).quantize(Decimal("0.01")),
        critical_failed=bool(result.get("critical_failed")),
        outcomes={r["code"]: r["outcome"] for r in result.get("results", [])},
        results=result.get("results", []),
    )


def checks_save(rows: Sequence[CallCheck]) -> None:
    """Insert or replace the checks (one statement per batch)."""
    if not rows:
        return
    CallCheck.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["call"],
        update_fields=["library", "score", "critical_failed", "outcomes", "results", "checked_at"],
    )


def call_checks_run(
    *, call_ids: Iterable[int], library_id: int | None = None, force: bool = False
) -> int:
    """Score these calls with the library (default: the active one) and store the results.
    Returns how many were checked. A library that is no longer active is not used: the
    activation that replaced it rescores on its own."""
    if library_id is None:
        library = active_library()
    else:
        library = RuleLibrary.objects.filter(
            pk=library_id, status=RuleLibrary.Status.ACTIVE
        ).first()
    if library is None:
        return 0
    compiled = engine_library(library)
    if _pg.is_postgres():
        return _checks_run_pg(list(call_ids), library, compiled, force=force)
    calls = Call.objects.filter(pk__in=list(call_ids))
    if not force:
        calls = calls.exclude(auto_check__library=library)
    rows = []
    for pk, call_id, turns in calls.values_list("pk", "call_id", "turns").iterator(2000):
        try:
            result = compiled.score_call(engine_call(call_id, turns))
        except ValueError:
            # Imported calls are validated against the same contract, so this is a bug or a
            # row edited by hand; one bad call must not stop the others.
            logger.exception("call %s could not be checked", call_id)
            continue
        rows.append(check_from_result(pk, library, result))
    checks_save(rows)
    return len(rows)


def _checks_run_pg(call_ids: list[int], library: RuleLibrary, compiled, *, force: bool) -> int:
    """The same as the portable path, in bulk: transcripts read as JSON text and handed to
    the engine's line scorer, results written with COPY and one upsert."""
    from django.db import connection
    from django.utils import timezone

    sql = (
        "SELECT c.id, c.call_id, c.turns::text FROM scoring_call c "
        "LEFT JOIN scoring_callcheck k ON k.call_id = c.id WHERE c.id = ANY(%s)"
    )
    params: list[Any] = [call_ids]
    if not force:
        sql += " AND k.library_id IS DISTINCT FROM %s"
        params.append(library.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        calls = cursor.fetchall()
    now = timezone.now().isoformat()
    rows = []
    for pk, call_id, turns in calls:
        line = '{"call_id":' + _pg.dumps(call_id) + ',"turns":' + turns + "}"
        out, ok = compiled.score_line(line, 0)
        if not ok:
            logger.error("call %s could not be checked: %s", call_id, out)
            continue
        result = _pg.loads(out)
        results = result.get("results", [])
        rows.append(
            (
                pk,
                library.pk,
                result.get("score"),
                bool(result.get("critical_failed")),
                _pg.dumps({r["code"]: r["outcome"] for r in results}),
                _pg.dumps(results),
                now,
            )
        )
    if not rows:
        return 0
    columns = ["call_id", "library_id", "score", "critical_failed", "outcomes", "results"]
    columns.append("checked_at")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS _qa_checks (LIKE scoring_callcheck) ON COMMIT DELETE ROWS"
        )
        # Emptied on commit; also here, for a caller already inside a transaction.
        cursor.execute("TRUNCATE _qa_checks")
        _pg.copy_rows("_qa_checks", columns, rows)
        names = ", ".join(columns)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns[1:])
        cursor.execute(
            f"INSERT INTO scoring_callcheck ({names}) SELECT {names} FROM _qa_checks "
            f"ON CONFLICT (call_id) DO UPDATE SET {updates}"
        )
    return len(rows)


def checks_enqueue(*, call_ids: Sequence[int], library_id: int | None = None) -> int:
    """After the current transaction commits, enqueue one check task per batch of calls.
    Returns the number of tasks."""
    from scoring import tasks

    size = settings.QA_CHECK_BATCH_SIZE
    batches = [list(call_ids[i : i + size]) for i in range(0, len(call_ids), size)]
    for batch in batches:
        transaction.on_commit(
            lambda batch=batch: tasks.checks_run.delay(batch, library_id)  # noqa: B023
        )
    return len(batches)
