"""The KPI pages of kpi-core, in both languages: catalogue, indicator, targets (set the center's,
cascade, tighten, activate), import (all or nothing), shortfalls."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kpi.models import Measurement, Target
from kpi.services import catalogue_load, period_close
from tests.factories.kpi import indicator, record, target

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang,word", [("en", "Indicators"), ("zh-hans", "指标")])
def test_catalogue_in_both_languages(client, world, lang, word):
    catalogue_load()
    client.force_login(world.users["teamlead"])
    client.cookies["django_language"] = lang
    page = client.get("/kpi/")
    assert page.status_code == 200
    text = page.content.decode()
    assert word in text
    assert ("接通率" if lang.startswith("zh") else "Service level") in text
    detail = client.get("/kpi/indicators/service_level/")
    assert detail.status_code == 200
    assert ("短时放弃" if lang.startswith("zh") else "short abandons") in detail.content.decode()


def test_a_manager_sets_the_center_target_and_it_cascades(client, world):
    sl = indicator("sl")
    client.force_login(world.users["manager"])
    answer = client.post(
        "/kpi/targets/center/",
        {
            "indicator": sl.pk,
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
            "value": "80",
            "amber_percent": "5",
        },
    )
    center = Target.objects.get(level="center")
    assert answer.status_code == 302 and answer.url == f"/kpi/targets/{center.pk}/"
    assert center.value == Decimal("0.8") and center.status == "draft"
    assert Target.objects.filter(level="department", parent=center).count() == 2
    assert Target.objects.filter(level="team").count() == 3
    assert Target.objects.filter(level="agent").count() == 7
    assert set(Target.objects.filter(level="agent").values_list("value", flat=True)) == {
        center.value
    }
    page = client.get(f"/kpi/targets/{center.pk}/")
    assert page.status_code == 200 and b'data-testid="consistency"' in page.content


def test_a_team_lead_tightens_their_team_and_cannot_loosen_it(client, world):
    sl = indicator("sl")
    center = target(sl, "0.8", status="draft")
    dep = target(sl, "0.8", level="department", unit=world.dep_a, parent=center, status="draft")
    team = target(sl, "0.8", level="team", unit=world.team_a1, parent=dep, status="draft")
    other = target(sl, "0.8", level="team", unit=world.team_a2, parent=dep, status="draft")
    client.force_login(world.users["teamlead"])
    client.post(f"/kpi/targets/{team.pk}/tighten/", {"value": "85"})
    team.refresh_from_db()
    assert team.value == Decimal("0.85")
    client.post(f"/kpi/targets/{team.pk}/tighten/", {"value": "70"})
    team.refresh_from_db()
    assert team.value == Decimal("0.85")
    assert client.post(f"/kpi/targets/{other.pk}/tighten/", {"value": "90"}).status_code == 404
    listing = client.get("/kpi/targets/").content.decode()
    assert 'data-unit="team:a1"' in listing and 'data-unit="team:a2"' not in listing


def test_activation_needs_smart_or_a_justification(client, world):
    sl = indicator("sl")
    a = world.agents["a1"][0]
    record(sl, [("agent", a.employee_no, f"2025-{m:02d}-10", 70, 100) for m in range(1, 13)])
    # Above anything the history reached, and linked to nothing: fails SMART.
    t = target(sl, "0.99", status="draft")
    client.force_login(world.users["manager"])
    page = client.get(f"/kpi/targets/{t.pk}/").content.decode()
    assert 'data-key="attainable" data-met="no"' in page
    client.post(f"/kpi/targets/{t.pk}/activate/", {"justification": ""})
    t.refresh_from_db()
    assert t.status == "draft"
    client.post(f"/kpi/targets/{t.pk}/activate/", {"justification": "新系统上线后预计可达"})
    t.refresh_from_db()
    assert t.status == "active"


def test_import_all_or_nothing_and_refusals(client, world):
    indicator("sl")
    client.force_login(world.users["supervisor"])
    a = world.agents["a1"][0]
    good = f"indicator,scope,unit,date,numerator,denominator\nsl,agent,{a.employee_no},2026-03-02,8,10\n"
    bad = good + "sl,agent,NOBODY,2026-03-02,8,10\n"
    page = client.post(
        "/kpi/measurements/import/", {"file": SimpleUploadedFile("m.csv", bad.encode())}
    )
    assert b'data-testid="problems"' in page.content and not Measurement.objects.exists()
    old_excel = SimpleUploadedFile("m.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    client.cookies["django_language"] = "en"
    page = client.post("/kpi/measurements/import/", {"file": old_excel})
    assert b".xlsx" in page.content and not Measurement.objects.exists()
    client.post("/kpi/measurements/import/", {"file": SimpleUploadedFile("m.csv", good.encode())})
    assert Measurement.objects.get().numerator == 8


def test_xlsx_import(client, world):
    import io

    import openpyxl

    indicator("aht", measure="mean")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["指标", "范围", "工号", "日期", "值", "次数"])
    sheet.append(
        ["aht", "agent", world.agents["a1"][0].employee_no, datetime.date(2026, 3, 2), 300, 12]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(world.users["admin"])
    client.post(
        "/kpi/measurements/import/", {"file": SimpleUploadedFile("m.xlsx", buffer.getvalue())}
    )
    row = Measurement.objects.get()
    assert (row.numerator, row.denominator) == (3600, 12)


def test_agents_and_team_leads_cannot_import(client, world):
    client.force_login(world.users["teamlead"])
    assert client.get("/kpi/measurements/import/").status_code == 403


def test_shortfalls_page_shows_the_team_leads_own(client, world):
    sl = indicator("sl")
    record(sl, [("agent", world.agents["a1"][0].employee_no, "2026-03-02", 1, 10)])
    record(sl, [("agent", world.agents["b1"][0].employee_no, "2026-03-02", 1, 10)])
    target(sl, "0.8", level="team", unit=world.team_a1)
    target(sl, "0.8", level="team", unit=world.team_b1)
    period_close(kind="month", day=datetime.date(2026, 3, 1))
    client.force_login(world.users["teamlead"])
    page = client.get("/kpi/shortfalls/").content.decode()
    assert 'data-unit="team:a1"' in page and 'data-unit="team:b1"' not in page
    assert client.get("/kpi/shortfalls/?kind=nope").status_code == 200
