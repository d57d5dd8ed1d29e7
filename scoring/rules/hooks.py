"""What the rule library pages show from the apps above this one.

scoring.rules sits below calls, evaluations and audits, so it cannot import them. The rule
library page still shows which standards enforce each rule (audits.standards), each rule's
measured precision (the supervisors' verdicts,
scoring.evaluations.verdicts), the calls filed as examples on a rule, and panels such as the
trial of a draft on history: the app that owns that data registers a provider here in its
AppConfig.ready() (as home/panels.py composes the home page).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

# --- Which standards enforce a rule (filled by audits.standards) -----------------------------


@dataclass(frozen=True)
class Enforcer:
    """A standard in force that enforces a rule, as the rule library page links it."""

    label: str
    url: str


# codes -> {code: [Enforcer]}
EnforcersProvider = Callable[[Iterable[str]], dict[str, list[Enforcer]]]
_enforcers: list[EnforcersProvider] = []


def register_enforcers(provider: EnforcersProvider) -> None:
    if provider not in _enforcers:
        _enforcers.append(provider)


def enforcers_of(codes: Iterable[str]) -> dict[str, list[Enforcer]]:
    """{rule code: the standards in force enforcing it} ({} when no app registered one)."""
    codes = list(codes)
    found: dict[str, list[Enforcer]] = {}
    for provider in _enforcers:
        for code, enforcers in provider(codes).items():
            found.setdefault(code, []).extend(enforcers)
    return found


# --- Measured precision, examples, panels (filled by scoring.evaluations) ---------------------

# (codes, date_from, date_to) -> {code: object with agreement, precision, recall, verdicts,
# flagged, reason_rows(), as_dict()}
QualityProvider = Callable[
    [Iterable[str] | None, datetime.date | None, datetime.date | None], dict[str, Any]
]
# (code, user) -> [object with call_pk, call_id, started_at, by, at, reason, source]
ExamplesProvider = Callable[[str, Any], list[Any]]
# (request, library) -> HTML (already escaped and marked safe) or ""
LibraryPanel = Callable[[Any, Any], str]

_quality: list[QualityProvider] = []
_examples: list[ExamplesProvider] = []
_panels: list[LibraryPanel] = []


def register_rule_quality(*, quality: QualityProvider, examples: ExamplesProvider) -> None:
    if quality not in _quality:
        _quality.append(quality)
    if examples not in _examples:
        _examples.append(examples)


def register_library_panel(panel: LibraryPanel) -> None:
    if panel not in _panels:
        _panels.append(panel)


def rule_quality_for(
    codes: Iterable[str] | None,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
) -> dict[str, Any]:
    """{rule code: its measured quality} from the registered provider ({} without one)."""
    found: dict[str, Any] = {}
    for provider in _quality:
        found.update(provider(codes, date_from, date_to))
    return found


def rule_examples_for(code: str, user) -> list[Any]:
    found: list[Any] = []
    for provider in _examples:
        found.extend(provider(code, user))
    return found


def library_panels(request, library) -> list[str]:
    return [html for panel in _panels if (html := panel(request, library))]
