"""A critical fail scores 0, and every page shows that 0 — never a dash, which reads as
"not scored" (the dispute form and the calibration totals showed "—" beside a 0.0–0.0 range)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from org.models import Role
from scoring.calibration.services import calibration_close, calibration_create
from tests.factories import (
    CallCheckFactory,
    CallFactory,
    UserFactory,
    make_evaluation,
    make_scorecard,
)

pytestmark = pytest.mark.django_db

#: On DEFAULT_SCORECARD: everything right but the critical item "leak": the whole call is 0.
CRITICAL_FAIL = {"greet": 1, "hold": 1, "tone": 5, "leak": 0}


@pytest.fixture
def failed(world):
    card = make_scorecard()
    call = CallFactory(agent=world.agents["a1"][0])
    CallCheckFactory(call=call, outcomes={"GREET": "pass", "HOLD": "pass"})
    evaluation = make_evaluation(
        call=call, card=card, evaluator=world.users["supervisor"], answers=CRITICAL_FAIL
    )
    assert evaluation.score == 0 and evaluation.critical_failed
    return evaluation


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_dispute_form_shows_zero_score(failed, world, client):
    client.force_login(world.users["agent"])
    html = client.get(reverse("disputes:dispute_create", args=[failed.pk])).content.decode()
    assert re.search(r"<strong>0(\.00)?</strong>", html), "the total score is printed as 0"
    # the critical item's points are 0 of its possible points, not a dash
    assert "— /" not in _text(html)


def test_evaluation_list_and_my_results_show_zero(failed, world, client):
    client.force_login(world.users["supervisor"])
    text = _text(client.get(reverse("evaluations:evaluation_list")).content.decode())
    assert re.search(r"\b0(\.00)? critical|\b0(\.00)? 严重", text) or " 0.00 " in text
    client.force_login(world.users["agent"])
    html = client.get(reverse("evaluations:my_evaluations")).content.decode()
    assert "—</span>" not in html


def test_calibration_totals_show_zero(world, client):
    card = make_scorecard()
    call = CallFactory(agent=world.agents["a1"][0])
    second = UserFactory(username="sup-b", role=Role.SUPERVISOR, department=world.dep_a)
    supervisor = world.users["supervisor"]
    session = calibration_create(
        created_by=supervisor,
        title="严重项校准",
        call=call,
        scorecard=card,
        participants=[supervisor, second],
    )
    for user in (supervisor, second):
        make_evaluation(evaluator=user, calibration=session, answers=CRITICAL_FAIL)
    calibration_close(session=session, actor=supervisor)
    client.force_login(supervisor)
    html = client.get(reverse("calibration:calibration_detail", args=[session.pk])).content.decode()
    totals = re.search(
        r"<tr><td><strong>[^<]*</strong></td>(<td class=\"cell ref\">.*?)</tr>", html
    )
    assert totals, html
    cells = re.findall(r'<td class="cell ref">([^<]*)</td>', totals.group(1))
    assert cells and all(c.strip() in ("0", "0.00", "0.0") for c in cells), cells
    assert 'data-testid="reference">0' in html
