"""Agents' results, the evaluation list (scoped, filtered), the call detail page, scorecards."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scoring.evaluations.services.evaluations import evaluation_start, evaluation_submit
from tests.factories import CallCheckFactory, CallFactory, make_scorecard


def _evaluate(world, agent, *, submit=True, tone=5, leak=1):
    card = make_scorecard() if not hasattr(world, "_card") else world._card
    world._card = card
    call = CallFactory(agent=agent)
    CallCheckFactory(call=call, outcomes={"GREET": "pass", "HOLD": "pass"})
    sup = (
        world.users["supervisor"] if agent.team.department == world.dep_a else world.users["admin"]
    )
    evaluation = evaluation_start(call=call, scorecard=card, evaluator=sup)
    if submit:
        evaluation = evaluation_submit(
            evaluation=evaluation,
            actor=sup,
            answers={"tone": {"value": tone}, "leak": {"value": leak}},
            comment="继续保持",
            expected_version=1,
        )
    return evaluation


@pytest.fixture
def evaluations(world):
    return {
        "own": _evaluate(world, world.agents["a1"][0]),
        "own_draft": _evaluate(world, world.agents["a1"][0], submit=False),
        "colleague": _evaluate(world, world.agents["a1"][1], leak=0),
        "other_team": _evaluate(world, world.agents["a2"][0], tone=2),
        "other_dep": _evaluate(world, world.agents["b1"][0]),
    }


def test_agent_sees_only_own_submitted_evaluations(evaluations, world, client):
    client.force_login(world.users["agent"])
    html = client.get(reverse("evaluations:my_evaluations")).content.decode()
    assert f'id="evaluation-{evaluations["own"].pk}"' in html
    for key in ("own_draft", "colleague", "other_team", "other_dep"):
        assert f'id="evaluation-{evaluations[key].pk}"' not in html
    assert "继续保持" in html and '<mark class="ev">您好</mark>' in html
    assert 'data-testid="acknowledge"' in html


def test_agent_acknowledges_own_evaluation_only(evaluations, world, client):
    client.force_login(world.users["agent"])
    own = evaluations["own"]
    response = client.post(reverse("evaluations:evaluation_acknowledge", args=[own.pk]))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == "acknowledged" and own.acknowledged_at
    html = client.get(response.url).content.decode()  # back on the same evaluation, opened
    assert 'data-testid="acknowledged"' in html
    colleague = evaluations["colleague"]
    assert (
        client.post(reverse("evaluations:evaluation_acknowledge", args=[colleague.pk])).status_code
        == 404
    )


def test_team_lead_sees_the_team_only(evaluations, world, client):
    client.force_login(world.users["teamlead"])
    html = client.get(reverse("evaluations:evaluation_list")).content.decode()
    assert evaluations["own"].call.call_id in html
    assert evaluations["colleague"].call.call_id in html
    assert evaluations["other_team"].call.call_id not in html
    assert evaluations["other_dep"].call.call_id not in html
    other = reverse("evaluations:evaluation_edit", args=[evaluations["other_team"].pk])
    assert client.get(other).status_code == 404


def test_list_filters(evaluations, world, client):
    client.force_login(world.users["supervisor"])
    url = reverse("evaluations:evaluation_list")
    html = client.get(url, {"critical": "1"}).content.decode()
    assert evaluations["colleague"].call.call_id in html
    assert evaluations["own"].call.call_id not in html
    html = client.get(url, {"score_max": "60"}).content.decode()
    assert evaluations["colleague"].call.call_id in html  # 0 with a critical failure
    assert evaluations["own"].call.call_id not in html
    html = client.get(url, {"status": "draft"}).content.decode()
    assert evaluations["own_draft"].call.call_id in html
    assert evaluations["own"].call.call_id not in html
    html = client.get(url, {"team": world.team_a2.pk}).content.decode()
    assert evaluations["other_team"].call.call_id in html
    assert evaluations["own"].call.call_id not in html
    assert evaluations["other_dep"].call.call_id not in client.get(url).content.decode()
    client.force_login(world.users["agent"])
    assert client.get(url).status_code == 403


def test_call_detail(evaluations, world, client):
    own = evaluations["own"]
    url = reverse("calls:call_detail", args=[own.call.pk])
    client.force_login(world.users["supervisor"])
    html = client.get(url).content.decode()
    assert 'data-testid="auto-results"' in html and "GREET" in html
    assert '<mark class="ev" data-rules="GREET"' in html
    assert reverse("evaluations:evaluation_edit", args=[own.pk]) in html
    client.force_login(world.users["agent"])
    assert client.get(url).status_code == 200
    colleague_call = evaluations["colleague"].call
    assert client.get(reverse("calls:call_detail", args=[colleague_call.pk])).status_code == 404
    client.force_login(world.users["teamlead"])
    html = client.get(url).content.decode()
    assert 'data-testid="score-call"' not in html


def test_call_detail_offers_to_score(world, client):
    make_scorecard()
    call = CallFactory(agent=world.agents["a1"][0])
    client.force_login(world.users["supervisor"])
    html = client.get(reverse("calls:call_detail", args=[call.pk])).content.decode()
    assert "Score this call" in html or "为此通话评分" in html or 'data-testid="score-call"' in html


def test_scorecard_pages(world, client):
    card = make_scorecard()
    client.force_login(world.users["supervisor"])
    assert card.name in client.get(reverse("evaluations:scorecard_list")).content.decode()
    html = client.get(reverse("evaluations:scorecard_detail", args=[card.pk])).content.decode()
    assert "未泄露客户信息" in html and "GREET" in html
    assert (
        client.post(reverse("evaluations:scorecard_new_version", args=[card.pk])).status_code == 403
    )
    client.force_login(world.users["admin"])
    response = client.post(reverse("evaluations:scorecard_new_version", args=[card.pk]))
    assert response.status_code == 302


def test_demo_is_idempotent(world):
    from scoring.evaluations.demo import hotline_scorecard

    first = hotline_scorecard()
    again = hotline_scorecard()
    assert first.pk == again.pk and first.status == "published"
    assert first.items.filter(critical=True).count() == 3
    assert first.items.filter(kind="scale").count() == 5


def test_my_results_page_costs_the_same_queries_for_one_or_many_evaluations(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agent = world.agents["a1"][0]
    _evaluate(world, agent)
    client.force_login(world.users["agent"])
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("evaluations:my_evaluations")).status_code == 200
    for _ in range(4):
        _evaluate(world, agent)
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("evaluations:my_evaluations"))
    assert len(five) == len(one)
