"""A team's page shows the team's results (evaluations of the last weeks, each agent's mean,
calls waiting to be scored, open disputes), not only its members; in the viewer's scope."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring.sampling.models import Assignment
from tests.factories import (
    REVIEW_SCORECARD,
    CallFactory,
    dispute,
    make_evaluation,
    make_scorecard,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def results(world):
    card = make_scorecard(REVIEW_SCORECARD)
    sup = world.users["supervisor"]
    zhang, wang = world.agents["a1"][0], world.agents["a1"][1]
    low = make_evaluation(
        call=CallFactory(agent=wang), card=card, evaluator=sup,
        answers={"greet": 0, "verify": 0, "close": 1, "tone": 1},
    )  # fmt: skip
    make_evaluation(call=CallFactory(agent=zhang), card=card, evaluator=sup)  # 67.50
    make_evaluation(
        call=CallFactory(agent=world.agents["a2"][0]), card=card, evaluator=sup
    )  # another team
    waiting = CallFactory(agent=zhang)
    Assignment.objects.create(
        call=waiting,
        supervisor=sup,
        period_start=datetime.date(2026, 11, 30),
        due_at=timezone.now() - datetime.timedelta(hours=1),
    )
    dispute(low, world.users["other_agent"], opened_at=timezone.now())
    return {"low": low}


def _panels(html: str) -> str:
    return html[html.index('data-testid="team-panel"') : html.index("</main>")]


def test_team_lead_sees_the_teams_results(world, results, client):
    client.force_login(world.users["teamlead"])
    html = client.get(reverse("org:team_detail", args=[world.team_a1.pk])).content.decode()
    panels = _panels(html)
    # 2 evaluations of 一班 (not 二班's), mean (20 + 67.5) / 2 = 43.8, each agent's mean
    assert ">2<" in panels and "43.8" in panels
    assert "王芳" in panels and "张伟" in panels and "刘洋" not in panels
    assert panels.index("王芳") < panels.index("张伟")  # lowest first
    # one call waiting (overdue), linked to the team's queue; one open dispute
    assert f"?who=all&amp;team={world.team_a1.pk}" in panels
    assert reverse("disputes:dispute_detail", args=[results["low"].disputes.get().pk]) in panels


def test_another_departments_team_is_not_shown(world, results, client):
    client.force_login(world.users["supervisor"])
    response = client.get(reverse("org:team_detail", args=[world.team_b1.pk]))
    assert response.status_code == 404
