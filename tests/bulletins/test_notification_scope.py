"""Bulletin notifications reach only people who may open the bulletin (or target) they point
to: a department's manager is told of their department's bulletins, never another's."""

from __future__ import annotations

import datetime

from audits.actions.models import ImprovementTarget
from bulletins import services
from bulletins.models import Bulletin
from org.models import Role
from qa_center.models import Notification
from qa_center.notifications import notify
from qa_center.permissions import may_open
from tests.factories import WEEK, UserFactory


def _pointed_to(notification):
    pk = int(notification.url.rstrip("/").rsplit("/", 1)[-1])
    return Bulletin.objects.get(pk=pk)


def test_weekly_run_tells_each_reader_only_of_bulletins_they_may_open(hand_week):
    manager_a = UserFactory(username="manager_a", role=Role.MANAGER, department=hand_week.dep_a)
    Notification.objects.all().delete()
    services.bulletins_generate_week(week_start=WEEK)
    notes = list(Notification.objects.select_related("user"))
    assert notes
    for note in notes:
        assert may_open(note.user, _pointed_to(note)), (note.user, note.title)
    dep_b_manager = hand_week.users["dept_manager"]
    told_b = {_pointed_to(n).scope_key for n in notes if n.user == dep_b_manager}
    assert told_b == {f"department:{hand_week.dep_b.pk}"}
    told_a = {_pointed_to(n).scope_key for n in notes if n.user == manager_a}
    assert told_a == {f"department:{hand_week.dep_a.pk}"}


def test_notice_draft_reaches_only_the_centers_issuers(hand_week):
    Notification.objects.all().delete()
    services.bulletin_generate_month(month=datetime.date(2026, 1, 1))
    draft = Bulletin.objects.get(kind="monthly")
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"manager", "admin"}  # the center's issuers; not department b's manager
    # Department b's manager may issue notices, but not the center's draft.
    assert notify(users=[hand_week.users["dept_manager"]], about=draft, title="x") == []


def test_an_escalated_target_is_told_to_its_departments_managers_only(hand_week):
    services.bulletins_generate_week(week_start=WEEK, notify_readers=False)
    team = Bulletin.objects.get(scope_key=f"team:{hand_week.team_a1.pk}")
    target = services.improvement_target_create(
        actor=hand_week.users["teamlead"],
        bulletin=team,
        metric="rule",
        code="HOLD",
        label="",
        target_value=100,
        due_week=WEEK + datetime.timedelta(days=7),
        measure="班前会",
    )
    manager_a = UserFactory(username="manager_a", role=Role.MANAGER, department=hand_week.dep_a)
    Notification.objects.all().delete()
    # The next week misses the target at its due week: escalated to department a.
    services.bulletins_generate_week(
        week_start=WEEK + datetime.timedelta(days=7), notify_readers=False
    )
    target.refresh_from_db()
    assert target.status == ImprovementTarget.Status.ESCALATED
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == {"manager_a"}
    assert not may_open(hand_week.users["dept_manager"], target)
    assert notify(users=[hand_week.users["dept_manager"], manager_a], about=target, title="x") == [
        manager_a
    ]
