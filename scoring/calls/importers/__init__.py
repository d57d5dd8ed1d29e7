"""Reading call files: the engine's calls JSON Lines, and CSV / XLSX with one row per turn."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from .common import (
    FORMATS,
    FileRefusedError,
    ParsedCall,
    Problem,
    _check_size,
    _Collector,
    _decode_text,
    detect_format,
    problem_location,
    render_problem,
)
from .jsonl import JsonlReader
from .rows import _csv_rows, _parse_rows, _xlsx_rows

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


__all__ = [
    "FORMATS",
    "FileRefusedError",
    "JsonlReader",
    "ParsedCall",
    "Problem",
    "detect_format",
    "jsonl_reader",
    "parse_calls",
    "problem_location",
    "render_problem",
]
