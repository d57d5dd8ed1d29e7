"""A draft library tested on history before it goes live: a trial scores a period's stored calls
with the draft (a Celery job with progress), and shows outcomes changed per rule with example
calls, calls newly zeroed or un-zeroed, and each changed rule's precision and recall against
the supervisors' verdicts; all-or-nothing (a failed job says so and keeps no result)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from scoring.calls.models import Call
from scoring.calls.services import checks
from scoring.evaluations.models import RuleTrial
from scoring.evaluations.services import trials
from scoring.evaluations.services.evaluations import evaluation_start, evaluation_submit
from scoring.rules.services import library_activate, library_create
from tests.factories import make_scorecard

pytestmark = pytest.mark.django_db

ACTIVE = {
    "name": "试运行",
    "rules": [
        {"code": "GREET", "title": "问候", "kind": "required", "speaker": "agent",
         "phrases": ["您好"], "points": 5},
        {"code": "HOLD", "title": "请稍等", "kind": "required", "speaker": "agent",
         "phrases": ["请稍等"], "points": 3},
        {"code": "SEVERE", "title": "服务禁语", "kind": "forbidden", "speaker": "agent",
         "phrases": ["不归我管"], "critical": True},
    ],
}  # fmt: skip
# The draft: GREET wants 你好 (so 您好 no longer passes), SEVERE is no longer critical.
DRAFT = {
    **ACTIVE,
    "rules": [
        {**ACTIVE["rules"][0], "phrases": ["你好"]},
        ACTIVE["rules"][1],
        {**ACTIVE["rules"][2], "critical": False},
    ],
}
DAY = datetime.date(2026, 11, 2)


def _calls(world, n: int = 3) -> list[Call]:
    made = []
    for i in range(n):
        text = "您好，请稍等。" if i else "您好，这个不归我管。"
        made.append(
            Call.objects.create(
                call_id=f"T-{i}",
                agent=world.agents["a1"][0],
                team=world.team_a1,
                started_at=datetime.datetime(2026, 11, 2, 10, i, tzinfo=datetime.UTC),
                turns=[{"speaker": "agent", "text": text}],
            )
        )
    return made


@pytest.fixture
def setup(world, django_capture_on_commit_callbacks):
    active = library_activate(library=library_create(definition=ACTIVE))
    calls = _calls(world)
    checks.call_checks_run(call_ids=[c.pk for c in calls])
    draft = library_create(definition=DRAFT)
    return {"active": active, "draft": draft, "calls": calls}


def _run(setup, world, django_capture_on_commit_callbacks) -> RuleTrial:
    with django_capture_on_commit_callbacks(execute=True):
        trial = trials.trial_start(
            library=setup["draft"], by=world.users["admin"], date_from=DAY, date_to=DAY
        )
    trial.refresh_from_db()
    return trial


def test_a_trial_shows_what_the_draft_changes(setup, world, django_capture_on_commit_callbacks):
    # A supervisor said call T-1 did not greet properly although the rule passed it.
    card = make_scorecard()
    call = setup["calls"][1]
    supervisor = world.users["supervisor"]
    evaluation = evaluation_start(call=call, scorecard=card, evaluator=supervisor)
    evaluation_submit(
        evaluation=evaluation,
        actor=supervisor,
        answers={
            "greet": {"value": 0, "reason": "没有标准问候"},
            "hold": {"value": 1},
            "tone": {"value": 4},
            "leak": {"value": 1},
        },
        expected_version=evaluation.version,
    )
    trial = _run(setup, world, django_capture_on_commit_callbacks)
    assert trial.status == RuleTrial.Status.DONE and trial.processed == trial.total == 3
    results = trial.results
    rules = {r["code"]: r for r in results["rules"]}
    assert set(rules) == {"GREET"}  # SEVERE still fails, only no longer critical
    assert rules["GREET"]["transitions"] == [{"old": "pass", "new": "fail", "calls": 3}]
    assert {e["call_id"] for e in rules["GREET"]["examples"]} == {"T-0", "T-1", "T-2"}
    assert rules["GREET"]["before"]["recall"] == 0.0 and rules["GREET"]["after"]["recall"] == 100.0
    assert results["unzeroed"]["count"] == 1
    assert results["unzeroed"]["examples"][0]["call_id"] == "T-0"
    assert results["zeroed"]["count"] == 0 and results["changed_calls"] == 3


def test_a_failed_trial_says_so_and_keeps_nothing(
    setup, world, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(library):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(trials, "engine_library", broken)
    trial = _run(setup, world, django_capture_on_commit_callbacks)
    assert trial.status == RuleTrial.Status.FAILED
    assert "engine exploded" in trial.error and trial.results == {}
    assert trials.trial_run(trial_id=trial.pk) is None  # finished: a second run does nothing


def test_only_a_valid_draft_and_a_sane_period(setup, world):
    admin = world.users["admin"]
    with pytest.raises(ValidationError) as raised:
        trials.trial_start(library=setup["active"], by=admin, date_from=DAY, date_to=DAY)
    assert "library" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        trials.trial_start(
            library=setup["draft"], by=admin, date_from=DAY, date_to=DAY - datetime.timedelta(1)
        )
    assert "date_to" in raised.value.message_dict
    with pytest.raises(ValidationError):
        trials.trial_start(
            library=setup["draft"],
            by=admin,
            date_from=DAY,
            date_to=DAY + datetime.timedelta(days=trials.MAX_DAYS),
        )
    assert not RuleTrial.objects.exists()


def test_the_pages_start_a_trial_and_show_its_diff(
    client, setup, world, django_capture_on_commit_callbacks
):
    draft = setup["draft"]
    client.force_login(world.users["admin"])
    page = client.get(reverse("rules:library_detail", args=[draft.pk])).content.decode()
    assert 'data-testid="trial-form"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("evaluations:trial_create", args=[draft.pk]),
            {"date_from": "2026-11-02", "date_to": "2026-11-02"},
        )
    trial = RuleTrial.objects.get()
    assert response.url == reverse("evaluations:trial_detail", args=[trial.pk])
    page = client.get(response.url).content.decode()
    assert 'data-testid="trial-rule-GREET"' in page
    assert reverse("calls:call_detail", args=[setup["calls"][0].pk]) in page  # one click
    assert 'data-testid="trial-activate"' in page
    progress = client.get(
        reverse("evaluations:trial_progress", args=[trial.pk]), HTTP_HX_REQUEST="true"
    )
    assert progress.status_code == 200 and b"3 / 3" in progress.content
    client.force_login(world.users["supervisor"])
    assert client.get(reverse("evaluations:trial_detail", args=[trial.pk])).status_code == 403
    assert (
        client.post(
            reverse("evaluations:trial_create", args=[draft.pk]),
            {"date_from": "2026-11-02", "date_to": "2026-11-02"},
        ).status_code
        == 403
    )


def test_the_api_runs_a_trial(api, setup, world, django_capture_on_commit_callbacks):
    api.force_authenticate(world.users["admin"])
    body = {"library": setup["draft"].pk, "date_from": "2026-11-02", "date_to": "2026-11-02"}
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/rule-trials/", body, format="json")
    assert created.status_code == 201
    trial = api.get(f"/api/v1/rule-trials/{created.json()['id']}/").json()
    assert trial["status"] == "done" and trial["results"]["unzeroed"]["count"] == 1
    refused = api.post("/api/v1/rule-trials/", {**body, "library": setup["active"].pk})
    assert refused.status_code == 400 and "library" in refused.json()
    api.force_authenticate(world.users["supervisor"])
    assert api.get("/api/v1/rule-trials/").status_code == 403
