"""Reading call files: the engine's calls JSON Lines, and CSV / XLSX with one row per turn.

Pure parsing and validation, no database: `parse_calls(data, filename=..., fmt=...)` returns
the calls and every problem found in the whole file. Problems name the line (or spreadsheet
row and column) and the field; their messages are English msgids with placeholders, translated
when shown (`render_problem`), so a file refused in a worker reads in the language of whoever
opens the job. Hostile files are refused before anything else is read: a wrong type (judged by
content, not by the extension), a zip bomb, a huge line, a formula cell, a non-UTF-8 text.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

FORMATS = ("jsonl", "csv", "xlsx")
SPEAKERS = {"agent": "agent", "customer": "customer"}
# Spreadsheets are typed by people: accept the Chinese names of the two speakers too.
SPEAKER_ALIASES = {
    **SPEAKERS,
    "客服": "agent",
    "坐席": "agent",
    "话务员": "agent",
    "a": "agent",
    "客户": "customer",
    "c": "customer",
}
CHANNELS = ("voice", "chat")
ROW_COLUMNS = ("call_id", "agent", "started_at", "speaker", "text", "start", "end")
REQUIRED_COLUMNS = ("call_id", "agent", "started_at", "speaker", "text")
OPTIONAL_COLUMNS = ("start", "end", "channel", "duration", "recording_url")
MAX_TURNS = 5000
MAX_PROBLEMS = 200
CALL_ID_MAX = 64
AGENT_MAX = 20
# Containers (objects, lists) within one another in an other field at most: far more than
# any real metadata needs, and well under what the JSON writers and readers recurse through
# (orjson writes 255 levels, json reads some 1,000).
MAX_DEPTH = 32
# What no database text or JSON value may hold: NUL (PostgreSQL refuses it in text and in
# JSONB) and lone UTF-16 surrogates (json reads "\ud800" into one; it is no character and
# cannot be encoded as UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

_url_validator = URLValidator(schemes=["http", "https"])


@dataclass
class Problem:
    """One thing wrong with a file: where (line or row, column, field) and what."""

    message: str  # an English msgid with %(name)s placeholders
    params: dict[str, Any] = field(default_factory=dict)
    line: int | None = None
    field: str | None = None
    column: str | None = None  # spreadsheet column letter, when it helps

    def as_dict(self) -> dict[str, Any]:
        # The dict is stored (the job's errors, JSON): values quoted from the file must not
        # bring along what cannot be stored.
        return {
            "line": self.line,
            "field": _storable(self.field),
            "column": self.column,
            "message": self.message,
            "params": {key: _storable(value) for key, value in self.params.items()},
        }


def _storable(value: Any) -> Any:
    """A text quoted from a file, with NUL characters and lone surrogates made U+FFFD."""
    if isinstance(value, str) and _UNSTORABLE.search(value):
        return _UNSTORABLE.sub("\ufffd", value)
    return value


class FileRefusedError(Exception):
    """The file cannot be read at all (size, type, encoding, zip bomb, huge line)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(render_problem(problem.as_dict()))


@dataclass
class ParsedCall:
    """A call as read from the file, validated in form (not yet against the database)."""

    line: int
    call_id: str
    agent: str
    started_at: datetime.datetime
    turns: list[dict[str, Any]]
    duration_seconds: float | None = None
    channel: str = "voice"
    recording_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def render_problem(problem: dict[str, Any], *, filename: str | None = None) -> str:
    """The problem as one line in the active language: `file:line: field: message`."""
    message = gettext(problem["message"])
    try:
        message = message % problem.get("params", {})
    except (KeyError, TypeError, ValueError):
        message = problem["message"]
    where = [filename] if filename else []
    if problem.get("line"):
        where.append(str(problem["line"]))
    prefix = ":".join(where)
    fld = problem.get("field")
    if problem.get("column") and fld:
        fld = f"{fld} ({problem['column']})"
    parts = [p for p in (prefix, fld, message) if p]
    return ": ".join(parts)


