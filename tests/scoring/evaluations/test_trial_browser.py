"""In a real browser, the issue's check: an administrator runs a draft library on last month's
calls from the draft's page, reads the diff before activating (outcomes changed per rule with
example calls opened in one click, calls un-zeroed, precision and recall against the
supervisors' verdicts), then activates it from the trial page, told first how many calls it rescores."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring.calls.models import Call, CallCheck
from scoring.calls.services import checks
from scoring.evaluations.models import RuleTrial
from scoring.evaluations.services.evaluations import evaluation_start, evaluation_submit
from scoring.rules.models import RuleLibrary
from scoring.rules.services import library_activate, library_create
from tests.conftest import login, screenshot
from tests.factories import make_scorecard
from tests.scoring.evaluations.test_trials import ACTIVE, DRAFT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _last_month() -> tuple[datetime.date, datetime.date]:
    end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


def test_a_draft_is_run_on_last_months_calls_and_its_diff_read_before_activation(
    world, live_server, page
):
    library_activate(library=library_create(definition=ACTIVE))
    first, last = _last_month()
    day = first + datetime.timedelta(days=1)
    calls = []
    for i in range(3):
        text = "您好，请稍等。" if i else "您好，这个不归我管。"  # T-0 is zeroed today
        calls.append(
            Call.objects.create(
                call_id=f"T-{i}",
                agent=world.agents["a1"][0],
                team=world.team_a1,
                started_at=timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time(10, i))
                ),
                turns=[{"speaker": "agent", "text": text}],
            )
        )
    checks.call_checks_run(call_ids=[c.pk for c in calls])
    # A supervisor said T-1 was not greeted properly, although the current rule passed it.
    supervisor = world.users["supervisor"]
    evaluation = evaluation_start(call=calls[1], scorecard=make_scorecard(), evaluator=supervisor)
    evaluation_submit(
        evaluation=evaluation,
        actor=supervisor,
        answers={
            "greet": {"value": 0, "reason": "没有标准问候"},
            "hold": {"value": 1},
            "tone": {"value": 4},
            "leak": {"value": 1},
        },
        expected_version=evaluation.version,
    )
    draft = library_create(definition=DRAFT)

    login(page, live_server, "admin")
    page.goto(f"{live_server.url}{reverse('rules:library_detail', args=[draft.pk])}")
    form = page.locator("[data-testid=trial-form]")
    # Last month is what the form proposes.
    assert form.locator("input[name=date_from]").input_value() == first.isoformat()
    assert form.locator("input[name=date_to]").input_value() == last.isoformat()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.locator("[data-testid=trial-summary]").wait_for()
    trial = RuleTrial.objects.get()
    assert trial.status == RuleTrial.Status.DONE
    assert "3 / 3" in page.locator("[data-testid=trial-progress]").inner_text()
    assert page.inner_text("[data-testid=trial-unzeroed]") == "1"  # SEVERE no longer critical
    assert page.inner_text("[data-testid=trial-zeroed]") == "0"
    greet = page.locator("[data-testid=trial-rule-GREET]")
    cells = greet.locator("td")
    assert "× 3" in cells.nth(2).inner_text()  # pass → fail on the three calls
    # Against the supervisor's verdict on T-1: precision now → draft: none (the rule did not
    # fail) → 100, recall 0 → 100.
    assert cells.nth(3).inner_text().startswith("— → 100")
    assert "100" in cells.nth(4).inner_text()
    screenshot(page, "trial-diff")

    # One click opens an example call.
    with page.expect_navigation():
        greet.locator("a", has_text="T-0").click()
    assert page.url.endswith(reverse("calls:call_detail", args=[calls[0].pk]))
    assert "T-0" in page.inner_text("main")
    page.go_back()
    page.locator("[data-testid=trial-summary]").wait_for()

    # Activation says how many calls it rescores and asks first.
    with page.expect_navigation():
        page.locator("[data-testid=trial-activate] button").click()
    assert "3" in page.inner_text("[data-testid=activate-rescore-count]")
    assert RuleLibrary.objects.get(pk=draft.pk).status == RuleLibrary.Status.DRAFT
    with page.expect_navigation():
        page.click("[data-testid=activate-confirmed]")
    assert RuleLibrary.objects.get(pk=draft.pk).status == RuleLibrary.Status.ACTIVE
    assert CallCheck.objects.filter(library=draft).count() == 3
