"""Reading call files: the engine's calls JSON Lines, and CSV / XLSX with one row per turn.

Pure parsing and validation, no database: `parse_calls(data, filename=..., fmt=...)` returns
the calls and every problem found in the whole file. Problems name the line (or spreadsheet
row and column) and the field; their messages are English msgids with placeholders, translated
when shown (`render_problem`), so a file refused in a worker reads in the language of whoever
opens the job. Hostile files are refused before anything else is read: a wrong type (judged by
content, not by the extension), a zip bomb, a huge line, a formula cell, a non-UTF-8 text.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

try:
    import orjson
except ImportError:  # pragma: no cover - the stdlib reads every line then
    orjson = None

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
        return {
            "line": self.line,
            "field": self.field,
            "column": self.column,
            "message": self.message,
            "params": self.params,
        }


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
    if fmt != "xlsx" and (is_zip or b"\x00" in data[:65536]):
        raise FileRefusedError(
            Problem(
                gettext_noop(
                    "This is not a text file (it looks like a binary file or a spreadsheet)."
                ),
            )
        )
    return fmt


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
        number = float(value)
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
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
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
        return ParsedCall(line=number, turns=turns, extra=extra, **fields)
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
    return ParsedCall(line=number, turns=turns, extra=extra, **fields)


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


# --- Rows (CSV and XLSX) -----------------------------------------------------------------------


def _parse_rows(rows: Any, out: _Collector, *, spreadsheet: bool) -> list[ParsedCall]:
    """`rows` yields (line or row number, [cell values]); the first is the header."""
    header_seen = False
    columns: list[str] = []
    column_of: dict[str, str] = {}
    groups: dict[str, dict[str, Any]] = {}
    for number, cells in rows:
        if not header_seen:
            if not any(c not in (None, "") for c in cells):
                continue
            header_seen = True
            columns = [str(c or "").strip().lower().lstrip("\ufeff") for c in cells]
            missing = [c for c in REQUIRED_COLUMNS if c not in columns]
            if missing:
                out.add(
                    Problem(
                        gettext_noop(
                            "Missing columns: %(columns)s. The header row must name %(required)s."
                        ),
                        {"columns": ", ".join(missing), "required": ", ".join(ROW_COLUMNS)},
                        line=number,
                    )
                )
                return []
            if spreadsheet:
                from openpyxl.utils import get_column_letter

                column_of = {name: get_column_letter(i + 1) for i, name in enumerate(columns)}
            continue
        if not any(c not in (None, "") for c in cells):
            continue  # blank rows are ignored
        values = {
            name: (cells[i] if i < len(cells) else None) for i, name in enumerate(columns) if name
        }
        fields = _check_call_fields(values, line=number, out=out, column_of=column_of)
        turn = _check_turn(
            values,
            index=0,
            line=number,
            out=out,
            prefix="",
            aliases=SPEAKER_ALIASES,
            column_of=column_of,
        )
        call_id = _as_text(values.get("call_id"))
        if not call_id:
            continue
        group = groups.get(call_id)
        if group is None:
            extra = {
                k: v
                for k, v in values.items()
                if k not in ROW_COLUMNS and k not in OPTIONAL_COLUMNS and v not in (None, "")
            }
            extra = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in extra.items()}
            group = {"line": number, "fields": fields, "turns": [], "ok": fields is not None}
            group["extra"] = extra
            groups[call_id] = group
        elif fields is not None and group["fields"] is not None:
            for name in ("agent", "started_at"):
                if fields[name] != group["fields"][name]:
                    out.add(
                        Problem(
                            gettext_noop(
                                "Differs from the first row of call %(call_id)s (line %(first)s)."
                            ),
                            {"call_id": call_id, "first": group["line"]},
                            line=number,
                            field=name,
                            column=column_of.get(name),
                        )
                    )
                    group["ok"] = False
        if fields is None:
            group["ok"] = False
        if turn is None:
            group["ok"] = False
        else:
            group["turns"].append(turn)
            if len(group["turns"]) > MAX_TURNS:
                if group["ok"]:
                    out.add(
                        Problem(
                            gettext_noop("Too many turns (%(count)s); at most %(max)s."),
                            {"count": len(group["turns"]), "max": MAX_TURNS},
                            line=number,
                            field="call_id",
                        )
                    )
                group["ok"] = False
    if not header_seen:
        out.add(Problem(gettext_noop("The file is empty.")))
    calls = []
    for group in groups.values():
        if group["ok"]:
            calls.append(
                ParsedCall(
                    line=group["line"],
                    turns=group["turns"],
                    extra=group["extra"],
                    **group["fields"],
                )
            )
    return calls


def _csv_rows(text: str):
    reader = csv.reader(io.StringIO(text, newline=""))
    previous_end = 0
    try:
        for cells in reader:
            yield previous_end + 1, cells
            previous_end = reader.line_num
    except csv.Error as exc:
        raise FileRefusedError(
            Problem(
                gettext_noop("Not valid CSV: %(error)s."), {"error": str(exc)}, line=reader.line_num
            )
        ) from None


def _check_zip(data: bytes) -> None:
    """Refuse what is not an XLSX package, and zip bombs, before openpyxl inflates anything."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise FileRefusedError(
            Problem(
                gettext_noop(
                    "This is not an XLSX workbook: the file is damaged or not a zip archive."
                )
            )
        ) from None
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRefusedError(
            Problem(
                gettext_noop(
                    "This is not an XLSX workbook: the archive has no Excel workbook in it."
                )
            )
        )
    if len(infos) > 10000:
        raise FileRefusedError(
            Problem(gettext_noop("The workbook has too many parts to be read safely."))
        )
    total = 0
    ratio_limit = settings.QA_IMPORT_MAX_ZIP_RATIO
    for info in infos:
        if info.flag_bits & 0x1:
            raise FileRefusedError(Problem(gettext_noop("Encrypted workbooks cannot be imported.")))
        total += info.file_size
        # Small parts (styles, shared strings of a tiny sheet) compress well legitimately.
        if info.file_size > 1048576 and info.file_size > ratio_limit * max(info.compress_size, 1):
            raise FileRefusedError(
                Problem(
                    gettext_noop(
                        "The workbook expands suspiciously (%(ratio)s times); it is refused "
                        "as a possible zip bomb."
                    ),
                    {"ratio": info.file_size // max(info.compress_size, 1)},
                )
            )
    limit = settings.QA_IMPORT_MAX_UNCOMPRESSED_BYTES
    if total > limit:
        raise FileRefusedError(
            Problem(
                gettext_noop(
                    "The workbook would expand to %(size)s MB; the limit is %(limit)s MB."
                ),
                {"size": total // 1048576, "limit": limit // 1048576},
            )
        )


def _xlsx_rows(data: bytes):
    import openpyxl
    from openpyxl.utils import get_column_letter

    _check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise FileRefusedError(
            Problem(
                gettext_noop("The XLSX workbook cannot be read: %(error)s."),
                {"error": str(exc)[:200]},
            )
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(), start=1):
            values = []
            for index, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    raise FileRefusedError(
                        Problem(
                            gettext_noop(
                                "Formula cells are not imported (cell %(cell)s). Paste the "
                                "values instead of formulas."
                            ),
                            {"cell": f"{get_column_letter(index + 1)}{number}"},
                            line=number,
                            column=get_column_letter(index + 1),
                        )
                    )
                values.append(getattr(cell, "value", None))
            yield number, values
    finally:
        workbook.close()


# --- Entry point -------------------------------------------------------------------------------


def parse_calls(
    data: bytes, *, filename: str, fmt: str | None = None
) -> tuple[str, list[ParsedCall], list[Problem]]:
    """(format, calls, problems) for the whole file. Raises FileRefusedError when the file cannot
    be read at all. Duplicate call ids inside the file are problems; calls that already
    exist in the database are the caller's business."""
    _check_size(data)
    fmt = detect_format(data, filename=filename, declared=fmt)
    if fmt == "jsonl":
        reader = JsonlReader(data)
        calls = [call for call in reader if call is not None]
        return fmt, calls, reader.finish()
    out = _Collector()
    if fmt == "csv":
        calls = _parse_rows(_csv_rows(_decode_text(data)), out, spreadsheet=False)
    else:
        calls = _parse_rows(_xlsx_rows(data), out, spreadsheet=True)
    if not calls and not out.problems:
        out.add(Problem(gettext_noop("The file contains no calls.")))
    return fmt, calls, out.finish()


def jsonl_reader(data: bytes, *, filename: str, fmt: str | None = None) -> JsonlReader | None:
    """A JsonlReader for a JSON Lines file (None for another format), after the refusals that
    `parse_calls` makes before reading any line."""
    _check_size(data)
    if detect_format(data, filename=filename, declared=fmt) != "jsonl":
        return None
    return JsonlReader(data)
