"""Celery tasks of the calls app: imports, automatic checks, rescoring. Thin: they take ids and
call services; every one is safe to run twice (acks are late, so a task whose worker died runs
again)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="calls.import_run")
def import_run(job_id: int) -> dict:
    """Validate and import one uploaded file (ImportJob), all-or-nothing."""
    from scoring.calls.services.imports import import_run as run

    job = run(job_id=job_id)
    return {"job": job.pk, "status": job.status, "imported": job.imported}


@shared_task(name="calls.checks_run")
def checks_run(call_ids: list[int], library_id: int | None = None) -> int:
    """Automatic checks of a batch of calls with the active rule library."""
    from scoring.calls.services.checks import call_checks_run

    return call_checks_run(call_ids=call_ids, library_id=library_id)


@shared_task(name="calls.library_rescore")
def library_rescore(library_id: int) -> int:
    """Enqueue the rescoring of the period chosen when the library was activated."""
    from scoring.calls.services.checks import library_rescore_enqueue

    return library_rescore_enqueue(library_id=library_id)
