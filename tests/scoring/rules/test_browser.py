"""In a real browser: an administrator edits a rule in the form beside the JSON, sees the
engine's problems as they type (the validate API), fixes them and writes the rule into the
JSON, which saves as a new draft."""

from __future__ import annotations

import json

import pytest

from scoring.rules.models import RuleLibrary
from scoring.rules.services import library_create
from tests.conftest import login, screenshot
from tests.factories import HOTLINE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_rule_form_validates_as_you_type(world, live_server, page):
    library = library_create(definition=json.loads(HOTLINE.read_text(encoding="utf-8")))
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/scoring/rules/{library.pk}/edit/")
    form = page.locator("[data-rule-form]")
    form.wait_for(state="visible")
    page.select_option("[data-testid=rf-pick]", label="GREETING · 开头问候语")
    assert page.input_value("[data-testid=rf-code]") == "GREETING"
    page.fill("[data-testid=rf-phrases]", "")  # a required rule without phrases
    problems = page.locator("[data-testid=rf-problems] li.error")
    problems.first.wait_for()
    assert "phrases" in problems.first.inner_text()
    page.fill("[data-testid=rf-phrases]", "您好\n你好\n早上好")
    page.locator("[data-testid=rf-problems] li.ok").wait_for()
    screenshot(page, "rule-form")
    page.click("[data-testid=rf-apply]")
    written = json.loads(page.input_value("#id_definition"))
    greeting = next(r for r in written["rules"] if r["code"] == "GREETING")
    assert greeting["phrases"] == ["您好", "你好", "早上好"] and greeting["where"] == "first"
    with page.expect_navigation():
        page.click("button[value=save]")
    saved = RuleLibrary.objects.exclude(pk=library.pk).get()
    assert (
        next(r for r in saved.definition["rules"] if r["code"] == "GREETING")["phrases"][-1]
        == "早上好"
    )
