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
    first = services.bulletin_issue(bulletin=draft, actor=manager, decisions="通报。")
    services.bulletin_generate_month(month=datetime.date(2026, 4, 1))
    april = Bulletin.objects.get(kind=Kind.MONTHLY, period_start=datetime.date(2026, 4, 1))
    second = services.bulletin_issue(bulletin=april, actor=manager, decisions="通报。")
    correction = services.bulletin_generate_month(
        month=MONTH, revise=True, reason="一部数据有误"
    ).created[0]
    assert correction.corrects == first and correction.revision == 2
    third = services.bulletin_issue(bulletin=correction, actor=manager, decisions="更正。")
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
    # The first click only shows the number it will take; nothing is issued yet.
    confirm = client.post(url, {"decisions": "限期整改。", "issue": "1"}).content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.decisions == "限期整改。"
    number = services.bulletin_next_number()
    assert f'data-testid="confirm-number">{number}<' in confirm
    client.post(url, {"decisions": "限期整改。", "issue": "1", "confirm_number": number})
    draft.refresh_from_db()
    assert draft.status == "issued" and draft.decisions == "限期整改。"
    assert draft.number == number
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


@pytest.mark.parametrize("decisions", ["", "  \n "])
def test_a_notice_without_decisions_cannot_be_issued(client, draft, hand_week, decisions):
    """The placeholder "(to be written by the manager before issuing)" was printed in an issued
    notice: the service, the page and the confirmation all refuse an empty one now."""
    manager = hand_week.users["manager"]
    with pytest.raises(ValidationError, match="decisions|决定事项"):
        services.bulletin_issue(bulletin=draft, actor=manager, decisions=decisions)
    client.force_login(manager)
    url = reverse("bulletins:decisions", args=[draft.pk])
    number = services.bulletin_next_number()
    for extra in ({}, {"confirm_number": number}):
        response = client.post(url, {"decisions": decisions, "issue": "1", **extra}, follow=True)
        assert 'data-testid="issue-confirm"' not in response.content.decode()
        assert any(
            "decisions" in str(m).lower() or "决定" in str(m) for m in response.context["messages"]
        )
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.number == ""


def test_confirmation_refuses_a_number_taken_meanwhile(draft, hand_week):
    manager = hand_week.users["manager"]
    seen = services.bulletin_next_number()
    services.bulletin_generate_month(month=datetime.date(2026, 4, 1))
    april = Bulletin.objects.get(kind=Kind.MONTHLY, period_start=datetime.date(2026, 4, 1))
    services.bulletin_issue(bulletin=april, actor=manager, decisions="通报。", expected_number=seen)
    with pytest.raises(ValidationError) as refused:
        services.bulletin_issue(
            bulletin=draft, actor=manager, decisions="通报。", expected_number=seen
        )
    assert services.bulletin_next_number() in refused.value.messages[0]
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_correction_names_the_notice_it_corrects_without_doubling_hao(draft, hand_week, settings):
    from django.utils import translation

    settings.QA_NOTICE_NUMBER_FORMAT = "冀客服质〔{year}〕{seq}号"
    manager = hand_week.users["manager"]
    first = services.bulletin_issue(bulletin=draft, actor=manager, decisions="通报。")
    correction = services.bulletin_generate_month(
        month=MONTH, revise=True, reason="一部数据有误"
    ).created[0]
    with translation.override("zh-hans"):
        text = bulletin_pdf_text(correction)
    assert f"本通报更正{first.number}通报" in text
    assert "号 号" not in text and "号号" not in text and "第 冀" not in text


def bulletin_pdf_text(bulletin) -> str:
    from django.template.loader import render_to_string

    return render_to_string(
        "bulletins/_notice_body.html",
        {"bulletin": bulletin, "data": bulletin.data, "issuing_unit": "某某客服中心"},
    )


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")
def test_the_signature_never_sits_alone_on_the_last_page(draft, hand_week, tmp_path):
    """Decisions of every length from a line to two pages: the last page always holds more
    than the signature (the unit and the date)."""
    manager = hand_week.users["manager"]
    services.bulletin_update_decisions(bulletin=draft, decisions="x", actor=manager)
    seen_breaks = 0
    for lines in range(1, 60, 3):
        draft.decisions = "\n\n".join(f"{n}. 对相关班组通报批评，限期整改。" for n in range(lines))
        path = tmp_path / f"n{lines}.pdf"
        path.write_bytes(bulletin_pdf(draft))
        pages = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split("\f")
        pages = [p for p in pages if p.strip()]
        seen_breaks += len(pages) > 1
        last = [line.strip() for line in pages[-1].splitlines() if line.strip()]
        # The signature is two lines (unit, date) and the page number line.
        assert len(last) > 3, (lines, last)
    assert seen_breaks, "no length made a second page: the test would prove nothing"
