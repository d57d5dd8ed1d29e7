"""Template files for the import, one per format (CSV, XLSX, JSON Lines): the columns the
importer reads, filled with two example calls, so a new user starts from a file that imports
(with their own employee numbers)."""

from __future__ import annotations

import csv
import io
import json

from django.http import Http404, HttpRequest, HttpResponse

from qa_center.permissions import capability_required
from scoring.calls.importers.common import OPTIONAL_COLUMNS, ROW_COLUMNS

EXAMPLE = [
    {
        "call_id": "C-0001",
        "agent": "A1001",
        "started_at": "2026-11-02 09:15:00",
        "turns": [
            ("agent", "您好，很高兴为您服务，请问有什么可以帮您？", 0.0, 3.2),
            ("customer", "我想查一下我的话费。", 3.6, 5.4),
            ("agent", "好的，请稍等，我帮您查询。", 5.8, 8.0),
            ("agent", "感谢您的来电，再见。", 30.0, 32.1),
        ],
    },
    {
        "call_id": "C-0002",
        "agent": "A1002",
        "started_at": "2026-11-02 10:02:30",
        "turns": [
            ("agent", "您好，很高兴为您服务。", 0.0, 2.0),
            ("customer", "我的宽带断了。", 2.5, 4.0),
        ],
    },
]
COLUMNS = [*ROW_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c not in ROW_COLUMNS)]


def _rows():
    for call in EXAMPLE:
        for speaker, text, start, end in call["turns"]:
            row = {c: "" for c in COLUMNS}
            row.update(
                call_id=call["call_id"],
                agent=call["agent"],
                started_at=call["started_at"],
                speaker=speaker,
                text=text,
                start=start,
                end=end,
            )
            yield row


def template_file(fmt: str) -> tuple[bytes, str]:
    """The template's bytes and content type for `fmt` (csv, xlsx, jsonl)."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(_rows())
        return out.getvalue().encode("utf-8"), "text/csv; charset=utf-8"
    if fmt == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(COLUMNS)
        for row in _rows():
            sheet.append([row[c] for c in COLUMNS])
        out = io.BytesIO()
        workbook.save(out)
        return (
            out.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if fmt == "jsonl":
        lines = []
        for call in EXAMPLE:
            turns = [
                {"speaker": s, "text": t, "start": a, "end": b} for s, t, a, b in call["turns"]
            ]
            started = call["started_at"].replace(" ", "T") + "+08:00"
            line = {"call_id": call["call_id"], "agent": call["agent"], "started_at": started}
            lines.append(json.dumps({**line, "turns": turns}, ensure_ascii=False))
        return ("\n".join(lines) + "\n").encode("utf-8"), "application/x-ndjson; charset=utf-8"
    raise Http404


@capability_required("import")
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    content, content_type = template_file(fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="calls-template.{fmt}"'
    return response