def problem_location(problem: dict[str, Any]) -> str:
    """ "line 12, field text" in the active language, for tables."""
    bits = []
    if problem.get("line"):
        bits.append(gettext("line %(line)s") % {"line": problem["line"]})
    if problem.get("column"):
        bits.append(gettext("column %(column)s") % {"column": problem["column"]})
    if problem.get("field"):
        bits.append(gettext("field %(field)s") % {"field": problem["field"]})
    return ", ".join(bits)


# --- Type detection --------------------------------------------------------------------------


def detect_format(data: bytes, *, filename: str, declared: str | None = None) -> str:
    """The format of `data`: the declared one or the extension's, checked against the content;
    without either, sniffed from the content. A mismatch is refused."""
    name = filename.lower()
    is_zip = data[:4] == b"PK\x03\x04"
    is_ole = data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, .doc
    if declared:
        fmt = declared
    elif name.endswith((".jsonl", ".ndjson", ".json")):
        fmt = "jsonl"
    elif name.endswith((".csv", ".txt")):
        fmt = "csv"
    elif name.endswith(".xlsx"):
        fmt = "xlsx"
    elif is_zip:
        fmt = "xlsx"
    else:
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        fmt = "jsonl" if head.startswith(b"{") else "csv"
    if fmt not in FORMATS:
        raise FileRefusedError(Problem(gettext_noop("Unknown format %(format)s."), {"format": fmt}))
    if is_ole:
        raise FileRefusedError(
            Problem(
                gettext_noop("Old Excel (.xls) files cannot be imported; save the file as .xlsx.")
            )
        )
    if fmt == "xlsx" and not is_zip:
        raise FileRefusedError(
            Problem(gettext_noop("This is not an XLSX workbook: its content is not an Excel file."))
        )
    if fmt != "xlsx" and (encoding := _wide_encoding(data)):
        raise FileRefusedError(
            Problem(
                gettext_noop(
                    'The file is %(encoding)s text; save it as UTF-8 (in Excel: "CSV UTF-8") '
                    "and import it again."
                ),
                {"encoding": encoding},
            )
        )
    if fmt != "xlsx" and (is_zip or b"\x00" in data[:65536]):
        raise FileRefusedError(
            Problem(
                gettext_noop(
                    "This is not a text file (it looks like a binary file or a spreadsheet)."
                ),
            )
        )
    return fmt


def _wide_encoding(data: bytes) -> str | None:
    """ "UTF-16" or "UTF-32" for a text in one of them (Excel's "Unicode text", Notepad's
    "Unicode"): by its BOM, or without one by the NUL bytes of its first characters, which
    are ASCII in a calls file (a JSON brace, a column name). None for anything else."""
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "UTF-32"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "UTF-16"
    head = data[:16]
    if len(head) == 16 and not any(head[1::4] + head[2::4]) and all(head[0::4]):
        return "UTF-32"
    if len(head) == 16 and (
        (not any(head[1::2]) and all(head[0::2])) or (not any(head[0::2]) and all(head[1::2]))
    ):
        return "UTF-16"
    return None


def _check_size(data: bytes) -> None:
    limit = settings.QA_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise FileRefusedError(
            Problem(
                gettext_noop("The file is too large (%(size)s MB); the limit is %(limit)s MB."),
                {"size": round(len(data) / 1048576, 1), "limit": round(limit / 1048576, 1)},
            )
        )


def _check_line_length(data: bytes) -> list[bytes] | None:
    """Refuse a line longer than the limit. The lines as bytes when they had to be split."""
    limit = settings.QA_IMPORT_MAX_LINE_BYTES
    if len(data) <= limit:
        return None
    lines = data.split(b"\n")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    if len(lines[longest]) > limit:
        raise FileRefusedError(
            Problem(
                gettext_noop("Line too long (%(size)s KB); a line may have at most %(limit)s KB."),
                {"size": len(lines[longest]) // 1024, "limit": limit // 1024},
                line=longest + 1,
            )
        )
    return lines


def _not_utf8(line: int) -> FileRefusedError:
    return FileRefusedError(
        Problem(
            gettext_noop(
                "The file is not UTF-8 text. Save it as UTF-8 (with or without BOM) "
                "and import it again."
            ),
            line=line,
        )
    )


def _has_nul() -> FileRefusedError:
    return FileRefusedError(
        Problem(gettext_noop("This is not a text file (it contains NUL characters)."))
    )


def _decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), lines no longer than the limit; else refused."""
    _check_line_length(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8(data[: exc.start].count(b"\n") + 1) from None
    if "\x00" in text:
        raise _has_nul()
    return text.removeprefix("\ufeff")


# --- Field validation shared by the three formats ---------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.more = 0

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more += 1

    def finish(self) -> list[Problem]:
        if self.more:
            self.problems.append(
                Problem(gettext_noop("… and %(count)s more problems."), {"count": self.more})
            )
        return self.problems


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value.strip()
    return None


def _as_number(value: Any) -> float | None | str:
    """A finite number, None when empty, or "bad"."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "bad"
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond floats
            return "bad"
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return "bad"
    else:
        return "bad"
    if not math.isfinite(number):
        return "bad"
    return number


