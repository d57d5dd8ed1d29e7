"""CSV and XLSX files: one row per turn, grouped into calls."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop

from .common import (
    MAX_TURNS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ROW_COLUMNS,
    SPEAKER_ALIASES,
    FileRefusedError,
    ParsedCall,
    Problem,
    _as_text,
    _check_call_fields,
    _check_turn,
    _Collector,
    _unstorable_problem,
)

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
            twice = sorted({c for c in columns if c and columns.count(c) > 1})
            if twice:
                # Which of the two would be read is anybody's guess: say so rather than pick.
                for name in twice:
                    out.add(
                        Problem(
                            gettext_noop("Column %(column)s appears twice in the header."),
                            {"column": name},
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
        # A text decoded as UTF-8 has neither NUL (refused with the file) nor surrogates, nor
        # does XML; a crafted workbook may still hold a NaN number.
        storable = True
        for name, value in values.items():
            problem = _unstorable_problem(value)
            if problem:
                storable = False
                message, params = problem
                out.add(
                    Problem(message, params, line=number, field=name, column=column_of.get(name))
                )
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
        if fields is None or not storable:
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


def _unreadable(exc: Exception) -> FileRefusedError:
    """The refusal of a workbook openpyxl could not read (opening it or reading its rows)."""
    from defusedxml import DefusedXmlException

    # openpyxl wraps what it caught ("Unable to read workbook"): look along the chain.
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, DefusedXmlException):
        cause = cause.__cause__ or cause.__context__
    if cause is not None:
        # defusedxml (under openpyxl) refused a DTD, an entity or an external reference:
        # say so in the user's language, not in defusedxml's English.
        return FileRefusedError(
            Problem(
                gettext_noop(
                    "The workbook contains XML entity declarations, which are refused for "
                    "safety. Open it in Excel, save it again as .xlsx and import that file."
                )
            )
        )
    return FileRefusedError(
        Problem(
            gettext_noop("The XLSX workbook cannot be read: %(error)s."),
            {"error": str(exc)[:200]},
        )
    )


def _xlsx_rows(data: bytes):
    import openpyxl
    from openpyxl.utils import get_column_letter

    _check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise _unreadable(exc) from None
    try:
        sheet = workbook.worksheets[0]
        # Read-only mode parses the sheet while its rows are read: its XML is refused here.
        rows = _sheet_rows(sheet)
        for number, row in rows:
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


def _sheet_rows(sheet):
    """(row number, row) of the sheet, a damaged sheet refused as a damaged workbook is."""
    rows = enumerate(sheet.iter_rows(), start=1)
    while True:
        try:
            item = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - as for load_workbook
            raise _unreadable(exc) from None
        yield item
