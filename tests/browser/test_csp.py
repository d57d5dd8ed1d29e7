"""Under the Content-Security-Policy, in Chromium: the watcher in tests/conftest.py sees what the
policy blocks (so every browser test proves its pages work under it), and the API docs pages,
which have their own relaxed policy, still render."""

from __future__ import annotations

import pytest

from tests import conftest
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_watcher_sees_an_inline_script_the_policy_blocks(page, live_server):
    url = f"{live_server.url}/csp-probe/"
    page.route(
        url,
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers={"Content-Security-Policy": "default-src 'self'; script-src 'self'"},
            body="<!DOCTYPE html><p>probe</p><script>document.title = 'ran'</script>",
        ),
    )
    page.goto(url)
    page.wait_for_function("document.readyState === 'complete'")
    assert page.title() != "ran"
    assert any("Content Security Policy" in line for line in conftest.CSP_BLOCKED)
    conftest.CSP_BLOCKED.clear()


def test_the_api_docs_pages_render_under_their_policy(page, live_server, world):
    login(page, live_server, "manager")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    page.goto(f"{live_server.url}/api/redoc/")
    page.wait_for_selector("redoc .api-content, #redoc-container .api-content", timeout=30_000)
    # Redoc's own "powered by" logo comes from its CDN: refused, as it should be (nothing is
    # loaded from elsewhere); the page does not need it. Nothing else may be blocked.
    conftest.CSP_BLOCKED[:] = [
        line for line in conftest.CSP_BLOCKED if "https://cdn.redoc.ly/" not in line
    ]
