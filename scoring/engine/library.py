# cython: annotation_typing=False
"""Rule libraries: parse and validate the JSON, and explain what is wrong or suspicious.

A library is ``{"name": ..., "version": ..., "rules": [RULE, ...]}``; see ``docs/rules.md``.
:func:`validate_library` returns every :class:`Problem` (errors stop scoring, warnings do not);
:func:`parse_library` turns a valid library into :class:`Rule` objects.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from scoring.engine.normalize import is_word, normalize_phrase

KINDS = (
    "required",
    "forbidden",
    "triggered",
    "sequence",
    "silence",
    "interruption",
    "speech_rate",
)
PHRASE_KINDS = ("required", "forbidden", "triggered", "sequence")
TIMING_KINDS = ("silence", "interruption", "speech_rate")
SPEAKERS = ("agent", "customer")
WHERES = ("any", "first", "last")
#: A phrase of at least this many normalized characters may match fuzzily (one edit). Measured
#: by ``bench/fuzzy_length.py``; see docs/rules.md ("Matching").
FUZZY_MIN_CHARS = 5
#: Characters that negate (Chinese) and the English negator words (normalized forms; "n't"
#: normalizes to "n t"). An edit never inserts, deletes or substitutes one of them.
NEGATOR_CHARS = "不没未无非别莫勿"
NEGATOR_WORDS = ("not", "no", "never", "cannot")

_COMMON = {"code", "title", "kind", "points", "critical", "fuzzy", "description"}
#: Context fields: exceptions (``unless`` phrases, optionally within ``unless_window``
#: characters) and the phrases whose occurrence alone is weak evidence (``ambiguous``).
_CONTEXT = {"unless", "unless_window", "ambiguous"}
#: The phrase list ``unless`` applies to, per kind.
UNLESS_ROLE = {"forbidden": "phrases", "triggered": "when", "sequence": "then"}
_FIELDS = {
    "required": _COMMON | {"speaker", "phrases", "where", "turns"},
    "forbidden": _COMMON | _CONTEXT | {"speaker", "phrases", "where", "turns"},
    "triggered": _COMMON | _CONTEXT | {"when", "then"},
    "sequence": _COMMON | _CONTEXT | {"speaker", "first", "then"},
    "silence": _COMMON | {"max_seconds"},
    "interruption": _COMMON | {"max_count", "min_overlap"},
    "speech_rate": _COMMON | {"speaker", "min", "max"},
}


@dataclass(frozen=True)
class Problem:
    """Something wrong (``error``: the library cannot be used) or suspicious (``warning``)."""

    level: str
    message: str
    index: int | None = None  # position of the rule in ``rules``
    code: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.index is not None:
            where.append(f"rules[{self.index}]" + (f" ({self.code})" if self.code else ""))
        if self.field:
            where.append(f'field "{self.field}"')
        prefix = " ".join(where)
        return (
            f"{self.level}: {prefix}: {self.message}" if prefix else f"{self.level}: {self.message}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "index": self.index,
            "code": self.code,
            "field": self.field,
            "message": self.message,
        }


class LibraryError(ValueError):
    """The rule library is invalid; ``problems`` lists the errors (and warnings)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [str(p) for p in problems if p.level == "error"]
        super().__init__("invalid rule library:\n" + "\n".join(errors))


class Rule:
    """One validated rule. ``phrases`` maps a role to its phrases as written in the library:
    ``phrases`` (required, forbidden), ``when``/``then`` (triggered), ``first``/``then``
    (sequence); ``speakers`` maps the same roles to whose turns they are looked for in.

    A plain class with slots, not a dataclass: a dataclass's generated ``__init__`` is
    interpreted Python, and a 3,000-rule library makes 3,000 of them."""

    __slots__ = (
        "index",
        "code",
        "title",
        "kind",
        "points",
        "critical",
        "fuzzy",
        "phrases",
        "speakers",
        "where",
        "turns",
        "within",
        "max_seconds",
        "max_count",
        "min_overlap",
        "speaker",
        "min",
        "max",
        "unless",
        "unless_window",
        "ambiguous",
    )

    def __init__(self, index: int, code: str, title: str, kind: str) -> None:
        self.index = index
        self.code = code
        self.title = title
        self.kind = kind
        self.points: float = 1
        self.critical = False
        self.fuzzy = False
        self.phrases: dict[str, list[str]] = {}
        self.speakers: dict[str, str] = {}
        self.where = "any"
        self.turns = 1
        self.within = 1
        self.max_seconds: float = 0.0
        self.max_count = 0
        self.min_overlap = 0.5
        self.speaker = "agent"
        self.min: float | None = None
        self.max: float | None = None
        self.unless: list[str] = []  # exceptions to UNLESS_ROLE[kind]'s phrases
        self.unless_window: int | None = None  # characters around; None: the same turn
        self.ambiguous: list[str] = []  # phrases whose occurrence alone is weak evidence

    def __repr__(self) -> str:
        return f"Rule(index={self.index}, code={self.code!r}, kind={self.kind!r})"


