"""The history is tamper-evident: each event is hash-chained to the one before and records the
evaluation's state after it; verify_history finds rows changed, removed or slipped in by SQL,
and PostgreSQL refuses TRUNCATE (as it refuses UPDATE and DELETE)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone, translation

from qa_center.models import SystemCheck
from scoring.disputes.services import dispute_decide, dispute_open
from scoring.evaluations.chain import event_hash
from scoring.evaluations.models import Evaluation, EvaluationEvent
from scoring.evaluations.services.evaluations import evaluation_acknowledge, evaluation_rescore
from scoring.evaluations.services.history import history_check, history_verify
from scoring.evaluations.tasks import evaluations_verify_history
from tests.factories import (
    REVIEW_SCORECARD,
    build_world,
    make_call,
    make_evaluation,
    make_scorecard,
)

TABLE = "evaluations_evaluationevent"


@pytest.fixture
def evaluation(world):
    """Started, submitted, disputed and decided: every kind of event but a draft save."""
    evaluation = make_evaluation(
        call=make_call(world.agents["a1"][0]),
        card=make_scorecard(REVIEW_SCORECARD),
        evaluator=world.users["supervisor"],
    )
    verify = evaluation.answers.get(item__code="verify")
    dispute = dispute_open(
        evaluation=evaluation,
        user=world.users["agent"],
        reason="我认为评分有误",
        items=[{"answer": verify.pk, "reason": "我核实了身份"}],
    )
    item = dispute.items.get()
    dispute_decide(
        dispute=dispute,
        reviewer=world.users["admin"],
        decisions={item.pk: {"decision": "overturned"}},
    )
    evaluation.refresh_from_db()
    return evaluation


def _problems(evaluation):
    return [p.what for p in history_verify(evaluation_id=evaluation.pk).problems]


def test_a_normal_history_verifies(evaluation):
    events = list(evaluation.events.order_by("sequence"))
    assert [e.action for e in events] == ["started", "submitted", "disputed", "dispute_decided"]
    assert [e.sequence for e in events] == [1, 2, 3, 4]
    assert events[0].prev_hash == ""
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert all(e.hash == event_hash(e) for e in events)
    assert all(e.reason for e in events)  # every change says why
    # The decision's status change is in its event, not an UPDATE beside the history.
    assert {"field": "status", "old": "disputed", "new": "final"} in events[-1].changes
    assert {"field": "status", "old": "submitted", "new": "disputed"} in events[2].changes
    assert events[-1].state["status"] == evaluation.status == Evaluation.Status.FINAL
    assert events[-1].state["score"] == str(evaluation.score)
    result = history_verify()
    assert result.ok, result.problems
    assert (result.evaluations, result.events) == (1, 4)


def test_acknowledge_and_rescore_keep_the_chain(world):
    evaluation = make_evaluation(
        call=make_call(world.agents["a1"][0]),
        card=make_scorecard(REVIEW_SCORECARD),
        evaluator=world.users["supervisor"],
    )
    with translation.override("en"):
        evaluation_acknowledge(evaluation=evaluation, agent_user=world.users["agent"])
    evaluation_rescore(
        evaluation=evaluation,
        actor=world.users["admin"],
        changes={},
        reason="rescored after dispute",
    )
    last = evaluation.events.order_by("sequence").last()
    assert (last.sequence, last.reason) == (4, "rescored after dispute")
    assert "agent" in evaluation.events.get(action="acknowledged").reason
    assert history_verify().ok


def test_a_score_changed_by_sql_is_found(evaluation):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE evaluations_evaluation SET score = %s WHERE id = %s",
            [Decimal("100.00"), evaluation.pk],
        )
    problems = _problems(evaluation)
    assert any(p.startswith("score: history '97.50', table '100.00'") for p in problems), problems


def test_an_answer_changed_by_sql_is_found(evaluation):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE evaluations_answer SET value = 0 WHERE evaluation_id = %s AND item_id = "
            "(SELECT id FROM evaluations_scorecarditem WHERE code = 'greet' AND scorecard_id = %s)",
            [evaluation.pk, evaluation.scorecard_id],
        )
    assert _problems(evaluation) == ["answer greet value: history 1, table 0"]


@pytest.mark.skipif("connection.vendor == 'postgresql'", reason="PostgreSQL refuses DELETE")
def test_a_deleted_event_is_found(evaluation):
    second = evaluation.events.get(sequence=2)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [second.pk])
    problems = _problems(evaluation)
    assert "sequence 3 where 2 was expected (an event is missing)" in problems
    assert any(p.startswith("prev_hash does not match event") for p in problems)


@pytest.mark.skipif("connection.vendor == 'postgresql'", reason="PostgreSQL refuses DELETE")
def test_a_deleted_last_event_is_found(evaluation):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [evaluation.events.get(sequence=4).pk])
    problems = _problems(evaluation)
    assert any(p.startswith("version:") for p in problems)
    assert any(p.startswith("status: history 'disputed', table 'final'") for p in problems)


@pytest.mark.skipif("connection.vendor == 'postgresql'", reason="PostgreSQL refuses TRUNCATE")
def test_an_evaluation_without_events_is_found(evaluation):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
    assert _problems(evaluation) == ["no history: the evaluation has no event"]


def test_an_event_forged_in_the_middle_is_found(evaluation):
    first, second = evaluation.events.order_by("sequence")[:2]
    # Dated between events 1 and 2, chained to event 1, its own hash right: an INSERT that does
    # not go through evaluation_event_record (bulk_create skips the model's save).
    forged = EvaluationEvent(
        evaluation=evaluation,
        actor=first.actor,
        action="saved",
        changes=[{"item": "verify", "old": 0, "new": 1}],
        reason="改一下",
        version=evaluation.version,
        sequence=5,
        state=evaluation.events.order_by("sequence").last().state,
        prev_hash=first.hash,
        at=first.at + (second.at - first.at) / 2,
    )
    forged.hash = event_hash(forged)
    EvaluationEvent.objects.bulk_create([forged])
    problems = _problems(evaluation)
    assert any(p.startswith("prev_hash does not match event") for p in problems), problems
    assert any(p.startswith("recorded before event") for p in problems), problems


def test_an_event_rewritten_by_sql_is_found(evaluation):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL refuses UPDATE (test_history)")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET reason = 'rewritten' WHERE evaluation_id = %s AND sequence = 2",
            [evaluation.pk],
        )
    assert _problems(evaluation) == ["hash does not match the event's content"]


@pytest.mark.postgres
def test_postgresql_refuses_delete_and_truncate_by_sql(evaluation):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        # The test's transaction holds deferred foreign-key checks, and PostgreSQL refuses to
        # TRUNCATE a table with pending ones before any trigger runs: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for sql in (f"DELETE FROM {TABLE} WHERE evaluation_id = {evaluation.pk}", f"TRUNCATE {TABLE}"):
        with pytest.raises(DatabaseError, match="append-only: .* refused"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert evaluation.events.count() == 4
    assert history_verify().ok


# --- The command, the task, /health ---------------------------------------------------------


def test_the_command_prints_what_it_checked_and_stores_it(evaluation, capsys):
    call_command("verify_history")
    out = capsys.readouterr().out
    assert "Checked 1 evaluation(s) and 4 event(s)" in out
    check = SystemCheck.objects.get(name=SystemCheck.EVALUATION_HISTORY)
    assert check.ok is True
    assert check.summary == {"evaluations": 1, "events": 4, "problems": 0, "first_problems": []}


def test_the_command_exits_1_and_names_each_problem(evaluation, capsys):
    Evaluation.objects.filter(pk=evaluation.pk).update(comment="改过")
    with pytest.raises(CommandError) as raised:
        call_command("verify_history")
    assert raised.value.returncode == 1
    out = capsys.readouterr().out
    last = evaluation.events.order_by("sequence").last()
    assert f"PROBLEM evaluation {evaluation.pk} event {last.pk}: comment: history '', " in out
    check = SystemCheck.objects.get(name=SystemCheck.EVALUATION_HISTORY)
    assert check.ok is False
    assert check.summary["problems"] == 1
    assert check.summary["first_problems"][0]["evaluation"] == evaluation.pk


def test_the_command_checks_one_evaluation_without_storing_it(evaluation, world, capsys):
    other = make_evaluation(
        call=make_call(world.agents["a1"][0]),
        card=make_scorecard(REVIEW_SCORECARD),
        evaluator=world.users["supervisor"],
    )
    Evaluation.objects.filter(pk=other.pk).update(passed=True)  # 67.50 failed
    call_command("verify_history", "--evaluation", str(evaluation.pk))
    assert "Checked 1 evaluation(s) and 4 event(s)." in capsys.readouterr().out
    assert not SystemCheck.objects.exists()  # one evaluation's check would hide the others
    with pytest.raises(CommandError, match="problem"):
        call_command("verify_history", "--evaluation", str(other.pk))
    with pytest.raises(CommandError, match="--evaluation 999999: no such evaluation"):
        call_command("verify_history", "--evaluation", "999999")
    with pytest.raises(CommandError, match="invalid int value"):
        call_command("verify_history", "--evaluation", "abc")


def test_the_nightly_task_runs_the_same_verification(evaluation, settings):
    assert settings.CELERY_BEAT_SCHEDULE["evaluations-verify-history"]["task"] == (
        "evaluations.verify_history"
    )
    assert evaluations_verify_history.delay().get()["events"] == 4
    assert SystemCheck.objects.get(name=SystemCheck.EVALUATION_HISTORY).ok


def test_health_shows_the_last_verification_to_admins_only(evaluation, world, client):
    client.force_login(world.users["admin"])
    assert client.get(reverse("health")).json()["history"] == {"verified": False}
    page = client.get(reverse("health"), HTTP_ACCEPT="text/html").content.decode()
    assert 'data-testid="history-check"' in page
    assert "Never verified" in page or "从未核验" in page

    Evaluation.objects.filter(pk=evaluation.pk).update(score=Decimal("1.00"))
    history_check()
    data = client.get(reverse("health")).json()["history"]
    assert data | {"checked_at": None} == {
        "verified": True,
        "ok": False,
        "checked_at": None,
        "evaluations": 1,
        "events": 4,
        "problems": 1,
        "first_problems": [
            {
                "evaluation": evaluation.pk,
                "event": evaluation.events.order_by("sequence").last().pk,
                "what": "score: history '97.50', table '1.00'",
            }
        ],
    }
    page = client.get(reverse("health"), HTTP_ACCEPT="text/html").content.decode()
    assert "score: history &#x27;97.50&#x27;, table &#x27;1.00&#x27;" in page
    assert (
        timezone.localtime(SystemCheck.objects.get().checked_at).strftime("%Y-%m-%d %H:%M") in page
    )

    for user in (world.users["agent"], world.users["supervisor"], None):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(reverse("health"), HTTP_ACCEPT="text/html")
        assert response["Content-Type"] == "application/json"
        assert "history" not in response.json()


# --- Two writers ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_keep_one_chain():
    world = build_world()
    evaluation = make_evaluation(
        call=make_call(world.agents["a1"][0]),
        card=make_scorecard(REVIEW_SCORECARD),
        evaluator=world.users["supervisor"],
    )
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(tone: int) -> None:
        try:
            start.wait()
            for _ in range(3):
                evaluation_rescore(
                    evaluation=evaluation,
                    actor=world.users["admin"],
                    changes={"tone": {"value": tone}},
                    reason=f"rescored to {tone}",
                )
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(tone,)) for tone in (2, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    events = list(EvaluationEvent.objects.filter(evaluation=evaluation).order_by("sequence"))
    assert [e.sequence for e in events] == list(range(1, 9))
    assert len({e.prev_hash for e in events}) == 8  # no two events after the same one
    assert history_verify().ok
