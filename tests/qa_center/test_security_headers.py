"""Security headers: a strict Content-Security-Policy (django-csp) on pages, API answers and
static files, relaxed on the API docs pages only; Permissions-Policy; and no `Server:` header
from gunicorn. The templates keep to the policy: no inline script, no on*= handler, no style="".
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
# Rendered only to PDF by WeasyPrint, never served to a browser (the test below keeps it so).
PDF_ONLY = {
    "bulletins/print.html",
    "kpi/_print_style.html",
    "kpi/print_appraisal.html",
    "kpi/print_tree.html",
    "layers/report_print.html",
}


def _directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


def _assert_strict(response) -> None:
    policy = _directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions
    assert "Server" not in response.headers


@pytest.mark.django_db
def test_the_login_page_has_the_strict_policy(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    _assert_strict(response)


def test_a_page_for_a_signed_in_user_has_the_strict_policy(client, world):
    client.force_login(world.users["manager"])
    response = client.get("/")
    assert response.status_code == 200
    _assert_strict(response)


def test_api_answers_have_the_strict_policy(client, world):
    client.force_login(world.users["manager"])
    response = client.get("/api/v1/teams/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    _assert_strict(response)
    # Errors too.
    client.logout()
    refused = client.get("/api/v1/teams/", HTTP_ACCEPT="application/json")
    assert refused.status_code in {401, 403}
    _assert_strict(refused)


@pytest.mark.django_db
def test_a_missing_page_has_the_strict_policy(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    _assert_strict(response)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_pages_alone_relax_the_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = _directives(response)
    # Their own scripts only, still; inline styles, data: images and a blob: worker allowed.
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in policy["style-src"]
    assert "data:" in policy["img-src"]
    # The Swagger page starts from a script URL, not an inline <script>.
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), html


@pytest.mark.django_db
def test_the_swagger_start_up_script_is_served(client):
    response = client.get("/api/docs/", {"script": ""})
    assert response.status_code == 200
    assert "SwaggerUIBundle" in response.content.decode()


# --- The templates keep to the policy -----------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)


COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.DOTALL)


def _templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        text = path.read_text(encoding="utf-8")
        # Template comments never reach the browser (their newlines are kept for line numbers).
        yield name, COMMENT.sub(lambda match: "\n" * match.group(0).count("\n"), text)


def _offences(pattern: re.Pattern, skip=frozenset()) -> list[str]:
    found = []
    for name, text in _templates():
        if name in skip:
            continue
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"templates/{name}:{line}: {match.group(0).strip()}")
    return found


def test_no_template_has_an_inline_script():
    assert _offences(INLINE_SCRIPT) == []


def test_no_template_has_an_on_handler_attribute():
    assert _offences(HANDLER) == []


def test_no_served_template_has_inline_styles():
    assert _offences(STYLE_ATTRIBUTE, PDF_ONLY) == []
    assert _offences(STYLE_ELEMENT, PDF_ONLY) == []


def test_pdf_only_templates_are_only_rendered_to_pdf():
    """The inline-style exemption holds only while no view serves these templates as a page."""
    sources = [
        path
        for path in ROOT.rglob("*.py")
        if not {".venv", "tests", "node_modules"} & set(path.relative_to(ROOT).parts)
    ]
    for name in sorted(PDF_ONLY):
        quoted = f'"{name}"'
        users = [path for path in sources if quoted in path.read_text(encoding="utf-8")]
        includers = [other for other, text in _templates() if other != name and quoted in text]
        assert users or includers, f"{name} is never rendered: drop it from PDF_ONLY"
        for path in users:
            # qa_center.exports.render_pdf is the one way to a PDF.
            assert "render_pdf(" in path.read_text(encoding="utf-8"), f"{path} serves {name}"
        for other in includers:
            assert other in PDF_ONLY, f"templates/{other} includes the PDF-only {name}"


def test_the_scan_catches_what_it_looks_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert INLINE_SCRIPT.search('<script type="module">x()</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js" defer></script>')
    assert HANDLER.search('<select onchange="this.form.submit()">')
    assert not HANDLER.search('<select data-autosubmit name="status">')
    assert STYLE_ATTRIBUTE.search('<span style="width: 5%">')


# --- gunicorn, as production runs it -----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_with_our_config_sends_no_server_header(tmp_path):
    port = _free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="qa_center.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "-c",
            "gunicorn.conf.py",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "qa_center.wsgi",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", "/accounts/login/")
                response = connection.getresponse()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((tmp_path / "gunicorn.log").read_text()) from None
                time.sleep(0.3)
        response.read()
        headers = {name.lower(): value for name, value in response.getheaders()}
        assert response.status == 200
        assert "server" not in headers, headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert "camera=()" in headers["permissions-policy"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
