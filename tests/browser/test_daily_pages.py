"""The supervisor's queue, the agent's results and dispute form, calibration and the team page
in Chromium, as supervisor, team lead and agent, in Chinese and English, at 1280 and 768 px:
screenshots (test-artifacts/daily-*.png) for a person to read, and what the scripts do
(select all in the queue, a dispute item's reason box shown only once ticked)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from org.models import Role
from scoring.calibration.services import calibration_close, calibration_create
from scoring.sampling.models import Assignment
from tests.conftest import login, screenshot
from tests.factories import (
    CallCheckFactory,
    CallFactory,
    UserFactory,
    make_evaluation,
    make_scorecard,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data(world):
    card = make_scorecard()
    sup = world.users["supervisor"]
    second = UserFactory(username="sup2", role=Role.SUPERVISOR, department=world.dep_a)
    second.set_password("pw")
    second.save()
    agent = world.agents["a1"][0]
    made = []
    for i in range(6):
        call = CallFactory(agent=agent, started_at=timezone.now() - datetime.timedelta(days=4 * i))
        CallCheckFactory(call=call, outcomes={"GREET": "pass", "HOLD": "fail" if i % 2 else "pass"})
        made.append(
            make_evaluation(
                call=call,
                card=card,
                evaluator=sup,
                answers={"greet": 1, "hold": i % 2, "tone": 3 + i % 3, "leak": 0 if i == 2 else 1},
                submitted_at=timezone.now() - datetime.timedelta(days=4 * i),
            )
        )
    for i, member in enumerate([*world.agents["a1"], *world.agents["a2"]]):
        call = CallFactory(agent=member, call_id=f"QUEUE-{i}")
        CallCheckFactory(call=call, score=50 + 9 * i, critical_failed=i == 1)
        Assignment.objects.create(
            call=call,
            supervisor=sup,
            period_start=datetime.date(2026, 11, 30),
            due_at=timezone.now() + datetime.timedelta(hours=12 * i - 6),
        )
    session = calibration_create(
        created_by=sup,
        title="本周校准",
        call=CallFactory(agent=world.agents["a1"][1]),
        scorecard=card,
        participants=[sup, second],
    )
    for user in (sup, second):
        make_evaluation(evaluator=user, calibration=session,
                        answers={"greet": 1, "hold": 1, "tone": 4, "leak": 1})  # fmt: skip
    calibration_close(session=session, actor=sup)
    return {"evaluations": made, "session": session}


PAGES = {
    "supervisor": [
        ("queue", "/scoring/queue/"),
        ("queue-all", "/scoring/queue/?who=all"),
        ("calibration-new", "/scoring/calibration/new/"),
        ("calibration", "/scoring/calibration/{session}/"),
        ("import", "/scoring/imports/new/"),
        ("team", "/org/teams/{team}/"),
    ],
    "teamlead": [("queue", "/scoring/queue/"), ("team", "/org/teams/{team}/")],
    "agent": [("results", "/scoring/my/evaluations/"), ("dispute", "{dispute}")],
}


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
@pytest.mark.parametrize("width", [1280, 768])
def test_daily_pages_screenshots(browser, live_server, world, data, lang, width):
    from django.urls import reverse

    context = browser.new_context(viewport={"width": width, "height": 900}, locale=lang)
    page = context.new_page()
    values = {
        "session": data["session"].pk,
        "team": world.team_a1.pk,
        "dispute": reverse("disputes:dispute_create", args=[data["evaluations"][0].pk]),
    }
    try:
        for role, pages in PAGES.items():
            login(page, live_server, role)
            if lang.startswith("en"):  # the product's language switch is a cookie
                context.add_cookies(
                    [{"name": "django_language", "value": "en", "url": live_server.url}]
                )
            for name, path in pages:
                response = page.goto(live_server.url + path.format(**values))
                assert response.status == 200, (role, path)
                screenshot(page, f"daily-{role}-{name}-{lang[:2]}-{width}")
            page.context.clear_cookies()
    finally:
        context.close()


def test_queue_select_all_and_dispute_reason_boxes(page, live_server, world, data):
    from django.urls import reverse

    login(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/scoring/queue/")
    page.check("[data-check-all]")
    boxes = page.locator("input[name=assignment]")
    assert boxes.count() == 5 and all(boxes.nth(i).is_checked() for i in range(5))
    page.context.clear_cookies()
    login(page, live_server, "agent")
    page.goto(
        live_server.url + reverse("disputes:dispute_create", args=[data["evaluations"][0].pk])
    )
    first = page.locator("[data-reveals]").first
    target = page.locator(f"#{first.get_attribute('data-reveals')}")
    assert target.is_hidden()
    first.check()
    assert target.is_visible()