_json = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per message


class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.errors = 0

    def add(self, level: str, msg: str, index: int | None, code: str | None, fld: str | None):
        self.problems.append(Problem(level, msg, index, code, fld))
        self.errors += level == "error"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def validate_library(data: Any) -> list[Problem]:
    """Every error and warning in a rule library (already parsed from JSON)."""
    return _validate(data)[0]


def parse_library(data: Any) -> tuple[list[Rule], list[Problem]]:
    """Validated rules and all problems; raises :class:`LibraryError` on any error."""
    problems, rules = _validate(data)
    if any(p.level == "error" for p in problems):
        raise LibraryError(problems)
    return rules, problems


def _validate(data: Any) -> tuple[list[Problem], list[Rule]]:
    ck = _Checker()
    rules: list[Rule] = []
    if not isinstance(data, dict):
        ck.add(
            "error", 'a rule library must be a JSON object with a "rules" list', None, None, None
        )
        return ck.problems, rules
    for key in ("name", "version"):
        if key not in data:
            ck.add("warning", f'the library has no "{key}"', None, None, key)
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list):
        ck.add("error", "must be a list of rules", None, None, "rules")
        return ck.problems, rules
    if not raw_rules:
        ck.add(
            "warning", "the library has no rules: every call will score null", None, None, "rules"
        )
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_rules):
        rule = _validate_rule(ck, index, raw, seen)
        if rule is not None:
            rules.append(rule)
    return ck.problems, rules


