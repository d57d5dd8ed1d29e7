"""Every bulletin write checks scope like every read: department b's manager reads the
center's issued notice but never corrects it, writes its decisions or issues it; a team lead
sets targets only on their team's bulletins. Two corrections asked at once make one."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audits.actions.models import ImprovementTarget
from bulletins import services
from bulletins.models import Bulletin, Kind
from tests.factories import WEEK

MONTH = datetime.date(2026, 3, 1)


@pytest.fixture
def notice(hand_week):
    services.bulletin_generate_month(month=MONTH, notify_readers=False)
    draft = Bulletin.objects.get(kind=Kind.MONTHLY, period_start=MONTH)
    return services.bulletin_issue(
        bulletin=draft, actor=hand_week.users["manager"], decisions="限期整改。"
    )


def _revisions():
    return sorted(
        Bulletin.objects.filter(kind=Kind.MONTHLY, period_start=MONTH).values_list(
            "revision", flat=True
        )
    )


def test_a_department_manager_cannot_correct_the_centers_notice(client, hand_week, notice):
    client.force_login(hand_week.users["dept_manager"])
    assert client.get(reverse("bulletins:detail", args=[notice.pk])).status_code == 200  # reads
    response = client.post(reverse("bulletins:correct", args=[notice.pk]), {"reason": "改"})
    assert response.status_code == 403
    assert _revisions() == [1]


def test_the_centers_manager_corrects_it_once(client, hand_week, notice):
    client.force_login(hand_week.users["manager"])
    url = reverse("bulletins:correct", args=[notice.pk])
    response = client.post(url, {"reason": "一部数据有误"})
    correction = Bulletin.objects.get(kind=Kind.MONTHLY, period_start=MONTH, revision=2)
    assert response.status_code == 302 and response["Location"].endswith(f"/{correction.pk}/")
    # A second click on the same (now superseded) notice: no third revision, the latest shown.
    again = client.post(url, {"reason": "一部数据有误"})
    assert again.status_code == 302 and again["Location"].endswith(f"/{correction.pk}/")
    assert _revisions() == [1, 2]


def test_a_department_manager_cannot_write_or_issue_the_centers_notice(client, hand_week, notice):
    dept_manager = hand_week.users["dept_manager"]
    client.force_login(dept_manager)
    response = client.post(reverse("bulletins:decisions", args=[notice.pk]), {"decisions": "x"})
    assert response.status_code == 403
    services.bulletin_generate_month(month=MONTH, revise=True, reason="更正", notify_readers=False)
    draft = Bulletin.objects.get(kind=Kind.MONTHLY, period_start=MONTH, revision=2)
    # The center's draft is not theirs to read at all.
    response = client.post(
        reverse("bulletins:decisions", args=[draft.pk]), {"decisions": "x", "issue": "1"}
    )
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == Bulletin.Status.DRAFT and draft.decisions == notice.decisions


def test_services_refuse_writes_outside_the_actors_scope(hand_week, notice):
    dept_manager = hand_week.users["dept_manager"]
    with pytest.raises(PermissionDenied):
        services.bulletin_generate_month(
            month=MONTH, revise=True, reason="改", actor=dept_manager, notify_readers=False
        )
    services.bulletin_generate_month(month=MONTH, revise=True, reason="改", notify_readers=False)
    draft = Bulletin.objects.get(kind=Kind.MONTHLY, period_start=MONTH, revision=2)
    with pytest.raises(PermissionDenied):
        services.bulletin_update_decisions(bulletin=draft, decisions="x", actor=dept_manager)
    with pytest.raises(PermissionDenied):
        services.bulletin_issue(bulletin=draft, actor=dept_manager)
    draft.refresh_from_db()
    assert draft.status == Bulletin.Status.DRAFT


def test_a_team_lead_sets_targets_only_on_their_teams_bulletins(client, hand_week, notice):
    services.bulletins_generate_week(week_start=WEEK, notify_readers=False)
    other_team = Bulletin.objects.get(scope_key=f"team:{hand_week.team_b1.pk}")
    teamlead = hand_week.users["teamlead"]  # team a1
    with pytest.raises(PermissionDenied):
        services.improvement_target_create(
            actor=teamlead,
            bulletin=other_team,
            metric="rule",
            code="HOLD",
            label="",
            target_value=95,
            due_week=WEEK + datetime.timedelta(days=7),
            measure="x",
        )
    client.force_login(teamlead)
    assert client.get(reverse("bulletins:target_create", args=[other_team.pk])).status_code == 404
    # The center's notice: they read it, but set nothing on it.
    response = client.post(reverse("bulletins:target_create", args=[notice.pk]), {"measure": "x"})
    assert response.status_code == 403
    assert not ImprovementTarget.objects.exists()
