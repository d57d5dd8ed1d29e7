"""What every download shares: spreadsheet cells that cannot run as formulas, and PDFs
rendered by WeasyPrint with the system's CJK fonts (fonts-wqy-zenhei or fonts-noto-cjk),
fetching nothing but our own static files.

Bulletins, the monthly audit report and the KPI tree and appraisal all export through here.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string

# A spreadsheet shows text starting with one of these as a formula and runs it.
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
STATIC_PREFIX = "static-local:///"


def safe_cell(value):
    """A leading apostrophe makes text that would run as a formula plain text (names,
    measures and notes are typed by people)."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def _static_only_fetcher():
    """WeasyPrint's URL fetcher, restricted to our own static files: a PDF never makes the
    server fetch anything from the network or the file system at large."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(STATIC_PREFIX):
                raise ValueError(f"refused to fetch {url!r}: only static files are allowed")
            try:
                found = finders.find(url[len(STATIC_PREFIX) :].split("?")[0])
            except SuspiciousFileOperation:  # ../ out of the static folders
                found = None
            if not found:
                raise ValueError(f"no static file {url!r}")
            file_path = Path(found)
            mime = mimetypes.guess_type(file_path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, file_path.read_bytes(), headers={"Content-Type": mime})

    return StaticOnlyFetcher(allowed_protocols=["static-local"])


def render_pdf(template: str, context: dict) -> bytes:
    """The template (one that is never served as a page) rendered to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=_static_only_fetcher()).write_pdf()