def _validate_rule(ck: _Checker, index: int, raw: Any, seen: dict[str, int]) -> Rule | None:
    if not isinstance(raw, dict):
        ck.add("error", "a rule must be a JSON object", index, None, None)
        return None
    code = raw.get("code")
    code_txt = code if isinstance(code, str) and code else None
    errors_before = ck.errors

    def err(fld: str | None, msg: str) -> None:
        ck.add("error", msg, index, code_txt, fld)

    def warn(fld: str | None, msg: str) -> None:
        ck.add("warning", msg, index, code_txt, fld)

    if "code" not in raw:
        err("code", "is required")
    elif not isinstance(code, str) or not code.strip():
        err("code", f"must be a non-empty string, got {_json(code)}")
    elif code in seen:
        err("code", f'duplicate code "{code}" (also rules[{seen[code]}])')
    else:
        seen[code] = index

    title = raw.get("title")
    if title is None:
        warn("title", "has no title; the code is shown instead")
        title = code_txt or ""
    elif not isinstance(title, str):
        err("title", f"must be a string, got {_json(title)}")
        title = ""

    kind = raw.get("kind")
    if "kind" not in raw:
        err("kind", "is required (one of " + ", ".join(KINDS) + ")")
        return None
    if kind not in KINDS:
        err("kind", f"unknown kind {_json(kind)}; expected one of " + ", ".join(KINDS))
        return None

    rule = Rule(index=index, code=code_txt or "", title=title, kind=kind)

    points = raw.get("points", 1)
    if not _is_number(points) or points < 0:
        err("points", f"must be a number >= 0, got {_json(points)}")
    else:
        rule.points = points
    critical = raw.get("critical", False)
    if not isinstance(critical, bool):
        err("critical", f"must be true or false, got {_json(critical)}")
    else:
        rule.critical = critical
    fuzzy = raw.get("fuzzy", 0)
    if fuzzy not in (0, 1) or not isinstance(fuzzy, (int, bool)):
        err("fuzzy", f"must be 0 or 1, got {_json(fuzzy)}")
    else:
        rule.fuzzy = bool(fuzzy)

    for key in raw:
        if key not in _FIELDS[kind]:
            warn(key, f"is not a field of a {kind} rule and is ignored")

    def speaker_of(obj: dict, fld: str, default: str | None = None) -> str | None:
        value = obj.get(fld.rsplit(".", 1)[-1], default)
        if value is None:
            err(fld, 'is required ("agent" or "customer")')
        elif value not in SPEAKERS:
            err(fld, f'must be "agent" or "customer", got {_json(value)}')
            return None
        return value

    def phrases_of(obj: dict, fld: str) -> list[str]:
        value = obj.get(fld.rsplit(".", 1)[-1])
        if value is None:
            err(fld, "is required: a non-empty list of phrases")
            return []
        if not isinstance(value, list) or not value:
            err(fld, f"must be a non-empty list of phrases, got {_json(value)}")
            return []
        out: list[str] = []
        for i, p in enumerate(value):
            if not isinstance(p, str):
                err(f"{fld}[{i}]", f"a phrase must be a string, got {_json(p)}")
            elif not p.strip():
                err(f"{fld}[{i}]", "empty phrase")
            else:
                out.append(p)
        normalized = [normalize_phrase(p) for p in out]
        count = len(out)
        for i in range(count):
            p, n = out[i], normalized[i]
            if not n:
                warn(fld, f"phrase {_json(p)} normalizes to nothing and never matches")
                continue
            for j in range(count):
                m = normalized[j]
                if i == j or len(n) > len(m) or not _word_contains(n, m):
                    continue
                q = out[j]
                if n == m and j < i:
                    warn(fld, f"phrase {_json(p)} is the same as {_json(q)} once normalized")
                elif n != m:
                    warn(
                        fld,
                        f"phrase {_json(q)} contains {_json(p)}: wherever it occurs, "
                        f"{_json(p)} occurs too",
                    )
        return out

    def int_of(obj: dict, fld: str, default: int, minimum: int) -> int:
        value = obj.get(fld.rsplit(".", 1)[-1], default)
        if not _is_int(value) or value < minimum:
            err(fld, f"must be an integer >= {minimum}, got {_json(value)}")
            return default
        return value

    def number_of(obj: dict, fld: str, default: float | None, required: bool = False):
        key = fld.rsplit(".", 1)[-1]
        if key not in obj or obj[key] is None:
            if required:
                err(fld, "is required: a number >= 0")
            return default
        value = obj[key]
        if not _is_number(value) or value < 0:
            err(fld, f"must be a number >= 0, got {_json(value)}")
            return default
        return value

    if kind in ("required", "forbidden"):
        rule.speakers["phrases"] = speaker_of(raw, "speaker") or "agent"
        rule.phrases["phrases"] = phrases_of(raw, "phrases")
        where = raw.get("where", "any")
        if where not in WHERES:
            err("where", f'must be "any", "first" or "last", got {_json(where)}')
        else:
            rule.where = where
        rule.turns = int_of(raw, "turns", 1, 1)
        if "turns" in raw and rule.where == "any":
            warn("turns", 'has no effect with where "any": the scope is every turn')
    elif kind == "triggered":
        for role in ("when", "then"):
            obj = raw.get(role)
            if not isinstance(obj, dict):
                err(role, f'is required: an object with "speaker" and "phrases", got {_json(obj)}')
                continue
            rule.speakers[role] = speaker_of(obj, f"{role}.speaker") or "agent"
            rule.phrases[role] = phrases_of(obj, f"{role}.phrases")
            allowed = {"speaker", "phrases"} | ({"within"} if role == "then" else set())
            for key in obj:
                if key not in allowed:
                    warn(f"{role}.{key}", "is not a field here and is ignored")
            if role == "then":
                rule.within = int_of(obj, "then.within", 1, 1)
        if (
            rule.speakers.get("when") == rule.speakers.get("then")
            and rule.phrases.get("when")
            and rule.phrases.get("then")
        ):
            when = [normalize_phrase(p) for p in rule.phrases["when"]]
            then = [normalize_phrase(p) for p in rule.phrases["then"]]
            if all(any(t and _word_contains(t, w) for t in then) for w in when if w):
                warn(
                    "then.phrases",
                    "every when phrase contains a then phrase and the speaker is the same: "
                    "each trigger answers itself, so the rule can never fail",
                )
    elif kind == "sequence":
        rule.speakers["first"] = rule.speakers["then"] = speaker_of(raw, "speaker") or "agent"
        rule.phrases["first"] = phrases_of(raw, "first")
        rule.phrases["then"] = phrases_of(raw, "then")
    elif kind == "silence":
        rule.max_seconds = number_of(raw, "max_seconds", 0.0, required=True)
    elif kind == "interruption":
        rule.max_count = int_of(raw, "max_count", 0, 0)
        rule.min_overlap = number_of(raw, "min_overlap", 0.5)
    elif kind == "speech_rate":
        rule.speaker = speaker_of(raw, "speaker", "agent") or "agent"
        rule.min = number_of(raw, "min", None)
        rule.max = number_of(raw, "max", None)
        if rule.min is None and rule.max is None:
            warn("min", 'neither "min" nor "max" is set: the rule can never fail')
        elif rule.min is not None and rule.max is not None and rule.min > rule.max:
            err("max", f"must be >= min ({rule.min}), got {rule.max}")

    if kind in UNLESS_ROLE:
        _validate_context(raw, rule, err, warn, phrases_of, int_of)

    if rule.fuzzy and kind in PHRASE_KINDS:
        lengths = [len(normalize_phrase(p)) for ps in rule.phrases.values() for p in ps]
        if lengths and max(lengths) < FUZZY_MIN_CHARS:
            warn(
                "fuzzy",
                f"has no effect: no phrase has {FUZZY_MIN_CHARS} or more normalized characters",
            )
    elif rule.fuzzy:
        warn("fuzzy", f"has no effect on a {kind} rule")

    if ck.errors > errors_before:
        return None
    return rule


