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


def pytest_configure(config) -> None:
    # A transactional test (live server, threads) ends with Django's flush: one TRUNCATE of
    # every table, which PostgreSQL refuses for the evaluations' history (its BEFORE TRUNCATE
    # trigger, scoring/evaluations/migrations/0002). The test database's superuser lets that
    # one statement through with triggers off; every other statement still meets them.
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return flush(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    DatabaseOperations.execute_sql_flush = execute_sql_flush


@pytest.fixture
def world(db) -> OrgWorld:
    """Two departments, three teams, agents in each, and one user per role."""
    return build_world()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")


# What the Content-Security-Policy blocked during the current browser test (an inline script or
# style, an eval, a foreign host): Chromium reports each on the console of the page.
CSP_BLOCKED: list[str] = []


def _watching_csp(new_context):
    def new_context_watching_csp(*args, **kwargs):
        context = new_context(*args, **kwargs)

        def on_console(message) -> None:
            if "Content Security Policy" in message.text:
                CSP_BLOCKED.append(f"{message.location.get('url')}: {message.text}")

        context.on("console", on_console)
        return context

    return new_context_watching_csp


@pytest.fixture(autouse=True)
def _nothing_blocked_by_the_csp(request):
    """Every browser test also proves its pages work under the Content-Security-Policy."""
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    CSP_BLOCKED.clear()
    yield
    assert not CSP_BLOCKED, f"the Content-Security-Policy blocked: {CSP_BLOCKED}"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never `playwright install`)."""
    # Playwright's sync API runs an event loop in this thread; the test's own database work
    # is synchronous and safe, so let Django allow it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        instance.new_context = _watching_csp(instance.new_context)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def login(page, live_server, username: str, password: str = "pw") -> None:
    """Log in through the real form, as a person would."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def screenshot(page, name: str) -> str:
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path
