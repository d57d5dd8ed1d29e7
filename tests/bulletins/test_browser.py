"""In a real browser: a manager reads this week's bulletin and opens a shortfall; the team lead
records a measure and a target; next week's bulletin shows it followed up."""

from __future__ import annotations

import datetime

import pytest

from bulletins import services
from bulletins.models import Bulletin
from tests.conftest import login, screenshot
from tests.factories import WEEK, at, make_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEXT = WEEK + datetime.timedelta(days=7)


def test_shortfall_measure_target_and_follow_up(hand_week, live_server, browser):
    services.bulletins_generate_week(week_start=WEEK)
    team = Bulletin.objects.get(scope_key=f"team:{hand_week.team_a1.pk}", period_start=WEEK)

    manager = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = manager.new_page()
    page.set_default_timeout(15_000)
    login(page, live_server, "manager")
    page.goto(f"{live_server.url}/bulletins/")
    assert page.locator(".unread-marker").count() == 6
    page.click(f"a[href='/bulletins/{team.pk}/']")
    shortfall = page.locator("[data-testid=shortfall][data-code=HOLD]")
    shortfall.scroll_into_view_if_needed()
    assert "请稍等" in shortfall.inner_text()
    assert page.locator("[data-testid=record-measure]").count() == 0  # managers read
    assert page.locator("#chart-rules svg text").count() >= 2  # every bar labelled
    screenshot(page, "bulletins-manager-week")
    page.goto(f"{live_server.url}/bulletins/")
    assert page.locator(".unread-marker").count() == 5
    manager.close()

    lead = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = lead.new_page()
    page.set_default_timeout(15_000)
    login(page, live_server, "teamlead")
    page.goto(f"{live_server.url}/bulletins/{team.pk}/")
    page.click("[data-testid=shortfall][data-code=HOLD] [data-testid=record-measure]")
    page.fill("#id_measure", "班前会重温“请稍等”用语，组长每日抽听三通录音")
    page.fill("#id_target_value", "95")
    page.fill("#id_due_week", (NEXT + datetime.timedelta(days=7)).isoformat())
    with page.expect_navigation():
        page.click("[data-testid=save-target]")
    assert page.url.endswith(f"/bulletins/{team.pk}/")

    # The next week: the team holds properly, and the Monday job runs.
    for _ in range(4):
        make_call(
            hand_week.agents["a1"][0],
            started_at=at(NEXT),
            outcomes={"GREET": "pass", "HOLD": "pass"},
        )
    services.bulletins_generate_week(week_start=NEXT)
    following = Bulletin.objects.get(scope_key=team.scope_key, period_start=NEXT)
    page.goto(f"{live_server.url}/bulletins/{following.pk}/")
    row = page.locator("[data-testid=target-row]")
    assert row.count() == 1
    assert "请稍等" in row.inner_text() and "100.0%" in row.inner_text()
    assert page.locator("[data-testid=target-state] .badge.ok").count() == 1
    screenshot(page, "bulletins-followed-up")
    lead.close()
