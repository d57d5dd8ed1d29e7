"""The queue drives the day: after submitting, the next call of the queue opens with how many
are left; the queue filters (agent, team, due, plan, automatic score, critical, call id, what
was said) and sorts; supervisors and team leads reassign picked rows, only to a supervisor who
may score every one of them, all or nothing."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from org.models import Role
from scoring.evaluations.models import Evaluation
from scoring.sampling.models import Assignment
from tests.factories import (
    REVIEW_SCORECARD,
    CallCheckFactory,
    CallFactory,
    UserFactory,
    make_scorecard,
)

pytestmark = pytest.mark.django_db

FULL = {"answer-greet": "1", "answer-verify": "1", "answer-close": "1", "answer-tone": "5"}


def _assign(call, supervisor, *, due_in_hours=24):
    return Assignment.objects.create(
        call=call,
        supervisor=supervisor,
        period_start=datetime.date(2026, 11, 30),
        due_at=timezone.now() + datetime.timedelta(hours=due_in_hours),
    )


def _call(agent, *, score=80, critical=False, turns=None, call_id=None):
    kwargs = {"agent": agent}
    if turns is not None:
        kwargs["turns"] = turns
    if call_id:
        kwargs["call_id"] = call_id
    call = CallFactory(**kwargs)
    CallCheckFactory(call=call, score=score, critical_failed=critical)
    return call


@pytest.fixture
def card(db):
    return make_scorecard(REVIEW_SCORECARD)


@pytest.fixture
def queue(world, card):
    sup = world.users["supervisor"]
    a1, a2 = world.agents["a1"][0], world.agents["a2"][0]
    calls = [
        _call(a1, score=90, call_id="Q-1"),
        _call(a2, score=40, critical=True, call_id="Q-2"),
        _call(a1, score=70, call_id="Q-3"),
    ]
    rows = [_assign(c, sup, due_in_hours=h) for c, h in zip(calls, (-2, 5, 30), strict=True)]
    return {"calls": calls, "rows": rows}


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _start(client, call, card):
    response = client.post(
        reverse("evaluations:evaluate_call", args=[call.pk]), {"scorecard": card.pk}
    )
    return Evaluation.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def _submit(client, evaluation):
    data = {"version": str(evaluation.version), "comment": "", "action": "submit", **FULL}
    return client.post(reverse("evaluations:evaluation_edit", args=[evaluation.pk]), data)


def test_after_submit_the_next_call_of_the_queue_opens_with_how_many_are_left(
    world, card, queue, client
):
    sup = world.users["supervisor"]
    client.force_login(sup)
    client.get(reverse("sampling:queue"))  # the order the supervisor sees: soonest due first
    first = _start(client, queue["calls"][0], card)
    response = _submit(client, first)
    following = Evaluation.objects.get(call=queue["calls"][1], evaluator=sup)
    assert response.status_code == 302
    assert response.url == reverse("evaluations:evaluation_edit", args=[following.pk])
    text = _messages(response)
    assert "Q-2" in text and "2" in text, text
    # the submitted one has left the queue; the page says 2
    html = client.get(reverse("sampling:queue")).content.decode()
    assert f'data-assignment="{queue["rows"][0].pk}"' not in html
    # the last one: the queue is empty, back to it
    _submit(client, following)
    last = Evaluation.objects.get(call=queue["calls"][2], evaluator=sup)
    response = _submit(client, last)
    assert response.url == reverse("sampling:queue")


def test_next_call_follows_the_queue_as_filtered(world, card, queue, client):
    sup = world.users["supervisor"]
    client.force_login(sup)
    team = world.team_a1.pk
    client.get(reverse("sampling:queue"), {"team": team})  # only 一班
    response = _submit(client, _start(client, queue["calls"][0], card))
    following = Evaluation.objects.get(evaluator=sup, status="draft")
    assert following.call == queue["calls"][2]
    assert "Q-3" in _messages(response)


def test_submitting_a_call_not_in_the_queue_stays_on_it(world, card, queue, client):
    sup = world.users["supervisor"]
    client.force_login(sup)
    other = _call(world.agents["a1"][1], call_id="ADHOC")
    evaluation = _start(client, other, card)
    response = _submit(client, evaluation)
    assert response.url == reverse("evaluations:evaluation_edit", args=[evaluation.pk])


def _ids(html: str, rows) -> list[int]:
    return [r.pk for r in rows if f'data-assignment="{r.pk}"' in html]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [0, 1, 2]),
        ({"critical": "yes"}, [1]),
        ({"score_max": "75"}, [1, 2]),
        ({"score_min": "80"}, [0]),
        ({"due": "overdue"}, [0]),
        ({"q": "Q-3"}, [2]),
        ({"agent": "a2"}, [1]),
        ({"team": "a1"}, [0, 2]),
    ],
)
def test_queue_filters(world, queue, client, params, expected):
    if params.get("agent") == "a2":
        params = {"agent": world.agents["a2"][0].pk}
    if params.get("team") == "a1":
        params = {"team": world.team_a1.pk}
    client.force_login(world.users["supervisor"])
    html = client.get(reverse("sampling:queue"), params).content.decode()
    assert _ids(html, queue["rows"]) == [queue["rows"][i].pk for i in expected]


def test_queue_sorts_by_automatic_score(world, queue, client):
    client.force_login(world.users["supervisor"])
    html = client.get(reverse("sampling:queue"), {"sort": "score"}).content.decode()
    positions = [html.index(f'data-assignment="{r.pk}"') for r in queue["rows"]]
    assert positions[1] < positions[2] < positions[0]  # 40, 70, 90


def test_queue_finds_calls_by_what_was_said(world, queue, client):
    sup = world.users["supervisor"]
    complaint = _call(
        world.agents["a1"][2],
        call_id="Q-SAID",
        turns=[
            {"speaker": "customer", "text": "我要投诉你们的经理！", "start": 0, "end": 2},
            {"speaker": "agent", "text": "非常抱歉。", "start": 2, "end": 3},
        ],
    )
    row = _assign(complaint, sup)
    client.force_login(sup)
    html = client.get(reverse("sampling:queue"), {"said": "投诉 你们"}).content.decode()
    assert _ids(html, [row, *queue["rows"]]) == [row.pk]
    # a phrase across two turns, or one nobody said, finds nothing
    for phrase in ("经理非常", "退费"):
        html = client.get(reverse("sampling:queue"), {"said": phrase}).content.decode()
        assert _ids(html, [row, *queue["rows"]]) == []
    # one character is refused with a message naming the filter, the queue still shows
    response = client.get(reverse("sampling:queue"), {"said": "投"})
    assert response.status_code == 200 and "said" in _messages(response)
    assert len(_ids(response.content.decode(), [row, *queue["rows"]])) == 4


def test_supervisor_reassigns_picked_rows(world, queue, client):
    sup = world.users["supervisor"]
    colleague = UserFactory(username="sup-a2", role=Role.SUPERVISOR, department=world.dep_a)
    client.force_login(sup)
    picked = [queue["rows"][0].pk, queue["rows"][2].pk]
    response = client.post(
        reverse("sampling:queue_reassign"), {"assignment": picked, "to": colleague.pk}
    )
    assert response.status_code == 302
    assert "2" in _messages(response)
    assert set(Assignment.objects.filter(supervisor=colleague).values_list("pk", flat=True)) == set(
        picked
    )
    html = client.get(reverse("sampling:queue")).content.decode()
    assert _ids(html, queue["rows"]) == [queue["rows"][1].pk]


def test_reassign_is_all_or_nothing_and_only_to_who_may_score(world, queue, client):
    sup = world.users["supervisor"]
    outsider = UserFactory(username="sup-b", role=Role.SUPERVISOR, department=world.dep_b)
    b_call = _call(world.agents["b1"][0], call_id="Q-B")
    b_row = _assign(b_call, world.users["admin"])
    # the admin picks a dep-A call and a dep-B call and gives them to dep B's supervisor
    client.force_login(world.users["admin"])
    a_row = queue["rows"][0]
    response = client.post(
        reverse("sampling:queue_reassign"), {"assignment": [a_row.pk, b_row.pk], "to": outsider.pk}
    )
    text = _messages(response)
    assert "Q-1" in text and "Q-B" not in text, text
    a_row.refresh_from_db()
    b_row.refresh_from_db()
    assert a_row.supervisor == sup and b_row.supervisor == world.users["admin"]
    # a supervisor cannot give another department's row, nor to someone outside their list
    client.force_login(sup)
    client.post(reverse("sampling:queue_reassign"), {"assignment": [b_row.pk], "to": sup.pk})
    b_row.refresh_from_db()
    assert b_row.supervisor == world.users["admin"]
    client.post(reverse("sampling:queue_reassign"), {"assignment": [a_row.pk], "to": outsider.pk})
    a_row.refresh_from_db()
    assert a_row.supervisor == sup


def test_team_lead_sees_the_teams_open_calls_and_reassigns_them(world, queue, client):
    lead = world.users["teamlead"]  # 一班
    colleague = UserFactory(username="sup-a2", role=Role.SUPERVISOR, department=world.dep_a)
    client.force_login(lead)
    html = client.get(reverse("sampling:queue")).content.decode()
    # only 一班's rows, no Score button (a team lead does not score), with the supervisor
    assert _ids(html, queue["rows"]) == [queue["rows"][0].pk, queue["rows"][2].pk]
    assert "evaluate" not in html
    client.post(
        reverse("sampling:queue_reassign"),
        {"assignment": [queue["rows"][0].pk], "to": colleague.pk},
    )
    queue["rows"][0].refresh_from_db()
    assert queue["rows"][0].supervisor == colleague
    # another team's row is out of their scope: refused, nothing moves
    client.post(
        reverse("sampling:queue_reassign"),
        {"assignment": [queue["rows"][1].pk, queue["rows"][2].pk], "to": colleague.pk},
    )
    queue["rows"][2].refresh_from_db()
    assert queue["rows"][2].supervisor == world.users["supervisor"]


def test_agent_cannot_reassign(world, queue, client):
    client.force_login(world.users["agent"])
    response = client.post(
        reverse("sampling:queue_reassign"),
        {"assignment": [queue["rows"][0].pk], "to": world.users["supervisor"].pk},
    )
    assert response.status_code == 403
