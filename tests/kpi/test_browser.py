"""In a real browser: a manager sets the center's target for an indicator of the standard
catalogue, cascades it and activates it; a month later, measured and closed, the lead of the team
that missed it finds their share of the target and their shortfall on their own pages."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kpi.models import Indicator, Shortfall, Target
from kpi.services import catalogue_load, period_close
from tests.conftest import login, screenshot
from tests.factories.kpi import record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MONTH = datetime.date(2026, 11, 1)


def _context(browser, lang: str = "zh-CN"):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=lang)
    context.set_default_timeout(15_000)
    return context


def test_manager_cascades_a_center_target_and_the_team_lead_sees_share_and_shortfall(
    world, live_server, browser
):
    catalogue_load()
    fcr = Indicator.objects.get(code="fcr")  # 一次解决率: a monthly rate

    # --- The manager, in the browser: set the center's target, cascade, activate. ---
    manager = _context(browser)
    page = manager.new_page()
    login(page, live_server, "manager")
    page.click("nav a[href='/kpi/']")
    page.click("a[href='/kpi/targets/']")
    form = page.locator("[data-testid=center-target]")
    assert "设定中心目标" in form.inner_text()
    page.select_option("#id_indicator", str(fcr.pk))
    # The year's range is filled in, in the form the browser's date box accepts.
    year = timezone.localdate().year
    assert page.input_value("#id_valid_from") == f"{year}-01-01"
    assert page.input_value("#id_valid_to") == f"{year}-12-31"
    page.fill("#id_valid_from", "2026-01-01")
    page.fill("#id_valid_to", "2026-12-31")
    page.fill("#id_value", "80")
    with page.expect_navigation():
        page.click("[data-testid=set-center]")
    center = Target.objects.get(indicator=fcr, level="center")
    assert page.url.endswith(f"/kpi/targets/{center.pk}/")
    head = page.locator(".page-head").inner_text()
    assert "一次解决率 · 中心" in head and "80.00%" in head and "草稿" in head
    assert "已向下建议 12 个目标" in page.locator("main").inner_text()  # 2 + 3 + 7
    # Its bands, as the team leads will be measured against them.
    assert page.locator("[data-testid=bands]").inner_text().split() == [
        "区间:",
        "绿",
        "≥",
        "80.00%",
        "·",
        "黄",
        "≥",
        "76.00%",
        "·",
        "红",
        "<",
        "76.00%",
    ]
    children = page.locator("[data-testid=child-target]")
    assert children.count() == 2
    assert "客服一部" in children.nth(0).inner_text() and "80.00%" in children.nth(0).inner_text()
    assert "建议中" in children.nth(0).inner_text()
    assert page.locator("[data-testid=consistency] [data-reaches=yes]").count() >= 1
    # The proposals go down to the teams (and their agents).
    with page.expect_navigation():
        children.nth(0).locator("a").click()
    assert "一次解决率 · 客服一部" in page.locator(".page-head").inner_text()
    below = page.locator("[data-testid=child-target]").all_inner_texts()
    assert [t.split("\t")[:2] for t in below] == [["一班", "80.00%"], ["二班", "80.00%"]]
    with page.expect_navigation():
        page.click(f"a[href='/kpi/targets/{center.pk}/']")  # back up to the parent
    # No history yet for this indicator: SMART is not met, and activation wants a reason.
    assert page.locator("[data-testid=criterion][data-key=measurable][data-met=no]").count() == 1
    with page.expect_navigation():
        page.click("[data-testid=activate]")
    refused = page.locator(".messages").inner_text()
    assert "目标未通过 SMART" in refused and "可衡量（M）" in refused
    center.refresh_from_db()
    assert center.status == "draft"
    page.fill("#id_justification", "集团年度考核要求一次解决率达到 80%，本年起按月考核")
    assert page.is_checked("#id_proposals")  # the cascade comes into force with it
    with page.expect_navigation():
        page.click("[data-testid=activate]")
    assert "目标已生效，其下 12 个建议目标随之生效。" in page.locator(".messages").inner_text()
    assert "生效" in page.locator(".page-head").inner_text()
    screenshot(page, "kpi-center-target-active")
    manager.close()
    teams = {t.unit_id: t for t in Target.objects.filter(indicator=fcr, level="team")}
    assert teams[world.team_a1.pk].status == "active"

    # --- November is measured and closed (services): team 一班 misses, the others reach it. ---
    rows = []
    for code, answered in (("a1", 70), ("a2", 90), ("b1", 85)):
        for agent in world.agents[code]:
            rows.append(("agent", agent.employee_no, "2026-11-10", answered, 100))
    record(fcr, rows)
    period_close(kind="month", day=MONTH, indicators=[fcr])
    shortfall = Shortfall.objects.get(indicator=fcr, level="team", unit_id=world.team_a1.pk)
    assert shortfall.owner == world.users["teamlead"] and shortfall.action_id

    # --- The lead of 一班, in the browser: their share of the target and their shortfall. ---
    lead = _context(browser)
    page = lead.new_page()
    login(page, live_server, "teamlead")
    # Home: the shortfall's corrective action is waiting for them.
    home = page.locator("main").inner_text()
    assert "短板：一次解决率，一班，2026-11" in home
    page.click("nav a[href='/kpi/']")
    page.click("a[href='/kpi/targets/']")
    assert "KPI 目标" in page.locator("h1").inner_text()
    mine = page.locator("[data-testid=target-row][data-unit='team:a1']")
    assert "80.00%" in mine.inner_text() and "生效" in mine.inner_text()
    assert page.locator("[data-testid=target-row][data-unit='team:a2']").count() == 0
    with page.expect_navigation():
        mine.locator("a").click()
    head = page.locator(".page-head").inner_text()
    assert "一次解决率 · 一班" in head and "80.00%" in head and "客服一部" in head
    assert "绿 ≥ 80.00% · 黄 ≥ 76.00% · 红 < 76.00%" in head
    screenshot(page, "kpi-team-lead-target")

    # The KPI tree opens at their team; November: 70 % against their 80 %, red.
    page.click("a[href='/kpi/tree/']")
    assert "KPI 树 · 一班" in page.locator("h1").inner_text()
    with page.expect_navigation():
        page.goto(page.url.split("?")[0] + "?period=2026-11")
    row = page.locator("[data-testid=own-row][data-code=fcr]")
    assert row.locator("[data-testid=value]").inner_text() == "70.00%"
    cells = row.locator("td").all_inner_texts()
    assert cells[2] == "80.00%" and cells[3] == "红 短板"  # the band, and the way to its shortfall
    agents = page.locator("[data-testid=child-row] th").all_inner_texts()
    assert [a.split("（")[0] for a in agents] == ["张伟", "王芳", "李娜"]  # by employee number
    screenshot(page, "kpi-team-lead-tree")

    # Their shortfalls, one click from the red band: the team's, locked with its figures, and
    # the corrective action.
    with page.expect_navigation():
        row.locator("[data-testid=to-shortfalls]").click()
    assert page.url.endswith("/kpi/shortfalls/?indicator=fcr")
    team_row = page.locator("[data-testid=shortfall-row][data-unit='team:a1']")
    assert team_row.count() == 1
    text = team_row.inner_text()
    for seen in ("一次解决率", "一班", "2026-11", "未达目标", "70.00% (210 / 300)", "80.00%", "红"):
        assert seen in text, seen
    assert page.locator("[data-testid=shortfall-row][data-unit='team:a2']").count() == 0
    assert page.locator("[data-testid=shortfall-row][data-unit='team:b1']").count() == 0
    screenshot(page, "kpi-team-lead-shortfalls")

    # Late data: a revision beside it, the locked figures kept.
    late = world.agents["a1"][0].employee_no
    record(fcr, [("agent", late, "2026-11-20", 20, 100)])
    period_close(kind="month", day=MONTH, indicators=[fcr])
    page.reload()
    team_rows = page.locator("[data-testid=shortfall-row][data-unit='team:a1']")
    assert team_rows.count() == 2
    texts = team_rows.all_inner_texts()
    assert any("70.00% (210 / 300)" in t and "修订版" not in t for t in texts)
    assert any("57.50% (230 / 400)" in t and "修订版 2 · 迟到数据" in t for t in texts)

    with page.expect_navigation():
        team_row.first.locator("a").click()
    assert "/actions/" in page.url
    assert "短板：一次解决率，一班，2026-11" in page.locator("main").inner_text()
    lead.close()

    # The same pages in English.
    english = _context(browser, "en-US")
    english.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = english.new_page()
    login(page, live_server, "teamlead")
    page.goto(f"{live_server.url}/kpi/shortfalls/")
    text = page.locator("[data-testid=shortfall-row][data-unit='team:a1']").first.inner_text()
    assert "Target missed" in text and "Red" in text
    english.close()
