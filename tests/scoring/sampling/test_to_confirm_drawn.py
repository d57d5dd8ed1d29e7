"""A call to confirm (its critical zero rests only on weak evidence, as the engine with the
starter library judges it) is always drawn by the week's sampling plan, beyond the agent's
quota if need be, and comes first in the supervisor's queue with its provisional score."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from scoring.calls.models import Call, CallCheck, Review
from scoring.calls.services.checks import call_checks_run
from scoring.sampling.models import Assignment
from scoring.sampling.selectors import queue_for
from scoring.sampling.services import sampling_plan_save, sampling_run
from tests.factories import TZ, active_hotline, make_scorecard

pytestmark = pytest.mark.django_db

WEEK = datetime.date(2026, 3, 2)  # a Monday
PLAIN = [
    {"speaker": "agent", "text": "您好，很高兴为您服务，请问有什么可以帮您？"},
    {"speaker": "customer", "text": "我想办个流量包。"},
    {"speaker": "agent", "text": "好的，请稍等，谢谢。请问还有其他可以帮您的吗？"},
]
# "您的话费" before any verification: ambiguous in the starter library, so the identity rule's
# critical failure rests on weak evidence only.
WEAK = [
    {"speaker": "agent", "text": "您好，很高兴为您服务，请问有什么可以帮您？"},
    {"speaker": "customer", "text": "我想查一下话费。"},
    {"speaker": "agent", "text": "您的话费明细可以在手机营业厅里随时查看。"},
    {"speaker": "agent", "text": "请问还有其他可以帮您的吗？谢谢。"},
]


def _call(world, call_id: str, turns: list, day: int) -> Call:
    return Call.objects.create(
        call_id=call_id,
        agent=world.agents["a1"][0],
        team=world.team_a1,
        started_at=datetime.datetime.combine(
            WEEK + datetime.timedelta(days=day), datetime.time(10), TZ
        ),
        turns=turns,
    )


def test_a_call_to_confirm_is_always_drawn_and_first_in_the_queue(world, client):
    active_hotline()
    plain = [_call(world, f"P-{i}", PLAIN, i) for i in range(5)]
    weak = _call(world, "W-1", WEAK, 3)
    weak2 = _call(world, "W-2", WEAK, 4)
    call_checks_run(call_ids=[c.pk for c in [*plain, weak, weak2]])
    check = CallCheck.objects.get(call=weak)
    assert check.review == Review.TO_CONFIRM and check.weak_critical == ["IDENTITY_BEFORE_ACCOUNT"]
    assert check.score == 0 and check.provisional
    supervisor = world.users["supervisor"]
    plan = sampling_plan_save(
        actor=world.users["admin"],
        supervisors=[supervisor],
        name="一部周抽检",
        scorecard=make_scorecard(),
        department=world.dep_a,
        calls_per_agent=1,
        weight_low_scores=False,
        weight_critical=False,
    )

    def drawn() -> set[str]:
        mine = Assignment.objects.filter(call__agent=weak.agent)
        return set(mine.values_list("call__call_id", flat=True))

    for seed in range(4):  # whatever the draw: both calls to confirm, beyond the quota of 1
        Assignment.objects.all().delete()
        sampling_run(plan=plan, week_start=WEEK, seed=seed)
        assert drawn() == {"W-1", "W-2"}
    plan.calls_per_agent = 3
    plan.save()
    sampling_run(plan=plan, week_start=WEEK, seed=1)  # a top-up: one more, drawn at random
    assert len(drawn()) == 3 and Assignment.objects.filter(call=weak).count() == 1
    assert [a.call.call_id for a in queue_for(supervisor)][:2] == ["W-1", "W-2"]
    client.force_login(supervisor)
    page = client.get(reverse("sampling:queue")).content.decode()
    rows = page.split("<tbody", 1)[1]
    assert rows.index("W-1") < min(rows.index(c.call_id) for c in plain if c.call_id in rows)
    assert 'data-testid="provisional"' in rows.split("W-1", 1)[1].split("</tr>", 1)[0]
