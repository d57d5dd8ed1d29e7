"""The typed result the engine hands to code that stores checks (the web app's check path).

The JSON result of the contract (``docs/rules.md``) is what ``qa_score`` writes and
``Library.score_call`` returns; a store needs its parts: the score and flag as columns, each
rule's outcome, and the ``results`` array as written. ``Library.check_line`` gives exactly
these, so nothing has to parse the result line again (or pick it apart by its key order).
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple


class CheckResult(NamedTuple):
    """One call's result, in parts."""

    call_id: str | int
    score: str  # the score as the result JSON writes it: a number, or "null" (no rule applied)
    critical_failed: bool
    outcomes: list[str]  # each rule's outcome ("pass", "fail", "na"), in library order
    results_json: bytes  # the result's "results" array, UTF-8 JSON, exactly as written
    # Per rule, in library order: True when a critical rule's failure is weak evidence,
    # resting only on fuzzy (near) matches or only on phrases the library marks
    # "ambiguous"; such a call is "to confirm" by a supervisor (see docs/rules.md).
    weak: list[bool] = []


# --- The compact form of a check's results (what the web app stores) -----------------------
#
# A full results array lists every rule of the library, `na` ones included: ~15 kB per call
# at 300 rules. The compact form keeps what applied, by the rule's position in the library
# (the stored check names its library version, which gives the codes back):
#
#     {"lib": "3f2a…",                                 # codes_digest of the library's codes
#      "pass": [0, 2, ...], "fail": [1, ...],          # positions; a rule in neither is na
#      "evidence": {"2": [[turn, start, end, "phrase"], ...],   # phrase evidence
#                   "13": [[turn, seconds], ...]},              # timing evidence
#      "value": {"13": 12.5},                           # timing rules that applied
#      "not_counted": {"4": [[turn, start, end, "phrase", "unless", "退回"], ...]},
#      "weak": [1]}
#
# Empty members are left out. :func:`expand_results` gives the full objects back.


def codes_digest(codes: list[str]) -> str:
    """A short fingerprint of a library's rule codes in order (the compact form's ``lib``):
    a reader can tell the codes it holds are the ones the positions refer to."""
    return hashlib.sha1("\n".join(codes).encode(), usedforsecurity=False).hexdigest()[:12]


def compact_results(results: list, positions: dict | None = None, lib: str = "") -> dict:
    """The compact form of ``results`` (full rule objects, in library order; ``positions``
    maps a code to its position, default: the index in ``results``; ``lib`` the library's
    :func:`codes_digest`)."""
    out: dict = {"lib": lib, "pass": [], "fail": []}
    evidence: dict = {}
    values: dict = {}
    not_counted: dict = {}
    weak: list = []
    for index, r in enumerate(results):
        outcome = r.get("outcome")
        if outcome not in ("pass", "fail"):
            continue
        pos = index if positions is None else positions[r["code"]]
        out[outcome].append(pos)
        key = str(pos)
        items = r.get("evidence") or []
        if items:
            evidence[key] = [
                [e["turn"], e["start"], e["end"], e["phrase"]]
                if "phrase" in e
                else [e["turn"], e["seconds"]]
                for e in items
            ]
        if "value" in r:
            values[key] = r["value"]
        if r.get("not_counted"):
            not_counted[key] = [
                [e["turn"], e["start"], e["end"], e["phrase"], *_why(e)] for e in r["not_counted"]
            ]
        if r.get("weak"):
            weak.append(pos)
    for name, member in (
        ("evidence", evidence),
        ("value", values),
        ("not_counted", not_counted),
        ("weak", weak),
    ):
        if member:
            out[name] = member
    return out


def _why(item: dict) -> list:
    return ["unless", item["unless"]] if "unless" in item else ["negated", item["negated"]]


def is_compact(results: object) -> bool:
    return isinstance(results, dict) and "pass" in results


def expand_results(data: object, codes: list[str], with_na: bool = False) -> list[dict]:
    """The full rule objects of the rules that applied (``na`` implied: left out, or with
    ``with_na`` given back as ``{"code", "outcome": "na", "evidence": []}``), in library
    order, from the compact form; a full results list is returned as it is."""
    if not is_compact(data):
        return list(data) if isinstance(data, list) else []
    assert isinstance(data, dict)
    evidence = data.get("evidence", {})
    values = data.get("value", {})
    not_counted = data.get("not_counted", {})
    weak = set(data.get("weak", ()))
    applied = [(pos, "pass") for pos in data["pass"]] + [(pos, "fail") for pos in data["fail"]]
    if with_na:
        listed = {pos for pos, _ in applied}
        applied += [(pos, "na") for pos in range(len(codes)) if pos not in listed]
    out = []
    for pos, outcome in sorted(applied):
        if not 0 <= pos < len(codes):
            continue  # a library edited by hand under a stored check: nothing to name it by
        key = str(pos)
        r: dict = {"code": codes[pos], "outcome": outcome}
        if key in values:
            r["value"] = values[key]
        r["evidence"] = [
            {"turn": e[0], "start": e[1], "end": e[2], "phrase": e[3]}
            if len(e) == 4
            else {"turn": e[0], "seconds": e[1]}
            for e in evidence.get(key, ())
        ]
        if key in not_counted:
            r["not_counted"] = [
                {"turn": e[0], "start": e[1], "end": e[2], "phrase": e[3], e[4]: e[5]}
                for e in not_counted[key]
            ]
        if pos in weak:
            r["weak"] = True
        out.append(r)
    return out


def expand_outcomes(data: object, codes: list[str]) -> dict[str, str]:
    """Every rule's outcome by code (``na`` for those not listed) from the compact form, or
    from a full results list."""
    if not is_compact(data):
        return {
            str(r.get("code")): r.get("outcome")
            for r in (data if isinstance(data, list) else [])
            if isinstance(r, dict)
        }
    assert isinstance(data, dict)
    outcomes = dict.fromkeys(codes, "na")
    for name in ("pass", "fail"):
        for pos in data.get(name, ()):
            if 0 <= pos < len(codes):
                outcomes[codes[pos]] = name
    return outcomes
