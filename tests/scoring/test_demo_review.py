"""The review demo: alive after seeding, and seeding twice changes nothing."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from org import demo as org_demo
from org.models import Agent, User
from scoring import demo_review
from scoring.models import Assignment, CalibrationSession, Dispute, Evaluation
from scoring.selectors.calibration import HARSH, calibration_bias

from .factories_review import make_call, make_scorecard


def _counts():
    return (
        Assignment.objects.count(),
        Assignment.objects.filter(status="done").count(),
        Dispute.objects.count(),
        CalibrationSession.objects.count(),
        Evaluation.objects.count(),
    )


def test_review_demo(db):
    org_demo.seed(rng=random.Random(1))
    make_scorecard()
    agent = User.objects.get(username="agent").agent
    now = timezone.now()
    for day in range(56):
        make_call(agent, started_at=now - datetime.timedelta(days=day, hours=1))
    for other in Agent.objects.filter(team=agent.team).exclude(pk=agent.pk)[:6]:
        for day in range(0, 14):
            make_call(other, started_at=now - datetime.timedelta(days=day, hours=2))
    demo_review.seed(rng=random.Random(2))
    first = _counts()
    assert 8 <= Dispute.objects.count() <= 15
    assert set(Dispute.objects.values_list("status", flat=True)) == {"open", "decided"}
    decisions = set(Dispute.objects.values_list("items__decision", flat=True))
    assert {"upheld", "adjusted", "overturned"} <= decisions
    supervisor = User.objects.get(username="supervisor")
    open_for_supervisor = Dispute.objects.filter(status="open").exclude(
        evaluation__evaluator=supervisor
    )
    assert open_for_supervisor.exists()
    assert CalibrationSession.objects.filter(status="open", participants=supervisor).exists()
    assert CalibrationSession.objects.filter(status="closed").count() >= 3
    flags = {b.user.username: b.flag for b in calibration_bias(supervisor)}
    assert flags["supervisor2"] == HARSH
    now = timezone.now()
    open_ = Assignment.objects.filter(status="open", supervisor=supervisor)
    assert open_.filter(due_at__lt=now).exists() and open_.filter(due_at__gte=now).exists()
    assert Assignment.objects.filter(status="done", supervisor=supervisor).exists()
    demo_review.seed(rng=random.Random(2))
    assert _counts() == first
