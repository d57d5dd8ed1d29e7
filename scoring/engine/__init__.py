"""The compliance engine: rule libraries, normalization, matching with evidence, scoring.

Plain Python with no Django import, shared by the web app, Celery tasks and the ``qa_score``
command. The contract (call and result JSON, rule kinds, matching) is in ``docs/rules.md``.

Public API::

    from scoring.engine import load_library, validate_library, LibraryError, CallError

    problems = validate_library(data)        # list[Problem]: errors and warnings, each naming
                                             # the rule (index and code) and the field
    library = load_library(data)             # Library; raises LibraryError if data is invalid
    library.warnings                         # list[Problem] of level "warning"
    result = library.score_call(call)        # call dict -> result dict, exactly as in the
                                             # contract; raises CallError for an invalid call
    line, ok = library.score_line(raw, 7)    # one JSON line in -> one JSON line out (an error
                                             # line when ok is False), as the command does

    normalize_text("您 好～")                 # -> "您好~": the normalized form used for matching

A result dict is ``{"call_id", "score", "critical_failed", "results": [{"code", "outcome",
"evidence": [{"turn", "start", "end", "phrase"}], "value"?}]}`` with ``results`` in library
order; evidence offsets index the original turn text, end exclusive.

Command line: ``python -m scoring.engine --rules RULES.json [--output OUT.jsonl]
[--workers N] CALLS.jsonl`` or ``--check RULES.json`` (see :mod:`scoring.engine.cli`).
"""

from __future__ import annotations

from scoring.engine.calls import CallError
from scoring.engine.evaluate import Library, load_library
from scoring.engine.library import LibraryError, Problem, validate_library
from scoring.engine.normalize import normalize, normalize_text

__all__ = [
    "CallError",
    "Library",
    "LibraryError",
    "Problem",
    "load_library",
    "normalize",
    "normalize_text",
    "validate_library",
]
