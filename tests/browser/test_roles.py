"""Each role logs in through a real browser and sees its own navigation, in Chinese first."""

from __future__ import annotations

import pytest

from tests.conftest import login, screenshot
from tests.factories import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A link each role must see, and one it must not.
EXPECTED = {
    "agent": ("/org/agents/", "/org/"),
    "teamlead": ("/org/", "/admin/"),
    "supervisor": ("/org/", "/health"),
    "manager": ("/org/", "/health"),
    "auditor": ("/org/", "/health"),
    "admin": ("/health", None),
}


def _nav_links(page) -> list[str]:
    return page.eval_on_selector_all("#mainnav a", "els => els.map(e => e.getAttribute('href'))")


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_logs_in_and_sees_its_navigation(page, live_server, role):
    world = build_world()
    user = world.users[role]
    login(page, live_server, user.username)
    assert page.url.rstrip("/") == live_server.url
    assert page.locator("[data-testid=user-name]").inner_text() == user.display_name
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "欢迎" in page.locator("[data-testid=home-title]").inner_text()
    links = _nav_links(page)
    must, must_not = EXPECTED[role]
    if role == "agent":
        # The agent's way to their own page is on the home page, not in the navigation.
        assert page.locator(f"main a[href^='{must}']").count() == 1
        assert must_not not in links
    else:
        assert must in links
        if must_not:
            assert must_not not in links
    screenshot(page, f"home-{role}")


def test_switching_language_switches_the_page(page, live_server):
    world = build_world()
    login(page, live_server, world.users["manager"].username)
    assert "组织架构" in page.locator("#mainnav").inner_text()
    with page.expect_navigation():
        page.click("button[data-lang=en]")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Organization" in page.locator("#mainnav").inner_text()
    assert "Welcome" in page.locator("[data-testid=home-title]").inner_text()
    with page.expect_navigation():
        page.click("button[data-lang=zh-hans]")
    assert "组织架构" in page.locator("#mainnav").inner_text()
    screenshot(page, "home-manager-zh")


def test_a_wrong_password_is_refused_in_chinese(page, live_server):
    build_world()
    login(page, live_server, "manager", "wrong")
    assert "/accounts/login/" in page.url
    assert page.locator(".errorlist").count() == 1


def test_the_layout_works_on_a_tablet(browser, live_server):
    world = build_world()
    context = browser.new_context(viewport={"width": 820, "height": 1180})
    tablet = context.new_page()
    login(tablet, live_server, world.users["supervisor"].username)
    assert not tablet.locator("#mainnav").is_visible()
    tablet.click("[data-nav-toggle]")
    assert tablet.locator("#mainnav").is_visible()
    width = tablet.evaluate("document.documentElement.scrollWidth")
    assert width <= 820, "the page scrolls sideways on a tablet"
    screenshot(tablet, "tablet-supervisor")
    context.close()
