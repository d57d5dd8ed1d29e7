"""Corrective measures and improvement targets: followed up by later bulletins, escalated to
the department when missed."""

from __future__ import annotations

import datetime

from django.urls import reverse

from bulletins import services
from bulletins.models import Bulletin, ImprovementTarget, TargetFollowUp
from qa_center.models import Notification
from tests.bulletins.factories import WEEK, checked_call

NEXT = WEEK + datetime.timedelta(days=7)
AFTER = WEEK + datetime.timedelta(days=14)


def bulletin(scope_key, week=WEEK) -> Bulletin:
    return Bulletin.objects.get(scope_key=scope_key, period_start=week)


def test_team_lead_records_a_measure_and_target_from_a_shortfall(client, hand_week):
    services.bulletins_generate_week(week_start=WEEK)
    team = bulletin(f"team:{hand_week.team_a1.pk}")
    client.force_login(hand_week.users["teamlead"])
    page = client.get(reverse("bulletins:detail", args=[team.pk])).content.decode()
    assert 'data-testid="record-measure"' in page
    url = reverse("bulletins:target_create", args=[team.pk]) + "?metric=rule&code=HOLD"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "metric": "rule",
            "code": "HOLD",
            "measure": "班前会重温“请稍等”用语",
            "target_value": "95",
            "due_week": str(NEXT + datetime.timedelta(days=2)),
        },
    )
    assert response.status_code == 302
    target = ImprovementTarget.objects.get()
    assert (target.label, float(target.baseline), target.due_week) == ("请稍等", 66.7, NEXT)
    assert target.owner == hand_week.users["teamlead"]


def test_other_roles_cannot_record_targets(client, hand_week):
    services.bulletins_generate_week(week_start=WEEK)
    team_b = bulletin(f"team:{hand_week.team_b1.pk}")
    client.force_login(hand_week.users["teamlead"])  # lead of a1
    url = reverse("bulletins:target_create", args=[team_b.pk])
    assert client.get(url).status_code == 404
    client.force_login(hand_week.users["manager"])  # reads, does not follow up
    assert client.get(url).status_code == 403


def _target(world, due=NEXT, value=95):
    team = bulletin(f"team:{world.team_a1.pk}")
    return services.improvement_target_create(
        actor=world.users["teamlead"],
        bulletin=team,
        metric="rule",
        code="HOLD",
        label="",
        target_value=value,
        due_week=due,
        measure="班前会重温",
    )


def test_next_week_shows_the_target_met(hand_week):
    services.bulletins_generate_week(week_start=WEEK)
    target = _target(hand_week)
    for _ in range(3):
        checked_call(hand_week.agents["a1"][0], NEXT, outcomes={"HOLD": "pass"})
    services.bulletins_generate_week(week_start=NEXT)
    rows = bulletin(f"team:{hand_week.team_a1.pk}", NEXT).data["targets"]
    assert [(r["label"], r["actual"], r["met"], r["status"]) for r in rows] == [
        ("请稍等", 100.0, True, "met")
    ]
    target.refresh_from_db()
    assert target.status == "met" and target.closed_at
    assert TargetFollowUp.objects.get().met


def test_missed_target_escalates_to_the_department_and_its_managers(hand_week):
    services.bulletins_generate_week(week_start=WEEK)
    dep_manager = hand_week.users["supervisor"]  # reuse a person as dep_a's manager
    dep_manager.role = "manager"
    dep_manager.save()
    target = _target(hand_week, due=NEXT)
    checked_call(hand_week.agents["a1"][0], NEXT, outcomes={"HOLD": "fail"})
    checked_call(hand_week.agents["a1"][0], NEXT, outcomes={"HOLD": "pass"})
    services.bulletins_generate_week(week_start=NEXT)
    target.refresh_from_db()
    assert target.status == "escalated"
    team_rows = bulletin(f"team:{hand_week.team_a1.pk}", NEXT).data["targets"]
    assert team_rows[0]["actual"] == 50.0 and team_rows[0]["status"] == "escalated"
    dep_rows = bulletin(f"department:{hand_week.dep_a.pk}", NEXT).data["targets"]
    assert [r["label"] for r in dep_rows] == ["请稍等"]
    assert bulletin(f"department:{hand_week.dep_b.pk}", NEXT).data["targets"] == []
    assert Notification.objects.filter(user=dep_manager, title__contains="请稍等").exists()
    # Still followed up afterwards, and met later it is closed.
    for _ in range(2):
        checked_call(hand_week.agents["a1"][0], AFTER, outcomes={"HOLD": "pass"})
    services.bulletins_generate_week(week_start=AFTER)
    target.refresh_from_db()
    assert target.status == "met"


def test_before_its_week_an_unmet_target_stays_open(hand_week):
    services.bulletins_generate_week(week_start=WEEK)
    target = _target(hand_week, due=AFTER)
    checked_call(hand_week.agents["a1"][0], NEXT, outcomes={"HOLD": "fail"})
    services.bulletins_generate_week(week_start=NEXT)
    target.refresh_from_db()
    assert target.status == "open"
    row = bulletin(f"team:{hand_week.team_a1.pk}", NEXT).data["targets"][0]
    assert (row["actual"], row["met"]) == (0.0, False)
