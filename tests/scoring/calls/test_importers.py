"""Reading call files: formats, row-level problems, hostile files refused before reading."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pytest
from django.test import override_settings
from django.utils import translation

from scoring.calls.importers import FileRefusedError, parse_calls, render_problem


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


# --- The fast path for JSON Lines reads what the full validation reads -------------------------

# Turns in canonical form (taken by the fast path) and every kind of turn that is not (left to
# the full validation): the result must be the same whichever path a line takes.
_TRICKY_TURNS = [
    {"speaker": "agent", "text": "您好", "start": 0.0, "end": 2.5},
    {"speaker": "customer", "text": "话费", "start": 0, "end": 2},  # int times: floats
    {"speaker": "agent", "text": "", "start": 3, "end": 3.0},  # start == end
    {"speaker": "agent", "text": "x", "start": -0.0, "end": 0},
    {"speaker": "agent", "text": "x"},  # no times
    {"speaker": "agent", "text": "x", "start": None, "end": 1.5},
    {"speaker": "customer", "text": "x", "start": 1.5},
    {"speaker": "agent", "text": "x", "end": 9007199254740993},  # an int beyond float precision
    {"speaker": "agent", "text": "x", "confidence": 0.9, "words": [1, 2]},  # other keys dropped
    {"speaker": "Agent", "text": "x"},
    {"speaker": " customer ", "text": "x"},
    {"speaker": "坐席", "text": "x"},  # an alias of spreadsheets only
    {"speaker": "a", "text": "x"},
    {"speaker": "robot", "text": "x"},
    {"speaker": 1, "text": "x"},
    {"text": "x"},
    {"speaker": "agent"},  # no text: ""
    {"speaker": "agent", "text": None},
    {"speaker": "agent", "text": 12},
    {"speaker": "agent", "text": 1.5},
    {"speaker": "agent", "text": True},
    {"speaker": "agent", "text": ["x"]},
    {"speaker": "agent", "text": "x", "start": "1.5", "end": " 2 "},  # numbers as text
    {"speaker": "agent", "text": "x", "start": "", "end": "abc"},
    {"speaker": "agent", "text": "x", "start": -1, "end": 2},
    {"speaker": "agent", "text": "x", "start": 0.5, "end": -0.5},
    {"speaker": "agent", "text": "x", "start": 5, "end": 3},  # ends before it starts
    {"speaker": "agent", "text": "x", "start": 5.5, "end": 3.25},
    {"speaker": "agent", "text": "x", "start": True, "end": False},
    {"speaker": "agent", "text": "x", "start": 1e300, "end": 1e308},
    {"speaker": "agent", "text": "x", "start": 9223372036854775807},
    {"speaker": "agent", "text": "x", "start": 18446744073709551615},
    {"speaker": "agent", "text": "x", "end": [1]},
    "not a turn",
    None,
]
_CALL_FIELDS = [
    {},
    {"call_id": 123, "agent": 1001.0},
    {"call_id": 12345678901234567890123},  # json: an int; orjson: a float
    {"agent": -12345678901234567890123},
    {"queue": {"ids": [1, 12345678901234567890123]}},  # kept as other fields
    {"queue": {"rate": 0.5, "tags": ["a", None, True]}},
    {"duration": 12345678901234567890123},
    {"duration": "12", "channel": "CHAT"},
    {"duration_seconds": -1},
    {"started_at": "2026-11-02T09:15:00"},  # local time
    {"started_at": "yesterday"},
    {"recording_url": "ftp://x"},
]


def _lines() -> list[str]:
    lines = []
    for index, turn in enumerate(_TRICKY_TURNS):
        call = a_call(f"T-{index}")
        call["turns"].insert(1, turn)
        lines.append(json.dumps(call, ensure_ascii=False))
    for index, fields in enumerate(_CALL_FIELDS):
        lines.append(json.dumps({**a_call(f"F-{index}"), **fields}, ensure_ascii=False))
    lines += [
        json.dumps(a_call("OK-1")),  # \u escapes
        json.dumps(a_call("OK-2"), ensure_ascii=False, indent=None, separators=(" ,", " : ")),
        '{"call_id": "D-1", "call_id": "D-2", "agent": "A1", "started_at": "2026-11-02T09:15:00'
        '+08:00", "turns": [{"speaker": "customer", "speaker": "agent", "text": "x"}]}',
        json.dumps(a_call("NAN")).replace('"start": 0.0', '"start": NaN'),
        json.dumps(a_call("INF")).replace('"end": 2.1', '"end": Infinity'),
        json.dumps(a_call("SURROGATE")).replace("\\u60a8", "\\ud800"),
        json.dumps(a_call("EMPTY", turns=[])),
        json.dumps(a_call("NOT-LIST", turns={"speaker": "agent"})),
        json.dumps(a_call("MANY", turns=[{"speaker": "agent", "text": "x"}] * 4)),
        json.dumps([a_call("LIST")]),
        '"a string"',
        "\u3000",  # blank to str.strip
        '{"call_id": "BAD", ',
        '{"call_id": "CTRL\t"}',
        json.dumps(a_call("LAST")) + "\r",
    ]
    return lines


def _read(lines: list[str]):
    _fmt, calls, problems = parse_calls("\n".join(lines).encode(), filename="x.jsonl")
    # repr tells 1 from 1.0, and shows every field of every call and problem.
    return repr(calls), [repr(p.as_dict()) for p in problems]


def test_jsonl_fast_path_reads_what_the_full_validation_reads(monkeypatch):
    from scoring.calls.importers import common, jsonl

    for module in (common, jsonl):
        monkeypatch.setattr(module, "MAX_TURNS", 3)
    lines = _lines()
    fast = _read(lines)
    taken = [read[0]["call_id"] for line in lines if (read := jsonl._fast_call(line))]
    monkeypatch.setattr(jsonl, "orjson", None)  # every line through the full validation
    assert [jsonl._fast_call(line) for line in lines] == [None] * len(lines)
    assert fast == _read(lines)
    # Not vacuous: lines with canonical turns (and call fields json reads as orjson does) took
    # the fast path, whether their call fields are right or not; the others did not.
    assert taken == [f"T-{i}" for i in (0, 1, 2, 3, 4, 5, 6, 7, 8, 30)] + [
        "F-0",
        123,
        *(f"F-{i}" for i in (5, 7, 8, 9, 10, 11)),
        "OK-1",
        "OK-2",
        "D-2",
        "LAST",
    ]


def test_jsonl_fast_path_turns_are_the_full_validations():
    from scoring.calls.importers import common, jsonl

    for turn in _TRICKY_TURNS:
        line = json.dumps(a_call(turns=[turn]))
        fast = jsonl._fast_call(line)
        out = common._Collector()
        full = common._check_turn(
            json.loads(line)["turns"][0],
            index=0,
            line=1,
            out=out,
            prefix="turns[0]",
            aliases=common.SPEAKERS,
        )
        if fast is not None:
            assert repr(fast[1]) == repr([full]) and out.problems == []


def _refusal(data: bytes):
    from scoring.calls import importers

    try:
        importers.parse_calls(data, filename="x.jsonl")
    except FileRefusedError as exc:
        return exc.problem.as_dict()
    return None


@pytest.mark.parametrize(
    ("lines", "line"),
    [
        ([a_call("C-1"), a_call("C-2"), "BAD"], 3),  # after lines read quickly
        (["BAD", a_call("C-2")], 1),
        ([a_call("C-1"), "", "BAD", "\x00"], 3),  # not UTF-8 comes before NUL
        (["\ufeff", a_call("C-1"), "BAD"], 3),
        ([a_call("C-1"), "\x00", a_call("C-2")], None),  # NUL: no line
        ([a_call("C-1"), {"not": "a call"}, "\x00"], None),
    ],
)
def test_jsonl_refusals_as_for_any_text(lines, line, monkeypatch):
    """Lines read as bytes (UTF-8 checked by orjson or by decoding) are refused as the whole
    text decoded at once was: not UTF-8 on the line of the first bad byte, then NUL."""
    from scoring.calls.importers import common, jsonl

    bad = json.dumps(a_call("C-9"), ensure_ascii=False).encode().replace("您".encode(), b"\xe4\xbd")
    # Past the first 64 kB, where a NUL makes the file look binary.
    padding = [a_call(f"P-{i}") for i in range(240)]
    data = b"\n".join(
        bad
        if item == "BAD"
        else (item.encode() if isinstance(item, str) else json.dumps(item).encode())
        for item in [*lines[:1], *padding, *lines[1:]]
    )
    assert len(data) > 65536
    data = data.replace(b"\n\x00", b"\n" + json.dumps(a_call("C-8")).encode()[:-1] + b"\x00}")
    refused = _refusal(data)
    assert refused is not None and refused["line"] == (line and line + (line > 1) * 240)
    message = "UTF-8" if line else "NUL"
    with translation.override("en"):
        assert message in render_problem(refused)
    # The same file decoded as a whole, every line read by the full validation.
    monkeypatch.setattr(jsonl, "orjson", None)
    assert _refusal(data) == refused
    with pytest.raises(FileRefusedError) as exc:
        common._decode_text(data)
    assert exc.value.problem.as_dict() == refused
