"""Celery tasks of the calls app: imports, automatic checks, rescoring. Thin: they take ids and
call services; every one is safe to run twice (acks are late, so a task whose worker died runs
again)."""

from __future__ import annotations

from celery import shared_task

from qa_center.tasks import RETRY


@shared_task(name="calls.import_run", bind=True, max_retries=8)
def import_run(self, job_id: int) -> dict:
    """Validate and import one uploaded file (ImportJob), all-or-nothing. The database or
    Redis away for a moment runs it again (the service leaves the job to the retry) rather
    than failing the upload; the last attempt fails the job as any unexpected error."""
    from scoring.calls.services.imports import import_run as run

    try:
        job = run(job_id=job_id, retry=self.request.retries < self.max_retries)
    except Exception as exc:  # only what `run` leaves to a retry (see its docstring)
        raise self.retry(exc=exc, countdown=min(2**self.request.retries, 60)) from exc
    return {"job": job.pk, "status": job.status, "imported": job.imported}


@shared_task(name="calls.checks_run", **RETRY)
def checks_run(call_ids: list[int], library_id: int | None = None) -> int:
    """Automatic checks of a batch of calls with the active rule library."""
    from scoring.calls.services.checks import call_checks_run

    return call_checks_run(call_ids=call_ids, library_id=library_id)


@shared_task(name="calls.library_rescore", **RETRY)
def library_rescore(library_id: int) -> int:
    """Enqueue the rescoring of the period chosen when the library was activated."""
    from scoring.calls.services.checks import library_rescore_enqueue

    return library_rescore_enqueue(library_id=library_id)
