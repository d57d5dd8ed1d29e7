"""The typed result the engine hands to code that stores checks (the web app's check path).

The JSON result of the contract (``docs/rules.md``) is what ``qa_score`` writes and
``Library.score_call`` returns; a store needs its parts: the score and flag as columns, each
rule's outcome, and the ``results`` array as written. ``Library.check_line`` gives exactly
these, so nothing has to parse the result line again (or pick it apart by its key order).
"""

from __future__ import annotations

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
