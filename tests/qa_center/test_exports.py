"""The downloads' shared guards: formula-safe cells and a PDF renderer that fetches only our
static files."""

from __future__ import annotations

import pytest

from qa_center.exports import _static_only_fetcher, safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_would_run_as_a_formula_is_made_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["张三", "A-1", 12, 0.5, None])
def test_other_values_are_left_as_they_are(value):
    assert safe_cell(value) == value


def test_the_pdf_fetcher_serves_our_static_files():
    response = _static_only_fetcher().fetch("static-local:///css/app.css")
    assert response.headers["Content-Type"] == "text/css"
    assert response.read()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "file:///etc/passwd",
        "static-local:///../../qa_center/settings/base.py",
        "static-local:///css/no-such-file.css",
    ],
)
def test_the_pdf_fetcher_refuses_anything_else(url):
    with pytest.raises(ValueError):
        _static_only_fetcher().fetch(url)
