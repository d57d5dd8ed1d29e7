"""PostgreSQL fast paths for bulk writes: COPY instead of multi-row INSERT statements. Used by
the import and the automatic checks when the database is PostgreSQL; other databases use
bulk_create (same rows, same result).

Rows are produced while they are sent: COPY reads them through `_LineReader` in chunks, so the
server parses and indexes one chunk while Python prepares the next (two processes at work
instead of one after the other)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import orjson
from django.db import DatabaseError, connection

loads = orjson.loads
dumps_bytes = orjson.dumps


def dumps(value) -> str:
    return orjson.dumps(value).decode()


# How much COPY data is handed to the driver at a time. Small: once the rows run out, the
# server still has the last chunk to read while Python waits (at 256 kB, a tenth of the time
# of the automatic checks' COPY of 500 rows); 32 kB costs few calls all the same.
CHUNK_BYTES = 32 * 1024


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def field(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    # str.replace is much faster than str.translate on long JSON texts; most need neither.
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def text_array(values: Iterable[str]) -> str:
    """A text[] literal of these strings, for one `= ANY(%s::text[])` parameter: much cheaper
    than the driver adapting a list string by string."""
    return (
        "{"
        + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
        + "}"
    )


def field_bytes(value: bytes) -> bytes:
    """`field` for a text already encoded (a JSON text from orjson or from the engine)."""
    if b"\\" in value:
        value = value.replace(b"\\", b"\\\\")
    if b"\t" in value or b"\n" in value or b"\r" in value:
        value = value.replace(b"\t", b"\\t").replace(b"\n", b"\\n").replace(b"\r", b"\\r")
    return value


class _LineReader:
    """A file for `copy_expert` that takes its data from an iterable of COPY lines (str or
    bytes, each ending with a newline), a chunk at a time, as the driver asks for it. An
    exception raised by the iterable is kept: the driver would only report that the read
    failed."""

    def __init__(self, lines: Iterable[str | bytes]) -> None:
        self._lines = iter(lines)
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        pieces: list = []
        total = 0
        try:
            for line in self._lines:
                pieces.append(line)
                total += len(line)
                if total >= CHUNK_BYTES:
                    break
        except BaseException as exc:
            self.error = exc
            raise
        if not pieces:
            return b""
        if isinstance(pieces[0], str):
            return "".join(pieces).encode()
        return b"".join(pieces)


def copy_lines(table: str, columns: Sequence[str], lines: Iterable[str | bytes]) -> None:
    """COPY lines already in COPY's text format (values joined by tabs, escaped as `field`
    does, each line ending with a newline); the iterable is consumed while the data is sent."""
    reader = _LineReader(lines)
    try:
        # The driver's errors as Django's (an IntegrityError for a duplicate key), as for queries.
        with connection.wrap_database_errors, connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", reader)
    except DatabaseError as exc:
        if reader.error is not None:
            raise reader.error from exc
        raise


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    copy_lines(table, columns, ("\t".join(map(field, row)) + "\n" for row in rows))
