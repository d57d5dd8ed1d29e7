"""Rule libraries: the one test library (rows for automatic checks to point at) and the real
hotline starter library loaded through the service."""

from __future__ import annotations

from pathlib import Path

import factory

from scoring.rules.models import RuleLibrary

HOTLINE = Path(__file__).resolve().parents[2] / "scoring/rules/fixtures/hotline.json"

#: The rules the test library names (codes and titles; bulletins read their labels here).
RULES = [
    {"code": "GREET", "title": "开头问候语"},
    {"code": "HOLD", "title": "请稍等"},
    {"code": "THANKS", "title": "致谢用语"},
]


class RuleLibraryFactory(factory.django.DjangoModelFactory):
    """The test library ("hotline-test" version 1, a draft naming RULES), shared: a second
    call returns the same row. Another version (``RuleLibraryFactory(version=2)``) is a new
    row."""

    class Meta:
        model = RuleLibrary
        django_get_or_create = ("name", "version")

    name = "hotline-test"
    version = 1
    definition = factory.LazyAttribute(
        lambda o: {"name": o.name, "version": o.version, "rules": [dict(r) for r in RULES]}
    )
    status = RuleLibrary.Status.DRAFT


def active_hotline() -> RuleLibrary:
    """The product's starter library (scoring/rules/fixtures/hotline.json), loaded and
    activated by the service."""
    from scoring.rules.services import library_load_file

    return library_load_file(path=HOTLINE, activate=True)
