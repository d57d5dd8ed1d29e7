"""Improvement targets (moved from bulletins, same behaviour): each is a corrective action
(source improvement_target) with its target; followed up by later bulletins, escalated to the
department when missed; met, the action is verified effective and closed; amended, cancelled."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audits.actions.models import CorrectiveAction, ImprovementTarget, TargetFollowUp
from audits.actions.services import action_create
from bulletins import services
from bulletins.models import Bulletin, Kind
from qa_center.models import Notification
from tests.factories import WEEK, at, make_call

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
    # The target is a corrective action of the team, due the Sunday of its week.
    action = target.action
    assert (action.source, action.team, action.department) == (
        "improvement_target",
        hand_week.team_a1,
        hand_week.dep_a,
    )
    assert (action.status, action.description) == ("open", "班前会重温“请稍等”用语")
    assert action.due_on == NEXT + datetime.timedelta(days=6)


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
        make_call(hand_week.agents["a1"][0], started_at=at(NEXT), outcomes={"HOLD": "pass"})
    services.bulletins_generate_week(week_start=NEXT)
    rows = bulletin(f"team:{hand_week.team_a1.pk}", NEXT).data["targets"]
    assert [(r["label"], r["actual"], r["met"], r["status"]) for r in rows] == [
        ("请稍等", 100.0, True, "met")
    ]
    target.refresh_from_db()
    assert target.status == "met" and target.closed_at
    assert TargetFollowUp.objects.get().met
    # Met: the later check confirms the problem is gone, so the action is verified and closed.
    action = target.action
    action.refresh_from_db()
    assert action.status == CorrectiveAction.Status.VERIFIED and action.closed_at
    verification = action.verifications.get()
    assert verification.effective and verification.by is None and "100.0" in verification.note
    assert action.follow_ups.count() == 1


def test_missed_target_escalates_to_the_department_and_its_managers(hand_week):
    services.bulletins_generate_week(week_start=WEEK)
    dep_manager = hand_week.users["supervisor"]  # reuse a person as dep_a's manager
    dep_manager.role = "manager"
    dep_manager.save()
    target = _target(hand_week, due=NEXT)
    make_call(hand_week.agents["a1"][0], started_at=at(NEXT), outcomes={"HOLD": "fail"})
    make_call(hand_week.agents["a1"][0], started_at=at(NEXT), outcomes={"HOLD": "pass"})
    services.bulletins_generate_week(week_start=NEXT)
    target.refresh_from_db()
    assert target.status == "escalated"
    team_rows = bulletin(f"team:{hand_week.team_a1.pk}", NEXT).data["targets"]
    assert team_rows[0]["actual"] == 50.0 and team_rows[0]["status"] == "escalated"
    dep_rows = bulletin(f"department:{hand_week.dep_a.pk}", NEXT).data["targets"]
    assert [r["label"] for r in dep_rows] == ["请稍等"]
    assert bulletin(f"department:{hand_week.dep_b.pk}", NEXT).data["targets"] == []
    assert Notification.objects.filter(user=dep_manager, title__contains="请稍等").exists()
    # Its action stays open, marked escalated: the daily overdue escalation does not repeat it.
    target.action.refresh_from_db()
    assert target.action.status == "open" and target.action.escalated_at
    # Still followed up afterwards, and met later it is closed.
    for _ in range(2):
        make_call(hand_week.agents["a1"][0], started_at=at(AFTER), outcomes={"HOLD": "pass"})
    services.bulletins_generate_week(week_start=AFTER)
    target.refresh_from_db()
    assert target.status == "met"
    target.action.refresh_from_db()
    assert target.action.status == "verified"


def test_before_its_week_an_unmet_target_stays_open(hand_week):
    services.bulletins_generate_week(week_start=WEEK)
    target = _target(hand_week, due=AFTER)
    make_call(hand_week.agents["a1"][0], started_at=at(NEXT), outcomes={"HOLD": "fail"})
    services.bulletins_generate_week(week_start=NEXT)
    target.refresh_from_db()
    assert target.status == "open"
    row = bulletin(f"team:{hand_week.team_a1.pk}", NEXT).data["targets"][0]
    assert (row["actual"], row["met"]) == (0.0, False)


# --- one open target per item, held by the database ---------------------------------------
def _row(world, *, team, status="open", value=95):
    """A target written straight through the ORM, past the service that amends (its action
    through the actions' service)."""
    action = action_create(
        by=None,
        title="请稍等",
        owner=world.users["teamlead"],
        due_on=NEXT,
        source="improvement_target",
        department=world.dep_a,
        team=team,
        description="班前会重温",
    )
    return ImprovementTarget.objects.create(
        action=action,
        level="team" if team else "department",
        department=world.dep_a,
        team=team,
        metric="rule",
        code="HOLD",
        label="请稍等",
        target_value=value,
        due_week=NEXT,
        status=status,
    )


@pytest.mark.parametrize("level", ["department", "team"])
def test_database_refuses_a_second_open_target_for_one_item(world, level):
    team = world.team_a1 if level == "team" else None
    _row(world, team=team)
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(world, team=team, value=97)
    assert ImprovementTarget.objects.filter(status="open").count() == 1


@pytest.mark.parametrize("level", ["department", "team"])
@pytest.mark.parametrize("closed", ["met", "missed", "escalated", "amended"])
def test_database_allows_closed_targets_beside_the_open_one(world, level, closed):
    team = world.team_a1 if level == "team" else None
    _row(world, team=team, status=closed)
    _row(world, team=team, status=closed)
    _row(world, team=team)
    assert ImprovementTarget.objects.filter(status="open").count() == 1


def test_open_targets_of_different_scopes_for_one_item_coexist(world):
    _row(world, team=None)
    _row(world, team=world.team_a1)
    _row(world, team=world.team_a2)
    assert ImprovementTarget.objects.filter(status="open").count() == 3


# --- amending: a new measure for an item replaces its open target, which is not a miss -----
def _dep_target(world, value):
    return services.improvement_target_create(
        actor=world.users["manager"],
        bulletin=bulletin(f"department:{world.dep_a.pk}"),
        metric="rule",
        code="HOLD",
        label="",
        target_value=value,
        due_week=NEXT,
        measure="部门督导",
    )


@pytest.mark.parametrize("level", ["department", "team"])
def test_a_new_measure_amends_the_open_target(hand_week, level):
    services.bulletins_generate_week(week_start=WEEK)
    make = _dep_target if level == "department" else (lambda w, v: _target(w, value=v))
    first = make(hand_week, 95)
    second = make(hand_week, 97)
    first.refresh_from_db()
    assert (first.status, second.status) == ("amended", "open")
    assert first.closed_at and first.escalated_at is None
    # The amended target's action is cancelled (not missed); the new one's is open.
    first.action.refresh_from_db()
    assert (first.action.status, second.action.status) == ("cancelled", "open")


def test_an_amended_target_is_not_listed_as_missed_in_the_monthly_notice(hand_week):
    """Team target 95 amended by 96, which is then escalated; the department's own target 91
    amended by 92, which is then missed. The notice lists 96 and 92 as missed, not 95 or 91."""
    services.bulletins_generate_week(week_start=WEEK)
    amended = [_target(hand_week, value=95)]
    _target(hand_week, value=96)
    amended.append(_dep_target(hand_week, 91))
    _dep_target(hand_week, 92)
    make_call(hand_week.agents["a1"][0], started_at=at(NEXT), outcomes={"HOLD": "fail"})
    services.bulletins_generate_week(week_start=NEXT)
    for target in amended:
        target.refresh_from_db()
        assert target.status == "amended"
        assert not target.follow_ups.exists()
    # Amended ones are followed no further, not even in the center's list of misses.
    center = bulletin("center", NEXT).data["targets"]
    assert sorted(r["target"] for r in center) == [92.0, 96.0]
    month = timezone.localdate(amended[0].closed_at).replace(day=1)
    services.bulletin_generate_month(month=month, notify_readers=False)
    notice = Bulletin.objects.get(kind=Kind.MONTHLY, period_start=month).data
    assert sorted((t["target"], t["status"]) for t in notice["targets_missed"]) == [
        (92.0, "missed"),
        (96.0, "escalated"),
    ]
    assert notice["targets_met"] == []


def test_a_target_amended_while_the_week_is_followed_up_stays_amended(hand_week, monkeypatch):
    """The weekly run decides its verdicts, then someone records a new measure for the item
    before the run writes them: the run does not overwrite the amendment with a miss."""
    services.bulletins_generate_week(week_start=WEEK)
    first = _target(hand_week, value=95)
    make_call(hand_week.agents["a1"][0], started_at=at(NEXT), outcomes={"HOLD": "fail"})
    replacement = []

    def amend_meanwhile(stage):
        if stage == "inserted":
            replacement.append(_target(hand_week, due=AFTER, value=97))

    monkeypatch.setattr(services, "_hook", amend_meanwhile)
    services.bulletins_generate_week(week_start=NEXT, notify_readers=False)
    first.refresh_from_db()
    assert first.status == "amended" and first.escalated_at is None
    assert replacement[0].status == "open"
    assert not Notification.objects.filter(title__contains="escalated").exists()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_target_forms_default_due_date_fills_the_date_box_in_every_language(
    client, hand_week, language
):
    """Issue 15 item 8: in Chinese the default due date rendered as 2026/12/14, which
    <input type=date> rejects (the box was blank); it is ISO yyyy-mm-dd in every language."""
    services.bulletins_generate_week(week_start=WEEK)
    team = bulletin(f"team:{hand_week.team_a1.pk}")
    client.force_login(hand_week.users["teamlead"])
    url = reverse("bulletins:target_create", args=[team.pk]) + "?metric=rule&code=HOLD"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    due = (team.period_start + datetime.timedelta(weeks=3)).isoformat()
    assert f'type="date" name="due_week" value="{due}"' in page


def test_the_targets_action_page_links_to_its_bulletin(client, hand_week):
    services.bulletins_generate_week(week_start=WEEK)
    target = _target(hand_week)
    client.force_login(hand_week.users["teamlead"])
    page = client.get(reverse("actions:detail", args=[target.action_id])).content.decode()
    assert reverse("bulletins:detail", args=[target.source_bulletin_id]) in page
