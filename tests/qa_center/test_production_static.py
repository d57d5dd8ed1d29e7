"""The documented production setup works: `collectstatic` with the production settings, then the
pages (login included) and the hashed static files served by WhiteNoise from the result.

A vendored file naming a source map that is not shipped once made collectstatic stop with
MissingFileError; without its manifest every page answered 500. This runs the real production
settings module in a subprocess (as `manage.py` would) so nothing from the test settings leaks in.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-production-secret-for-tests-only-0123456789abcdef"

# Runs in the subprocess: collectstatic into argv[1], then requests through the WSGI stack.
PROBE = textwrap.dedent(
    """
    import json, re, sys
    import django
    from django.test.utils import override_settings

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    # WhiteNoise's gzip/brotli pass takes most of a minute on the admin and API-docs files and
    # is not what can break: the hashing pass (the manifest) is, and it still runs in full.
    SKIP = ["css", "js", "map", "svg", "html", "txt", "json", "woff", "woff2", "ttf", "eot"]
    report = {}
    with override_settings(STATIC_ROOT=sys.argv[1], WHITENOISE_SKIP_COMPRESS_EXTENSIONS=SKIP):
        call_command("collectstatic", "--no-input", verbosity=0)
        client = Client(headers={"host": "qa.example"})
        page = client.get("/accounts/login/", secure=True)
        html = page.content.decode()
        report["login"] = page.status_code
        report["headers"] = dict(page.headers)
        report["static"] = {}
        for url in sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))):
            asset = client.get(url, secure=True)
            body = b"".join(asset.streaming_content) if asset.streaming else asset.content
            report["static"][url] = [asset.status_code, len(body), dict(asset.headers)]
        missing = client.get("/static/no-such-file.js", secure=True)
        report["missing"] = missing.status_code
    print("REPORT " + json.dumps(report))
    """
)


def _production_env(**extra: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DEBUG",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="qa_center.settings.production",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="qa.example",
        **extra,
    )
    return environment


def test_collectstatic_with_production_settings_then_pages_and_assets_are_served(tmp_path):
    static_root = tmp_path / "staticfiles"
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(static_root)],
        cwd=ROOT,
        env=_production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("REPORT "))
    report = json.loads(line.removeprefix("REPORT "))

    assert (static_root / "staticfiles.json").exists()
    assert report["login"] == 200
    # The page names its static files by their hashed names, and each is served.
    assets = report["static"]
    assert any(re.search(r"/static/css/app\.[0-9a-f]{12}\.css$", url) for url in assets), assets
    for url, (status, size, headers) in assets.items():
        assert status == 200, url
        assert size > 0, url
        # WhiteNoise: hashed names are cached for good.
        assert "immutable" in headers.get("Cache-Control", ""), (url, headers)
    assert report["missing"] == 404


def test_no_vendored_file_names_a_source_map_that_is_not_shipped():
    for path in (ROOT / "static").rglob("*"):
        if path.suffix not in {".js", ".css"}:
            continue
        text = path.read_text(encoding="utf-8")
        for name in re.findall(r"[#@] sourceMappingURL=(\S+)", text):
            assert (path.parent / name).exists(), f"{path.relative_to(ROOT)} names {name}"
