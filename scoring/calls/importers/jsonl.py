"""Calls JSON Lines (the engine's format): one call a line, read fast where the line is plain."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_noop

try:
    import orjson
except ImportError:  # pragma: no cover - the stdlib reads every line then
    orjson = None

from .common import (
    MAX_TURNS,
    SPEAKERS,
    ParsedCall,
    Problem,
    _check_call_fields,
    _check_line_length,
    _check_storable,
    _check_turn,
    _Collector,
    _has_nul,
    _not_utf8,
)

# --- JSON Lines --------------------------------------------------------------------------------

_KNOWN_JSON = {"call_id", "agent", "started_at", "turns", "duration", "duration_seconds"}
_KNOWN_JSON |= {"channel", "recording_url"}
# orjson reads the integers json reads, but those outside 64 bits as floats: a float of this
# size or more may have been such an integer.
_INT64 = 2.0**63


def _exact(values: Any) -> bool:
    """True if no value in `values` (nested in lists and objects too) is a float that orjson
    may have made of an integer, so json would have read them the same."""
    stack = list(values)
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is float:
            if not -_INT64 < value < _INT64:
                return False
        elif kind is dict:
            stack.extend(value.values())
        elif kind is list:
            stack.extend(value)
    return True


def _fast_time(value: Any) -> float | None | bool:
    """A turn's start or end when `_check_turn` would take it as it is: None when absent, the
    number as a float when it is one, 0 or more; False for anything else."""
    kind = type(value)
    if kind is float:
        return value if 0.0 <= value < _INT64 else False
    if kind is int:
        return float(value) if 0 <= value < _INT64 else False
    return None if value is None else False


def _fast_call(raw_line: bytes | str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The common line, read quickly: (object, turns) when the line is a JSON object that
    json reads the same as orjson, with 1 to MAX_TURNS turns that are all in the canonical
    form (speaker "agent" or "customer", a text, times absent or numbers 0 or more, start
    not after end), so `_check_turn` would find no problem and return the same turns. None
    for anything else, which `_parse_jsonl` then reads as it always did."""
    if orjson is None:
        return None
    try:
        obj = orjson.loads(raw_line)
    except orjson.JSONDecodeError:
        return None
    if type(obj) is not dict:
        return None
    turns_raw = obj.get("turns")
    if type(turns_raw) is not list or not turns_raw or len(turns_raw) > MAX_TURNS:
        return None
    if not _exact(v for k, v in obj.items() if k != "turns"):
        return None
    turns: list[dict[str, Any]] = []
    append = turns.append
    for raw in turns_raw:
        if type(raw) is not dict:
            return None
        speaker = raw.get("speaker")
        speaker = SPEAKERS.get(speaker) if type(speaker) is str else None
        text = raw.get("text")
        if speaker is None or type(text) is not str:
            return None
        turn = {"speaker": speaker, "text": text}
        start = _fast_time(raw.get("start"))
        if start is False:
            return None
        if start is not None:
            turn["start"] = start
        end = _fast_time(raw.get("end"))
        if end is False:
            return None
        if end is not None:
            if start is not None and start > end:
                return None
            turn["end"] = end
        append(turn)
    return obj, turns


