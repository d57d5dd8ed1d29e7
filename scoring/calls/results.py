"""Reading a stored check's results: the compact form (what the check path stores since
issue 14: only the rules that applied, by position in the library, ``na`` implied; see
``scoring.engine.result``) or the older full list, as the full rule objects readers expect.

The positions are those of the check's library version. Its rule codes are kept per process
by (library id, the compact form's ``lib`` fingerprint of the codes): read once, with one
query for the definition when the check's library is not loaded already.
"""

from __future__ import annotations

from typing import Any

from scoring.engine.result import (
    codes_digest,
    compact_results,
    expand_outcomes,
    expand_results,
    is_compact,
)
from scoring.rules.models import RuleLibrary

_CODES: dict[tuple[int, str], list[str]] = {}


def library_codes(library: RuleLibrary) -> list[str]:
    """The rule codes of a library version, in library order."""
    definition = library.definition if isinstance(library.definition, dict) else {}
    return [str(r.get("code")) for r in definition.get("rules") or [] if isinstance(r, dict)]


def _codes_of(check) -> list[str]:
    key = (check.library_id, str(check.results.get("lib", "")))
    codes = _CODES.get(key)
    if codes is None:
        if type(check).library.is_cached(check):
            library = check.library
        else:
            library = RuleLibrary.objects.only("definition").get(pk=check.library_id)
        codes = library_codes(library)
        if key[1] and codes_digest(codes) != key[1]:
            return codes  # not the codes the positions were written with: never kept
        _CODES[key] = codes
    return codes


def check_results(check, *, with_na: bool = True) -> list[dict[str, Any]]:
    """A check's rule results as full objects in library order (with the ``na`` rules by
    default, as the full form had them)."""
    if check is None:
        return []
    if not is_compact(check.results):
        return list(check.results or [])
    return expand_results(check.results, _codes_of(check), with_na=with_na)


def check_outcomes(check) -> dict[str, str]:
    """Every rule's outcome by code, ``na`` included (the stored outcomes leave it out)."""
    if check is None:
        return {}
    if is_compact(check.results):
        return expand_outcomes(check.results, _codes_of(check))
    return dict(check.outcomes or {}) or expand_outcomes(check.results, [])


def compact_from_results(results: list[dict[str, Any]], codes: list[str]) -> dict[str, Any]:
    """The compact form of a full results list (library order, every rule)."""
    return compact_results(results, lib=codes_digest(codes))
