"""A calibration session's invitation reaches its participants (who may open it, whatever
their department), and nobody else it is outside the scope of."""

from __future__ import annotations

from org.models import Role
from qa_center.models import Notification
from qa_center.notifications import notify
from scoring.calibration.services import calibration_create
from tests.factories import REVIEW_SCORECARD, UserFactory, make_call, make_scorecard


def test_participants_of_any_department_are_invited_others_are_not(world):
    sup_b = UserFactory(username="sup_b", role=Role.SUPERVISOR, department=world.dep_b)
    outsider = UserFactory(username="sup_b2", role=Role.SUPERVISOR, department=world.dep_b)
    Notification.objects.all().delete()
    session = calibration_create(
        created_by=world.users["supervisor"],
        title="校准",
        call=make_call(world.agents["a1"][0]),
        scorecard=make_scorecard(REVIEW_SCORECARD),
        participants=[world.users["supervisor"], sup_b],
    )
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["sup_b"]
    # Someone of department b who does not take part may not open the session: dropped.
    assert notify(users=[outsider, sup_b], about=session, title="x") == [sup_b]
