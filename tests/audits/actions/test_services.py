"""Corrective actions: who may set and change them, the verification loop, every change
recorded, escalation of overdue actions to the department's managers only."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits.actions import services
from audits.actions.models import ActionEvent, CorrectiveAction
from audits.actions.selectors import visible_actions
from org.models import Role
from qa_center.models import Notification
from tests.factories.actions import dep_a_people, make_action
from tests.factories.org import UserFactory

pytestmark = pytest.mark.django_db
Status = CorrectiveAction.Status


def test_an_action_is_created_open_with_its_event_and_the_owner_notified(world):
    action = make_action(world)
    people = dep_a_people(world)
    assert action.status == Status.OPEN
    assert [(e.kind, e.by) for e in action.events.all()] == [("created", people["auditor_a"])]
    assert Notification.objects.filter(user=people["owner_a"]).count() == 1


def test_it_refuses_to_set_an_action_for_another_department(world):
    people = dep_a_people(world)
    with pytest.raises(PermissionDenied):
        make_action(world, by=people["auditor_b"])
    with pytest.raises(PermissionDenied):
        make_action(world, by=world.users["agent"])
    with pytest.raises(PermissionDenied):
        make_action(world, by=world.users["teamlead"], team=world.team_a2)
    assert not CorrectiveAction.objects.exists()


def test_a_team_lead_sets_actions_for_their_team_and_the_department_follows(world):
    action = make_action(world, by=world.users["teamlead"], team=world.team_a1)
    assert action.department == world.dep_a


def test_bad_fields_change_nothing(world):
    people = dep_a_people(world)
    with pytest.raises(ValidationError) as exc:
        services.action_create(
            by=people["auditor_a"],
            title="",
            owner=people["owner_a"],
            due_on=datetime.date(2026, 12, 31),
            source="nonsense",
            department=world.dep_a,
        )
    assert {"title", "source"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError):
        services.action_create(
            by=people["auditor_a"],
            title="x",
            owner=people["owner_a"],
            due_on=datetime.date(2026, 12, 31),
            source="other",
            department=world.dep_a,
            team=world.team_b1,
        )
    assert not CorrectiveAction.objects.exists()
    assert not ActionEvent.objects.exists()


def test_the_status_cannot_be_set_outside_the_services(world):
    action = make_action(world)
    with pytest.raises(AttributeError):
        action.status = Status.VERIFIED


def test_verification_loop_not_effective_reopens_with_the_note_then_effective_closes(world):
    people = dep_a_people(world)
    action = make_action(world)
    services.action_complete(action=action, by=people["owner_a"], note="全员培训完成")
    assert action.status == Status.DONE and action.closed_at is None

    services.action_verify(
        action=action, by=people["auditor_a"], effective=False, note="抽查仍有3通未说请稍等"
    )
    assert action.status == Status.OPEN and action.closed_at is None
    # The owner is told what is still wrong.
    told = Notification.objects.filter(user=people["owner_a"]).order_by("pk").last()
    assert told.body == "抽查仍有3通未说请稍等"

    services.action_complete(action=action, by=people["owner_a"])
    services.action_verify(action=action, by=people["auditor_a"], effective=True, note="")
    assert action.status == Status.VERIFIED and action.closed_at is not None
    assert [(e.kind, e.from_status, e.to_status) for e in action.events.all()] == [
        ("created", "", "open"),
        ("completed", "open", "done"),
        ("reopened", "done", "open"),
        ("completed", "open", "done"),
        ("verified", "done", "verified"),
    ]
    assert [v.effective for v in action.verifications.all()] == [False, True]


def test_a_not_effective_verification_needs_a_note_and_changes_nothing(world):
    people = dep_a_people(world)
    action = make_action(world)
    services.action_complete(action=action, by=people["owner_a"])
    with pytest.raises(ValidationError):
        services.action_verify(action=action, by=people["auditor_a"], effective=False, note=" ")
    action.refresh_from_db()
    assert action.status == Status.DONE and not action.verifications.exists()


def test_only_a_done_action_is_verified_and_never_by_its_owner(world):
    people = dep_a_people(world)
    action = make_action(world)
    with pytest.raises(ValidationError):
        services.action_verify(action=action, by=people["auditor_a"], effective=True, note="")
    services.action_complete(action=action, by=people["owner_a"])
    with pytest.raises(PermissionDenied):
        services.action_verify(action=action, by=people["owner_a"], effective=True, note="")
    with pytest.raises(PermissionDenied):
        services.action_verify(action=action, by=people["auditor_b"], effective=True, note="")
    action.refresh_from_db()
    assert action.status == Status.DONE


def test_only_the_owner_or_the_units_managers_follow_up_and_complete(world):
    people = dep_a_people(world)
    action = make_action(world)
    for outsider in (people["auditor_b"], world.users["dept_manager"], world.users["agent"]):
        with pytest.raises(PermissionDenied):
            services.action_follow_up(action=action, by=outsider, note="x")
        with pytest.raises(PermissionDenied):
            services.action_complete(action=action, by=outsider)
    services.action_follow_up(action=action, by=people["owner_a"], note="第一周跟进")
    services.action_follow_up(action=action, by=people["manager_a"], note="经理检查")
    assert [f.note for f in action.follow_ups.all()] == ["第一周跟进", "经理检查"]
    with pytest.raises(ValidationError):
        services.action_follow_up(action=action, by=people["owner_a"], note="")


def test_a_closed_action_takes_no_more_changes(world):
    people = dep_a_people(world)
    action = make_action(world)
    services.action_cancel(action=action, by=people["manager_a"], reason="重复")
    assert action.status == Status.CANCELLED and action.closed_at is not None
    with pytest.raises(ValidationError):
        services.action_follow_up(action=action, by=people["owner_a"], note="x")
    with pytest.raises(ValidationError):
        services.action_complete(action=action, by=people["owner_a"])
    with pytest.raises(ValidationError):
        services.action_cancel(action=action, by=people["manager_a"], reason="again")


def test_cancel_needs_a_reason_and_a_manager(world):
    people = dep_a_people(world)
    action = make_action(world)
    with pytest.raises(ValidationError):
        services.action_cancel(action=action, by=people["manager_a"], reason="")
    with pytest.raises(PermissionDenied):
        services.action_cancel(action=action, by=people["owner_a"], reason="不想做")
    action.refresh_from_db()
    assert action.status == Status.OPEN


def test_visibility_units_in_scope_and_own_actions(world):
    people = dep_a_people(world)
    a = make_action(world)
    team_action = make_action(world, by=world.users["teamlead"], team=world.team_a1)
    b_owner = UserFactory(username="owner_b", role=Role.SUPERVISOR, department=world.dep_b)
    b = make_action(world, by=people["auditor_b"], department=world.dep_b, owner=b_owner)
    # Owned by someone of department A, set for department B: the owner sees it.
    b_owned_by_a = make_action(
        world, by=people["auditor_b"], department=world.dep_b, owner=people["owner_a"]
    )
    seen = {name: set(visible_actions(u)) for name, u in people.items()}
    assert seen["auditor_a"] == {a, team_action}
    assert seen["manager_a"] == {a, team_action}
    assert seen["owner_a"] == {a, team_action, b_owned_by_a}
    assert seen["auditor_b"] == {b, b_owned_by_a}
    assert set(visible_actions(world.users["teamlead"])) == {team_action}
    assert set(visible_actions(world.users["agent"])) == set()
    assert set(visible_actions(world.users["admin"])) == {a, team_action, b, b_owned_by_a}


def test_overdue_actions_escalate_once_to_the_departments_managers_only(world):
    people = dep_a_people(world)
    overdue = make_action(world, due_on=datetime.date(2026, 11, 1))
    make_action(world, due_on=datetime.date(2026, 12, 31), title="未到期")
    done = make_action(world, due_on=datetime.date(2026, 11, 1), title="已完成")
    services.action_complete(action=done, by=people["owner_a"])
    other_manager_a = UserFactory(username="manager_a2", role=Role.MANAGER, department=world.dep_a)
    UserFactory(username="gone", role=Role.MANAGER, department=world.dep_a, is_active=False)
    Notification.objects.all().delete()

    escalated = services.actions_escalate_overdue(today=datetime.date(2026, 12, 1))
    assert escalated == [overdue]
    notified = set(Notification.objects.values_list("user__username", flat=True))
    # Department A's managers; not department B's, not the center's, not the inactive one.
    assert notified == {"manager_a", other_manager_a.username}
    overdue.refresh_from_db()
    assert overdue.escalated_at is not None
    assert overdue.events.filter(kind="escalated").count() == 1

    assert services.actions_escalate_overdue(today=datetime.date(2026, 12, 2)) == []
    assert Notification.objects.count() == 2


def test_a_center_action_escalates_to_the_centers_managers(world):
    center_owner = world.users["auditor"]
    action = make_action(
        world, by=world.users["admin"], department=None, team=None, owner=center_owner
    )
    # make_action defaults to department A when neither is given: set the center explicitly.
    action = services.action_create(
        by=world.users["admin"],
        title="中心措施",
        owner=center_owner,
        due_on=datetime.date(2026, 11, 1),
        source="other",
    )
    Notification.objects.all().delete()
    services.actions_escalate_overdue(today=datetime.date(2026, 12, 1))
    assert set(
        Notification.objects.filter(title__contains="中心措施").values_list(
            "user__username", flat=True
        )
    ) == {"manager"}
    assert action.department is None
