"""A critical zero never rests on weak evidence: a call whose critical failures all rest on weak
evidence is "to confirm" (provisional score, first in the queue) until a supervisor confirms
or rejects it, on the call page or through the API; every decision is kept with who and when."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import NamedTuple

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from home.panels import home_panels
from org.models import Role
from scoring.calls.models import Call, CallCheck, CriticalReview, Review
from scoring.calls.services import checks
from scoring.calls.services.reviews import critical_review_decide, score_of_outcomes
from scoring.rules.services import library_activate, library_create
from scoring.sampling.models import Assignment, SamplingPlan
from scoring.sampling.selectors import queue_for
from tests.factories import UserFactory, make_scorecard

pytestmark = pytest.mark.django_db

LIBRARY = {
    "name": "确认测试",
    "rules": [
        {"code": "GREET", "title": "问候", "kind": "required", "speaker": "agent",
         "phrases": ["您好"], "points": 5},
        {"code": "THANKS", "title": "致谢", "kind": "required", "speaker": "agent",
         "phrases": ["谢谢"], "points": 3},
        {"code": "SEVERE", "title": "服务禁语", "kind": "forbidden", "speaker": "agent",
         "phrases": ["不归我管"], "points": 2, "critical": True},
    ],
}  # fmt: skip
TURNS = [
    {"speaker": "agent", "text": "您好，请讲。"},
    {"speaker": "customer", "text": "我的宽带坏了。"},
    {"speaker": "agent", "text": "这个不归我管。"},
]


class WeakResult(NamedTuple):
    """The engine's CheckResult with `weak` (the field helper "engine" adds)."""

    call_id: str | int
    score: str
    critical_failed: bool
    outcomes: list[str]
    results_json: bytes
    weak: list[bool]


@pytest.fixture
def weak_engine(monkeypatch):
    """The engine, with every failure of SEVERE reported as weak evidence."""
    real = checks.engine_library

    def engine(library):
        compiled = real(library)

        class Wrapped:
            rules = compiled.rules

            def check_line(self, line, compact=False):
                result = compiled.check_line(line, compact=compact)
                weak = [rule.code == "SEVERE" for rule in compiled.rules]
                return WeakResult(*result[:5], weak=weak)

        return Wrapped()

    monkeypatch.setattr(checks, "engine_library", engine)


@pytest.fixture
def library():
    return library_activate(library=library_create(definition=LIBRARY))


def _call(world, team="a1", call_id="W-1", turns=TURNS) -> Call:
    return Call.objects.create(
        call_id=call_id,
        agent=world.agents[team][0],
        team=getattr(world, f"team_{team}"),
        started_at="2026-11-02T09:00:00+08:00",
        turns=turns,
    )


def test_a_weak_critical_failure_makes_the_call_to_confirm(world, library, weak_engine):
    call = _call(world)
    checks.call_checks_run(call_ids=[call.pk])
    check = CallCheck.objects.get(call=call)
    assert check.critical_failed and check.score == 0
    assert check.review == Review.TO_CONFIRM and check.provisional
    assert check.weak_critical == ["SEVERE"]


def test_a_strong_critical_failure_is_not_to_confirm(world, library):
    call = _call(world)  # the engine as it is: no failure is weak
    checks.call_checks_run(call_ids=[call.pk])
    check = CallCheck.objects.get(call=call)
    assert check.critical_failed and check.review == Review.NONE and not check.provisional


def test_confirm_keeps_the_zero_and_records_who(world, library, weak_engine):
    call = _call(world)
    checks.call_checks_run(call_ids=[call.pk])
    supervisor = world.users["supervisor"]
    check = critical_review_decide(call=call, by=supervisor, decision="confirmed", note="确实")
    assert check.score == 0 and check.critical_failed and check.review == Review.CONFIRMED
    review = CriticalReview.objects.get()
    assert (review.by, review.decision, review.codes) == (supervisor, "confirmed", ["SEVERE"])
    assert review.score_before == review.score_after == 0
    with pytest.raises(ValidationError):  # decided once
        critical_review_decide(call=call, by=supervisor, decision="rejected")


