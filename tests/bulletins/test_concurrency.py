"""Two runs of the weekly job at the same moment (two beat processes, a retried task) yield
one bulletin per scope: PostgreSQL, real threads, real transactions."""

from __future__ import annotations

import threading

import pytest

from bulletins import services
from bulletins.models import Bulletin, NoticeSequence
from tests.concurrency import in_threads
from tests.factories import WEEK

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_weekly_runs_yield_one_bulletin_per_scope(hand_week):
    errors = in_threads(lambda: services.bulletins_generate_week(week_start=WEEK))
    assert errors == []
    assert Bulletin.objects.filter(period_start=WEEK).count() == 6
    assert Bulletin.objects.filter(period_start=WEEK, revision=1).count() == 6


def test_concurrent_issues_get_consecutive_numbers(hand_week):
    import datetime

    months = [datetime.date(2026, m, 1) for m in (1, 2, 3, 4)]
    for month in months:
        services.bulletin_generate_month(month=month)
    drafts = list(Bulletin.objects.filter(kind="monthly"))
    manager = hand_week.users["manager"]
    queue = list(drafts)
    lock = threading.Lock()

    def issue_one():
        with lock:
            bulletin = queue.pop()
        services.bulletin_issue(bulletin=bulletin, actor=manager, decisions="限期整改。")

    assert in_threads(issue_one) == []
    numbers = sorted(Bulletin.objects.filter(kind="monthly").values_list("number_seq", flat=True))
    assert numbers == [1, 2, 3, 4]
    assert NoticeSequence.objects.get().last == 4


def test_concurrent_department_targets_for_one_item_leave_one_open(hand_week):
    """Four managers record a measure for the same item of the department at once: each
    either amends the open target or is told another one is open; never two open (the team
    column is NULL for a department's own target, and NULLs never collide in a UNIQUE)."""
    import datetime

    from django.core.exceptions import ValidationError

    from audits.actions.models import ImprovementTarget

    services.bulletins_generate_week(week_start=WEEK, notify_readers=False)
    department = Bulletin.objects.get(scope_key=f"department:{hand_week.dep_a.pk}")

    def record():
        services.improvement_target_create(
            actor=hand_week.users["manager"],
            bulletin=department,
            metric="rule",
            code="HOLD",
            label="",
            target_value=95,
            due_week=WEEK + datetime.timedelta(days=7),
            measure="部门督导",
        )

    errors = in_threads(record)
    assert all(isinstance(e, ValidationError) for e in errors), errors
    statuses = sorted(ImprovementTarget.objects.values_list("status", flat=True))
    assert statuses == ["amended"] * (3 - len(errors)) + ["open"]


def _slow_first_run(monkeypatch):
    """Hold the first run inside its transaction (after the lock) long enough that the
    second has asked for its revision before the first commits."""
    import time

    def hook(stage):
        if stage == "collected":
            time.sleep(0.5)

    monkeypatch.setattr(services, "_hook", hook)


def test_two_revisions_asked_at_once_make_one(hand_week, monkeypatch):
    """`generate_bulletins --revise` twice at once made revisions 2 and 3: each revises the
    revision current when it was asked, re-read under the lock, so the second finds it
    revised and adds nothing."""
    services.bulletins_generate_week(week_start=WEEK, notify_readers=False)
    _slow_first_run(monkeypatch)
    errors = in_threads(
        lambda: services.bulletins_generate_week(
            week_start=WEEK, revise=True, reason="数据补录", notify_readers=False
        ),
        n=2,
    )
    assert errors == []
    revisions = sorted(
        set(Bulletin.objects.filter(period_start=WEEK).values_list("revision", flat=True))
    )
    assert revisions == [1, 2]
    assert Bulletin.objects.filter(period_start=WEEK, revision=2).count() == 6


def test_two_corrections_of_a_notice_asked_at_once_make_one(hand_week, monkeypatch):
    import datetime

    month = datetime.date(2026, 3, 1)
    services.bulletin_generate_month(month=month, notify_readers=False)
    services.bulletin_issue(
        bulletin=Bulletin.objects.get(kind="monthly"),
        actor=hand_week.users["manager"],
        decisions="限期整改。",
    )
    _slow_first_run(monkeypatch)
    errors = in_threads(
        lambda: services.bulletin_generate_month(
            month=month, revise=True, reason="一部数据有误", notify_readers=False
        ),
        n=2,
    )
    assert errors == []
    revisions = sorted(Bulletin.objects.filter(kind="monthly").values_list("revision", flat=True))
    assert revisions == [1, 2]
