"""Rule libraries: import and validate the engine's JSON, new draft versions, trying rules on a
dialogue, activation, and the compiled engine library of a version (cached per process)."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring.rules.models import RuleLibrary

# {library pk: (content digest, compiled engine library)}
_ENGINE_CACHE: dict[int, tuple[str, Any]] = {}


def _digest(definition: dict[str, Any]) -> str:
    raw = json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def engine_library(library: RuleLibrary):
    """The compiled engine library for this version, compiled once per process."""
    from scoring.engine import load_library

    digest = _digest(library.definition)
    cached = _ENGINE_CACHE.get(library.pk) if library.pk else None
    if cached and cached[0] == digest:
        return cached[1]
    compiled = load_library(library.definition)
    if library.pk:
        _ENGINE_CACHE[library.pk] = (digest, compiled)
    return compiled


def active_library() -> RuleLibrary | None:
    return RuleLibrary.objects.filter(status=RuleLibrary.Status.ACTIVE).first()


# The hotline's starter library (the demo loads it; docs/rules.md describes each rule).
STARTER_LIBRARY = Path(__file__).resolve().parent / "fixtures" / "hotline.json"


class LibraryInvalidError(Exception):
    """The library cannot be used; `problems` lists what is wrong (dicts with level, index,
    code, field, message)."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self.problems = problems
        super().__init__("; ".join(p["message"] for p in problems if p["level"] == "error"))


# --- Validation --------------------------------------------------------------------------------