def test_reject_scores_the_call_without_that_failure(world, library, weak_engine):
    call = _call(world)
    checks.call_checks_run(call_ids=[call.pk])
    check = critical_review_decide(call=call, by=world.users["supervisor"], decision="rejected")
    # GREET passed (5), THANKS failed (3), SEVERE now passed (2): 100 × 7 / 10.
    assert check.score == Decimal("70.00") and not check.critical_failed
    assert check.outcomes["SEVERE"] == "pass" and not check.provisional
    assert CriticalReview.objects.get().score_after == Decimal("70.00")


def test_a_rescore_applies_the_decision_again(world, library, weak_engine):
    call = _call(world)
    checks.call_checks_run(call_ids=[call.pk])
    critical_review_decide(call=call, by=world.users["supervisor"], decision="rejected")
    checks.call_checks_run(call_ids=[call.pk], force=True)
    check = CallCheck.objects.get(call=call)
    assert check.review == Review.REJECTED and check.score == Decimal("70.00")


def test_decisions_check_scope_and_role(world, library, weak_engine):
    call = _call(world)
    checks.call_checks_run(call_ids=[call.pk])
    other = UserFactory(username="sup-b", role=Role.SUPERVISOR, department=world.dep_b)
    for user in (other, world.users["agent"], world.users["teamlead"], world.users["manager"]):
        with pytest.raises(PermissionDenied):
            critical_review_decide(call=call, by=user, decision="rejected")
    assert CallCheck.objects.get(call=call).review == Review.TO_CONFIRM
    assert not CriticalReview.objects.exists()


def test_nothing_to_confirm_is_refused(world, library):
    call = _call(world)
    checks.call_checks_run(call_ids=[call.pk])
    with pytest.raises(ValidationError):
        critical_review_decide(call=call, by=world.users["supervisor"], decision="confirmed")


def test_score_of_outcomes_is_the_engines_formula():
    assert score_of_outcomes(LIBRARY, {"GREET": "pass", "THANKS": "fail", "SEVERE": "na"}) == (
        Decimal("62.50"),
        False,
    )
    assert score_of_outcomes(LIBRARY, {"SEVERE": "fail"}) == (Decimal("0.00"), True)
    assert score_of_outcomes(LIBRARY, {}) == (None, False)


def test_calls_to_confirm_come_first_in_the_queue(world, library, weak_engine):
    supervisor = world.users["supervisor"]
    plain = _call(world, call_id="P-1", turns=[{"speaker": "agent", "text": "您好，谢谢。"}])
    weak = _call(world, call_id="W-1")
    checks.call_checks_run(call_ids=[plain.pk, weak.pk])
    plan = SamplingPlan.objects.create(name="p", scorecard=make_scorecard(), calls_per_agent=2)
    soon = timezone.now()
    for call, due in ((plain, soon), (weak, soon + datetime.timedelta(days=3))):
        Assignment.objects.create(
            plan=plan, call=call, supervisor=supervisor, period_start="2026-11-02", due_at=due
        )
    assert [a.call.call_id for a in queue_for(supervisor)] == ["W-1", "P-1"]


