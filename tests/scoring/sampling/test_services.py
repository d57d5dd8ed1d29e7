"""专项抽检: the weekly draw, assignment to supervisors, the queue and progress pages."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from org.models import Role
from qa_center.periods import WEEK as WEEKLY
from qa_center.periods import period_of
from scoring.evaluations.models import Evaluation
from scoring.evaluations.services.evaluations import evaluation_submit
from scoring.sampling.models import Assignment, SamplingPlan
from scoring.sampling.selectors import sampling_progress
from scoring.sampling.services import (
    assignments_sync_done,
    sampling_plan_save,
    sampling_run,
)
from tests.factories import (
    REVIEW_SCORECARD,
    TZ,
    UserFactory,
    make_call,
    make_evaluation,
    make_scorecard,
)

WEEK = datetime.date(2026, 3, 2)  # a Monday


def _at(day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(WEEK + datetime.timedelta(days=day), datetime.time(hour), TZ)


@pytest.fixture
def card(db):
    return make_scorecard(REVIEW_SCORECARD)


@pytest.fixture
def plan(world, card):
    supervisor2 = UserFactory(username="sup2", role=Role.SUPERVISOR, department=world.dep_a)
    return sampling_plan_save(
        actor=world.users["admin"],
        supervisors=[world.users["supervisor"], supervisor2],
        name="一部周抽检",
        scorecard=card,
        department=world.dep_a,
        calls_per_agent=2,
        weight_low_scores=True,
        weight_critical=True,
    )


def _calls_for_all(world, per_agent: int = 5, *, score=90):
    calls = []
    for team in ("a1", "a2", "b1"):
        for agent in world.agents[team]:
            for i in range(per_agent):
                calls.append(make_call(agent, started_at=_at(i % 7), score=score))
    return calls


def test_sampling_week_is_monday_to_monday_in_center_time():
    week = period_of(WEEKLY, WEEK)
    assert week.start.isoformat() == "2026-03-02T00:00:00+08:00"
    assert week.end - week.start == datetime.timedelta(days=7)


def test_draws_n_per_agent_within_the_department_and_week(world, plan):
    _calls_for_all(world)
    # Outside the week: never drawn.
    make_call(world.agents["a1"][0], started_at=_at(7))
    make_call(world.agents["a1"][0], started_at=_at(-1, 23))
    result = sampling_run(plan=plan, week_start=WEEK)
    assignments = Assignment.objects.filter(plan=plan)
    assert result.created == 5 * 2  # five agents in department A, two calls each
    per_agent = Counter(a.call.agent_id for a in assignments)
    assert set(per_agent.values()) == {2}
    assert {a.call.team.department_id for a in assignments} == {world.dep_a.pk}
    week = period_of(WEEKLY, WEEK)
    assert all(a.call.started_at in week for a in assignments)
    assert {a.period_start for a in assignments} == {WEEK}


def test_stratified_by_team_and_spread_round_robin(world, plan):
    _calls_for_all(world)
    sampling_run(plan=plan, week_start=WEEK)
    by_team = Counter(a.call.team.code for a in Assignment.objects.filter(plan=plan))
    assert by_team == {"a1": 6, "a2": 4}
    by_supervisor = Counter(Assignment.objects.filter(plan=plan).values_list("supervisor", flat=1))
    assert sorted(by_supervisor.values()) == [5, 5]


def test_by_team_gives_each_team_one_supervisor(world, plan):
    plan.assignment = SamplingPlan.Assign.BY_TEAM
    plan.save()
    _calls_for_all(world)
    sampling_run(plan=plan, week_start=WEEK)
    supervisors_per_team: dict[str, set] = {}
    for a in Assignment.objects.filter(plan=plan).select_related("call__team"):
        supervisors_per_team.setdefault(a.call.team.code, set()).add(a.supervisor_id)
    assert all(len(s) == 1 for s in supervisors_per_team.values())
    # Two teams, two supervisors: one each.
    assert len(set().union(*supervisors_per_team.values())) == 2


def test_excludes_calls_already_evaluated_or_sampled(world, plan, card):
    agent = world.agents["a1"][0]
    calls = [make_call(agent, started_at=_at(i)) for i in range(4)]
    make_evaluation(call=calls[0], card=card, evaluator=world.users["supervisor"])
    other_plan = SamplingPlan.objects.create(name="其他", scorecard=card)
    Assignment.objects.create(
        plan=other_plan,
        call=calls[1],
        supervisor=world.users["supervisor"],
        period_start=WEEK,
        due_at=timezone.now(),
    )
    sampling_run(plan=plan, week_start=WEEK)
    drawn = set(Assignment.objects.filter(plan=plan).values_list("call_id", flat=True))
    assert drawn == {calls[2].pk, calls[3].pk}


def test_running_twice_does_not_double_and_tops_up(world, plan):
    _calls_for_all(world, per_agent=1)
    first = sampling_run(plan=plan, week_start=WEEK)
    assert first.created == 5  # one call each: fewer than N
    assert set(first.short_agents) == {a.pk for t in ("a1", "a2") for a in world.agents[t]}
    again = sampling_run(plan=plan, week_start=WEEK)
    assert again.created == 0
    # Late-imported calls: the next run tops up to N, never beyond.
    for agent in world.agents["a1"]:
        for i in range(3):
            make_call(agent, started_at=_at(i + 1))
    topped = sampling_run(plan=plan, week_start=WEEK)
    assert topped.created == 3
    per_agent = Counter(Assignment.objects.filter(plan=plan).values_list("call__agent", flat=1))
    assert max(per_agent.values()) == 2
    assert sampling_run(plan=plan, week_start=WEEK).created == 0


def test_weighting_favours_low_scores_and_critical_hits(world, card):
    """Each agent has 2 low-scoring calls (score 20, critical) among 10; draw 2. Without
    weighting about 2/10 of draws would be low; weighted, well over half."""
    supervisor = world.users["supervisor"]
    low_hits = 0
    draws = 0
    for round_ in range(30):
        plan = SamplingPlan.objects.create(
            name=f"权重{round_}", scorecard=card, department=world.dep_a, calls_per_agent=2
        )
        plan.supervisors.set([supervisor])
        week = WEEK + datetime.timedelta(weeks=round_)
        agent = world.agents["a1"][0]
        start = datetime.datetime.combine(week, datetime.time(9), TZ)
        low = {make_call(agent, started_at=start, score=20, critical=True).pk for _ in range(2)}
        for _ in range(8):
            make_call(agent, started_at=start, score=100)
        sampling_run(plan=plan, week_start=week, seed=round_)
        picked = Assignment.objects.filter(plan=plan).values_list("call_id", flat=True)
        low_hits += sum(1 for pk in picked if pk in low)
        draws += len(picked)
    assert draws == 60
    assert low_hits / draws > 0.5


def test_no_weighting_is_roughly_uniform(world, card):
    supervisor = world.users["supervisor"]
    low_hits = draws = 0
    for round_ in range(30):
        plan = SamplingPlan.objects.create(
            name=f"均匀{round_}",
            scorecard=card,
            department=world.dep_a,
            calls_per_agent=2,
            weight_low_scores=False,
            weight_critical=False,
        )
        plan.supervisors.set([supervisor])
        week = WEEK + datetime.timedelta(weeks=round_)
        start = datetime.datetime.combine(week, datetime.time(9), TZ)
        agent = world.agents["a1"][0]
        low = {make_call(agent, started_at=start, score=20, critical=True).pk for _ in range(2)}
        for _ in range(8):
            make_call(agent, started_at=start, score=100)
        sampling_run(plan=plan, week_start=week, seed=round_)
        picked = list(Assignment.objects.filter(plan=plan).values_list("call_id", flat=True))
        low_hits += sum(1 for pk in picked if pk in low)
        draws += len(picked)
    assert low_hits / draws < 0.4


def test_same_seed_same_draw(world, plan, card):
    _calls_for_all(world)
    sampling_run(plan=plan, week_start=WEEK, seed=7)
    first = set(Assignment.objects.filter(plan=plan).values_list("call_id", flat=True))
    Assignment.objects.filter(plan=plan).delete()
    sampling_run(plan=plan, week_start=WEEK, seed=7)
    assert set(Assignment.objects.filter(plan=plan).values_list("call_id", flat=True)) == first


def test_week_must_start_on_monday(world, plan):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        sampling_run(plan=plan, week_start=WEEK + datetime.timedelta(days=1))


def test_supervisor_may_not_plan_for_another_department(world, card):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        sampling_plan_save(
            actor=world.users["supervisor"],
            supervisors=[world.users["supervisor"]],
            name="越权",
            scorecard=card,
            department=world.dep_b,
        )


def test_submitted_evaluation_completes_the_assignment(world, plan, card):
    _calls_for_all(world, per_agent=2)
    sampling_run(plan=plan, week_start=WEEK)
    supervisor = world.users["supervisor"]
    assignment = Assignment.objects.filter(plan=plan, supervisor=supervisor).first()
    evaluation = make_evaluation(
        call=assignment.call,
        card=card,
        evaluator=supervisor,
        submit=False,
    )
    assert assignments_sync_done(supervisor=supervisor) == 0  # a draft
    evaluation_submit(evaluation=evaluation, actor=supervisor, expected_version=evaluation.version)
    assert assignments_sync_done(supervisor=supervisor) == 1
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.DONE


def test_queue_closes_assignments_scored_without_the_link(world, plan, card, client):
    _calls_for_all(world, per_agent=2)
    sampling_run(plan=plan, week_start=WEEK)
    supervisor = world.users["supervisor"]
    assignment = Assignment.objects.filter(plan=plan, supervisor=supervisor).first()
    make_evaluation(call=assignment.call, card=card, evaluator=supervisor)
    assert assignments_sync_done(supervisor=world.users["agent"]) == 0
    client.force_login(supervisor)
    response = client.get(reverse("sampling:queue"))
    assert response.status_code == 200
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.DONE
    assert assignment.call.call_id not in response.content.decode()


def test_queue_page_sorted_by_due_with_overdue_marked(
    world, plan, client, django_assert_max_num_queries
):
    _calls_for_all(world, per_agent=3)
    sampling_run(plan=plan, week_start=WEEK)
    supervisor = world.users["supervisor"]
    mine = list(Assignment.objects.filter(supervisor=supervisor).order_by("pk"))
    mine[-1].due_at = timezone.now() - datetime.timedelta(days=1)
    mine[-1].save()
    client.force_login(supervisor)
    with django_assert_max_num_queries(16):  # filters' choices and reassigning: per page
        response = client.get(reverse("sampling:queue"))
    body = response.content.decode()
    assert body.index(mine[-1].call.call_id) < body.index(mine[0].call.call_id)
    assert "overdue" in body
    # Each row scores its call with the plan's scorecard.
    assert reverse("evaluations:evaluate_call", args=[mine[0].call.pk]) in body
    assert f'name="scorecard" value="{plan.scorecard_id}"' in body


def test_queue_needs_score_calls_or_assign_calls(world, client):
    client.force_login(world.users["agent"])
    assert client.get(reverse("sampling:queue")).status_code == 403
    client.force_login(world.users["manager"])
    assert client.get(reverse("sampling:queue")).status_code == 403
    # a team lead sees the team's open calls to reassign them (tests/scoring/sampling/test_queue)
    client.force_login(world.users["teamlead"])
    assert client.get(reverse("sampling:queue")).status_code == 200


def test_progress_counts_sampled_and_evaluated(world, plan, card):
    _calls_for_all(world, per_agent=3)
    sampling_run(plan=plan, week_start=WEEK)
    supervisor = world.users["supervisor"]
    done = Assignment.objects.filter(plan=plan).first()
    done.status = Assignment.Status.DONE
    done.save()
    rows = {r.agent.pk: r for r in sampling_progress(supervisor, plan=plan, week_start=WEEK)}
    assert len(rows) == 5
    assert all(r.target == 2 and r.sampled == 2 and r.calls == 3 for r in rows.values())
    assert rows[done.call.agent_id].evaluated == 1


def test_plan_pages(world, plan, card, client):
    client.force_login(world.users["supervisor"])
    assert client.get(reverse("sampling:sampling_list")).status_code == 200
    response = client.get(
        reverse("sampling:sampling_progress", args=[plan.pk]) + "?week=2026-03-02"
    )
    assert response.status_code == 200
    response = client.post(
        reverse("sampling:sampling_create"),
        {
            "name": "新计划",
            "scorecard": card.pk,
            "department": world.dep_a.pk,
            "calls_per_agent": 3,
            "assignment": "round_robin",
            "supervisors": [world.users["supervisor"].pk],
            "due_days": 3,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SamplingPlan.objects.filter(name="新计划", calls_per_agent=3).exists()
    # Another department's supervisor sees the plan list but cannot edit plan of dep A.
    other = UserFactory(username="supb", role=Role.SUPERVISOR, department=world.dep_b)
    client.force_login(other)
    assert client.get(reverse("sampling:sampling_edit", args=[plan.pk])).status_code == 404
    client.force_login(world.users["manager"])
    assert client.get(reverse("sampling:sampling_list")).status_code == 403


def test_run_from_the_page_and_the_command(world, plan, client):
    _calls_for_all(world, per_agent=2)
    client.force_login(world.users["supervisor"])
    response = client.post(reverse("sampling:sampling_run", args=[plan.pk]), {"week": "2026-03-02"})
    assert response.status_code == 302
    assert Assignment.objects.filter(plan=plan).count() == 10
    call_command("sample_calls", plan=plan.pk, week="2026-03-04")  # any day: its Monday
    assert Assignment.objects.filter(plan=plan).count() == 10


def test_weekly_task_runs_active_plans_for_last_week(world, plan):
    from scoring.sampling.tasks import sampling_run_weekly

    last_monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday() + 7)
    agent = world.agents["a1"][0]
    start = datetime.datetime.combine(last_monday, datetime.time(10), TZ)
    for _ in range(3):
        make_call(agent, started_at=start)
    sampling_run_weekly.delay()
    assert Assignment.objects.filter(plan=plan, period_start=last_monday).count() == 2


def _score_from_queue(client, supervisor, assignment, card):
    """What the queue's button does, then submitting the scoring page."""
    from scoring.evaluations.services.evaluations import evaluation_submit

    client.force_login(supervisor)
    response = client.post(
        reverse("evaluations:evaluate_call", args=[assignment.call.pk]), {"scorecard": card.pk}
    )
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(call=assignment.call, evaluator=supervisor)
    answers = {
        a.item.code: {"value": 1 if a.item.kind == a.item.Kind.YES_NO else a.item.scale_max}
        for a in evaluation.answers.select_related("item")
    }
    evaluation_submit(
        evaluation=evaluation,
        actor=supervisor,
        answers=answers,
        expected_version=evaluation.version,
    )
    return client.get(reverse("sampling:queue"))


def test_scoring_from_the_queue_completes_its_assignment(world, plan, card, client):
    _calls_for_all(world, per_agent=2)
    sampling_run(plan=plan, week_start=WEEK)
    supervisor = world.users["supervisor"]
    assignment = Assignment.objects.filter(plan=plan, supervisor=supervisor).first()
    _score_from_queue(client, supervisor, assignment, card)
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.DONE


def test_another_supervisors_assignment_is_not_completed(world, plan, card, client):
    _calls_for_all(world, per_agent=2)
    sampling_run(plan=plan, week_start=WEEK)
    other = Assignment.objects.filter(plan=plan).exclude(supervisor=world.users["supervisor"])
    assignment = other.first()
    _score_from_queue(client, world.users["supervisor"], assignment, card)
    assignments_sync_done()
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.OPEN