def _read_jsonl_line(number: int, raw_bytes: bytes, out: _Collector) -> ParsedCall | None:
    """The call on one line of a JSON Lines file; None for a blank line or one with problems
    (added to `out`). Raises FileRefusedError if the line is not UTF-8."""
    fast = _fast_call(raw_bytes)
    if fast is not None:
        obj, turns = fast
        fields = _check_call_fields(obj, line=number, out=out)
        if fields is None:
            return None
        extra = {k: v for k, v in obj.items() if k not in _KNOWN_JSON}
        call = ParsedCall(line=number, turns=turns, extra=extra, **fields)
        # orjson refuses lone surrogates; a NUL can only come from its escape.
        if not _check_storable(call, out=out, texts=b"\\u0000" in raw_bytes):
            return None
        return call
    try:
        raw_line = raw_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise _not_utf8(number) from None
    if not raw_line.strip():
        return None
    try:
        obj = json.loads(raw_line)
    except json.JSONDecodeError as exc:
        out.add(
            Problem(gettext_noop("Not valid JSON: %(error)s."), {"error": exc.msg}, line=number)
        )
        return None
    except RecursionError:  # some 1,000 levels of lists or objects (orjson refused 1,024)
        out.add(Problem(gettext_noop("Not valid JSON: nested too deeply."), line=number))
        return None
    except ValueError:  # an integer of more digits than Python converts (4,300)
        out.add(Problem(gettext_noop("Not valid JSON: a number has too many digits."), line=number))
        return None
    if not isinstance(obj, dict):
        out.add(Problem(gettext_noop("Each line must be a JSON object (one call)."), line=number))
        return None
    fields = _check_call_fields(obj, line=number, out=out)
    turns_raw = obj.get("turns")
    turns: list[dict[str, Any]] = []
    turns_ok = True
    if not isinstance(turns_raw, list) or not turns_raw:
        out.add(
            Problem(
                gettext_noop("A call needs a non-empty list of turns."),
                line=number,
                field="turns",
            )
        )
        turns_ok = False
    elif len(turns_raw) > MAX_TURNS:
        out.add(
            Problem(
                gettext_noop("Too many turns (%(count)s); at most %(max)s."),
                {"count": len(turns_raw), "max": MAX_TURNS},
                line=number,
                field="turns",
            )
        )
        turns_ok = False
    else:
        for index, raw_turn in enumerate(turns_raw):
            turn = _check_turn(
                raw_turn,
                index=index,
                line=number,
                out=out,
                prefix=f"turns[{index}]",
                aliases=SPEAKERS,
            )
            if turn is None:
                turns_ok = False
            else:
                turns.append(turn)
    if fields is None or not turns_ok:
        return None
    extra = {k: v for k, v in obj.items() if k not in _KNOWN_JSON}
    call = ParsedCall(line=number, turns=turns, extra=extra, **fields)
    return call if _check_storable(call, out=out) else None


class JsonlReader:
    """A JSON Lines file read a line at a time: iterating gives, for each line, its call (None
    for a blank line or one with problems), and `finish()` then gives the problems of the
    whole file. Read to the end, it gives exactly what `parse_calls` gives (which uses it);
    a caller may do other work between lines (the import writes the calls read so far).

    Refused as `_decode_text` refuses a text: the lines are read as bytes, each checked to be
    UTF-8 as it is read (orjson refuses what is not; the others are decoded), NUL characters
    looked for once every line is known to be UTF-8."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        lines = _check_line_length(data) or data.split(b"\n")
        if lines[0].startswith(b"\xef\xbb\xbf"):
            lines[0] = lines[0][3:]
        self._lines = lines
        self.lines = len(lines)  # in the file
        self.done = 0  # lines read so far
        self.calls = 0  # calls read so far (lines without problems)
        self._out = _Collector()
        self._seen: dict[str, int] = {}
        self._twice: list[Problem] = []
        self._problems: list[Problem] | None = None

    @property
    def failed(self) -> bool:
        """Whether a problem was found so far: the file will be refused."""
        return bool(self._out.problems or self._twice)

    def __iter__(self) -> Iterator[ParsedCall | None]:
        seen = self._seen
        for number, raw_bytes in enumerate(self._lines, start=1):
            self.done = number
            call = _read_jsonl_line(number, raw_bytes, self._out)
            if call is not None:
                self.calls += 1
                first = seen.setdefault(call.call_id, number)
                if first != number:
                    self._twice.append(
                        Problem(
                            gettext_noop(
                                "Call %(call_id)s appears twice in the file (first on line "
                                "%(first)s)."
                            ),
                            {"call_id": call.call_id, "first": first},
                            line=number,
                            field="call_id",
                        )
                    )
            yield call

    def finish(self) -> list[Problem]:
        """The problems of the whole file, once every line is read: those of the lines, then
        the calls that appear twice. Raises FileRefusedError if the file has NUL characters."""
        if self._problems is None:
            if b"\x00" in self._data:
                raise _has_nul()
            for problem in self._twice:
                self._out.add(problem)
            if not self.calls and not self._out.problems:
                self._out.add(Problem(gettext_noop("The file contains no calls.")))
            self._problems = self._out.finish()
        return self._problems
