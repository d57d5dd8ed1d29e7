"""The monthly audit report per department and for the center: page, PDF (CJK fonts) and
Excel; scoped (a department's auditor gets only their department's)."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess

import pytest
from django.utils import timezone

from audits.walkthroughs import services
from tests.factories.walkthroughs import drilled, past_deadline, started, walk_world

pytestmark = pytest.mark.django_db
URL = "/audits/reports/monthly/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def concluded(world):
    walk = walk_world(world)
    walkthrough = past_deadline(started(walk))
    auditor = walk.users["auditor"]
    drilled(walkthrough, auditor)
    services.finding_record(
        walkthrough=walkthrough,
        by=auditor,
        grade="minor",
        description="=HYPERLINK 处理记录缺少回访时间",
        action_due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    services.walkthrough_conclude(
        walkthrough=walkthrough, by=auditor, verdict="revise", reason="补充回访时限"
    )
    return walk, walkthrough


def test_the_centers_report_lists_every_department(concluded, client):
    walk, walkthrough = concluded
    client.force_login(walk.users["auditor"])
    html = client.get(URL, {"month": "2026-11"}).content.decode()
    assert 'data-testid="report-walkthroughs"' in html
    assert html.count("data-code=") == 3
    assert walkthrough.standard.code in html and "处理记录缺少回访时间" in html


def test_a_departments_auditor_gets_only_their_department(concluded, client):
    walk, walkthrough = concluded
    client.force_login(walk.users["auditor_b"])
    html = client.get(URL, {"month": "2026-11"}).content.decode()
    assert walkthrough.standard.code not in html
    assert (
        client.get(URL, {"month": "2026-11", "department": walk.world.dep_a.pk}).status_code == 403
    )
    for name in ("agent", "teamlead", "supervisor", "owner_a"):
        client.force_login(walk.users[name])
        assert client.get(URL).status_code == 403, name


def test_excel_has_the_findings_with_formulas_neutralized(concluded, client):
    from openpyxl import load_workbook

    walk, walkthrough = concluded
    client.force_login(walk.users["manager"])
    response = client.get(
        URL, {"month": "2026-11", "department": walk.world.dep_a.pk, "format": "xlsx"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert rows[1][1] == walkthrough.standard.code
    assert rows[1][4].startswith("'=")  # text, not a formula
    first = list(book.worksheets[0].iter_rows(values_only=True))
    assert any(r[5] for r in first[2:])  # the verdict column


def test_pdf_is_typeset(concluded, client, tmp_path):
    walk, _w = concluded
    client.force_login(walk.users["auditor"])
    response = client.get(URL, {"month": "2026-11", "format": "pdf"})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        assert "WenQuanYi" in fonts or "NotoSansCJK" in fonts or "NotoSerifCJK" in fonts
    else:
        assert b"WenQuanYi" in response.content or b"NotoSansCJK" in response.content


def test_bad_parameters_are_ignored_with_a_warning(concluded, client):
    walk, _w = concluded
    client.force_login(walk.users["auditor"])
    response = client.get(URL, {"month": "2026-13", "format": "doc", "department": "x"})
    assert response.status_code == 200
    assert len(list(response.context["messages"])) == 3
