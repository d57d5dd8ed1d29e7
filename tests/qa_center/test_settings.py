"""Settings are read from the environment and refuse bad values with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-production-secret-for-tests-only-0123456789abcdef"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser fixture and makes check --deploy warn.
        if key
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DEBUG",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage(
        "check", DJANGO_SETTINGS_MODULE="qa_center.settings.production", ALLOWED_HOSTS="qa.example"
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage(
        "check", DJANGO_SETTINGS_MODULE="qa_center.settings.production", SECRET_KEY=GOOD_KEY
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_passes_check_deploy_with_nothing_to_say():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="qa_center.settings.production",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="qa.example",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_a_bad_boolean_names_the_variable():
    result = _manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_a_bad_time_zone_names_the_variable():
    result = _manage("check", TIME_ZONE="Mars/Olympus")
    assert result.returncode != 0
    assert "TIME_ZONE='Mars/Olympus'" in result.stderr


def test_a_bad_redis_url_names_the_variable():
    result = _manage("check", REDIS_URL="localhost:6379")
    assert result.returncode != 0
    assert "REDIS_URL='localhost:6379'" in result.stderr


def test_the_api_schema_generates_without_warnings(tmp_path):
    result = _manage(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert result.returncode == 0, result.stderr


def test_a_visibility_timeout_shorter_than_the_time_limit_is_refused():
    env = {
        **os.environ,
        "CELERY_TASK_TIME_LIMIT": "600",
        "CELERY_VISIBILITY_TIMEOUT": "600",
        "DJANGO_SETTINGS_MODULE": "qa_center.settings.base",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT=600 must be longer than CELERY_TASK_TIME_LIMIT=600" in (
        done.stderr
    )
