"""PostgreSQL fast paths for bulk writes: COPY instead of multi-row INSERT statements. Used by
the import and the automatic checks when the database is PostgreSQL; other databases use
bulk_create (same rows, same result)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.db import connection

try:
    import orjson

    def dumps(value) -> str:
        return orjson.dumps(value).decode()

    loads = orjson.loads
except ImportError:  # pragma: no cover
    import json

    def dumps(value) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    loads = json.loads


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


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(field(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
