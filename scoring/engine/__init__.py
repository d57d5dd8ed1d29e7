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
    check = library.check_line(raw)          # CheckResult: call_id, score, critical_failed,
                                             # outcomes (library order), results_json, weak
                                             # (library order: a critical failure on fuzzy
                                             # or ambiguous evidence only) — the parts a
                                             # store keeps; raises CallError

    normalize_text("您 好～")                 # -> "您好~": the normalized form used for matching

A result dict is ``{"call_id", "score", "critical_failed", "results": [{"code", "outcome",
"evidence": [{"turn", "start", "end", "phrase"}], "value"?}]}`` with ``results`` in library
order; evidence offsets index the original turn text, end exclusive.

Command line: ``python -m scoring.engine --rules RULES.json [--output OUT.jsonl]
[--workers N] CALLS.jsonl`` or ``--check RULES.json`` (see :mod:`scoring.engine.cli`).

Compiled mode: the hot modules (normalize, library, matcher, calls, evaluate) are compiled
with Cython by ``make`` or ``python -m scoring.engine.build`` into extension modules next to
their ``.py`` files, which stay the only source. They are used only while ``_compiled.json`` records the
sha256 of every current source: after an edit without a rebuild (a stale build) the ``.py``
files are loaded instead, with a ``RuntimeWarning``. ``QA_ENGINE_PURE=1`` forces the
pure-Python modules. Results are identical either way; ``COMPILED`` tells whether the compiled
modules are in use and ``ENGINE_MODE`` says which mode and why ("compiled", "pure",
"pure (QA_ENGINE_PURE)", "pure (stale build)", "pure (compiled import failed)").
"""

from __future__ import annotations

import importlib.util
import os
import sys
import warnings
from importlib.machinery import EXTENSION_SUFFIXES

from scoring.engine import _compiled_state


def _load_sources() -> None:
    """Import every hot module from its .py file, whatever extension module lies beside it."""
    for name in _compiled_state.HOT:
        fullname = f"{__name__}.{name}"
        spec = importlib.util.spec_from_file_location(fullname, _compiled_state.source_path(name))
        module = importlib.util.module_from_spec(spec)
        sys.modules[fullname] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[fullname]
            raise
        globals()[name] = module


def _run_by_build() -> bool:
    """True in ``python -m scoring.engine.build``, which must never load what it replaces."""
    argv = getattr(sys, "orig_argv", [])
    return any(a == "-m" and b == f"{__name__}.build" for a, b in zip(argv, argv[1:], strict=False))


def _choose_mode() -> str:
    if os.environ.get("QA_ENGINE_PURE") == "1":
        _load_sources()
        return "pure (QA_ENGINE_PURE)"
    if _run_by_build():
        _load_sources()
        return "pure (building)"
    if _compiled_state.compiled_files():
        reason = _compiled_state.stale_reason()
        if reason is not None:
            _load_sources()
            warnings.warn(
                f"the compiled compliance engine is stale ({reason}); the pure-Python modules "
                "are used instead: run `make` or `python -m scoring.engine.build`",
                RuntimeWarning,
                stacklevel=2,
            )
            return "pure (stale build)"
        try:
            for name in _compiled_state.HOT:
                importlib.import_module(f"{__name__}.{name}")
        except ImportError as exc:  # e.g. a tree copied from another machine
            for name in (*_compiled_state.HOT, "library"):
                sys.modules.pop(f"{__name__}.{name}", None)
                globals().pop(name, None)
            _load_sources()
            warnings.warn(
                f"the compiled compliance engine does not load ({exc}); the pure-Python "
                "modules are used instead: run `make` or `python -m scoring.engine.build`",
                RuntimeWarning,
                stacklevel=2,
            )
            return "pure (compiled import failed)"
    return ""


ENGINE_MODE = _choose_mode()

from scoring.engine.calls import CallError  # noqa: E402
from scoring.engine.evaluate import Library, load_library  # noqa: E402
from scoring.engine.library import LibraryError, Problem, validate_library  # noqa: E402
from scoring.engine.normalize import normalize, normalize_text  # noqa: E402
from scoring.engine.result import CheckResult  # noqa: E402

COMPILED = all(
    getattr(sys.modules[f"{__name__}.{name}"], "__file__", "").endswith(tuple(EXTENSION_SUFFIXES))
    for name in _compiled_state.HOT
)
ENGINE_MODE = ENGINE_MODE or ("compiled" if COMPILED else "pure")

__all__ = [
    "COMPILED",
    "ENGINE_MODE",
    "CallError",
    "CheckResult",
    "Library",
    "LibraryError",
    "Problem",
    "load_library",
    "normalize",
    "normalize_text",
    "validate_library",
]