def _validate_context(raw: dict, rule: Rule, err, warn, phrases_of, int_of) -> None:
    """``unless``, ``unless_window`` and ``ambiguous`` of a forbidden, triggered or sequence
    rule (errors name the field, e.g. ``unless[1]``)."""
    role = UNLESS_ROLE[rule.kind]
    label = (
        "phrases" if role == "phrases" else f"{role}.phrases" if rule.kind == "triggered" else role
    )
    if "unless" in raw:
        rule.unless = phrases_of(raw, "unless")
        counted = {normalize_phrase(p) for p in rule.phrases.get(role, [])}
        for i, p in enumerate(rule.unless):
            if normalize_phrase(p) in counted:
                err(f"unless[{i}]", f"{_json(p)} is also one of {label}: it would cancel itself")
    if "unless_window" in raw:
        if not rule.unless:
            warn("unless_window", 'has no effect without "unless" phrases')
        rule.unless_window = int_of(raw, "unless_window", 1, 1)
    if "ambiguous" in raw:
        value = raw["ambiguous"]
        if not isinstance(value, list) or not value:
            err("ambiguous", f"must be a non-empty list of phrases of {label}, got {_json(value)}")
            return
        own = {normalize_phrase(p): p for p in rule.phrases.get(role, [])}
        for i, p in enumerate(value):
            if not isinstance(p, str):
                err(f"ambiguous[{i}]", f"a phrase must be a string, got {_json(p)}")
            elif normalize_phrase(p) not in own:
                err(f"ambiguous[{i}]", f"{_json(p)} is not one of {label}")
            else:
                rule.ambiguous.append(own[normalize_phrase(p)])


def _word_contains(inner: str, outer: str) -> bool:
    """``inner`` occurs in ``outer`` as the engine matches it: without cutting a word (so
    "hi" is not in "thank you for reaching out")."""
    start = outer.find(inner)
    while start >= 0:
        end = start + len(inner)
        if not (
            (is_word(inner[0]) and start > 0 and is_word(outer[start - 1]))
            or (is_word(inner[-1]) and end < len(outer) and is_word(outer[end]))
        ):
            return True
        start = outer.find(inner, start + 1)
    return False


def context_notes(rule: Rule) -> list[str]:
    """What a rule's context fields mean, in words (``qa_score --check`` prints them)."""
    notes = []
    if rule.unless:
        role = UNLESS_ROLE[rule.kind]
        where = (
            f"within {rule.unless_window} characters"
            if rule.unless_window is not None
            else "in the same turn"
        )
        words = {"phrases": "a phrase", "when": "a trigger", "then": "an after phrase"}[role]
        notes.append(
            f"{words} ({'/'.join(rule.phrases[role])}) does not count when "
            f"{'/'.join(rule.unless)} occurs {where}"
        )
    if rule.ambiguous:
        notes.append(
            f"a critical failure resting only on {'/'.join(rule.ambiguous)} is weak (to confirm)"
            if rule.critical
            else f"{'/'.join(rule.ambiguous)} marked ambiguous (only matters on a critical rule)"
        )
    return notes
