"""The monthly red-header notice: drafted once, issued with the next number, then immutable;
a correction is a new numbered notice; PDF with the CJK font."""

from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bulletins import services
from bulletins.exports import bulletin_pdf
from bulletins.models import Bulletin, Kind

MONTH = datetime.date(2026, 3, 1)


@pytest.fixture
def draft(hand_week):
    services.bulletin_generate_month(month=MONTH)
    return Bulletin.objects.get(kind=Kind.MONTHLY, period_start=MONTH)


def test_month_drafted_once_with_departments(draft, hand_week):
    assert draft.status == "draft" and draft.number == ""
    assert [d["label"] for d in draft.data["departments"]] == ["客服一部", "客服二部"]
    assert draft.data["departments"][0]["checked"] == 6
    again = services.bulletin_generate_month(month=MONTH)
    assert again.created == []
    assert Bulletin.objects.filter(kind=Kind.MONTHLY).count() == 1


def test_issue_numbers_and_freezes(draft, hand_week, settings):
    settings.QA_NOTICE_NUMBER_FORMAT = "冀客服质〔{year}〕{seq}号"
    manager = hand_week.users["manager"]
    issued = services.bulletin_issue(bulletin=draft, actor=manager, decisions="对一班通报批评。")
    year = issued.issued_at.astimezone().year
    assert issued.number == f"冀客服质〔{year}〕1号"
    assert issued.status == "issued" and issued.issued_by == manager
    fresh = Bulletin.objects.get(pk=draft.pk)
    fresh.decisions = "改写"
    with pytest.raises(ValidationError):
        fresh.save()
    with pytest.raises(ValidationError):
        services.bulletin_update_decisions(bulletin=fresh, decisions="x", actor=manager)
    with pytest.raises(ValidationError):
        services.bulletin_issue(bulletin=fresh, actor=manager)
    with pytest.raises(ValidationError):
        fresh.delete()
    assert Bulletin.objects.get(pk=draft.pk).decisions == "对一班通报批评。"


def test_numbers_are_sequential_and_a_correction_gets_its_own(draft, hand_week):
    manager = hand_week.users["manager"]
    first = services.bulletin_issue(bulletin=draft, actor=manager)
    services.bulletin_generate_month(month=datetime.date(2026, 4, 1))
    april = Bulletin.objects.get(kind=Kind.MONTHLY, period_start=datetime.date(2026, 4, 1))
    second = services.bulletin_issue(bulletin=april, actor=manager)
    correction = services.bulletin_generate_month(
        month=MONTH, revise=True, reason="一部数据有误"
    ).created[0]
    assert correction.corrects == first and correction.revision == 2
    third = services.bulletin_issue(bulletin=correction, actor=manager)
    assert [first.number_seq, second.number_seq, third.number_seq] == [1, 2, 3]
    assert len({first.number, second.number, third.number}) == 3


def test_manager_issues_from_the_page_team_lead_cannot(client, draft, hand_week):
    url = reverse("bulletins:decisions", args=[draft.pk])
    client.force_login(hand_week.users["teamlead"])
    assert client.get(reverse("bulletins:detail", args=[draft.pk])).status_code == 404
    assert client.post(url, {"decisions": "x", "issue": "1"}).status_code == 403
    client.force_login(hand_week.users["manager"])
    page = client.get(reverse("bulletins:detail", args=[draft.pk])).content.decode()
    assert 'data-testid="draft-badge"' in page
    client.post(url, {"decisions": "限期整改。", "issue": "1"})
    draft.refresh_from_db()
    assert draft.status == "issued" and draft.decisions == "限期整改。"
    # Issued notices are addressed to everyone who reads bulletins.
    client.force_login(hand_week.users["teamlead"])
    assert client.get(reverse("bulletins:detail", args=[draft.pk])).status_code == 200


def test_pdf_renders_with_the_cjk_font(draft, tmp_path):
    pdf = bulletin_pdf(draft)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        assert "WenQuanYi" in fonts or "NotoSansCJK" in fonts or "NotoSerifCJK" in fonts
    else:
        assert b"WenQuanYi" in pdf or b"NotoSansCJK" in pdf


def test_weekly_pdf_download(client, hand_week):
    services.bulletins_generate_week(week_start=datetime.date(2026, 3, 2))
    client.force_login(hand_week.users["manager"])
    center = Bulletin.objects.get(kind=Kind.WEEKLY, scope_key="center")
    response = client.get(reverse("bulletins:pdf", args=[center.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
