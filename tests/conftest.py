"""Shared fixtures, and the rule for tests that need a service.

A test marked `redis`, `worker` or `browser` needs something outside Python. Without it the
test is skipped with the reason printed; with QA_REQUIRE_SERVICES=1 (as in .ci/run) the
missing service fails the test instead, so CI never passes by skipping.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.factories import OrgWorld, build_world

REQUIRE = os.environ.get("QA_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("QA_CHROMIUM", "/usr/bin/chromium")


def _missing_service(item) -> str | None:
    markers = {mark.name for mark in item.iter_markers()}
    if markers & {"redis", "worker"}:
        url = os.environ.get("REDIS_URL")
        if not url:
            return "REDIS_URL is not set"
        import redis

        try:
            redis.Redis.from_url(url, socket_timeout=2).ping()
        except Exception as exc:  # noqa: BLE001
            return f"Redis at {url} does not answer: {exc}"
    if "postgres" in markers and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return "DATABASE_URL is not a PostgreSQL URL"
    if "browser" in markers:
        if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
            return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        try:
            import playwright  # noqa: F401
        except ImportError:
            return "the playwright package is not installed"
    return None


def pytest_runtest_setup(item) -> None:
    reason = _missing_service(item)
    if reason is None:
        return
    if REQUIRE:
        pytest.fail(f"QA_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def world(db) -> OrgWorld:
    """Two departments, three teams, agents in each, and one user per role."""
    return build_world()
