"""The core's pages: notifications, health, and the error pages."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from qa_center.permissions import has_capability
from qa_center.tasks import HEARTBEAT_KEY


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; opening the page marks them read."""
    from django.utils import timezone

    from qa_center.models import Notification

    items = list(Notification.objects.filter(user=request.user)[:100])
    unread_ids = [item.pk for item in items if item.read_at is None]
    if unread_ids:
        Notification.objects.filter(pk__in=unread_ids).update(read_at=timezone.now())
    return render(
        request, "core/notifications.html", {"items": items, "unread_ids": set(unread_ids)}
    )


def _check_database() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - health reports any failure, it does not raise
        return {"ok": False, "error": str(exc)}
    return {
        "ok": True,
        "vendor": connection.vendor,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }


def _check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "configured": False, "detail": "local-memory cache, in-process tasks"}
    import redis

    started = time.perf_counter()
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "configured": True, "error": str(exc)}
    return {"ok": True, "configured": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_worker(redis_ok: bool) -> dict:
    from qa_center.celery import app

    if app.conf.task_always_eager:
        return {"ok": True, "mode": "in-process", "workers": []}
    last = cache.get(HEARTBEAT_KEY) if redis_ok else None
    if not redis_ok:
        return {"ok": False, "mode": "celery", "workers": [], "error": "broker unreachable"}
    try:
        replies = app.control.ping(timeout=1.0)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "mode": "celery", "workers": [], "error": str(exc)}
    workers = sorted(name for reply in replies for name in reply)
    return {"ok": bool(workers), "mode": "celery", "workers": workers, "last_heartbeat": last}


def _engine_mode() -> dict:
    """Which compliance engine this process runs: informational, never a failure."""
    import scoring.engine

    return {"compiled": scoring.engine.COMPILED, "mode": scoring.engine.ENGINE_MODE}


def _last_verification() -> dict:
    """The last stored verification of the evaluations' history (manage.py verify_history,
    nightly): for administrators only, it names evaluations. Informational: a problem there is
    not an outage, so it does not turn the answer into 503."""
    from qa_center.models import SystemCheck

    check = SystemCheck.objects.filter(name=SystemCheck.EVALUATION_HISTORY).first()
    if check is None:
        return {"verified": False}
    return {
        "verified": True,
        "ok": check.ok,
        "checked_at": check.checked_at.isoformat(),
        "at": check.checked_at,
        **{k: check.summary.get(k) for k in ("evaluations", "events", "problems")},
        "first_problems": list(check.summary.get("first_problems") or [])[:5],
    }


@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """JSON for monitoring (200 when all is well, 503 otherwise); a readable page for admins."""
    database = _check_database()
    redis_state = _check_redis()
    worker = _check_worker(redis_state["ok"])
    checks = {"database": database, "redis": redis_state, "worker": worker}
    ok = all(check["ok"] for check in checks.values())
    status = 200 if ok else 503
    wants_html = (
        "text/html" in request.headers.get("Accept", "") and request.GET.get("format") != "json"
    )
    engine = _engine_mode()
    admin = has_capability(request.user, "view_health")
    history = _last_verification() if admin else None
    if wants_html and admin:
        context = {"checks": checks, "ok": ok, "engine": engine, "history": history}
        return render(request, "core/health.html", context, status=status)
    data = {"status": "ok" if ok else "fail", "checks": checks, "engine": engine}
    if history is not None:
        data["history"] = {k: v for k, v in history.items() if k != "at"}
    return JsonResponse(data, status=status)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        # A URL no API route matches (/api/v1/calls/abc/): JSON like DRF's 404, as the
        # schema documents, not the HTML page.
        from django.utils.translation import gettext

        return JsonResponse({"detail": gettext("Not found.")}, status=404)
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({}), status=500)