def library_parse_json(text: str | bytes) -> dict[str, Any]:
    """The library in `text`; LibraryInvalidError naming the line and column of bad JSON."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise LibraryInvalidError(
                [_problem(_("The file is not UTF-8 text."), level="error")]
            ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LibraryInvalidError(
            [
                _problem(
                    _("Not valid JSON (line %(line)s, column %(column)s): %(error)s.")
                    % {"line": exc.lineno, "column": exc.colno, "error": exc.msg}
                )
            ]
        ) from None
    return data


def _problem(message: str, *, level: str = "error", **where: Any) -> dict[str, Any]:
    return {
        "level": level,
        "index": where.get("index"),
        "code": where.get("code"),
        "field": where.get("field"),
        "message": message,
    }


def library_problems(data: Any) -> list[dict[str, Any]]:
    """Every error and warning the engine finds, each naming the rule and the field."""
    from scoring.engine import validate_library

    problems = [p.as_dict() for p in validate_library(data)]
    if isinstance(data, dict) and not str(data.get("name") or "").strip():
        problems.insert(0, _problem(_("The library needs a name."), field="name"))
    return problems


def library_check(data: Any) -> list[dict[str, Any]]:
    """The warnings of a valid library; LibraryInvalidError if it has errors."""
    problems = library_problems(data)
    if any(p["level"] == "error" for p in problems):
        raise LibraryInvalidError(problems)
    return problems


# --- Versions ----------------------------------------------------------------------------------


def library_create(*, definition: dict[str, Any], user=None, notes: str = "") -> RuleLibrary:
    """A new draft version of the library named in `definition` (validated first)."""
    library_check(definition)
    name = str(definition["name"]).strip()[:100]
    with transaction.atomic():
        # Lock the name's versions so two saves at once do not pick the same number.
        list(RuleLibrary.objects.select_for_update().filter(name=name).values_list("pk"))
        latest = RuleLibrary.objects.filter(name=name).aggregate(v=Max("version"))["v"] or 0
        library = RuleLibrary(
            name=name,
            version=latest + 1,
            definition=definition,
            notes=notes,
            created_by=user,
        )
        library.full_clean()
        library.save()
    return library


def library_activate(
    *,
    library: RuleLibrary,
    rescore_from: datetime.date | None = None,
    rescore_to: datetime.date | None = None,
) -> RuleLibrary:
    """Make this version the active one (retiring the previous). Calls imported from now on are
    checked with it; the period to rescore is stored with it (the calls app rescores it:
    `scoring.calls.services.checks.library_activate_and_rescore`)."""
    library_check(library.definition)
    if rescore_from and rescore_to and rescore_from > rescore_to:
        raise LibraryInvalidError(
            [_problem(_("The period ends before it starts."), field="rescore_to")]
        )
    with transaction.atomic():
        library = RuleLibrary.objects.select_for_update().get(pk=library.pk)
        RuleLibrary.objects.filter(status=RuleLibrary.Status.ACTIVE).exclude(pk=library.pk).update(
            status=RuleLibrary.Status.RETIRED
        )
        library.status = RuleLibrary.Status.ACTIVE
        library.activated_at = timezone.now()
        library.rescore_from = rescore_from
        library.rescore_to = rescore_to
        library.rescore_total = 0
        library.save()
    return library


def library_load_file(*, path: str | Path, user=None, activate: bool = False) -> RuleLibrary:
    """Load a library JSON file as a new version, or find the version that already has
    exactly this content (so loading twice changes nothing); optionally activate it."""
    data = library_parse_json(Path(path).read_bytes())
    library_check(data)
    name = str(data.get("name", "")).strip()[:100]
    existing = next(
        (
            lib
            for lib in RuleLibrary.objects.filter(name=name).order_by("-version")
            if lib.definition == data
        ),
        None,
    )
    library = existing or library_create(definition=data, user=user)
    if activate and library.status != RuleLibrary.Status.ACTIVE:
        library = library_activate(library=library)
    return library


# --- Trying a library on a pasted dialogue -------------------------------------------------------

_SPEAKER_WORDS = {
    "客服": "agent",
    "坐席": "agent",
    "话务员": "agent",
    "a": "agent",
    "agent": "agent",
    "客户": "customer",
    "用户": "customer",
    "c": "customer",
    "customer": "customer",
}
_LINE = re.compile(
    r"^\s*(?:\[\s*(?P<start>\d+(?:\.\d+)?)\s*[-–~]\s*(?P<end>\d+(?:\.\d+)?)\s*\]\s*)?"
    r"(?P<speaker>客服|坐席|话务员|客户|用户|agent|customer|A|C)\s*[:：]\s*(?P<text>.*)$",
    re.IGNORECASE,
)


def parse_dialogue(text: str) -> list[dict[str, Any]]:
    """Turns from a pasted dialogue: lines `客服：您好…` / `客户：…` (or `A:` / `C:`,
    optionally preceded by `[2.0-4.5]` seconds), or the engine's JSON (a call or a list of
    turns). A line without a speaker continues the previous turn."""
    stripped = text.strip()
    if stripped.startswith(("{", "[")) and not _LINE.match(stripped.split("\n", 1)[0]):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise LibraryInvalidError(
                [
                    _problem(
                        _("Not valid JSON (line %(line)s, column %(column)s): %(error)s.")
                        % {"line": exc.lineno, "column": exc.colno, "error": exc.msg}
                    )
                ]
            ) from None
        turns = data.get("turns") if isinstance(data, dict) else data
        if not isinstance(turns, list):
            raise LibraryInvalidError([_problem(_("The JSON has no list of turns."))])
        return turns
    turns: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match:
            turn: dict[str, Any] = {
                "speaker": _SPEAKER_WORDS[match["speaker"].lower()],
                "text": match["text"].strip(),
            }
            if match["start"] is not None:
                turn["start"] = float(match["start"])
                turn["end"] = float(match["end"])
            turns.append(turn)
        elif turns:
            turns[-1]["text"] += line.strip()
        else:
            raise LibraryInvalidError(
                [
                    _problem(
                        _(
                            "Line %(line)s does not say who speaks; start it with 客服： or "
                            "客户： (or A: / C:)."
                        )
                        % {"line": number}
                    )
                ]
            )
    if not turns:
        raise LibraryInvalidError([_problem(_("Paste a dialogue to try the rules on."))])
    return turns


def highlight_turns(
    turns: list[dict[str, Any]], results: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each turn with its text cut into segments, each segment carrying the rules whose
    evidence covers it (and whether any of them failed), for highlighting in place."""
    spans: dict[int, list[tuple[int, int, str, str]]] = {}
    for result in results:
        for ev in result.get("evidence") or []:
            if "start" in ev and "end" in ev:
                spans.setdefault(ev["turn"], []).append(
                    (ev["start"], ev["end"], result["code"], result["outcome"])
                )
    out = []
    for index, turn in enumerate(turns):
        text = turn.get("text", "")
        cuts = {0, len(text)}
        for start, end, _code, _outcome in spans.get(index, []):
            cuts.update((max(0, min(start, len(text))), max(0, min(end, len(text)))))
        bounds = sorted(cuts)
        segments = []
        for a, b in zip(bounds, bounds[1:], strict=False):
            if a == b:
                continue
            covering = [(c, o) for s, e, c, o in spans.get(index, []) if s <= a and b <= e]
            segments.append(
                {
                    "text": text[a:b],
                    "codes": [c for c, _o in covering],
                    "fail": any(o == "fail" for _c, o in covering),
                }
            )
        out.append({"index": index, **turn, "segments": segments})
    return out


def library_try(*, definition: dict[str, Any], dialogue: str) -> dict[str, Any]:
    """Score a pasted dialogue with a library (saved or not): each rule's outcome, evidence
    and the transcript with the evidence marked."""
    from scoring.engine import CallError, load_library

    library_check(definition)
    turns = parse_dialogue(dialogue)
    try:
        result = load_library(definition).score_call({"call_id": "try", "turns": turns})
    except CallError as exc:
        raise LibraryInvalidError([_problem(exc.message)]) from None
    titles = {r.get("code"): r for r in definition.get("rules", []) if isinstance(r, dict)}
    rows = [
        {
            **r,
            "title": titles.get(r["code"], {}).get("title", ""),
            "kind": titles.get(r["code"], {}).get("kind", ""),
            "critical": bool(titles.get(r["code"], {}).get("critical")),
        }
        for r in result["results"]
    ]
    return {
        "score": result["score"],
        "critical_failed": result["critical_failed"],
        "results": rows,
        "turns": highlight_turns(turns, result["results"]),
    }
