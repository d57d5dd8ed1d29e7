"""The demo shows calls to confirm for real: its transcripts sometimes mention "您的话费" or
"您的余额" before the caller is verified, the real engine and starter library judge the identity
rule's critical failure on them weak, the older ones were decided by the supervisors (so the
rule's precision is measured, and falls below the threshold), and the recent ones wait first in
the demo supervisor's queue with a provisional score."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from org import demo as org_demo
from org.models import User
from scoring.calls import demo as calls_demo
from scoring.calls.models import CallCheck, CriticalReview, Review
from scoring.calls.results import check_results
from scoring.evaluations import demo as evaluations_demo
from scoring.evaluations.verdicts import flagged_rules, rule_quality
from scoring.sampling import demo as sampling_demo
from scoring.sampling.selectors import queue_for

pytestmark = pytest.mark.django_db


def test_the_demo_has_calls_to_confirm_decisions_and_a_flagged_rule(monkeypatch, client):
    monkeypatch.setattr(calls_demo, "CALLS", 1500)
    org_demo.seed(rng=random.Random("qa-center:org"))
    calls_demo.seed(rng=random.Random("qa-center:calls"))
    checks = CallCheck.objects.exclude(review=Review.NONE)
    assert checks.filter(review=Review.TO_CONFIRM).exists()
    for check in checks:
        assert check.weak_critical == ["IDENTITY_BEFORE_ACCOUNT"]
        results = check_results(check)
        evidence = next(r for r in results if r["code"] == "IDENTITY_BEFORE_ACCOUNT")
        said = " ".join(str(e) for e in evidence["evidence"])
        assert "您的话费" in said or "您的余额" in said, evidence
    decisions = set(CriticalReview.objects.values_list("decision", flat=True))
    assert decisions == {"confirmed", "rejected"}  # the supervisors read each call
    evaluations_demo.seed(rng=random.Random("qa-center:evaluations"))
    sampling_demo.seed(rng=random.Random("qa-center:sampling"))

    identity = rule_quality()["IDENTITY_BEFORE_ACCOUNT"]
    assert identity.flagged and identity.precision < 80
    assert "IDENTITY_BEFORE_ACCOUNT" in [q.code for q in flagged_rules()]
    others = [q for code, q in rule_quality().items() if code != "IDENTITY_BEFORE_ACCOUNT"]
    assert any(q.precision is not None and not q.flagged for q in others)

    supervisor = User.objects.get(username="supervisor")
    queue = list(queue_for(supervisor))
    waiting = [a for a in queue if a.call.auto_check.provisional]
    assert waiting and queue[: len(waiting)] == waiting  # first in the queue
    # ... as the demo supervisor sees it, logging in with the demo password.
    login = client.post(reverse("login"), {"username": "supervisor", "password": "demo"})
    assert login.status_code == 302
    page = client.get(reverse("sampling:queue")).content.decode()
    first_row = page.split("<tbody", 1)[1].split("</tr>", 1)[0]
    assert waiting[0].call.call_id in first_row and 'data-testid="provisional"' in first_row
