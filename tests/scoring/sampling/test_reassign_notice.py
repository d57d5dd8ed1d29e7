"""A supervisor to whom sampled calls are reassigned is told, in one notification naming the
calls and pointing to their queue; nobody else is, and nothing is sent when the reassignment
is refused or when one takes calls for themselves."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from org.models import Role
from qa_center.models import Notification
from scoring.sampling.models import Assignment
from scoring.sampling.services import assignments_reassign
from tests.factories import CallCheckFactory, CallFactory, UserFactory

pytestmark = pytest.mark.django_db


def _row(agent, supervisor, call_id):
    call = CallFactory(agent=agent, call_id=call_id)
    CallCheckFactory(call=call)
    return Assignment.objects.create(
        call=call,
        supervisor=supervisor,
        period_start=datetime.date(2026, 11, 30),
        due_at=timezone.now() + datetime.timedelta(hours=24),
    )


@pytest.fixture
def rows(world):
    sup = world.users["supervisor"]
    return [
        _row(world.agents["a1"][0], sup, "R-1"),
        _row(world.agents["a2"][0], sup, "R-2"),
    ]


def test_the_supervisor_who_receives_the_calls_is_told(world, rows, client):
    colleague = UserFactory(username="sup-a2", role=Role.SUPERVISOR, department=world.dep_a)
    client.force_login(world.users["teamlead"])  # 一班's lead gives 一班's call
    client.post(
        reverse("sampling:queue_reassign"), {"assignment": [rows[0].pk], "to": colleague.pk}
    )
    with translation.override("en"):
        assignments_reassign(
            actor=world.users["supervisor"], assignment_ids=[rows[1].pk], to=colleague
        )
    notes = list(Notification.objects.order_by("pk"))
    assert [n.user for n in notes] == [colleague, colleague]
    assert notes[0].url == reverse("sampling:queue") and "R-1" in notes[0].body
    assert "R-2" in notes[1].body and "R-1" not in notes[1].body
    assert notes[1].title.startswith(world.users["supervisor"].display_name)
    assert "1 call to score" in notes[1].title
    # The colleague can open the calls they are told about.
    client.force_login(colleague)
    assert client.get(reverse("calls:call_detail", args=[rows[0].call.pk])).status_code == 200


def test_a_refused_reassignment_tells_nobody(world, rows):
    outsider = UserFactory(username="sup-b", role=Role.SUPERVISOR, department=world.dep_b)
    with pytest.raises(ValidationError):
        assignments_reassign(
            actor=world.users["admin"], assignment_ids=[r.pk for r in rows], to=outsider
        )
    assert not Notification.objects.exists()


def test_taking_calls_for_oneself_or_keeping_them_tells_nobody(world, rows):
    sup = world.users["supervisor"]
    assignments_reassign(actor=sup, assignment_ids=[rows[0].pk], to=sup)
    admin = world.users["admin"]
    assignments_reassign(actor=admin, assignment_ids=[rows[0].pk], to=sup)  # already theirs
    assert not Notification.objects.exists()
