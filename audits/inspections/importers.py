"""Reading a third-party evaluation file (CSV or XLSX): one row per department (or team) and
item. The file is read and refused exactly as call imports are (scoring.calls.importers: size,
type, encoding, zip bombs, formula cells, damaged workbooks); the rows are checked here, every
problem reported with the file, the line and the field, in one pass."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from scoring.calls.importers.common import (
    MAX_PROBLEMS,
    FileRefusedError,
    Problem,
    _check_size,
    _decode_text,
    detect_format,
    render_problem,
)
from scoring.calls.importers.rows import _csv_rows, _xlsx_rows

COLUMNS = ("department", "team", "item", "score", "samples", "comment")
REQUIRED = ("department", "item", "score")
# Chinese headings an evaluator's template uses.
HEADER_ALIASES = {
    "部门": "department",
    "班组": "team",
    "团队": "team",
    "项目": "item",
    "测评项目": "item",
    "得分": "score",
    "分数": "score",
    "样本数": "samples",
    "样本量": "samples",
    "备注": "comment",
    "说明": "comment",
}


@dataclass(frozen=True)
class RowProblem:
    """What is wrong, where: the line of the file (None: the file itself) and the field."""

    line: int | None
    field: str
    message: str

    def render(self, filename: str) -> str:
        where = f"{filename}:{self.line}" if self.line else filename
        return f"{where}: {self.field}: {self.message}"


class ThirdPartyFileRefusedError(Exception):
    """Nothing was imported: the file's refusal or every row's problems."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.line}: {p.field}: {p.message}" for p in problems))


@dataclass
class ResultRow:
    line: int
    department: str
    team: str
    item: str
    score: Any
    samples: Any
    comment: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(data: bytes, *, filename: str) -> list[ResultRow]:
    """The rows of the file; ThirdPartyFileRefusedError when the file cannot be read or has no
    header or no rows."""
    try:
        _check_size(data)
        fmt = detect_format(data, filename=filename)
        if fmt == "jsonl":
            raise FileRefusedError(
                Problem(gettext_noop("Third-party results are imported from CSV or XLSX files."))
            )
        lines = list(_csv_rows(_decode_text(data)) if fmt == "csv" else _xlsx_rows(data))
    except FileRefusedError as exc:
        problem = exc.problem.as_dict()
        problem_line = problem.pop("line", None)
        raise ThirdPartyFileRefusedError(
            [RowProblem(problem_line, _("file"), render_problem(problem))]
        ) from None
    header: list[str] | None = None
    rows: list[ResultRow] = []
    for number, cells in lines:
        values = [_text(c) for c in cells]
        if not any(values):
            continue
        if header is None:
            header = [HEADER_ALIASES.get(v, v.lower()) for v in values]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise ThirdPartyFileRefusedError(
                    [
                        RowProblem(
                            number,
                            _("header"),
                            _("Missing columns: %(columns)s. Expected: %(expected)s.")
                            % {"columns": ", ".join(missing), "expected": ", ".join(COLUMNS)},
                        )
                    ]
                )
            seen = [c for c in header if c in COLUMNS]
            twice = sorted({c for c in seen if seen.count(c) > 1})
            if twice:
                raise ThirdPartyFileRefusedError(
                    [
                        RowProblem(
                            number,
                            _("header"),
                            _("Column %(column)s appears twice.") % {"column": twice[0]},
                        )
                    ]
                )
            continue
        record = dict(zip(header, values, strict=False))
        rows.append(
            ResultRow(
                line=number,
                department=record.get("department", ""),
                team=record.get("team", ""),
                item=record.get("item", ""),
                score=record.get("score", ""),
                samples=record.get("samples", ""),
                comment=record.get("comment", ""),
            )
        )
    if not rows:
        raise ThirdPartyFileRefusedError(
            [RowProblem(None, _("file"), _("The file contains no rows."))]
        )
    return rows


def check_rows(
    rows: list[ResultRow], *, departments: dict[str, Any], teams: dict[tuple[int, str], Any]
) -> tuple[list[dict], list[RowProblem]]:
    """Each row checked against the units the importer may import for (`departments` by code
    and by name; `teams` by (department id, code or name)): the values to store, and every
    problem (at most MAX_PROBLEMS)."""
    problems: list[RowProblem] = []
    good: list[dict] = []

    def add(line: int, field: str, message: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(RowProblem(line, field, message))

    for row in rows:
        before = len(problems)
        department = departments.get(row.department)
        if not row.department:
            add(row.line, "department", _("The department is missing."))
        elif department is None:
            add(
                row.line,
                "department",
                _("Unknown department %(value)s, or not in your scope.")
                % {"value": row.department},
            )
        team = None
        if row.team and department is not None:
            team = teams.get((department.pk, row.team))
            if team is None:
                add(
                    row.line,
                    "team",
                    _("Unknown team %(value)s in %(department)s.")
                    % {"value": row.team, "department": department.name},
                )
        if not row.item:
            add(row.line, "item", _("The item is missing."))
        elif len(row.item) > 200:
            add(row.line, "item", _("The item is longer than 200 characters."))
        score = None
        try:
            score = Decimal(str(row.score).strip().rstrip("%"))
            if not score.is_finite() or not (0 <= score <= 100):
                raise InvalidOperation
            score = score.quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            add(
                row.line,
                "score",
                _("The score must be a number from 0 to 100, not %(value)s.")
                % {"value": row.score or "''"},
            )
        samples = 1
        if row.samples:
            try:
                samples = int(Decimal(str(row.samples)))
                if samples < 1 or samples > 1_000_000 or Decimal(str(row.samples)) != samples:
                    raise ValueError
            except (InvalidOperation, ValueError):
                add(
                    row.line,
                    "samples",
                    _("Samples must be a whole number from 1, not %(value)s.")
                    % {"value": row.samples},
                )
        if len(row.comment) > 2000:
            add(row.line, "comment", _("The comment is longer than 2000 characters."))
        if len(problems) == before:
            good.append(
                {
                    "line": row.line,
                    "department": department,
                    "team": team,
                    "item": row.item,
                    "score": score,
                    "samples": samples,
                    "comment": row.comment,
                }
            )
    return good, problems


def month_of(value: datetime.date) -> datetime.date:
    return value.replace(day=1)
