"""Calls: one JSON object per line; parse and validate them.

A call is ``{"call_id": ..., "turns": [{"speaker", "text", "start"?, "end"?}, ...], ...}``;
other fields are allowed and ignored by scoring. A line that is not a valid call raises
:class:`CallError`, which the command turns into ``{"call_id", "line", "error"}``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson as _orjson

from scoring.engine.matcher import AGENT, CUSTOMER

loads = _orjson.loads
_DECODE_ERRORS: tuple[type[Exception], ...] = (_orjson.JSONDecodeError, UnicodeDecodeError)


class CallError(ValueError):
    """An invalid call line; ``call_id`` is the call's id when it could be read."""

    def __init__(self, message: str, call_id: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.call_id = call_id


class Call:
    """A validated call: speaker codes, texts and, when every turn has them, timings."""

    __slots__ = ("call_id", "speakers", "texts", "starts", "ends")

    def __init__(
        self,
        call_id: str | int,
        speakers: list[int],
        texts: list[str],
        starts: list[float] | None,
        ends: list[float] | None,
    ) -> None:
        self.call_id = call_id
        self.speakers = speakers
        self.texts = texts
        self.starts = starts  # None when some turn lacks start or end
        self.ends = ends


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return {bool: "a boolean", dict: "an object", list: "a list"}.get(
        type(value), type(value).__name__
    )


def parse_line(line: bytes | str) -> Call:
    """Parse one JSON line into a :class:`Call`; raises :class:`CallError`."""
    try:
        obj = loads(line)
    except _DECODE_ERRORS as exc:
        raise CallError(f"invalid JSON: {exc}") from None
    return parse_call(obj)


def parse_call(obj: Any) -> Call:
    """Validate a call already decoded from JSON; raises :class:`CallError`."""
    # The fast loop accepts the common shape with as few operations as possible; anything
    # unusual goes to _check_call, which finds and explains the problem (or accepts it).
    try:
        call_id = obj["call_id"]
        turns = obj["turns"]
        if (type(call_id) is not str or not call_id) and type(call_id) is not int:
            raise TypeError
        speakers: list[int] = []
        texts: list[str] = []
        starts: list[float] | None = []
        ends: list[float] | None = []
        for turn in turns:
            speaker = _SPEAKERS[turn["speaker"]]
            text = turn["text"]
            if type(text) is not str:
                raise TypeError
            speakers.append(speaker)
            texts.append(text)
            start = turn.get("start")
            end = turn.get("end")
            if start is None or end is None:
                if start is not None or end is not None:
                    raise TypeError  # validate the one that is there
                starts = ends = None
            elif (
                type(start) in _NUMBERS
                and type(end) in _NUMBERS
                and start <= end
                and start - start == 0  # finite: inf - inf and nan - nan are nan
                and end - end == 0
            ):
                if starts is not None:
                    starts.append(start)
                    ends.append(end)  # type: ignore[union-attr]
            else:
                raise TypeError
        if type(turns) is not list:
            raise TypeError
    except (KeyError, TypeError, IndexError, AttributeError):
        return _check_call(obj)
    return Call(call_id, speakers, texts, starts, ends)


_SPEAKERS = {"agent": AGENT, "customer": CUSTOMER}
_NUMBERS = (int, float)


def _check_call(obj: Any) -> Call:
    if type(obj) is not dict:
        raise CallError(f"a call must be a JSON object, got {_describe(obj)}")
    call_id = obj.get("call_id")
    if call_id is None:
        raise CallError("missing call_id")
    if not (type(call_id) is str and call_id) and type(call_id) is not int:
        raise CallError(f"call_id must be a non-empty string, got {_describe(call_id)}")
    turns = obj.get("turns")
    if type(turns) is not list:
        raise CallError(
            "missing turns" if turns is None else f"turns must be a list, got {_describe(turns)}",
            call_id,
        )
    speakers: list[int] = []
    texts: list[str] = []
    starts: list[float] | None = []
    ends: list[float] | None = []
    for i, turn in enumerate(turns):
        if type(turn) is not dict:
            raise CallError(f"turns[{i}] must be an object, got {_describe(turn)}", call_id)
        speaker = turn.get("speaker")
        if speaker == "agent":
            speakers.append(AGENT)
        elif speaker == "customer":
            speakers.append(CUSTOMER)
        else:
            raise CallError(
                f'turns[{i}].speaker must be "agent" or "customer", got {_describe(speaker)}',
                call_id,
            )
        text = turn.get("text")
        if type(text) is not str:
            raise CallError(f"turns[{i}].text must be a string, got {_describe(text)}", call_id)
        texts.append(text)
        start = turn.get("start")
        end = turn.get("end")
        for name, value in (("start", start), ("end", end)):
            if value is not None and (type(value) not in (int, float) or not math.isfinite(value)):
                raise CallError(
                    f"turns[{i}].{name} must be a number of seconds, got {_describe(value)}",
                    call_id,
                )
        if start is None or end is None:
            starts = ends = None  # timing rules are na for this call
        else:
            if start > end:
                raise CallError(f"turns[{i}]: start ({start}) is after end ({end})", call_id)
            if starts is not None:
                starts.append(start)
                ends.append(end)  # type: ignore[union-attr]
    return Call(call_id, speakers, texts, starts, ends)
