"""The Simplified Chinese catalogue: complete, placeholders intact, and compiled.

The .po is the source; Django reads the compiled .mo. A translation that was edited but not
compiled, a dropped %(name)s (a KeyError at runtime) or an entry left fuzzy (shown in English)
fails here rather than on a page.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

BASE = Path(settings.BASE_DIR)
# The project's catalogue, and each app's own (an app added in its own directory keeps its
# strings in <app>/locale, so apps built side by side do not edit one file).
PO_PATHS = sorted(
    path
    for path in BASE.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")
    if not path.relative_to(BASE).parts[0].startswith((".", "var", "staticfiles"))
)
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdr]|%[sdr]|\{[A-Za-z_][A-Za-z0-9_]*\}")


@pytest.fixture(scope="module", params=PO_PATHS, ids=lambda p: str(p.relative_to(BASE)))
def catalogue(request) -> polib.POFile:
    return polib.pofile(str(request.param))


def _entries(catalogue: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in catalogue if not entry.obsolete and entry.msgid]


def _label(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def _translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_every_entry_is_translated_and_not_fuzzy(catalogue):
    untranslated = [_label(e) for e in _entries(catalogue) if not e.translated()]
    fuzzy = [_label(e) for e in _entries(catalogue) if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_placeholders_match(catalogue):
    wrong = []
    for entry in _entries(catalogue):
        expected = _placeholders(entry.msgid)
        if entry.msgid_plural and _placeholders(entry.msgid_plural) != expected:
            # English may drop the number in the singular; Chinese uses the plural's set.
            expected = _placeholders(entry.msgid_plural)
        for text in _translations(entry):
            if _placeholders(text) != expected:
                wrong.append((_label(entry), text))
    assert not wrong, f"placeholders differ: {wrong}"


def _lookups(entry: polib.POEntry, catalog) -> list[str]:
    """The entry looked up in `catalog` (a GNUTranslations or django.utils.translation)."""
    ctx, msgid, plural = entry.msgctxt, entry.msgid, entry.msgid_plural
    if plural:
        if ctx:
            return [catalog.npgettext(ctx, msgid, plural, n) for n in (1, 5)]
        return [catalog.ngettext(msgid, plural, n) for n in (1, 5)]
    return [catalog.pgettext(ctx, msgid) if ctx else catalog.gettext(msgid)]


def test_compiled_catalogue_matches_the_po(catalogue, tmp_path):
    """Compile the .po afresh and compare with what Django loaded from the committed .mo."""
    mo_path = tmp_path / "django.mo"
    catalogue.save_as_mofile(str(mo_path))
    with mo_path.open("rb") as handle:
        fresh = gettext.GNUTranslations(handle)
    with translation.override("zh-hans"):
        stale = [
            (_label(entry), _lookups(entry, fresh), _lookups(entry, translation))
            for entry in _entries(catalogue)
            if _lookups(entry, fresh) != _lookups(entry, translation)
        ]
    assert not stale, (
        f"django.mo is older than django.po (run compilemessages), or another catalogue translates the same msgid differently: {stale[:10]}"
    )


def test_status_context_separates_employment_from_rule_library_state():
    with translation.override("zh-hans"):
        assert translation.gettext("Active") == "在职"
        assert translation.pgettext("status", "Active") != translation.gettext("Active")
        assert translation.pgettext("status", "Open") != translation.gettext("Open")


# The brief's glossary names each role one way; a synonym in one catalogue reads as another role.
GLOSSARY_SYNONYMS = {"坐席": "话务员"}


def test_roles_are_named_as_the_glossary_names_them(catalogue):
    found = [
        (_label(entry), synonym, word)
        for entry in _entries(catalogue)
        for text in _translations(entry)
        for synonym, word in GLOSSARY_SYNONYMS.items()
        if synonym in text
    ]
    assert not found, f"say the glossary's word instead: {found}"
