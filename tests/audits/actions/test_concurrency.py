"""Two at once, decided once: PostgreSQL, real threads, real transactions."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from audits.actions import services
from audits.actions.models import CorrectiveAction
from qa_center.models import Notification
from tests.concurrency import in_threads
from tests.factories.actions import dep_a_people, make_action

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_four_verifications_at_once_record_one(world):
    people = dep_a_people(world)
    action = make_action(world)
    services.action_complete(action=action, by=people["owner_a"])

    def verify():
        services.action_verify(
            action=CorrectiveAction.objects.get(pk=action.pk),
            by=people["auditor_a"],
            effective=False,
            note="仍有问题",
        )

    errors = in_threads(verify)
    assert len(errors) == 3 and all(isinstance(e, ValidationError) for e in errors)
    action.refresh_from_db()
    assert action.status == "open" and action.verifications.count() == 1
    assert action.events.filter(kind="reopened").count() == 1


def test_escalation_run_four_times_at_once_notifies_once(world):
    dep_a_people(world)
    action = make_action(world, due_on=datetime.date(2020, 1, 1))
    Notification.objects.all().delete()
    errors = in_threads(lambda: services.actions_escalate_overdue())
    assert errors == []
    assert action.events.filter(kind="escalated").count() == 1
    assert Notification.objects.filter(user__username="manager_a").count() == 1
