"""In a real browser: a walk-through's finding opened a corrective action; its owner follows it
up and marks it done (not closed: it awaits verification); the auditor finds it not effective
(open again), then, done again, effective (closed); the history shows each step with who and
when. The month's red-header notice shows the walk-through's result."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audits.walkthroughs import services as walkthroughs
from bulletins.models import Bulletin
from bulletins.services import bulletin_generate_month
from tests.conftest import login, screenshot
from tests.factories.walkthroughs import MONTH, drilled, past_deadline, started, walk_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, username)
    return context, page


def _step(page, testid, note):
    page.fill("#id_note", note)
    with page.expect_navigation():
        page.click(f"[data-testid={testid}]")


def test_finding_action_verified_then_closed_and_the_notice(
    world, live_server, browser, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    walk = walk_world(world)
    auditor = walk.users["auditor"]
    walkthrough = past_deadline(started(walk))
    drilled(walkthrough, auditor)
    finding = walkthroughs.finding_record(
        walkthrough=walkthrough,
        by=auditor,
        grade="minor",
        description="处理与回复环节缺少回访时限要求",
        action_due_on=timezone.localdate() + datetime.timedelta(days=14),
    )
    walkthroughs.walkthrough_conclude(
        walkthrough=walkthrough, by=auditor, verdict="revise", reason="补充回访时限"
    )
    action = finding.action
    assert action is not None and action.owner == walk.users["owner_a"]

    owner, mine = _tab(browser, live_server, "owner_a")
    link = mine.locator(f"a[href='/audits/actions/{action.pk}/']")
    assert link.count() >= 1  # the home page lists the owner's open action
    with mine.expect_navigation():
        link.first.click()
    assert "处理与回复环节缺少回访时限要求" in mine.content()
    # Where the action comes from, linked; no ASCII colon inside the Chinese ("稽核发现: …").
    source = mine.locator("[data-testid=action-source]").locator("xpath=..").inner_text()
    assert source.startswith("稽核发现 · ") and ":" not in source
    _step(mine, "follow-up", "已在流程中增加回访时限")
    assert "已在流程中增加回访时限" in mine.locator("[data-testid=follow-ups]").inner_text()
    _step(mine, "complete", "修订稿已提交")
    status = mine.locator("[data-testid=action-status]")
    assert "待验证" in status.inner_text()
    assert mine.locator("[data-testid=verify]").count() == 0  # the owner does not verify

    checker, page = _tab(browser, live_server, "auditor")
    page.goto(f"{live_server.url}/audits/actions/{action.pk}/")
    page.check("input[name=effective][value=no]")
    page.fill("#verify_note", "回访时限仍未写入受理登记表")
    with page.expect_navigation():
        page.click("[data-testid=verify]")
    assert page.locator("[data-testid=action-status]").inner_text() == "进行中"
    assert "回访时限仍未写入受理登记表" in page.locator("[data-testid=verifications]").inner_text()

    mine.reload()
    _step(mine, "complete", "受理登记表已增加回访时限栏")
    assert "待验证" in status.inner_text()

    page.reload()
    page.check("input[name=effective][value=yes]")
    page.fill("#verify_note", "抽查三张登记表，均已填写")
    with page.expect_navigation():
        page.click("[data-testid=verify]")
    assert "关闭" in page.locator("[data-testid=action-status]").inner_text()
    history = page.locator("[data-testid=history] tbody tr")
    rows = [history.nth(i).inner_text() for i in range(history.count())]
    screenshot(page, "action-verified-closed")
    text = "\n".join(rows)
    assert "已下达" in rows[0]
    for expected in (
        "跟进",
        "已在流程中增加回访时限",
        "修订稿已提交",
        "回访时限仍未写入受理登记表",
        "受理登记表已增加回访时限栏",
        "抽查三张登记表，均已填写",
    ):
        assert expected in text
    today = f"{timezone.localtime():%Y-%m-%d}"
    assert all(today in row for row in rows)
    assert sum(walk.users["owner_a"].display_name in row for row in rows) >= 3
    assert sum(auditor.display_name in row for row in rows) >= 2
    checker.close()
    owner.close()

    bulletin_generate_month(month=MONTH, notify_readers=False)
    notice = Bulletin.objects.get(kind="monthly", period_start=MONTH)
    manager, page = _tab(browser, live_server, "manager")
    page.goto(f"{live_server.url}/bulletins/{notice.pk}/")
    section = page.locator("[data-testid=notice-walkthroughs]")
    text = section.inner_text()
    screenshot(page, "notice-walkthroughs")
    assert world.dep_a.name in text
    assert walkthrough.standard.code in text
    assert "修订" in text
    walkthrough.refresh_from_db()
    assert f"{walkthrough.score:.1f}" in text
    assert "轻微不符合 1" in text
    manager.close()
