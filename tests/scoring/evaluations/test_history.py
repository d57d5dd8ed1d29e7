"""Evaluation history is append-only: in the model, the admin and (PostgreSQL) the database."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from scoring.evaluations.models import EvaluationEvent
from scoring.evaluations.services.evaluations import evaluation_save, evaluation_start
from tests.factories import CallCheckFactory, CallFactory, make_scorecard


@pytest.fixture
def evaluation(world):
    call = CallFactory(agent=world.agents["a1"][0])
    CallCheckFactory(call=call, outcomes={"GREET": "pass", "HOLD": "fail"})
    evaluation = evaluation_start(
        call=call, scorecard=make_scorecard(), evaluator=world.users["supervisor"]
    )
    return evaluation_save(
        evaluation=evaluation,
        actor=world.users["supervisor"],
        answers={"hold": {"value": 1, "reason": "客户无需等待"}},
        expected_version=1,
    )


def test_every_change_is_recorded(evaluation, world):
    events = list(evaluation.events.all())
    assert [e.action for e in events] == ["started", "saved"]
    assert events[1].actor == world.users["supervisor"]
    assert events[1].changes == [
        {"item": "hold", "old": 0, "new": 1, "reason": "客户无需等待", "reason_kind": "other"}
    ]


def test_the_model_refuses_to_change_or_delete_history(evaluation):
    event = evaluation.events.first()
    event.reason = "rewritten"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()


def test_the_admin_offers_no_way_to_change_history(evaluation, world, client):
    client.force_login(world.users["admin"])
    event = evaluation.events.first()
    reason = event.reason
    assert client.get("/admin/evaluations/evaluationevent/add/").status_code == 403
    assert client.get(f"/admin/evaluations/evaluationevent/{event.pk}/delete/").status_code == 403
    response = client.post(
        f"/admin/evaluations/evaluationevent/{event.pk}/change/", {"reason": "rewritten"}
    )
    assert response.status_code == 403
    page = client.get(f"/admin/evaluations/evaluation/{evaluation.pk}/change/")
    assert page.status_code == 200
    assert b"events-0-reason" not in page.content  # the inline is read-only
    assert client.get(f"/admin/evaluations/evaluation/{evaluation.pk}/delete/").status_code == 403
    event.refresh_from_db()
    assert event.reason == reason != "rewritten"


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete(evaluation):
    assert connection.vendor == "postgresql"
    with pytest.raises(DatabaseError), transaction.atomic():
        EvaluationEvent.objects.filter(evaluation=evaluation).update(reason="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        EvaluationEvent.objects.filter(evaluation=evaluation).delete()
    assert EvaluationEvent.objects.filter(evaluation=evaluation).count() == 2
