"""Reading call files: formats, row-level problems, hostile files refused before reading."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pytest
from django.test import override_settings
from django.utils import translation

from scoring.importers import FileRefusedError, parse_calls, render_problem


def jsonl(*calls: dict) -> bytes:
    return "\n".join(json.dumps(c, ensure_ascii=False) for c in calls).encode()


def a_call(call_id="C-1", agent="A1", **extra) -> dict:
    return {
        "call_id": call_id,
        "agent": agent,
        "started_at": "2026-11-02T09:15:00+08:00",
        "turns": [
            {"speaker": "agent", "text": "您好，很高兴为您服务", "start": 0.0, "end": 2.1},
            {"speaker": "customer", "text": "我想查一下话费", "start": 2.4, "end": 4.0},
        ],
        **extra,
    }


CSV_HEADER = "call_id,agent,started_at,speaker,text,start,end\n"


def test_jsonl_is_read_with_other_fields_kept():
    fmt, calls, problems = parse_calls(
        jsonl(a_call(queue="10086"), a_call("C-2")), filename="calls.jsonl"
    )
    assert fmt == "jsonl" and problems == []
    assert [c.call_id for c in calls] == ["C-1", "C-2"]
    assert calls[0].extra == {"queue": "10086"}
    assert calls[0].turns[1] == {
        "speaker": "customer",
        "text": "我想查一下话费",
        "start": 2.4,
        "end": 4.0,
    }
    assert calls[0].started_at.utcoffset().total_seconds() == 8 * 3600


def test_jsonl_problems_name_line_and_field():
    bad = a_call("C-2")
    bad["turns"][1]["speaker"] = "robot"
    bad["turns"][0]["start"] = 5.0
    _fmt, calls, problems = parse_calls(
        jsonl(a_call(), bad, a_call("C-1")) + b"\n{oops", filename="x.jsonl"
    )
    where = {(p.line, p.field) for p in problems}
    assert (2, "turns[1].speaker") in where
    assert (2, "turns[0].end") in where
    assert (3, "call_id") in where  # duplicate in the file
    assert (4, None) in where  # bad JSON
    assert [c.call_id for c in calls] == ["C-1", "C-1"]


def test_csv_rows_grouped_by_call_in_file_order():
    text = CSV_HEADER + (
        "C-1,A1,2026-11-02 09:15:00,agent,您好,0,2\n"
        "C-2,A2,2026-11-02T10:00:00+08:00,客服,您好,,\n"
        'C-1,A1,2026-11-02 09:15:00,customer,"查话费, 谢谢",2.5,4\n'
    )
    _fmt, calls, problems = parse_calls(text.encode("utf-8-sig"), filename="t.csv")
    assert problems == []
    assert [c.call_id for c in calls] == ["C-1", "C-2"]
    assert [t["text"] for t in calls[0].turns] == ["您好", "查话费, 谢谢"]
    assert calls[1].turns == [{"speaker": "agent", "text": "您好"}]


def test_csv_error_messages_in_both_languages():
    text = CSV_HEADER + "C-1,A1,yesterday,agent,您好,0,2\n"
    _fmt, _calls, problems = parse_calls(text.encode(), filename="t.csv")
    assert problems[0].line == 2 and problems[0].field == "started_at"
    with translation.override("en"):
        assert render_problem(problems[0].as_dict(), filename="t.csv").startswith(
            "t.csv:2: started_at: Not a date and time: yesterday"
        )
    with translation.override("zh-hans"):
        rendered = render_problem(problems[0].as_dict(), filename="t.csv")
        assert rendered.startswith("t.csv:2: started_at: ")


def test_csv_missing_columns():
    _fmt, calls, problems = parse_calls(b"call_id,agent\nC-1,A1\n", filename="t.csv")
    assert calls == [] and "speaker" in problems[0].params["columns"]


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_rows():
    data = xlsx_bytes(
        [
            ["call_id", "agent", "started_at", "speaker", "text", "start", "end", "channel"],
            ["C-1", "A1", "2026-11-02 09:15:00", "agent", "您好", 0, 2, "chat"],
            ["C-1", "A1", "2026-11-02 09:15:00", "customer", "你好", 2.5, 3],
        ]
    )
    fmt, calls, problems = parse_calls(data, filename="t.xlsx")
    assert fmt == "xlsx" and problems == []
    assert calls[0].channel == "chat" and len(calls[0].turns) == 2


def test_xlsx_formula_cell_refused_with_cell_named():
    data = xlsx_bytes(
        [
            ["call_id", "agent", "started_at", "speaker", "text", "start", "end"],
            ["C-1", "A1", "2026-11-02 09:15:00", "agent", '=HYPERLINK("http://x")', 0, 2],
        ]
    )
    with pytest.raises(FileRefusedError) as exc:
        parse_calls(data, filename="t.xlsx")
    assert exc.value.problem.line == 2 and exc.value.problem.column == "E"


def test_renamed_binary_refused():
    with pytest.raises(FileRefusedError) as exc:
        parse_calls(b"\x7fELF\x02\x01\x01\x00" + bytes(200), filename="calls.xlsx")
    assert "not an XLSX" in exc.value.problem.message
    with pytest.raises(FileRefusedError):
        parse_calls(b"\x7fELF\x02\x01\x01\x00" + bytes(200), filename="calls.csv")
    with pytest.raises(FileRefusedError):  # a zip that is not a workbook
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hi")
        parse_calls(buffer.getvalue(), filename="calls.xlsx")
    with pytest.raises(FileRefusedError):  # a workbook named .csv
        parse_calls(xlsx_bytes([["a"]]), filename="calls.csv")


def test_zip_bomb_refused_before_inflating():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        archive.writestr("xl/workbook.xml", "<x/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    with pytest.raises(FileRefusedError) as exc:
        parse_calls(buffer.getvalue(), filename="bomb.xlsx")
    assert "zip bomb" in exc.value.problem.message


@override_settings(QA_IMPORT_MAX_LINE_BYTES=1000)
def test_huge_line_refused_with_its_number():
    data = jsonl(a_call()) + b"\n" + b'{"call_id": "' + b"x" * 5000 + b'"}'
    with pytest.raises(FileRefusedError) as exc:
        parse_calls(data, filename="calls.jsonl")
    assert exc.value.problem.line == 2


@override_settings(QA_IMPORT_MAX_BYTES=100)
def test_too_large_refused():
    with pytest.raises(FileRefusedError) as exc:
        parse_calls(jsonl(a_call(), a_call("C-2")), filename="calls.jsonl")
    assert "too large" in exc.value.problem.message


def test_bad_encoding_refused_with_line():
    data = CSV_HEADER.encode() + "C-1,A1,2026-11-02 09:15:00,agent,您好,0,2\n".encode("gbk")
    with pytest.raises(FileRefusedError) as exc:
        parse_calls(data, filename="t.csv")
    assert exc.value.problem.line == 2
    with translation.override("en"):
        assert "UTF-8" in render_problem(exc.value.problem.as_dict())


def test_csv_injection_is_kept_as_text():
    text = CSV_HEADER + "C-1,A1,2026-11-02 09:15:00,agent,\"=cmd|' /C calc'!A0\",0,2\n"
    _fmt, calls, problems = parse_calls(text.encode(), filename="t.csv")
    assert problems == [] and calls[0].turns[0]["text"].startswith("=cmd")
