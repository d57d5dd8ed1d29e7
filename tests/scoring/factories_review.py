"""Small builders for the sampling, dispute and calibration tests (kept apart from the
shared scoring factories so the two can evolve independently)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from scoring.calls.models import Call, CallCheck
from scoring.evaluations.models import (
    Answer,
    Evaluation,
    Scorecard,
    ScorecardItem,
    ScorecardSection,
)
from scoring.rules.models import RuleLibrary

_seq = itertools.count(1)
TZ = datetime.timezone(datetime.timedelta(hours=8))

TURNS = [
    {"speaker": "agent", "text": "您好，很高兴为您服务。", "start": 0.0, "end": 2.0},
    {"speaker": "customer", "text": "我想查一下话费。", "start": 2.5, "end": 4.0},
    {"speaker": "agent", "text": "好的，请稍等，马上为您查询。", "start": 4.5, "end": 7.0},
    {"speaker": "agent", "text": "感谢您的来电，再见。", "start": 7.5, "end": 9.0},
]


def make_library() -> RuleLibrary:
    library, _ = RuleLibrary.objects.get_or_create(
        name="test-review", version=1, defaults={"definition": {"rules": []}}
    )
    return library


def make_call(agent, *, started_at=None, score=None, critical=False, team=None) -> Call:
    n = next(_seq)
    call = Call.objects.create(
        call_id=f"RV{n:06d}",
        agent=agent,
        team=team or agent.team,
        started_at=started_at or timezone.now(),
        duration_seconds=9.0,
        turns=TURNS,
    )
    if score is not None:
        CallCheck.objects.create(
            call=call,
            library=make_library(),
            score=Decimal(str(score)),
            critical_failed=critical,
        )
    return call


def make_scorecard(name: str = "热线评分表") -> Scorecard:
    """Three yes/no items (weights 40/30/20, the last one critical-free) and a 1–5 scale item
    of weight 10: a full-marks evaluation scores 100."""
    card = Scorecard.objects.create(
        name=f"{name}{next(_seq)}", status=Scorecard.Status.PUBLISHED, pass_mark=80
    )
    section = ScorecardSection.objects.create(scorecard=card, title="服务用语", order=1)
    specs = [
        ("greet", "开头语", "yes_no", 40, False),
        ("verify", "核实身份", "yes_no", 30, False),
        ("close", "结束语", "yes_no", 20, False),
        ("tone", "声调自然、清晰、柔和、亲切", "scale", 10, False),
    ]
    for order, (code, title, kind, weight, critical) in enumerate(specs):
        ScorecardItem.objects.create(
            scorecard=card,
            section=section,
            code=code,
            title=title,
            kind=kind,
            weight=weight,
            critical=critical,
            order=order,
        )
    return card


def score_of(answers: dict[str, int | None], card: Scorecard) -> Decimal:
    """The scorecard rule (weighted, N/A out of the denominator), for building fixtures."""
    points = possible = Decimal(0)
    for item in card.items.all():
        value = answers.get(item.code)
        if value is None:
            continue
        possible += item.weight
        if item.kind == "yes_no":
            points += item.weight * value
        else:
            points += (
                item.weight
                * Decimal(value - item.scale_min)
                / Decimal(item.scale_max - item.scale_min)
            )
    return (Decimal(100) * points / possible).quantize(Decimal("0.01")) if possible else Decimal(0)


def make_evaluation(
    *,
    call: Call,
    card: Scorecard,
    evaluator,
    answers: dict[str, int | None] | None = None,
    status: str = Evaluation.Status.SUBMITTED,
    submitted_at: datetime.datetime | None = None,
    calibration=None,
) -> Evaluation:
    answers = answers if answers is not None else {"greet": 1, "verify": 0, "close": 1, "tone": 4}
    score = score_of(answers, card)
    evaluation = Evaluation.objects.create(
        call=call,
        scorecard=card,
        evaluator=evaluator,
        status=status,
        score=score,
        passed=score >= card.pass_mark,
        submitted_at=(submitted_at or timezone.now()) if status != "draft" else None,
        is_calibration=calibration is not None,
        blind=calibration is not None and calibration.status == calibration.Status.OPEN,
    )
    if calibration is not None:
        from scoring.calibration.models import CalibrationEntry

        CalibrationEntry.objects.create(
            session=calibration, evaluation=evaluation, evaluator=evaluator
        )
    for item in card.items.all():
        value = answers.get(item.code)
        Answer.objects.create(
            evaluation=evaluation, item=item, value=value, is_na=value is None, auto_value=value
        )
    return evaluation
