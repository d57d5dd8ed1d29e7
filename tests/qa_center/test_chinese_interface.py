"""No English in the Chinese interface: every page of the role matrix, as every role that may
open it, rendered in Simplified Chinese, holds no Latin word a person reads, except the short
allow-list below (product and format names, units) and the codes the users themselves typed
(rule and item codes, team codes, call ids, file names: read from the database). Text in
<code>, <kbd>, <samp> and <pre> is what a user types or a file holds (column names such as
call_id), not prose.

What a person reads: the text of the page and the attributes shown to them (title, placeholder,
aria-label, alt, the value of a button); not scripts, styles, URLs or form field names.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.utils import translation

from tests.qa_center.test_role_matrix import COLUMNS, PAGES, ROLES, _url, rows  # noqa: F401

pytestmark = pytest.mark.django_db

ALLOWED = {
    # product, format and standard names
    "QA",
    "Center",
    "Excel",
    "PDF",
    "CSV",
    "XLSX",
    "JSON",
    "JSONL",
    "Lines",
    "API",
    "ID",
    "KPI",
    "SMART",
    "SHA",
    "OpenAPI",
    "Swagger",
    "Redoc",
    "Redis",
    "PostgreSQL",
    "SQLite",
    "Celery",
    "Cohen",
    "Krippendorff",
    "kappa",
    "alpha",
    "XmR",
    "Laney",
    "Western",
    "Electric",
    "English",
    "Cython",
    "UTF",
    "Django",
    "admin",
    "demo",
    # units and symbols
    "ms",
    "kB",
    "MB",
    "GB",
    "px",
    "pp",
    "N/A",
    "NA",
    "vs",
}
# Not read as prose: scripts and styles, and code (file columns, commands, formats to type).
SKIPPED_TAGS = {"script", "style", "template", "code", "kbd", "samp", "pre", "textarea"}
# An import page names the columns of its files: those words are what the user types in the
# file's header row (call_id, started_at…), shown on the import pages only.
FILE_COLUMNS = {
    "call",
    "id",
    "agent",
    "started",
    "at",
    "speaker",
    "text",
    "start",
    "end",
    "channel",
    "duration",
    "recording",
    "url",
    "customer",
    "department",
    "team",
    "item",
    "score",
    "samples",
    "comment",
    "scope",
    "unit",
    "center",
    "indicator",
    "date",
    "numerator",
    "denominator",
    "value",
    "count",
}
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self._skip += 1
        for name, value in attrs:
            if value and (
                name in SHOWN_ATTRIBUTES
                or (name == "value" and tag == "input" and ("type", "submit") in attrs)
            ):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def _rule_codes() -> set[str]:
    """The codes of the rules, as the administrators typed them in their libraries."""
    from scoring.rules.models import RuleLibrary

    return {
        word
        for definition in RuleLibrary.objects.values_list("definition", flat=True)
        for rule in (definition or {}).get("rules", [])
        for word in LATIN_WORD.findall(str(rule.get("code", "")))
    }


def _typed_by_users() -> set[str]:
    """Every Latin word in what users and imports put in the database (codes, ids, names)."""
    from django.apps import apps
    from django.db import models

    words: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label in {"admin", "sessions", "contenttypes", "auth", "axes"}:
            continue
        fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.CharField | models.TextField | models.SlugField)
            and not f.choices
        ]
        if not fields:
            continue
        for values in model.objects.values_list(*fields):
            for value in values:
                if value:
                    words.update(LATIN_WORD.findall(str(value)))
    return words


def latin_words(text: str, allowed: set[str]) -> set[str]:
    return {
        word
        for word in LATIN_WORD.findall(text)
        if word not in allowed and word.strip("'’") not in allowed
    }


def test_the_scanner_finds_english_and_spares_codes():
    text = visible_text(
        '<p title="Disputed">已申诉 <b>GREET</b></p><script>var x = "Hello";</script>'
        '<input type="submit" value="Save"><a href="/rules/x/">规则</a>'
    )
    assert latin_words(text, {"GREET"}) == {"Disputed", "Save"}


@pytest.mark.parametrize("role", ROLES)
def test_no_english_on_any_page_in_chinese(client, world, rows, role):  # noqa: F811
    client.force_login(world.users[role])
    allowed = ALLOWED | _typed_by_users() | {u.username for u in world.users.values()}
    # Those who write the rules read them by code; agents and team leads read their names.
    if role in ("supervisor", "admin"):
        allowed |= _rule_codes()
    found: dict[str, set[str]] = {}
    column = COLUMNS.index(role)
    with translation.override("zh-hans"):
        for name, row, method, _capabilities, answers in PAGES:
            if method != "get" or answers[column] != 200:
                continue
            url = _url(name, rows[row] if row else None)
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            text = visible_text(response.content.decode())
            words = latin_words(text, allowed | (FILE_COLUMNS if "import" in name else set()))
            if words:
                for word in sorted(words):
                    at = text.find(word)
                    print(f"{role} {name}: {word!r} in {text[max(0, at - 40) : at + 40]!r}")
                found[f"{name} {url}"] = words
    assert found == {}, "\n".join(f"{page}: {sorted(words)}" for page, words in found.items())


def test_the_admin_index_names_third_party_models_in_chinese(client, world):
    """Models of django-axes and of the API keys, and the admin's own table headers that
    Django's catalogue lacks, were shown in English ("Access attempts", "Model name"), and so
    were models without a name of their own ("Evaluation events", "Assignments"), the core's
    section ("Qa_Center") and the site's title ("Django administration")."""
    client.force_login(world.users["admin"])
    with translation.override("zh-hans"):
        text = visible_text(client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    for english in (
        "Access attempts",
        "Access failures",
        "Access logs",
        "API Key Permissions",
        "Model name",
        "Add link",
        "Change or view list link",
        "Axes",
        "API keys",
        "Evaluation events",
        "Assignments",
        "Qa_Center",
        "Django",
    ):
        assert english not in text
    # Nothing else in English but the user's own login name.
    assert latin_words(text, {world.users["admin"].username}) == set()
