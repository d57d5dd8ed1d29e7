"""The demos of sampling, disputes and calibration, seeded in order after the organization and
some scored calls: alive after seeding, and seeding twice changes nothing."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from org import demo as org_demo
from org.models import Agent, User
from scoring.calibration import demo as calibration_demo
from scoring.calibration.models import CalibrationSession
from scoring.calibration.selectors import HARSH, calibration_bias
from scoring.disputes import demo as disputes_demo
from scoring.disputes.models import Dispute
from scoring.evaluations.models import Evaluation
from scoring.sampling import demo as sampling_demo
from scoring.sampling.models import Assignment
from tests.factories import REVIEW_SCORECARD, make_call, make_scorecard


def _seed_review(seed: int) -> None:
    for demo in (sampling_demo, disputes_demo, calibration_demo):
        demo.seed(rng=random.Random(seed))


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
    make_scorecard(REVIEW_SCORECARD)
    agent = User.objects.get(username="agent").agent
    now = timezone.now()
    for day in range(56):
        make_call(agent, started_at=now - datetime.timedelta(days=day, hours=1))
    for other in Agent.objects.filter(team=agent.team).exclude(pk=agent.pk)[:6]:
        for day in range(0, 14):
            make_call(other, started_at=now - datetime.timedelta(days=day, hours=2))
    _seed_review(2)
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
    _seed_review(2)
    assert _counts() == first
