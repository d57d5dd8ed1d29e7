from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from org.models import Agent, Role, Team, User
from qa_center.permissions import (
    Level,
    Units,
    get_scoped_or_404,
    has_capability,
    may_create_sampling_plan,
    may_decide_dispute,
    may_manage_calibration_session,
    may_manage_sampling_plan,
    scope_queryset,
    units_with_ancestors,
    user_scope,
    visible_evaluators,
    visible_import_jobs,
    visible_sampling_plans,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _names(queryset) -> set[str]:
    return {agent.name for agent in queryset}


def test_each_role_has_the_scope_of_its_place(world):
    users = world.users
    assert user_scope(users["agent"]).level == Level.AGENT
    assert user_scope(users["teamlead"]).level == Level.TEAM
    assert user_scope(users["supervisor"]).level == Level.DEPARTMENT
    assert user_scope(users["manager"]).level == Level.CENTER
    assert user_scope(users["dept_manager"]).level == Level.DEPARTMENT
    assert user_scope(users["admin"]).level == Level.CENTER


def test_agents_visible_follow_the_scope(world):
    agents = Agent.objects.all()
    assert _names(scope_queryset(world.users["agent"], agents)) == {"张伟"}
    assert _names(scope_queryset(world.users["teamlead"], agents)) == {"张伟", "王芳", "李娜"}
    assert _names(scope_queryset(world.users["supervisor"], agents)) == {
        "张伟",
        "王芳",
        "李娜",
        "刘洋",
        "陈静",
    }
    assert _names(scope_queryset(world.users["dept_manager"], agents)) == {"杨磊", "赵敏"}
    assert scope_queryset(world.users["manager"], agents).count() == 7


def test_out_of_scope_row_is_a_404_not_a_403(world):
    other_team_agent = world.agents["b1"][0]
    with pytest.raises(Http404):
        get_scoped_or_404(world.users["teamlead"], Agent.objects.all(), pk=other_team_agent.pk)


def test_an_agent_sees_no_teams_and_a_team_lead_only_their_own(world):
    assert not scope_queryset(world.users["agent"], Team.objects.all()).exists()
    assert list(scope_queryset(world.users["teamlead"], Team.objects.all())) == [world.team_a1]


def test_inactive_or_anonymous_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    admin = world.users["admin"]
    admin.is_active = False
    assert not scope_queryset(admin, Agent.objects.all()).exists()
    assert not scope_queryset(AnonymousUser(), Agent.objects.all()).exists()
    assert not has_capability(AnonymousUser(), "view_org")


def test_review_group_membership_grants_dispute_review(world):
    assert has_capability(world.users["supervisor"], "review_disputes")  # is_reviewer
    assert not has_capability(world.users["manager"], "review_disputes")
    assert has_capability(world.users["admin"], "review_disputes")


def test_supervisors_find_the_import_page_from_the_call_list(client, world):
    client.force_login(world.users["supervisor"])
    html = client.get("/scoring/calls/").content.decode()
    assert 'data-testid="import-calls"' in html
    client.force_login(world.users["teamlead"])
    html = client.get("/scoring/calls/").content.decode()
    assert 'data-testid="import-calls"' not in html


# --- Rows: the rules that moved here from the apps ----------------------------------------------


def _plan(department_id):
    return SimpleNamespace(department_id=department_id)


def test_sampling_plans_are_managed_by_admins_and_their_departments_supervisor(world):
    users = world.users
    dep_a, dep_b = world.dep_a.pk, world.dep_b.pk
    assert may_manage_sampling_plan(users["admin"], plan=_plan(dep_b))
    assert may_manage_sampling_plan(users["admin"], plan=_plan(None))  # center-wide
    assert may_manage_sampling_plan(users["supervisor"], plan=_plan(dep_a))
    assert not may_manage_sampling_plan(users["supervisor"], plan=_plan(dep_b))
    assert not may_manage_sampling_plan(users["supervisor"], plan=_plan(None))
    # A new plan: the department it is for.
    assert may_manage_sampling_plan(users["supervisor"], department=world.dep_a)
    assert not may_manage_sampling_plan(users["supervisor"], department=world.dep_b)
    assert not may_manage_sampling_plan(users["supervisor"], department=None)
    # Without the capability, or as a supervisor of no department: never.
    for role in ("agent", "teamlead", "manager", "dept_manager", "auditor"):
        assert not may_manage_sampling_plan(users[role], plan=_plan(dep_a)), role
    roaming = UserFactory(username="roaming", role=Role.SUPERVISOR)
    assert not may_manage_sampling_plan(roaming, plan=_plan(None))
    assert not may_manage_sampling_plan(roaming, plan=_plan(dep_a))


def test_who_may_create_a_sampling_plan(world):
    users = world.users
    assert may_create_sampling_plan(users["admin"])
    assert may_create_sampling_plan(users["supervisor"])
    assert not may_create_sampling_plan(UserFactory(username="roaming", role=Role.SUPERVISOR))
    for role in ("agent", "teamlead", "manager", "dept_manager", "auditor"):
        assert not may_create_sampling_plan(users[role]), role
    assert not may_create_sampling_plan(AnonymousUser())


def test_sampling_plans_visible_are_the_departments_and_the_center_wide_ones(world):
    from scoring.sampling.models import SamplingPlan
    from tests.factories import REVIEW_SCORECARD, make_scorecard

    card = make_scorecard(REVIEW_SCORECARD)
    for name, department in (("a", world.dep_a), ("b", world.dep_b), ("all", None)):
        SamplingPlan.objects.create(name=name, scorecard=card, department=department)

    def names(user):
        return {plan.name for plan in visible_sampling_plans(user, SamplingPlan.objects.all())}

    assert names(world.users["supervisor"]) == {"a", "all"}
    assert names(world.users["dept_manager"]) == {"b", "all"}
    assert names(world.users["admin"]) == {"a", "b", "all"}
    assert names(world.users["manager"]) == {"a", "b", "all"}  # no department: the center
    assert names(AnonymousUser()) == set()


def test_a_calibration_session_is_managed_by_its_owner_or_an_admin(world):
    owner = world.users["supervisor"]
    session = SimpleNamespace(created_by_id=owner.pk)
    colleague = UserFactory(username="colleague", role=Role.SUPERVISOR, department=world.dep_a)
    assert may_manage_calibration_session(owner, session)
    assert may_manage_calibration_session(world.users["admin"], session)
    assert not may_manage_calibration_session(colleague, session)
    assert not may_manage_calibration_session(world.users["manager"], session)
    # The owner who no longer calibrates (now a manager) no longer manages it.
    owner.role = Role.MANAGER
    assert not may_manage_calibration_session(owner, session)


def _dispute(status: str, evaluator_id: int):
    status_enum = SimpleNamespace(OPEN="open")
    return SimpleNamespace(
        status=status, Status=status_enum, evaluation=SimpleNamespace(evaluator_id=evaluator_id)
    )


def test_a_dispute_is_decided_by_the_review_group_never_by_its_evaluator(world):
    reviewer, admin = world.users["supervisor"], world.users["admin"]  # supervisor: is_reviewer
    scored_by_other = _dispute("open", evaluator_id=admin.pk)
    assert may_decide_dispute(reviewer, scored_by_other)
    assert may_decide_dispute(admin, _dispute("open", evaluator_id=reviewer.pk))
    assert not may_decide_dispute(reviewer, _dispute("open", evaluator_id=reviewer.pk))
    assert not may_decide_dispute(reviewer, _dispute("upheld", evaluator_id=admin.pk))
    for role in ("agent", "teamlead", "manager", "auditor"):
        assert not may_decide_dispute(world.users[role], scored_by_other), role


def test_imports_are_seen_by_who_started_them_and_by_admins(world):
    from scoring.calls.models import ImportJob

    mine = ImportJob.objects.create(
        created_by=world.users["supervisor"], filename="a.jsonl", format="jsonl"
    )
    theirs = ImportJob.objects.create(
        created_by=world.users["admin"], filename="b.jsonl", format="jsonl"
    )
    jobs = ImportJob.objects.all()
    assert set(visible_import_jobs(world.users["admin"], jobs)) == {mine, theirs}
    assert list(visible_import_jobs(world.users["supervisor"], jobs)) == [mine]
    assert not visible_import_jobs(world.users["teamlead"], jobs).exists()
    assert not visible_import_jobs(AnonymousUser(), jobs).exists()


def test_evaluators_visible_are_those_of_calls_in_scope(world):
    from scoring.evaluations.models import Evaluation
    from tests.factories import REVIEW_SCORECARD, make_call, make_evaluation, make_scorecard

    card = make_scorecard(REVIEW_SCORECARD)
    sup_a2 = UserFactory(username="sup-a2", role=Role.SUPERVISOR, department=world.dep_a)
    make_evaluation(
        call=make_call(world.agents["a1"][0]), card=card, evaluator=world.users["supervisor"]
    )
    make_evaluation(call=make_call(world.agents["a2"][0]), card=card, evaluator=sup_a2)

    def names(user):
        return {u.username for u in visible_evaluators(user, Evaluation.objects.all())}

    assert names(world.users["teamlead"]) == {"supervisor"}
    assert names(world.users["supervisor"]) == {"supervisor", "sup-a2"}
    assert names(world.users["dept_manager"]) == set()
    assert names(world.users["agent"]) == {"supervisor"}  # who scored their own calls


# --- Units with their ancestors (the KPI cascade's scope) ---------------------------------------


def test_units_with_ancestors_by_role(world):
    users = world.users
    a1, a2, dep_a, dep_b = world.team_a1.pk, world.team_a2.pk, world.dep_a.pk, world.dep_b.pk
    lead_a2 = UserFactory(username="lead-a2", role=Role.TEAM_LEAD, team=world.team_a2)
    assert units_with_ancestors(users["agent"]) == Units(
        center=True, department_ids=frozenset({dep_a}), team_ids=frozenset({a1})
    )
    assert units_with_ancestors(users["teamlead"]) == Units(
        center=True, department_ids=frozenset({dep_a}), team_ids=frozenset({a1})
    )
    assert units_with_ancestors(lead_a2).team_ids == {a2}
    assert units_with_ancestors(users["supervisor"]) == Units(
        center=True, department_ids=frozenset({dep_a})
    )
    assert units_with_ancestors(users["dept_manager"]) == Units(
        center=True, department_ids=frozenset({dep_b})
    )
    assert units_with_ancestors(users["admin"]) == Units(every=True)
    assert units_with_ancestors(users["manager"]) == Units(every=True)  # no department: center
    assert units_with_ancestors(AnonymousUser()) == Units()


def test_an_agent_moved_to_another_team_sees_the_new_teams_line(world):
    agent_user = world.users["agent"]
    agent_user.agent.team = world.team_b1
    agent_user.agent.save()
    agent_user.refresh_from_db()
    units = units_with_ancestors(agent_user)
    assert units.team_ids == {world.team_b1.pk}
    assert units.department_ids == {world.dep_b.pk}


def test_units_filter_rows_set_at_a_unit(world):
    """Rows with a department and a team field (users here; bulletins and targets alike): a
    team row, a department row (no team), a center row (neither); never a sibling's."""
    rows = {
        "at-center": {},
        "at-dep-a": {"department": world.dep_a},
        "at-dep-b": {"department": world.dep_b},
        "at-a1": {"department": world.dep_a, "team": world.team_a1},
        "at-a2": {"department": world.dep_a, "team": world.team_a2},
        "at-b1": {"department": world.dep_b, "team": world.team_b1},
    }
    for username, where in rows.items():
        UserFactory(username=username, role=Role.AUDITOR, **where)
    candidates = User.objects.filter(username__startswith="at-")

    def seen(user):
        units = units_with_ancestors(user)
        return {u.username for u in candidates.filter(units.q())}

    assert seen(world.users["teamlead"]) == {"at-center", "at-dep-a", "at-a1"}
    assert seen(world.users["agent"]) == {"at-center", "at-dep-a", "at-a1"}
    assert seen(world.users["supervisor"]) == {"at-center", "at-dep-a"}
    assert seen(world.users["dept_manager"]) == {"at-center", "at-dep-b"}
    assert seen(world.users["admin"]) == set(rows)
    assert seen(AnonymousUser()) == set()
