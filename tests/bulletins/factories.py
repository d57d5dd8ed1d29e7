"""Test data for bulletins: calls with automatic checks and evaluations placed in a given week,
built directly so each test says exactly which figures it expects.

week = datetime.date(2026, 3, 2)                       # a Monday
checked_call(agent, week, day=0, outcomes={"HOLD": "fail"}, score=60)
evaluated_call(agent, week, supervisor, score=90, passed=True, answers={"hold": 0})
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from bulletins.figures import local_midnight
from scoring.calls.models import Call, CallCheck
from scoring.disputes.models import Dispute
from scoring.evaluations.models import (
    Answer,
    Evaluation,
    Scorecard,
    ScorecardItem,
    ScorecardSection,
)
from scoring.rules.models import RuleLibrary

WEEK = datetime.date(2026, 3, 2)  # a Monday
_seq = itertools.count(1)

RULES = [
    {"code": "GREET", "title": "开头问候语"},
    {"code": "HOLD", "title": "请稍等"},
    {"code": "THANKS", "title": "致谢用语"},
]


def library() -> RuleLibrary:
    lib, _ = RuleLibrary.objects.get_or_create(
        name="hotline-test",
        version=1,
        defaults={"definition": {"name": "hotline-test", "version": 1, "rules": RULES}},
    )
    return lib


def scorecard() -> Scorecard:
    card, created = Scorecard.objects.get_or_create(
        name="周报评分表", version=1, defaults={"status": "published", "pass_mark": 80}
    )
    if created:
        section = ScorecardSection.objects.create(scorecard=card, title="服务用语")
        ScorecardItem.objects.create(
            scorecard=card, section=section, code="hold", title="请稍等", weight=1
        )
        ScorecardItem.objects.create(
            scorecard=card, section=section, code="tone", title="声调自然", weight=1
        )
    return card


def at(week: datetime.date, day: int = 0, hour: int = 10) -> datetime.datetime:
    return local_midnight(week + datetime.timedelta(days=day)) + datetime.timedelta(hours=hour)


def checked_call(
    agent,
    week: datetime.date = WEEK,
    *,
    day: int = 0,
    outcomes: dict | None = None,
    score: float | None = 100,
    critical: bool = False,
) -> Call:
    n = next(_seq)
    call = Call.objects.create(
        call_id=f"B-{n:06d}",
        agent=agent,
        team=agent.team,
        started_at=at(week, day),
        turns=[
            {"speaker": "agent", "text": "您好，请稍等。", "start": 0.0, "end": 2.0},
            {"speaker": "customer", "text": "好的。", "start": 2.5, "end": 3.0},
        ],
    )
    outcomes = outcomes if outcomes is not None else {"GREET": "pass", "HOLD": "pass"}
    CallCheck.objects.create(
        call=call,
        library=library(),
        score=Decimal(str(score)) if score is not None else None,
        critical_failed=critical,
        outcomes=outcomes,
        results=[
            {
                "code": code,
                "outcome": outcome,
                "evidence": [{"turn": 0, "start": 0, "end": 2, "phrase": "您好"}]
                if outcome == "fail"
                else [],
            }
            for code, outcome in outcomes.items()
        ],
    )
    return call


def evaluated_call(
    agent,
    supervisor,
    week: datetime.date = WEEK,
    *,
    day: int = 1,
    score: float = 90,
    passed: bool = True,
    critical: bool = False,
    answers: dict[str, int | None] | None = None,
    call: Call | None = None,
) -> Evaluation:
    """An evaluation submitted in `week` (of a call of that week unless given). `answers`:
    item code → 1 (yes), 0 (no), None (N/A)."""
    call = call or checked_call(agent, week, day=0)
    card = scorecard()
    evaluation = Evaluation.objects.create(
        call=call,
        scorecard=card,
        evaluator=supervisor,
        status="submitted",
        score=Decimal(str(score)),
        passed=passed,
        critical_failed=critical,
        submitted_at=at(week, day, 15),
    )
    items = {i.code: i for i in card.items.all()}
    for code, value in (answers or {"hold": 1, "tone": 1}).items():
        Answer.objects.create(
            evaluation=evaluation,
            item=items[code],
            value=value,
            is_na=value is None,
            points=None if value is None else Decimal(value),
            possible=None if value is None else Decimal(1),
        )
    return evaluation


def dispute(evaluation, raised_by, *, opened_at, decided_at=None) -> Dispute:
    item = Dispute.objects.create(
        evaluation=evaluation,
        raised_by=raised_by,
        reason="不认可",
        status="decided" if decided_at else "open",
        decided_at=decided_at,
    )
    Dispute.objects.filter(pk=item.pk).update(opened_at=opened_at)  # auto_now_add otherwise
    return item
