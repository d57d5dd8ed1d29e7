from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_health_answers_json_for_machines(client):
    response = client.get(reverse("health"))
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["checks"]["database"]["ok"] is True
    assert set(data["checks"]) == {"database", "redis", "worker"}
    # Which engine runs is reported beside the checks, never as a failure.
    assert set(data["engine"]) == {"compiled", "mode"}
    engine = data["engine"]
    assert engine["mode"].startswith("compiled" if engine["compiled"] else "pure")


def test_health_page_is_readable_for_admins(client, world):
    client.force_login(world.users["admin"])
    response = client.get(reverse("health"), HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("text/html")
    assert "Database" in response.content.decode() or "数据库" in response.content.decode()
    assert (
        "Compliance engine" in response.content.decode() or "质检引擎" in response.content.decode()
    )


def test_health_page_is_json_for_everyone_else(client, world):
    client.force_login(world.users["agent"])
    response = client.get(reverse("health"), HTTP_ACCEPT="text/html")
    assert response["Content-Type"] == "application/json"


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_unreachable_redis_makes_health_fail(client):
    from qa_center.celery import app

    app.conf.task_always_eager = False
    try:
        response = client.get(reverse("health"))
    finally:
        app.conf.task_always_eager = True
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False


@pytest.mark.redis
def test_health_reports_redis_when_configured(client, settings):
    import os

    settings.REDIS_URL = os.environ["REDIS_URL"]
    data = client.get(reverse("health")).json()
    assert data["checks"]["redis"] == {**data["checks"]["redis"], "ok": True, "configured": True}
