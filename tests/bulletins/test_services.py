"""Weekly generation: the figures of a hand-made week, idempotence, crash safety, revisions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from bulletins import services
from bulletins.models import Bulletin, Kind
from qa_center.models import Notification
from tests.bulletins.conftest import PREV_WEEK
from tests.factories import WEEK


def weekly(**scope) -> Bulletin:
    key = scope.get("key", "center")
    return Bulletin.objects.get(kind=Kind.WEEKLY, period_start=WEEK, scope_key=key)


def rule(data, code):
    return next(r for r in data["rules"] if r["code"] == code)


def test_team_figures_worked_out_by_hand(hand_week):
    services.bulletins_generate_week(week_start=WEEK)
    data = weekly(key=f"team:{hand_week.team_a1.pk}").data
    head = data["headline"]
    assert head["checked"] == 6
    assert head["auto_mean"] == 86.7  # (100+100+60+60+100+100) / 6
    assert head["prev"]["auto_mean"] == 90.0
    assert head["change"]["auto_mean"] == -3.3
    assert head["evaluated"] == 2
    assert head["eval_mean"] == 80.0
    assert head["pass_rate"] == 50.0
    assert head["change"]["pass_rate"] == -50.0
    assert head["disputes_opened"] == 1 and head["disputes_decided"] == 1
    hold = rule(data, "HOLD")
    assert (hold["compliance"], hold["prev"], hold["change"], hold["n"]) == (66.7, 100.0, -33.3, 6)
    assert hold["label"] == "请稍等" and hold["below"]
    assert rule(data, "GREET")["compliance"] == 100.0 and not rule(data, "GREET")["below"]
    item = next(i for i in data["items"] if i["code"] == "hold")
    assert (item["compliance"], item["prev"], item["change"]) == (50.0, 100.0, -50.0)
    assert {(s["kind"], s["code"]) for s in data["shortfalls"]} == {
        ("rule", "HOLD"),
        ("item", "hold"),
    }
    assert [a["name"] for a in data["agents_below"]] == [hand_week.agents["a1"][0].name]
    assert data["worst"][0]["code"] == "HOLD"
    assert len(data["worst"][0]["examples"]) == 2


def test_department_and_center_add_up_from_teams(hand_week):
    services.bulletins_generate_week(week_start=WEEK)
    dep_a = weekly(key=f"department:{hand_week.dep_a.pk}").data
    assert dep_a["headline"]["checked"] == 6
    assert {t["label"]: t["below"] for t in dep_a["teams"]} == {"一班": True, "二班": False}
    center = weekly().data
    assert center["headline"]["checked"] == 7
    assert center["headline"]["auto_mean"] == 88.6  # 620 / 7
    assert rule(center, "HOLD")["compliance"] == 71.4  # 5 / 7
    assert [d["label"] for d in center["departments"]] == ["客服一部", "客服二部"]
    assert Bulletin.objects.filter(kind=Kind.WEEKLY, period_start=WEEK).count() == 1 + 2 + 3


def test_running_the_week_twice_yields_one_bulletin_per_scope(hand_week):
    first = services.bulletins_generate_week(week_start=WEEK)
    second = services.bulletins_generate_week(week_start=WEEK)
    assert len(first.created) == 6
    assert second.created == [] and second.skipped == 6
    assert Bulletin.objects.filter(period_start=WEEK).count() == 6


def test_any_day_of_the_week_means_that_week(hand_week):
    import datetime

    services.bulletins_generate_week(week_start=WEEK + datetime.timedelta(days=3))
    assert Bulletin.objects.filter(period_start=WEEK).count() == 6


def test_a_crash_mid_generation_leaves_nothing_and_the_retry_completes(hand_week, monkeypatch):
    def die(stage):
        if stage == "inserted":
            raise RuntimeError("worker killed")

    monkeypatch.setattr(services, "_hook", die)
    before = Notification.objects.count()  # the agent's, of the week's evaluations
    with pytest.raises(RuntimeError):
        services.bulletins_generate_week(week_start=WEEK)
    assert Bulletin.objects.count() == 0
    assert Notification.objects.count() == before
    monkeypatch.undo()
    result = services.bulletins_generate_week(week_start=WEEK)
    assert len(result.created) == 6


def test_regenerating_on_purpose_makes_a_revision_with_its_reason(hand_week):
    services.bulletins_generate_week(week_start=WEEK)
    key = f"team:{hand_week.team_a1.pk}"
    with pytest.raises(ValidationError):
        services.bulletins_generate_week(week_start=WEEK, scopes=[key], revise=True)
    result = services.bulletins_generate_week(
        week_start=WEEK, scopes=[key], revise=True, reason="迟到的评分已补录"
    )
    assert [(b.scope_key, b.revision, b.reason) for b in result.created] == [
        (key, 2, "迟到的评分已补录")
    ]
    assert Bulletin.objects.filter(scope_key=key, period_start=WEEK).count() == 2


def test_new_bulletins_are_announced_in_the_app_and_by_email(
    hand_week, mailoutbox, django_capture_on_commit_callbacks
):
    hand_week.users["teamlead"].email = "lead@example.com"
    hand_week.users["teamlead"].save()
    with django_capture_on_commit_callbacks(execute=True):
        services.bulletins_generate_week(week_start=WEEK)
    lead = Notification.objects.get(user=hand_week.users["teamlead"])
    assert "一班" in lead.title
    assert Notification.objects.filter(user=hand_week.users["manager"]).count() == 1  # center
    assert Notification.objects.filter(user=hand_week.users["dept_manager"]).count() == 1
    assert [m.to for m in mailoutbox] == [["lead@example.com"]]


def _data_by_scope(revision: int) -> dict[str, dict]:
    return {
        b.scope_key: b.data
        for b in Bulletin.objects.filter(kind=Kind.WEEKLY, period_start=WEEK, revision=revision)
    }


def test_last_weeks_figures_read_from_its_bulletins_equal_recomputing_them(hand_week, monkeypatch):
    # Last week's run stores every team's figures; this week's reads them back instead of
    # scanning last week's calls again.
    services.bulletins_generate_week(week_start=PREV_WEEK, notify_readers=False)
    seen = []
    real_collect = services.collect

    def spy(**kwargs):
        seen.append(kwargs.get("previous"))
        return real_collect(**kwargs)

    monkeypatch.setattr(services, "collect", spy)
    services.bulletins_generate_week(week_start=WEEK, notify_readers=False)
    assert seen[-1] is not None and set(seen[-1]) == {
        hand_week.team_a1.pk,
        hand_week.team_a2.pk,
        hand_week.team_b1.pk,
    }
    stored = _data_by_scope(1)

    # The same week, recomputing last week from its calls.
    monkeypatch.setattr(services, "_previous_figures", lambda week_start, org: None)
    services.bulletins_generate_week(
        week_start=WEEK, revise=True, reason="recompute", notify_readers=False
    )
    assert seen[-1] is None
    recomputed = _data_by_scope(2)
    assert stored.keys() == recomputed.keys() and len(stored) == 6
    for key in stored:
        assert stored[key] == recomputed[key], key
    team = stored[f"team:{hand_week.team_a1.pk}"]
    assert team["headline"]["prev"]["auto_mean"] == 90.0
    assert rule(team, "HOLD")["prev"] == 100.0


def test_without_last_weeks_bulletins_the_run_scans_last_week(hand_week, monkeypatch):
    seen = []
    real_collect = services.collect

    def spy(**kwargs):
        seen.append(kwargs.get("previous"))
        return real_collect(**kwargs)

    monkeypatch.setattr(services, "collect", spy)
    services.bulletins_generate_week(week_start=WEEK, notify_readers=False)
    assert seen == [None]
    team = weekly(key=f"team:{hand_week.team_a1.pk}").data
    assert team["headline"]["prev"]["auto_mean"] == 90.0  # computed from last week's calls


def test_a_team_missing_from_last_week_means_scanning_last_week(hand_week, monkeypatch):
    services.bulletins_generate_week(
        week_start=PREV_WEEK,
        scopes=["center", f"team:{hand_week.team_a1.pk}"],
        notify_readers=False,
    )
    seen = []
    real_collect = services.collect

    def spy(**kwargs):
        seen.append(kwargs.get("previous"))
        return real_collect(**kwargs)

    monkeypatch.setattr(services, "collect", spy)
    services.bulletins_generate_week(week_start=WEEK, notify_readers=False)
    assert seen == [None]


def test_an_item_prefilled_from_a_rule_is_one_shortfall_not_two(hand_week):
    """请稍等 below standard was listed twice, once as the rule HOLD and once as the scorecard
    item prefilled from it; now once, on the rule's row, with the item's figure beside it."""
    from scoring.evaluations.models import ScorecardItem

    ScorecardItem.objects.filter(code="hold").update(rule_code="HOLD")
    services.bulletins_generate_week(week_start=WEEK)
    data = weekly(key=f"team:{hand_week.team_a1.pk}").data
    assert [(s["kind"], s["code"]) for s in data["shortfalls"]] == [("rule", "HOLD")]
    assert data["shortfalls"][0]["item"]["code"] == "hold"
    assert data["shortfalls"][0]["item"]["compliance"] == 50.0
