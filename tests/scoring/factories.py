"""Factories for scoring: calls with transcripts and automatic checks, scorecards, evaluations.

call = CallFactory(agent=world.agents["a1"][0])          # team = the agent's team
CallCheckFactory(call=call, outcomes={"GREET": "pass"})   # results built from outcomes
card = make_scorecard()                                    # published, 4 items, see below
evaluation = evaluation_start(call=call, scorecard=card, evaluator=supervisor)
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from scoring.calls.models import Call, CallCheck
from scoring.evaluations.models import Scorecard, ScorecardItem, ScorecardSection
from scoring.rules.models import RuleLibrary
from tests.factories import AgentFactory

DEFAULT_TURNS = [
    {"speaker": "agent", "text": "您好，很高兴为您服务。", "start": 0.0, "end": 2.5},
    {"speaker": "customer", "text": "我想查一下我的话费。", "start": 3.0, "end": 5.0},
    {"speaker": "agent", "text": "好的，请稍等，我帮您查询。", "start": 5.5, "end": 8.0},
    {"speaker": "customer", "text": "好的谢谢。", "start": 8.5, "end": 9.5},
    {
        "speaker": "agent",
        "text": "您本月话费是58元，还有什么可以帮您？谢谢您的来电。",
        "start": 20.0,
        "end": 26.0,
    },
]


def _evidence(turns: list[dict], phrase: str) -> list[dict]:
    found = []
    for index, turn in enumerate(turns):
        at = turn["text"].find(phrase)
        if at >= 0:
            found.append({"turn": index, "start": at, "end": at + len(phrase), "phrase": phrase})
    return found


class RuleLibraryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RuleLibrary

    name = "hotline"
    version = factory.Sequence(lambda n: n + 1)
    definition = factory.LazyFunction(lambda: {"name": "hotline", "version": 1, "rules": []})
    status = RuleLibrary.Status.DRAFT


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    call_id = factory.Sequence(lambda n: f"C-{n:05d}")
    agent = factory.SubFactory(AgentFactory)
    team = factory.LazyAttribute(lambda o: o.agent.team)
    started_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    duration_seconds = 26.0
    channel = Call.Channel.VOICE
    turns = factory.LazyFunction(lambda: [dict(t) for t in DEFAULT_TURNS])


class CallCheckFactory(factory.django.DjangoModelFactory):
    """An automatic check. Pass `outcomes`; `results` are built from them with evidence found
    in the transcript for `phrases` ({code: phrase}) unless given."""

    class Meta:
        model = CallCheck

    class Params:
        phrases: dict[str, str] = {"GREET": "您好", "HOLD": "请稍等", "THANKS": "谢谢"}

    call = factory.SubFactory(CallFactory)
    library = factory.SubFactory(RuleLibraryFactory)
    outcomes = factory.LazyFunction(lambda: {"GREET": "pass", "HOLD": "pass", "THANKS": "pass"})
    score = Decimal("100.00")
    critical_failed = False

    @factory.lazy_attribute
    def results(self) -> list[dict[str, Any]]:
        results = []
        for code, outcome in self.outcomes.items():
            phrase = self.phrases.get(code)
            evidence = _evidence(self.call.turns, phrase) if phrase else []
            results.append({"code": code, "outcome": outcome, "evidence": evidence})
        return results


DEFAULT_SCORECARD: dict[str, Any] = {
    "name": "测试评分表",
    "pass_mark": 80,
    "sections": [
        {
            "title": "服务用语",
            "items": [
                {"code": "greet", "title": "您好", "weight": 2, "rule_code": "GREET"},
                {"code": "hold", "title": "请稍等", "weight": 1, "rule_code": "HOLD"},
            ],
        },
        {
            "title": "声调语气",
            "items": [
                {"code": "tone", "title": "声调自然", "kind": "scale", "weight": 2},
            ],
        },
        {
            "title": "流程规范",
            "items": [
                {
                    "code": "leak",
                    "title": "未泄露客户信息",
                    "weight": 1,
                    "critical": True,
                    "allow_na": False,
                },
            ],
        },
    ],
}


def make_scorecard(
    definition: dict[str, Any] | None = None, *, publish: bool = True, actor=None
) -> Scorecard:
    """A scorecard from a definition (default: DEFAULT_SCORECARD — greet (yes/no, weight 2,
    rule GREET), hold (yes/no, 1, HOLD), tone (scale 1–5, 2), leak (critical, no N/A))."""
    from scoring.evaluations.services.scorecards import scorecard_create, scorecard_publish

    card = scorecard_create(definition=definition or DEFAULT_SCORECARD, actor=actor)
    if publish:
        card = scorecard_publish(scorecard=card, actor=actor)
    return card


def make_big_scorecard(*, sections: int = 6, items_per_section: int = 8) -> Scorecard:
    definition = {
        "name": f"大评分表{sections}x{items_per_section}",
        "sections": [
            {
                "title": f"部分{s}",
                "items": [
                    {
                        "code": f"s{s}i{i}",
                        "title": f"项目{s}-{i}",
                        "kind": "scale" if i % 3 == 0 else "yes_no",
                        "rule_code": ["GREET", "HOLD", "THANKS"][i % 3] if i % 2 else "",
                    }
                    for i in range(items_per_section)
                ],
            }
            for s in range(sections)
        ],
    }
    return make_scorecard(definition)


__all__ = [
    "DEFAULT_SCORECARD",
    "DEFAULT_TURNS",
    "CallCheckFactory",
    "CallFactory",
    "RuleLibraryFactory",
    "ScorecardFactory",
    "ScorecardItem",
    "ScorecardSection",
    "make_big_scorecard",
    "make_scorecard",
]


class ScorecardFactory(factory.django.DjangoModelFactory):
    """A bare scorecard row (no sections); most tests want make_scorecard()."""

    class Meta:
        model = Scorecard

    name = factory.Sequence(lambda n: f"评分表{n}")
    version = 1