def _as_datetime(value: Any) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, timezone.get_current_timezone())
        # A moment that is before year 1 or after year 9999 in UTC (or local time) cannot be
        # stored nor shown: 0001-01-01T00:00:00+14:00.
        moment.astimezone(datetime.UTC)
        moment.astimezone(timezone.get_current_timezone())
    except (OverflowError, ValueError):
        return None
    return moment


def _check_call_fields(
    obj: dict[str, Any], *, line: int, out: _Collector, column_of: dict[str, str] | None = None
) -> dict[str, Any] | None:
    """Validate the call-level fields of `obj`; the cleaned values, or None if any is bad."""
    column_of = column_of or {}
    ok = True

    def bad(fld: str, message: str, params: dict | None = None) -> None:
        nonlocal ok
        ok = False
        out.add(Problem(message, params or {}, line=line, field=fld, column=column_of.get(fld)))

    call_id = _as_text(obj.get("call_id"))
    if not call_id:
        bad("call_id", gettext_noop("A call id is required."))
    elif len(call_id) > CALL_ID_MAX:
        bad("call_id", gettext_noop("At most %(max)s characters."), {"max": CALL_ID_MAX})
    agent = _as_text(obj.get("agent"))
    if not agent:
        bad("agent", gettext_noop("The agent's employee number is required."))
    elif len(agent) > AGENT_MAX:
        bad("agent", gettext_noop("At most %(max)s characters."), {"max": AGENT_MAX})
    started_at = _as_datetime(obj.get("started_at"))
    if started_at is None:
        bad(
            "started_at",
            gettext_noop(
                "Not a date and time: %(value)s (use ISO 8601, e.g. 2026-11-02T09:15:00+08:00)."
            ),
            {"value": str(obj.get("started_at", ""))[:40]},
        )
    duration_raw = obj.get("duration", obj.get("duration_seconds"))
    duration = _as_number(duration_raw)
    duration_field = "duration" if "duration" in obj else "duration_seconds"
    if duration == "bad" or (isinstance(duration, float) and duration < 0):
        bad(duration_field, gettext_noop("Must be a number of seconds, 0 or more."))
        duration = None
    channel = _as_text(obj.get("channel")) or "voice"
    channel = channel.lower()
    if channel not in CHANNELS:
        bad(
            "channel",
            gettext_noop("Unknown channel %(value)s; use voice or chat."),
            {"value": channel[:20]},
        )
    recording_url = _as_text(obj.get("recording_url")) or ""
    if recording_url:
        try:
            if len(recording_url) > 500:
                raise ValidationError("too long")
            _url_validator(recording_url)
        except ValidationError:
            bad("recording_url", gettext_noop("Not a valid http(s) address."))
    if not ok:
        return None
    return {
        "call_id": call_id,
        "agent": agent,
        "started_at": started_at,
        "duration_seconds": duration,
        "channel": channel,
        "recording_url": recording_url,
    }