def test_the_call_page_asks_a_supervisor_and_records_the_decision(
    client, world, library, weak_engine
):
    call = _call(world)
    checks.call_checks_run(call_ids=[call.pk])
    url = reverse("calls:call_detail", args=[call.pk])
    client.force_login(world.users["agent"])
    page = client.get(url).content.decode()
    assert 'data-testid="provisional"' in page and "critical-review-form" not in page
    client.force_login(world.users["supervisor"])
    page = client.get(url).content.decode()
    assert 'data-testid="critical-confirm"' in page
    response = client.post(
        reverse("calls:critical_review", args=[call.pk]),
        {"decision": "rejected", "note": "退款说明", "codes": "SEVERE"},
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="provisional"' not in page and "critical-confirm" not in page
    assert "退款说明" in page and 'data-testid="critical-review-history"' in page
    list_page = client.get(reverse("calls:call_list")).content.decode()
    assert 'data-testid="provisional"' not in list_page


def test_the_call_page_refuses_out_of_scope_and_agents(client, world, library, weak_engine):
    call = _call(world)
    checks.call_checks_run(call_ids=[call.pk])
    url = reverse("calls:critical_review", args=[call.pk])
    client.force_login(world.users["agent"])
    assert client.post(url, {"decision": "rejected"}).status_code == 403
    client.force_login(UserFactory(username="sup-b", role=Role.SUPERVISOR, department=world.dep_b))
    assert client.post(url, {"decision": "rejected"}).status_code == 404
    assert CallCheck.objects.get(call=call).review == Review.TO_CONFIRM


def test_the_api_confirms_and_rejects(api, world, library, weak_engine):
    call = _call(world)
    checks.call_checks_run(call_ids=[call.pk])
    url = f"/api/v1/calls/{call.pk}/critical-review/"
    api.force_authenticate(world.users["teamlead"])
    assert api.post(url, {"decision": "rejected"}, format="json").status_code == 403
    api.force_authenticate(world.users["supervisor"])
    listed = api.get("/api/v1/calls/").json()["results"][0]["auto_check"]
    assert listed["provisional"] is True and listed["weak_critical"] == ["SEVERE"]
    assert api.post(url, {"decision": "maybe"}, format="json").status_code == 400
    stale = api.post(url, {"decision": "rejected", "codes": ["OTHER"]}, format="json")
    assert stale.status_code == 400 and "codes" in stale.json()
    answer = api.post(url, {"decision": "rejected"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["auto_check"]["score"] == "70.00"
    assert answer.json()["auto_check"]["review"] == "rejected"
    again = api.post(url, {"decision": "confirmed"}, format="json")
    assert again.status_code == 400
    history = api.get(f"/api/v1/calls/{call.pk}/critical-reviews/").json()
    assert [(h["decision"], h["by"]) for h in history] == [
        ("rejected", world.users["supervisor"].display_name)
    ]


def test_home_figures_leave_provisional_scores_out(world, library, weak_engine):
    weak = _call(world, call_id="W-1")
    plain = _call(world, call_id="P-1", turns=[{"speaker": "agent", "text": "您好，谢谢。"}])
    Call.objects.filter(pk__in=[weak.pk, plain.pk]).update(started_at=timezone.now())
    checks.call_checks_run(call_ids=[weak.pk, plain.pk])
    with translation.override("en"):
        stats = {s.label: s.value for s in home_panels(world.users["supervisor"])["stats"]}
    assert stats["Critical failures this week"] == 0  # the weak zero is not counted yet
    assert stats["Critical failures to confirm"] == 1
    assert stats["Automatic score this week"] == "100.0"  # the provisional 0 is left out


def test_the_call_list_and_api_filter_the_calls_to_confirm(
    client, api, world, library, weak_engine
):
    weak = _call(world, call_id="W-1")
    plain = _call(world, call_id="P-1", turns=[{"speaker": "agent", "text": "您好，谢谢。"}])
    checks.call_checks_run(call_ids=[weak.pk, plain.pk])
    client.force_login(world.users["supervisor"])
    page = client.get(reverse("calls:call_list"), {"to_confirm": "yes"})
    assert [c.call_id for c in page.context["page"]] == ["W-1"]
    page = client.get(reverse("calls:call_list"), {"to_confirm": "no"})
    assert [c.call_id for c in page.context["page"]] == ["P-1"]
    api.force_authenticate(world.users["supervisor"])
    listed = api.get("/api/v1/calls/", {"to_confirm": "true"}).json()["results"]
    assert [c["call_id"] for c in listed] == ["W-1"]
