"""In a real browser: the auditor draws the month and starts a walk-through; the owner sees
the countdown and uploads documents, one after the deadline (marked late); the auditor records
the drill, a finding and the verdict "revise"; the owner finds the new draft."""

from __future__ import annotations

import re

import pytest

from audits.walkthroughs.models import Walkthrough
from qa_center import periods
from tests.conftest import login, screenshot
from tests.factories.walkthroughs import past_deadline, walk_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = {"name": "受理登记表.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%test\n"}


def _tab(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, username)
    return context, page


def test_draw_start_countdown_late_upload_drill_finding_revise(
    world, live_server, browser, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    walk_world(world)
    month = f"{periods.current(periods.MONTH).first_day:%Y-%m}"

    auditor, page = _tab(browser, live_server, "auditor")
    page.goto(f"{live_server.url}/audits/walkthroughs/?month={month}")
    with page.expect_navigation():
        page.click("[data-testid=draw]")
    assert page.locator("[data-testid=walkthrough-row]").count() == 3
    assert page.locator("[data-testid=draw-short]").count() == 1  # department B has one
    walkthrough = Walkthrough.objects.filter(department=world.dep_a).order_by("slot").first()
    page.click(f"a[href='/audits/walkthroughs/{walkthrough.pk}/']")
    with page.expect_navigation():
        page.click("[data-testid=start]")
    assert page.locator("[data-testid=countdown]").count() == 1

    owner, mine = _tab(browser, live_server, "owner_a")
    # The home page puts the running hour first.
    first_list = mine.locator("section.card").first
    assert walkthrough.standard.code in first_list.inner_text()
    mine.goto(f"{live_server.url}/audits/walkthroughs/{walkthrough.pk}/")
    countdown = mine.locator("[data-testid=countdown]")
    mine.wait_for_function(
        "/^\\d\\d:\\d\\d$/.test(document.querySelector('[data-testid=countdown]').textContent)"
    )
    assert re.fullmatch(r"(59|60):\d\d", countdown.inner_text())
    first_step = mine.locator("[data-testid=step][data-position='1']")
    first_step.locator("input[type=file]").set_input_files(PDF)
    with mine.expect_navigation():
        first_step.locator("[data-testid=upload]").click()
    assert mine.locator("[data-testid=document]").count() == 1
    assert mine.locator("[data-testid=late]").count() == 0
    screenshot(mine, "walkthrough-owner-countdown")

    # The hour passes (no task runs): the next upload is kept, marked late.
    past_deadline(walkthrough)
    second_step = mine.locator("[data-testid=step][data-position='2']")
    second_step.locator("input[type=file]").set_input_files({**PDF, "name": "处理记录.pdf"})
    with mine.expect_navigation():
        second_step.locator("[data-testid=upload]").click()
    assert mine.locator("[data-testid=locked]").count() == 1
    assert mine.locator("[data-testid=late]").count() == 1

    page.goto(f"{live_server.url}/audits/walkthroughs/{walkthrough.pk}/")
    page.select_option("[data-testid=drill-1]", "done")
    page.select_option("[data-testid=drill-2]", "missing")
    page.fill("[data-testid=drill-note-2]", "处理记录缺少回访时间")
    page.select_option("[data-testid=drill-3]", "done")
    with page.expect_navigation():
        page.click("[data-testid=save-drill]")
    page.select_option("#id_grade", "minor")
    page.fill("#id_description", "处理与回复环节缺少回访时限要求")
    with page.expect_navigation():
        page.click("[data-testid=save-finding]")
    assert page.locator("[data-testid=finding][data-grade=minor]").count() == 1
    page.check("[data-testid=verdict-revise]")
    page.fill("#id_reason", "补充回访时限")
    with page.expect_navigation():
        page.click("[data-testid=save-verdict]")
    assert page.locator("[data-testid=revision]").count() == 1
    screenshot(page, "walkthrough-revised")
    auditor.close()

    mine.goto(f"{live_server.url}/audits/walkthroughs/{walkthrough.pk}/")
    with mine.expect_navigation():
        mine.click("[data-testid=revision] a")
    draft = mine.locator("[data-testid=versions] tr[data-version='2']")
    assert draft.count() == 1
    assert "补充回访时限" in draft.inner_text()
    owner.close()
