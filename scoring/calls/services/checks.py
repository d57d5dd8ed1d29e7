"""Automatic checks: every call scored by the engine with the active rule library.

Checks run in Celery tasks of a few hundred calls each, enqueued after the transaction that
created the calls commits (`checks_enqueue`). A task is safe to run twice: it upserts one
CallCheck per call and skips calls already checked by the same library version. The compiled
engine library is cached per worker process, keyed by version and content.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import orjson
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from qa_center.periods import DAY, period_of
from scoring.calls.models import Call, CallCheck, Review
from scoring.calls.results import compact_from_results
from scoring.calls.services import copy as _pg
from scoring.engine import CallError, CheckResult
from scoring.rules.models import RuleLibrary
from scoring.rules.services import active_library, engine_library, library_activate

logger = logging.getLogger(__name__)

CALLS = Call._meta.db_table
CHECKS = CallCheck._meta.db_table


def engine_call(call_id: str, turns: list[dict[str, Any]]) -> dict[str, Any]:
    return {"call_id": call_id, "turns": turns}


def check_from_result(call_pk: int, library: RuleLibrary, result: dict[str, Any]) -> CallCheck:
    """A CallCheck row (unsaved) from one engine result, stored compactly: `outcomes` holds
    the rules that applied (``na`` implied), `results` the compact form
    (scoring.calls.results reads both back)."""
    score = result.get("score")
    results = result.get("results", [])
    return CallCheck(
        call_id=call_pk,
        library=library,
        score=None if score is None else Decimal(str(score)).quantize(Decimal("0.01")),
        critical_failed=bool(result.get("critical_failed")),
        outcomes={r["code"]: r["outcome"] for r in results if r["outcome"] != "na"},
        results=compact_from_results(results, [r["code"] for r in results]),
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
    weak: dict[int, list[str]] = {}
    if _pg.is_postgres():
        with transaction.atomic():
            checked: list[int] = []
            count = _checks_run_pg(
                list(call_ids), library, compiled, force=force, checked=checked, weak=weak
            )
            reviews_after_check(library=library, call_ids=checked, weak=weak)
        return count
    calls = Call.objects.filter(pk__in=list(call_ids))
    if not force:
        calls = calls.exclude(auto_check__library=library)
    rows = []
    codes = [rule.code for rule in compiled.rules]
    critical = [bool(rule.critical) for rule in compiled.rules]
    for pk, call_id, turns in calls.values_list("pk", "call_id", "turns").iterator(2000):
        try:
            result = compiled.check_line(orjson.dumps(engine_call(call_id, turns)), compact=True)
        except ValueError:
            # Imported calls are validated against the same contract, so this is a bug or a
            # row edited by hand; one bad call must not stop the others.
            logger.exception("call %s could not be checked", call_id)
            continue
        rows.append(check_from_check_result(pk, library, codes, result))
        codes_weak = weak_critical_codes(codes, critical, result)
        if codes_weak:
            weak[pk] = codes_weak
    with transaction.atomic():
        checks_save(rows)
        reviews_after_check(library=library, call_ids=[row.call_id for row in rows], weak=weak)
    return len(rows)


def check_from_check_result(
    call_pk: int, library: RuleLibrary, codes: Sequence[str], result: CheckResult
) -> CallCheck:
    """A CallCheck row (unsaved) from the engine's typed result (the same values as
    `check_from_result` gives from the result dict); `result` comes from
    ``check_line(..., compact=True)``: its results are the compact form."""
    score = None if result.score == "null" else Decimal(result.score).quantize(Decimal("0.01"))
    return CallCheck(
        call_id=call_pk,
        library=library,
        score=score,
        critical_failed=result.critical_failed,
        outcomes={c: o for c, o in zip(codes, result.outcomes, strict=True) if o != "na"},
        results=orjson.loads(result.results_json),
    )


def weak_critical_codes(
    codes: Sequence[str], critical: Sequence[bool], result: CheckResult
) -> list[str]:
    """The failed critical rules of a call whose zero rests only on weak evidence (each of
    them failed only on fuzzy evidence or an ambiguous trigger: `CheckResult.weak`), or []
    when the call has no critical failure or one of them is strong (then the zero stands)."""
    if not result.critical_failed:
        return []
    weak = getattr(result, "weak", None)  # older engines carry no `weak`: nothing is weak
    if not weak:
        return []
    failed = [
        (code, bool(w))
        for code, crit, outcome, w in zip(codes, critical, result.outcomes, weak, strict=False)
        if crit and outcome == "fail"
    ]
    if not failed or not all(w for _code, w in failed):
        return []
    return [code for code, _w in failed]


def reviews_after_check(
    *, library: RuleLibrary, call_ids: Sequence[int], weak: dict[int, list[str]]
) -> None:
    """After the checks of `call_ids` were (re)written: a call checked again loses the review
    of its previous check; a call whose critical failures are all weak is to confirm — unless a
    supervisor already decided on exactly these rules, whose decision is applied again."""
    from scoring.calls.services.reviews import review_reapply

    if not call_ids:
        return
    CallCheck.objects.filter(call_id__in=list(call_ids)).exclude(review=Review.NONE).update(
        review=Review.NONE, weak_critical=[], reviewed_by=None, reviewed_at=None
    )
    by_codes: dict[tuple[str, ...], list[int]] = {}
    for pk, codes in weak.items():
        by_codes.setdefault(tuple(codes), []).append(pk)
    for codes, pks in by_codes.items():
        CallCheck.objects.filter(call_id__in=pks).update(
            review=Review.TO_CONFIRM, weak_critical=list(codes)
        )
    if weak:
        review_reapply(call_ids=list(weak))


_CHECK_COLUMNS = [
    "call_id",
    "library_id",
    "score",
    "critical_failed",
    "outcomes",
    "results",
    "checked_at",
]


class _CheckLines:
    """COPY lines of the checks table from the engine's :class:`CheckResult`, with the same
    values as `check_from_result`: the `results` column is the compact form the engine wrote
    (``check_line(..., compact=True)``), not parsed and written again; the `outcomes` column
    is the applied rules' outcomes, joined from each rule's ready-made ``"CODE":"pass"`` and
    ``"CODE":"fail"``."""

    def __init__(self, library_pk: int, codes: Sequence[str], now: bytes) -> None:
        self.head = b"\t%d\t" % library_pk
        self.tail = b"\t%s\n" % now
        keys = [_pg.dumps_bytes(code) for code in codes]
        self.pairs = {
            outcome: [key + b':"' + outcome.encode() + b'"' for key in keys]
            for outcome in ("pass", "fail")
        }
        self.scores: dict[str, bytes] = {}  # score as written -> as COPY text

    def __call__(self, pk: int, result: CheckResult) -> bytes:
        score = self.scores.get(result.score)
        if score is None:
            score = self.scores[result.score] = _pg.field(_pg.loads(result.score)).encode()
        return b"%d%s%s\t%s\t%s\t%s%s" % (
            pk,
            self.head,
            score,
            b"t" if result.critical_failed else b"f",
            self.outcomes(result.outcomes),
            _pg.field_bytes(result.results_json),
            self.tail,
        )

    def outcomes(self, outcomes: Sequence[str]) -> bytes:
        pairs = self.pairs
        applied = [pairs[o][i] for i, o in enumerate(outcomes) if o != "na"]
        return _pg.field_bytes(b"{" + b",".join(applied) + b"}")


def _checks_run_pg(
    call_ids: list[int],
    library: RuleLibrary,
    compiled,
    *,
    force: bool,
    checked: list[int] | None = None,
    weak: dict[int, list[str]] | None = None,
) -> int:
    """The same as the portable path, in bulk: transcripts read as JSON text and handed to
    the engine's line scorer, results written with COPY while the engine scores the next
    calls. Calls never checked before (an import) are copied straight into the table;
    otherwise (or if another task checked one of them meanwhile) through a temporary table
    and one upsert."""
    from django.db import connection

    sql = (
        f"SELECT c.id, c.call_id, c.turns::text, k.call_id IS NOT NULL FROM {CALLS} c "
        f"LEFT JOIN {CHECKS} k ON k.call_id = c.id WHERE c.id = ANY(%s)"
    )
    params: list[Any] = [call_ids]
    if not force:
        sql += " AND k.library_id IS DISTINCT FROM %s"
        params.append(library.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        calls = cursor.fetchall()
    if not calls:
        return 0
    codes = [rule.code for rule in compiled.rules]
    critical = [bool(rule.critical) for rule in compiled.rules]
    check_line = _CheckLines(library.pk, codes, timezone.now().isoformat().encode())
    lines: list[bytes] = []
    checked = [] if checked is None else checked
    weak = {} if weak is None else weak

    def produce():
        for pk, call_id, turns, _checked in calls:
            line = '{"call_id":' + _pg.dumps(call_id) + ',"turns":' + turns + "}"
            try:
                result = compiled.check_line(line, compact=True)
            except CallError as exc:
                logger.error("call %s could not be checked: %s", call_id, exc)
                continue
            copy_line = check_line(pk, result)
            lines.append(copy_line)
            checked.append(pk)
            if result.critical_failed:
                codes_weak = weak_critical_codes(codes, critical, result)
                if codes_weak:
                    weak[pk] = codes_weak
            yield copy_line

    produced = produce()
    with transaction.atomic(), connection.cursor() as cursor:
        if not any(checked for *_, checked in calls):
            try:
                with transaction.atomic():
                    _pg.copy_lines(CHECKS, _CHECK_COLUMNS, produced)
                return len(lines)
            except IntegrityError:
                pass  # another task checked one of these calls meanwhile: upsert, below
        for _line in produced:  # the calls the COPY above did not take, or all of them
            pass
        if not lines:
            return 0
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS _qa_checks (LIKE {CHECKS} INCLUDING DEFAULTS) "
            "ON COMMIT DELETE ROWS"
        )
        # Emptied on commit; also here, for a caller already inside a transaction.
        cursor.execute("TRUNCATE _qa_checks")
        _pg.copy_lines("_qa_checks", _CHECK_COLUMNS, lines)
        names = ", ".join(_CHECK_COLUMNS)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _CHECK_COLUMNS[1:])
        cursor.execute(
            f"INSERT INTO {CHECKS} ({names}) SELECT {names} FROM _qa_checks "
            f"ON CONFLICT (call_id) DO UPDATE SET {updates}"
        )
    return len(lines)


def checks_enqueue(*, call_ids: Sequence[int], library_id: int | None = None) -> int:
    """After the current transaction commits, enqueue one check task per batch of calls.
    Returns the number of tasks."""
    from scoring.calls import tasks

    size = settings.QA_CHECK_BATCH_SIZE
    batches = [list(call_ids[i : i + size]) for i in range(0, len(call_ids), size)]
    for batch in batches:
        transaction.on_commit(
            lambda batch=batch: tasks.checks_run.delay(batch, library_id)  # noqa: B023
        )
    return len(batches)


# --- Activating a library and rescoring a period's calls ------------------------------------


def library_activate_and_rescore(
    *,
    library: RuleLibrary,
    rescore_from: datetime.date | None = None,
    rescore_to: datetime.date | None = None,
) -> RuleLibrary:
    """Activate this version (`library_activate`) and rescore the calls of the period in the
    background, one check task per batch, once the activation is committed."""
    with transaction.atomic():
        library = library_activate(
            library=library, rescore_from=rescore_from, rescore_to=rescore_to
        )
        if rescore_from or rescore_to:
            library.rescore_total = period_calls(rescore_from, rescore_to).count()
            library.save(update_fields=["rescore_total"])
        if library.rescore_total:
            from scoring.calls import tasks

            pk = library.pk
            transaction.on_commit(lambda: tasks.library_rescore.delay(pk))
    return library


def period_calls(date_from: datetime.date | None, date_to: datetime.date | None):
    """Calls from the first moment of `date_from` to the last of `date_to` (center time)."""
    calls = Call.objects.all()
    if date_from:
        calls = calls.filter(started_at__gte=period_of(DAY, date_from).start)
    if date_to:
        calls = calls.filter(started_at__lt=period_of(DAY, date_to).end)
    return calls


def library_rescore_enqueue(*, library_id: int) -> int:
    """One check task per batch of the period's calls, with this version (skipped by each
    task if another version was activated meanwhile)."""
    library = RuleLibrary.objects.get(pk=library_id)
    if library.status != RuleLibrary.Status.ACTIVE:
        return 0
    ids = list(
        period_calls(library.rescore_from, library.rescore_to)
        .exclude(auto_check__library=library)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return checks_enqueue(call_ids=ids, library_id=library.pk)


def library_rescore_progress(library: RuleLibrary) -> dict[str, Any]:
    if not library.rescore_total:
        return {"total": 0, "done": 0, "percent": 100, "finished": True}
    done = CallCheck.objects.filter(
        library=library,
        call__in=period_calls(library.rescore_from, library.rescore_to),
    ).count()
    done = min(done, library.rescore_total)
    return {
        "total": library.rescore_total,
        "done": done,
        "percent": int(100 * done / library.rescore_total),
        "finished": done >= library.rescore_total,
    }
