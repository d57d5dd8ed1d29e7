"""Demo calibration sessions (after the evaluations demo): several closed — supervisor2
consistently harsher than the reference, so the harsh/lenient panel has something to say —
and one open that includes `supervisor`. Idempotent: sessions are found by title."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from scoring.calibration.models import CalibrationSession
from scoring.calls.models import Call
from scoring.evaluations.demo import demo_submit, review_context, write


def _score_blind(session, user, rng, *, harsh: bool = False) -> None:
    from scoring.calibration.services import calibration_evaluation_start

    evaluation = calibration_evaluation_start(session=session, user=user)
    demo_submit(evaluation, user, rng, harsh=harsh)


def _calibration(*, stdout, rng, scorecard, users) -> None:
    from scoring.calibration.services import calibration_close, calibration_create

    supervisor, supervisor2, admin = (users.get(k) for k in ("supervisor", "supervisor2", "admin"))
    if not supervisor or not supervisor2 or not admin:
        return
    department = supervisor.department
    calls = list(
        Call.objects.filter(team__department=department, evaluations__isnull=True)
        .order_by("-started_at")
        .distinct()[:200:20]
    )
    plans = [(f"第{n}期热线服务校准", True) for n in range(1, 6)] + [("本周热线服务校准", False)]
    for index, (title, closed) in enumerate(plans):
        if index >= len(calls) or CalibrationSession.objects.filter(title=title).exists():
            continue
        session = calibration_create(
            created_by=supervisor,
            title=title,
            call=calls[index],
            scorecard=scorecard,
            participants=[supervisor, supervisor2, admin],
        )
        if not closed:
            # Two have scored; the demo supervisor has not yet.
            for user in (supervisor2, admin):
                _score_blind(session, user, rng)
            continue
        for user in (supervisor, admin, supervisor2):
            # supervisor2 is consistently harsher: the panel should flag it.
            _score_blind(session, user, rng, harsh=user == supervisor2)
        calibration_close(session=session, actor=supervisor)
        when = timezone.now() - datetime.timedelta(weeks=len(plans) - index)
        CalibrationSession.objects.filter(pk=session.pk).update(created_at=when, closed_at=when)
    write(stdout, f"calibration sessions: {CalibrationSession.objects.count()}")


@transaction.atomic
def seed(*, stdout=None, rng: random.Random | None = None) -> None:
    context = review_context(stdout, "calibration")
    if context is not None:
        _calibration(stdout=stdout, rng=rng or random.Random(4), **context)