def _unstorable_problem(value: Any) -> tuple[str, dict[str, Any]] | None:
    """What in `value` (an other field's value, or a text) cannot be stored, as (message,
    params): a NUL character, a lone surrogate, containers nested more than MAX_DEPTH deep,
    NaN or an infinity (which JSON has not: json writes them, PostgreSQL and SQLite refuse
    them; orjson would write null). Walked without recursion: the value may be deep."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind is str:
            bad = _UNSTORABLE.search(item)
            if bad:
                if bad.group() == "\x00":
                    return (
                        gettext_noop("Contains a NUL character (\\u0000), which cannot be stored."),
                        {},
                    )
                return (
                    gettext_noop(
                        "Contains a lone surrogate (such as \\ud800), which is not a character "
                        "and cannot be stored."
                    ),
                    {},
                )
        elif kind is float:
            if not math.isfinite(item):
                return gettext_noop("Not a finite number (NaN and Infinity cannot be stored)."), {}
        elif kind is dict or kind is list:
            if depth >= MAX_DEPTH:
                return (
                    gettext_noop("Nested too deeply (more than %(max)s levels)."),
                    {"max": MAX_DEPTH},
                )
            if kind is dict:
                stack.extend((key, depth + 1) for key in item)
                stack.extend((child, depth + 1) for child in item.values())
            else:
                stack.extend((child, depth + 1) for child in item)
    return None


def _check_storable(call: ParsedCall, *, out: _Collector, texts: bool = True) -> bool:
    """Whether every value of a call read from JSON can be stored; a problem per field that
    cannot. `texts` False: the call's own texts are known to be free of NUL and surrogates
    (read by orjson, which refuses lone surrogates, from a line without any "\\u0000"); its
    other fields are looked at all the same (nesting, NaN)."""
    found: list[tuple[str, tuple[str, dict[str, Any]]]] = []
    if texts:
        for name in ("call_id", "agent", "channel", "recording_url"):
            problem = _unstorable_problem(getattr(call, name))
            if problem:
                found.append((name, problem))
        for index, turn in enumerate(call.turns):
            problem = _unstorable_problem(turn["text"])
            if problem:
                found.append((f"turns[{index}].text", problem))
    for key, value in call.extra.items():
        problem = _unstorable_problem(key) or _unstorable_problem(value)
        if problem:
            found.append((key, problem))
    seen: set[str] = set()
    for name, (message, params) in found:
        if name in seen:
            continue
        seen.add(name)
        out.add(Problem(message, params, line=call.line, field=name))
    return not found


def _check_turn(
    raw: Any,
    *,
    index: int,
    line: int,
    out: _Collector,
    prefix: str,
    aliases: dict[str, str],
    column_of: dict[str, str] | None = None,
) -> dict[str, Any] | None:
    column_of = column_of or {}
    if not isinstance(raw, dict):
        out.add(Problem(gettext_noop("A turn must be an object."), line=line, field=f"{prefix}"))
        return None
    ok = True

    def bad(fld: str, message: str, params: dict | None = None) -> None:
        nonlocal ok
        ok = False
        name = f"{prefix}.{fld}" if prefix else fld
        out.add(Problem(message, params or {}, line=line, field=name, column=column_of.get(fld)))

    speaker_raw = _as_text(raw.get("speaker"))
    speaker = aliases.get((speaker_raw or "").lower())
    if speaker is None:
        bad(
            "speaker",
            gettext_noop("Unknown speaker %(value)s; use agent or customer."),
            {"value": (speaker_raw or "")[:20]},
        )
    text = raw.get("text")
    if text is None:
        text = ""
    if isinstance(text, int | float) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        bad("text", gettext_noop("The text must be a string."))
    start = _as_number(raw.get("start"))
    end = _as_number(raw.get("end"))
    for name, value in (("start", start), ("end", end)):
        if value == "bad" or (isinstance(value, float) and value < 0):
            bad(name, gettext_noop("Must be a number of seconds, 0 or more."))
    if isinstance(start, float) and isinstance(end, float) and start > end:
        bad(
            "end",
            gettext_noop("The turn ends (%(end)s) before it starts (%(start)s)."),
            {
                "start": start,
                "end": end,
            },
        )
    if not ok:
        return None
    turn: dict[str, Any] = {"speaker": speaker, "text": text}
    # Times stay absent rather than null, as in the engine's contract.
    if isinstance(start, float):
        turn["start"] = start
    if isinstance(end, float):
        turn["end"] = end
    return turn
