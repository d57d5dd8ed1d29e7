"""Third-party evaluation imports: CSV/XLSX, every row or none, each problem with the file, the
line and the field; the call import's refusals of bad files; rows outside the importer's scope
are problems; results seen per department and team."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from audits.inspections import services
from audits.inspections.importers import ThirdPartyFileRefusedError
from audits.inspections.models import ThirdPartyEvaluation, ThirdPartyResult
from audits.inspections.selectors import third_party_summary, visible_third_party
from tests.factories.actions import dep_a_people

pytestmark = pytest.mark.django_db
MONTH = datetime.date(2026, 11, 1)


def _csv(world, *rows: str) -> bytes:
    header = "部门,班组,项目,得分,样本数,备注"
    return ("\n".join([header, *rows]) + "\n").encode()


def _import(by, data: bytes, filename="mystery.csv"):
    """In English, so the tests can read the messages (the zh_Hans ones are the catalogue's)."""
    with translation.override("en"):
        return services.third_party_import(
            by=by,
            data=data,
            filename=filename,
            evaluator="某调研公司",
            method="mystery_call",
            month=MONTH,
        )


def test_a_good_file_is_imported_whole(world):
    people = dep_a_people(world)
    data = _csv(
        world,
        "dep-a,a1,开场白,92.5,20,良好",
        "客服一部,,业务解答准确,88,30,",
        "dep-a,二班,结束语,100,,",
    )
    evaluation = _import(world.users["admin"], data)
    rows = list(evaluation.results.order_by("line"))
    assert [(r.line, r.department, r.team, r.item, float(r.score), r.samples) for r in rows] == [
        (2, world.dep_a, world.team_a1, "开场白", 92.5, 20),
        (3, world.dep_a, None, "业务解答准确", 88.0, 30),
        (4, world.dep_a, world.team_a2, "结束语", 100.0, 1),
    ]
    assert len(evaluation.sha256) == 64 and evaluation.period_start == MONTH
    assert visible_third_party(people["auditor_b"]).count() == 0
    assert visible_third_party(people["auditor_a"]).get() == evaluation


def test_every_bad_row_is_reported_and_nothing_is_stored(world):
    data = _csv(
        world,
        "dep-a,a1,开场白,92,20,",
        "nowhere,,项目,80,,",
        "dep-a,zz,,abc,0.5,",
        "dep-a,,项目,101,,",
    )
    with pytest.raises(ThirdPartyFileRefusedError) as exc:
        _import(world.users["admin"], data)
    found = {(p.line, p.field) for p in exc.value.problems}
    assert found == {
        (3, "department"),
        (4, "team"),
        (4, "item"),
        (4, "score"),
        (4, "samples"),
        (5, "score"),
    }
    assert "mystery.csv:3: department:" in exc.value.problems[0].render("mystery.csv")
    assert not ThirdPartyEvaluation.objects.exists() and not ThirdPartyResult.objects.exists()


def test_rows_outside_the_importers_scope_are_refused(world):
    people = dep_a_people(world)
    data = _csv(world, "dep-a,,开场白,92,,", "dep-b,,开场白,90,,")
    with pytest.raises(ThirdPartyFileRefusedError) as exc:
        _import(people["auditor_a"], data)
    assert [(p.line, p.field) for p in exc.value.problems] == [(3, "department")]
    assert not ThirdPartyEvaluation.objects.exists()


@pytest.mark.parametrize(
    "data, filename, words",
    [
        (b"", "empty.csv", "no rows"),
        ("部门,得分\n一部,90\n".encode(), "cols.csv", "Missing columns"),
        ("部门,项目,得分\n".encode("utf-16"), "wide.csv", "UTF-16"),
        ("部门,项目,得分\n一部,开场,９0\n".encode("gbk"), "gbk.csv", "UTF-8"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", ".xls"),
        (b"not a zip", "fake.xlsx", "not an Excel file"),
        (b'{"call_id": 1}\n', "calls.jsonl", "CSV or XLSX"),
    ],
)
def test_bad_files_are_refused_like_the_call_import(world, data, filename, words):
    with pytest.raises(ThirdPartyFileRefusedError) as exc:
        _import(world.users["admin"], data, filename=filename)
    assert words in " ".join(p.message for p in exc.value.problems)
    assert not ThirdPartyEvaluation.objects.exists()


def test_a_file_over_the_size_limit_is_refused(world, settings):
    settings.QA_IMPORT_MAX_BYTES = 100
    with pytest.raises(ThirdPartyFileRefusedError) as exc:
        _import(world.users["admin"], _csv(world, *["dep-a,,开场白,90,,"] * 20))
    assert "too large" in exc.value.problems[0].message


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_is_read_and_formula_cells_refused(world):
    good = _xlsx([["department", "item", "score"], ["dep-a", "满意度", 95]])
    assert _import(world.users["admin"], good, filename="s.xlsx").results.count() == 1
    formula = _xlsx([["department", "item", "score"], ["dep-a", "满意度", "=90+5"]])
    with pytest.raises(ThirdPartyFileRefusedError) as exc:
        _import(world.users["admin"], formula, filename="f.xlsx")
    assert "Formula" in exc.value.problems[0].message
    assert ThirdPartyEvaluation.objects.count() == 1


def test_results_are_seen_per_department(world):
    people = dep_a_people(world)
    data = _csv(world, "dep-a,a1,开场白,90,,", "dep-a,a1,结束语,80,,", "dep-b,,开场白,70,,")
    evaluation = _import(world.users["admin"], data)
    assert third_party_summary(people["auditor_a"], evaluation) == [
        {"department": "客服一部", "team": "一班", "mean": 85.0, "items": 2}
    ]
    assert [r["department"] for r in third_party_summary(people["auditor_b"], evaluation)] == [
        "客服二部"
    ]


def test_the_import_page_lists_problems_and_the_api_answers_400(client, world):
    people = dep_a_people(world)
    client.force_login(people["auditor_a"])
    bad = _csv(world, "dep-b,,开场白,90,,")
    response = client.post(
        reverse("inspections:third_party_import"),
        {
            "evaluator": "调研公司",
            "method": "survey",
            "month": "2026-11-01",
            "file": SimpleUploadedFile("s.csv", bad),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="problems"' in page and "s.csv" in page
    api = APIClient()
    api.force_authenticate(people["auditor_a"])
    response = api.post(
        "/api/v1/third-party-evaluations/",
        {
            "evaluator": "调研公司",
            "method": "survey",
            "month": "2026-11-01",
            "file": SimpleUploadedFile("s.csv", bad),
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["problems"][0] == {
        "file": "s.csv",
        "line": 2,
        "field": "department",
        "message": response.json()["problems"][0]["message"],
    }
    good = _csv(world, "dep-a,,开场白,90,,")
    response = api.post(
        "/api/v1/third-party-evaluations/",
        {
            "evaluator": "调研公司",
            "method": "survey",
            "month": "2026-11-01",
            "file": SimpleUploadedFile("g.csv", good),
        },
        format="multipart",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    assert len(api.get(f"/api/v1/third-party-evaluations/{pk}/results/").json()) == 1
    api.force_authenticate(people["auditor_b"])
    assert api.get(f"/api/v1/third-party-evaluations/{pk}/").status_code == 404
