"""Importing call files: validate the whole file, then write every call or none.

`import_job_create` stores an upload as an ImportJob (refusing at once what cannot be read at
all); `import_job_start` runs it in the request or, for a big file or when a worker exists, in
the Celery task `calls.import_run`; `import_run` does the work and is safe to run twice.
Automatic checks are enqueued after the calls are committed.

A JSON Lines file on PostgreSQL is imported in one pass (`_import_streamed`): calls are written
while the rest of the file is read, in one transaction rolled back if the file turns out to
have problems, with the same outcome as validating it all first.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from org.models import Agent, Team
from org.selectors import memberships_by_agent, team_id_on
from qa_center.levels import Level
from qa_center.permissions import scope_queryset, user_scope, visible_import_jobs
from scoring.calls.importers import (
    FileRefusedError,
    JsonlReader,
    ParsedCall,
    Problem,
    detect_format,
    jsonl_reader,
    parse_calls,
)
from scoring.calls.models import Call, ImportJob
from scoring.calls.search import search_text_of
from scoring.calls.services import copy as _pg
from scoring.calls.services.checks import checks_enqueue

logger = logging.getLogger(__name__)

WRITE_BATCH = 2000
_PROGRESS_TTL = 6 * 3600


# --- Progress: in the cache, because the writing transaction hides the job row's changes --------


def _progress_key(job_id: int) -> str:
    return f"calls:import:{job_id}:progress"


def _set_progress(job_id: int, phase: str, done: int = 0, total: int = 0) -> None:
    cache.set(_progress_key(job_id), {"phase": phase, "done": done, "total": total}, _PROGRESS_TTL)


def import_job_progress(job: ImportJob) -> dict[str, Any]:
    """What the progress bar shows: phase, percent, and for a finished job the automatic
    checks done so far."""
    from scoring.calls.models import CallCheck

    if job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING):
        progress = cache.get(_progress_key(job.pk)) or {"phase": "waiting", "done": 0, "total": 0}
        total = progress["total"] or 0
        percent = int(100 * progress["done"] / total) if total else 0
        return {**progress, "percent": percent, "finished": False}
    if job.status == ImportJob.Status.DONE and job.imported:
        checked = CallCheck.objects.filter(call__import_job=job).count()
        return {
            "phase": "checking" if checked < job.imported else "done",
            "done": checked,
            "total": job.imported,
            "percent": int(100 * checked / job.imported),
            "finished": checked >= job.imported,
        }
    return {"phase": job.status, "done": 0, "total": 0, "percent": 100, "finished": True}


# --- Creating and starting a job ---------------------------------------------------------------


def _refuse(job: ImportJob, problems: Iterable[Problem]) -> ImportJob:
    job.status = ImportJob.Status.FAILED
    job.errors = [p.as_dict() for p in problems]
    job.finished_at = timezone.now()
    return job


def import_job_create(*, user, filename: str, content: bytes, fmt: str | None = None) -> ImportJob:
    """A new job for an uploaded file. A file that cannot be read at all (too big, wrong
    type) gives a job that is already refused, so the refusal is on record too."""
    filename = (filename or "upload").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
    # Stored as text: no NUL nor lone surrogate (an upload's name may hold anything).
    filename = re.sub("[\x00-\x1f\ud800-\udfff]", "\ufffd", filename) or "upload"
    job = ImportJob(created_by=user, filename=filename, format=fmt or ImportJob.Format.JSONL)
    try:
        if len(content) > settings.QA_IMPORT_MAX_BYTES:
            parse_calls(content, filename=filename, fmt=fmt)  # raises FileRefusedError (size)
        job.format = detect_format(content, filename=filename, declared=fmt)
    except FileRefusedError as exc:
        _refuse(job, [exc.problem])
        job.full_clean(exclude=["file"])
        job.save()
        return job
    job.full_clean(exclude=["file"])
    job.file.save(f"{timezone.now():%Y%m%d%H%M%S}-{filename}", ContentFile(content), save=False)
    job.save()
    return job


def _estimate_calls(job: ImportJob, size: int, content: bytes | None) -> int:
    if content is not None and job.format == ImportJob.Format.JSONL:
        return content.count(b"\n") + 1
    # Rows are turns: a call has a few dozen of them and a row some 60 bytes.
    return size // 2000


def import_job_start(*, job: ImportJob, content: bytes | None = None) -> ImportJob:
    """Run the job now (small file, no worker) or enqueue it for the worker after commit."""
    if job.status != ImportJob.Status.PENDING:
        return job
    size = job.file.size if job.file else 0
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    if eager and _estimate_calls(job, size, content) <= settings.QA_IMPORT_ASYNC_CALLS:
        return import_run(job_id=job.pk, content=content)
    from scoring.calls import tasks

    _set_progress(job.pk, "waiting")
    transaction.on_commit(lambda: tasks.import_run.delay(job.pk))
    return job


# --- Doing the work ----------------------------------------------------------------------------


def _existing_call_ids(call_ids: list[str]) -> set[str]:
    existing: set[str] = set()
    if _pg.is_postgres():
        for start in range(0, len(call_ids), 50000):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT call_id FROM {Call._meta.db_table} WHERE call_id = ANY(%s::text[])",
                    [_pg.text_array(call_ids[start : start + 50000])],
                )
                existing.update(call_id for (call_id,) in cursor.fetchall())
        return existing
    for start in range(0, len(call_ids), 5000):
        chunk = call_ids[start : start + 5000]
        existing.update(Call.objects.filter(call_id__in=chunk).values_list("call_id", flat=True))
    return existing


# A call to write: the call as read, its agent's id, its team's id on the day, its duration.
Row = tuple[ParsedCall, int, int, float | None]


class _Resolver:
    """Agents and teams of calls, a batch of calls at a time: each agent (and its team
    memberships) is asked for once, then kept for the following batches.

    Within the importer's scope (`permissions.user_scope`; the center's for an administrator
    or a user without a department): a call is imported only if it lands in the scope, that
    is if its team on the day of the call (the team the call is stored with, which decides
    who sees it) is one of the importer's. Otherwise the row is refused:
    - an agent the importer cannot see is "unknown", with the very message of an employee
      number nobody has: the file learns nothing about other departments' agents;
    - an agent the importer sees (now in their scope) but who was in another team outside it
      on that day is told as such (the importer knows the agent; the call is not theirs).
    An agent who has since left the importer's scope but was in it on the day of the call is
    the importer's to import: the call lands in their scope, where the agent's other calls
    of the time already are.

    Call ids are unique across the center. An id already imported within the scope is a
    duplicate, reported and skipped, as always. An id already imported outside the scope
    cannot be imported again, and must not be confirmed either: reporting it as a duplicate
    ("already imported") would tell the importer that the id exists, that it is "theirs",
    and would hide that their row was not stored. It is refused as a problem of the row that
    says only that the id cannot be imported here (the whole file is then refused, all or
    nothing, and the attempt stays on record in the job's errors, which administrators see),
    never whose call it is, where or when. That the id is unusable is the one thing a single
    id space cannot hide; nothing else is told."""

    def __init__(self, user=None) -> None:
        self._agents: dict[str, Agent] = {}
        self._memberships: dict[int, list] = {}
        self._asked: set[str] = set()
        self._local = timezone.get_current_timezone()
        self._user = user
        # None: the whole center (no scope to apply).
        self._everything = user is None or user_scope(user).level == Level.CENTER
        self._teams: frozenset[int] = frozenset()
        self._visible: set[int] = set()  # agents the importer sees (of those asked for)
        if not self._everything:
            self._teams = frozenset(
                scope_queryset(user, Team.objects.all()).values_list("pk", flat=True)
            )

    def __call__(self, calls: list[ParsedCall]) -> tuple[list[Row], list[str], list[Problem]]:
        """Calls to write (new ones), duplicates (call ids already imported, in scope), and
        problems (unknown agents, calls outside the scope), in the order of `calls`. A
        handful of queries per batch."""
        employee_nos = {call.agent for call in calls} - self._asked
        if employee_nos:
            found = {
                agent.employee_no: agent
                for agent in Agent.objects.filter(employee_no__in=employee_nos).only(
                    "pk", "employee_no", "team_id"
                )
            }
            self._agents.update(found)
            self._memberships.update(memberships_by_agent(agent.pk for agent in found.values()))
            self._asked |= employee_nos
            if not self._everything and found:
                pks = [agent.pk for agent in found.values()]
                self._visible.update(
                    scope_queryset(self._user, Agent.objects.filter(pk__in=pks)).values_list(
                        "pk", flat=True
                    )
                )
        agents, memberships, local = self._agents, self._memberships, self._local
        existing = _existing_call_ids([call.call_id for call in calls])
        if existing and not self._everything:
            in_scope = set(
                scope_queryset(self._user, Call.objects.filter(call_id__in=existing)).values_list(
                    "call_id", flat=True
                )
            )
        else:
            in_scope = existing
        problems: list[Problem] = []
        duplicates: list[str] = []
        rows: list[Row] = []
        for call in calls:
            agent = agents.get(call.agent)
            day = call.started_at.astimezone(local).date()
            team_id = None
            if agent is not None:
                team_id = team_id_on(memberships.get(agent.pk, []), agent.team_id, day)
            if agent is None or not (
                self._everything or team_id in self._teams or agent.pk in self._visible
            ):
                problems.append(_unknown_agent(call))
                continue
            if not self._everything and team_id not in self._teams:
                problems.append(
                    Problem(
                        gettext_noop(
                            "On %(day)s agent %(agent)s was in a team outside your scope: "
                            "their call cannot be imported here."
                        ),
                        {"day": day.isoformat(), "agent": call.agent},
                        line=call.line,
                        field="agent",
                    )
                )
                continue
            if call.call_id in existing:
                if call.call_id in in_scope:
                    duplicates.append(call.call_id)
                else:  # see the class's docstring: refused, not confirmed
                    problems.append(
                        Problem(
                            gettext_noop(
                                "Call id %(call_id)s cannot be imported here; if the call is "
                                "yours, ask an administrator."
                            ),
                            {"call_id": call.call_id},
                            line=call.line,
                            field="call_id",
                        )
                    )
                continue
            duration = call.duration_seconds
            if duration is None:
                ends = [turn["end"] for turn in call.turns if "end" in turn]
                duration = max(ends) if ends else None
            rows.append((call, agent.pk, team_id, duration))
        return rows, duplicates, problems


def _unknown_agent(call: ParsedCall) -> Problem:
    return Problem(
        gettext_noop("Unknown agent %(agent)s: no agent has this employee number."),
        {"agent": call.agent},
        line=call.line,
        field="agent",
    )


def _resolve(calls: list[ParsedCall], user=None) -> tuple[list[Row], list[str], list[Problem]]:
    """Calls to write, duplicates and problems for all the calls of a file (see `_Resolver`)."""
    return _Resolver(user)(calls)


_COLLIDED = Problem(
    gettext_noop(
        "Another import added some of these calls at the same time. Nothing was imported; "
        "import the file again."
    )
)


def _finish(job: ImportJob, *, total: int, imported: int, duplicates: int) -> None:
    """Mark an import done, inside its transaction."""
    job.status = ImportJob.Status.DONE
    job.total = job.processed = total
    job.imported = imported
    job.duplicates = duplicates
    job.errors = []
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "total",
            "processed",
            "imported",
            "duplicates",
            "errors",
            "finished_at",
        ]
    )


def _fail(job_id: int, problems: list[dict[str, Any]], total: int = 0) -> ImportJob:
    # Never a job that is done: its calls are committed, and an error after the commit (its
    # checks not enqueued, Redis away) must not make it say that nothing was imported.
    ImportJob.objects.filter(pk=job_id).exclude(status=ImportJob.Status.DONE).update(
        status=ImportJob.Status.FAILED,
        errors=problems,
        total=total,
        processed=0,
        imported=0,
        finished_at=timezone.now(),
    )
    cache.delete(_progress_key(job_id))
    return ImportJob.objects.get(pk=job_id)


def _unexpected(job_id: int) -> Problem:
    return Problem(
        gettext_noop(
            "The import failed because of an unexpected error (import %(job)s). Nothing was "
            "imported. Try again; if it fails again, give an administrator the import's number."
        ),
        {"job": job_id},
    )


def import_run(*, job_id: int, content: bytes | None = None, retry: bool = False) -> ImportJob:
    """Validate the job's file and import it all-or-nothing. Safe to run twice: a job that
    is refused is left alone, a job that is done gets the checks of its calls not yet checked
    enqueued (they may have been lost with Redis when it committed), and a job interrupted
    mid-way wrote nothing (one transaction), so it simply runs again.

    Whatever goes wrong, the job ends: an error nobody foresaw fails it with a reason the
    user can act on (and quote), its traceback logged, rather than leaving it "running"
    forever or giving the page a 500. Nothing was written: the writing is one transaction.
    With `retry` (a Celery task with attempts left), the database or Redis away for a moment
    (`qa_center.tasks.TRANSIENT_ERRORS`) is raised instead, for the task to run it again."""
    from qa_center.tasks import TRANSIENT_ERRORS

    try:
        return _run(job_id=job_id, content=content)
    except Exception as exc:
        # A done job failed after its commit (enqueueing its checks with Redis away: kombu
        # then raises what it happens to meet); the rerun enqueues them (`_checks_resume`).
        committed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.DONE).exists()
        if retry and (committed or isinstance(exc, TRANSIENT_ERRORS)):
            raise
        logger.exception("import %s failed with an unexpected error", job_id)
        return _fail(job_id, [_unexpected(job_id).as_dict()])


def _run(*, job_id: int, content: bytes | None) -> ImportJob:
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING]
    ).update(status=ImportJob.Status.RUNNING)
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        if job.status == ImportJob.Status.DONE and job.imported:
            _checks_resume(job)
        return job
    _set_progress(job_id, "validating")
    if content is None:
        with job.file.open("rb") as handle:
            content = handle.read()
    try:
        if _pg.is_postgres():
            reader = jsonl_reader(content, filename=job.filename, fmt=job.format)
            if reader is not None:
                return _import_streamed(job_id, reader, job.created_by)
        _fmt, calls, problems = parse_calls(content, filename=job.filename, fmt=job.format)
    except FileRefusedError as exc:
        return _fail(job_id, [exc.problem.as_dict()])
    # Every problem in one pass: the readable calls' unknown agents and out-of-scope calls are
    # reported together with the file's own problems, not only once those are fixed.
    rows, duplicates, unknown = _resolve(calls, job.created_by)
    if problems or unknown:
        return _fail(job_id, _all_problems(problems, unknown), total=len(calls))
    total = len(calls)
    del calls  # `rows` holds what is still needed
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.status != ImportJob.Status.RUNNING:
                return job  # another worker finished it meanwhile
            call_ids = _write_calls(job, rows, total=total)
            imported = len(rows)
            # Written: free the calls now, not after the checks that run on commit (in this
            # process when tasks are eager), which would also make every garbage collection
            # meanwhile walk them.
            del rows
            _finish(job, total=total, imported=imported, duplicates=duplicates)
            checks_enqueue(call_ids=call_ids)
    except IntegrityError:
        logger.warning("import %s collided with a concurrent import", job_id, exc_info=True)
        return _fail(job_id, [_COLLIDED.as_dict()], total=total)
    cache.delete(_progress_key(job_id))
    return job


def _checks_resume(job: ImportJob) -> None:
    """Enqueue the checks of the job's calls that have none: a rerun of a done job (its
    task given again after its worker died, or retried after Redis was away when it
    committed, so that its checks were never enqueued). Checks are safe to run twice."""
    unchecked = list(
        Call.objects.filter(import_job=job, auto_check__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if unchecked:
        checks_enqueue(call_ids=unchecked)


# Calls resolved and written at a time by the one-pass import (`_import_streamed`).
STREAM_CHUNK = 5000


class _RefusedError(Exception):
    """Rolls the one-pass import back: the job fails with these problems."""

    def __init__(self, problems: list[Problem], total: int) -> None:
        super().__init__()
        self.problems = problems
        self.total = total


class _Lines:
    """The calls of a JsonlReader, read a line at a time into a list."""

    _END = object()

    def __init__(self, reader: JsonlReader) -> None:
        self._lines = iter(reader)
        self.exhausted = False

    def read(self, into: list[ParsedCall], count: int, *, lines: int = -1) -> None:
        """Read until `into` holds `count` calls, the file ends, or `lines` lines were read."""
        while len(into) < count and lines != 0 and not self.exhausted:
            lines -= 1
            call = next(self._lines, self._END)
            if call is self._END:
                self.exhausted = True
            elif call is not None:
                into.append(call)


def _import_streamed(job_id: int, reader: JsonlReader, user=None) -> ImportJob:
    """`import_run` of a JSON Lines file on PostgreSQL, in one pass: the calls read so far are
    resolved and copied, STREAM_CHUNK at a time, while the next ones are read (a line read per
    row copied), so that the server writes while Python reads. The outcome is the one of
    reading the whole file first, whatever is in it: the file's problems, else unknown
    agents, fail the job, and whatever was written is rolled back; nothing more is written
    once the job is bound to fail."""
    resolve = _Resolver(user)
    lines = _Lines(reader)
    imported = 0
    duplicates: list[str] = []
    unknown: list[Problem] = []
    pending: list[ParsedCall] = []  # read, not yet resolved
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.status != ImportJob.Status.RUNNING:
                return job  # another worker finished it meanwhile
            line = _call_line(job)
            lines.read(pending, STREAM_CHUNK)
            while pending:
                batch, pending = pending, []
                # Resolved even once the file is bound to fail: its unknown agents are
                # reported in the same pass as its other problems.
                rows, skipped, problems = resolve(batch)
                duplicates += skipped
                unknown += problems
                if rows and not reader.failed and not unknown:

                    def copy_lines(rows: list[Row] = rows, pending: list = pending):
                        for row in rows:
                            yield line(row)
                            lines.read(pending, STREAM_CHUNK, lines=1)

                    _pg.copy_lines(Call._meta.db_table, _CALL_COLUMNS, copy_lines())
                    imported += len(rows)
                del batch, rows
                lines.read(pending, STREAM_CHUNK)
                _set_progress(job_id, "validating", reader.done, reader.lines)
            problems = reader.finish()
            if problems or unknown:
                raise _RefusedError(_sorted_problems(problems, unknown), reader.calls)
            call_ids = _imported_ids(job)
            _finish(job, total=reader.calls, imported=imported, duplicates=duplicates)
            checks_enqueue(call_ids=call_ids)
    except _RefusedError as exc:
        return _fail(job_id, [p.as_dict() for p in exc.problems], total=exc.total)
    except IntegrityError:
        # Another import wrote some of these calls meanwhile. Reading the whole file first,
        # its problems and unknown agents would have come before: look for them.
        lines.read(pending, sys.maxsize)
        problems = reader.finish()
        unknown += resolve(pending)[2]
        if problems or unknown:
            return _fail(job_id, _all_problems(problems, unknown), total=reader.calls)
        logger.warning("import %s collided with a concurrent import", job_id, exc_info=True)
        return _fail(job_id, [_COLLIDED.as_dict()], total=reader.calls)
    cache.delete(_progress_key(job_id))
    return job


def _sorted_problems(problems: list[Problem], unknown: list[Problem]) -> list[Problem]:
    """The file's problems and its unknown agents together, in the file's order."""
    return sorted(
        [*problems, *unknown], key=lambda p: (p.line is None, p.line if p.line is not None else 0)
    )


def _all_problems(problems: list[Problem], unknown: list[Problem]) -> list[dict]:
    return [p.as_dict() for p in _sorted_problems(problems, unknown)]


def _write_calls(job: ImportJob, rows: list[Row], *, total: int) -> list[int]:
    _set_progress(job.pk, "writing", 0, len(rows))
    if _pg.is_postgres():
        return _copy_calls(job, rows)
    ids: list[int] = []
    for start in range(0, len(rows), WRITE_BATCH):
        batch = [
            Call(
                call_id=call.call_id,
                agent_id=agent_id,
                team_id=team_id,
                started_at=call.started_at,
                duration_seconds=duration,
                channel=call.channel,
                recording_url=call.recording_url,
                turns=call.turns,
                extra=call.extra,
                search_text=search_text_of(call.turns),
                import_job_id=job.pk,
            )
            for call, agent_id, team_id, duration in rows[start : start + WRITE_BATCH]
        ]
        created = Call.objects.bulk_create(batch)
        ids.extend(call.pk for call in created)
        _set_progress(job.pk, "writing", start + len(batch), len(rows))
    if ids and ids[0] is None:  # a backend that does not return ids from bulk inserts
        ids = list(Call.objects.filter(import_job=job).values_list("pk", flat=True))
    return ids


_CALL_COLUMNS = [
    "call_id",
    "agent_id",
    "team_id",
    "started_at",
    "duration_seconds",
    "channel",
    "recording_url",
    "turns",
    "extra",
    "search_text",
    "import_job_id",
    "created_at",
]


def _call_line(job: ImportJob):
    """A function making a row into its line of COPY text (the values bulk_create writes)."""
    tail = f"\t{job.pk}\t{timezone.now().isoformat()}\n".encode()
    field, field_bytes, dumps = _pg.field, _pg.field_bytes, _dumps

    def line(row: Row) -> bytes:
        call, agent_id, team_id, duration = row
        head = "\t".join(
            (
                field(call.call_id),
                str(agent_id),
                str(team_id),
                call.started_at.isoformat(),
                field(duration),
                field(call.channel),
                field(call.recording_url),
                "",
            )
        )
        return b"".join(
            (
                head.encode(),
                field_bytes(dumps(call.turns)),
                b"\t",
                field_bytes(dumps(call.extra)),
                b"\t",
                field(search_text_of(call.turns)).encode(),
                tail,
            )
        )

    return line


def _dumps(value: Any) -> bytes:
    """JSON text for COPY: orjson's, or json's for what orjson cannot write (an integer
    beyond 64 bits in an other field: PostgreSQL's JSONB keeps it, as bulk_create's json)."""
    try:
        return _pg.dumps_bytes(value)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(value, ensure_ascii=False, allow_nan=False).encode()


def _imported_ids(job: ImportJob) -> list[int]:
    return list(Call.objects.filter(import_job=job).order_by("pk").values_list("pk", flat=True))


def _copy_calls(job: ImportJob, rows: list[Row]) -> list[int]:
    """The same rows as bulk_create, written with COPY (several times faster on big files):
    each row made into its line of COPY text as the COPY asks for it."""
    line = _call_line(job)
    for start in range(0, len(rows), 20000):
        batch = rows[start : start + 20000]
        _pg.copy_lines(Call._meta.db_table, _CALL_COLUMNS, map(line, batch))
        _set_progress(job.pk, "writing", start + len(batch), len(rows))
    return _imported_ids(job)


def import_file(*, user, filename: str, content: bytes, fmt: str | None = None) -> ImportJob:
    """Create and start a job in one go (browser, API, command)."""
    job = import_job_create(user=user, filename=filename, content=content, fmt=fmt)
    return import_job_start(job=job, content=content)


def imports_for(user):
    """Import jobs the user may see (`permissions.visible_import_jobs`)."""
    return visible_import_jobs(user, ImportJob.objects.select_related("created_by"))
