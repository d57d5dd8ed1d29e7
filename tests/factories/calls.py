"""Calls with transcripts and their automatic checks, and import lines for the importers.

call = make_call(agent)                                   # a call made now, no check
call = make_call(agent, started_at=at(WEEK, 2), score=60, outcomes={"HOLD": "fail"})
CallFactory(agent=agent)                                  # the row alone (yesterday)
CallCheckFactory(call=call, outcomes={"GREET": "pass"})   # results built from outcomes
jsonl(call_dict("C-1", "A1001"), ...)                     # bytes for an import
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from scoring.calls.models import Call, CallCheck
from tests.factories.org import AgentFactory
from tests.factories.rules import RuleLibraryFactory

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


def make_call(
    agent,
    *,
    started_at: datetime.datetime | None = None,
    team=None,
    score: float | None = None,
    critical: bool = False,
    outcomes: dict[str, str] | None = None,
    **fields: Any,
) -> Call:
    """A call of `agent` (in the agent's team unless `team`) made at `started_at` (default:
    now). With `score` or `outcomes`, its automatic check too (CallCheckFactory: score 100
    and every rule passed unless given; `critical`: a critical rule failed)."""
    call = CallFactory(
        agent=agent,
        team=team or agent.team,
        started_at=started_at or timezone.now(),
        **fields,
    )
    if score is not None or outcomes is not None:
        check: dict[str, Any] = {"call": call, "critical_failed": critical}
        if score is not None:
            check["score"] = Decimal(str(score))
        if outcomes is not None:
            check["outcomes"] = outcomes
        CallCheckFactory(**check)
    return call


def call_dict(
    call_id: str,
    agent: str,
    *,
    started_at: str = "2026-11-02T09:15:00+08:00",
    texts: tuple[str, ...] = ("您好，很高兴为您服务", "我想查一下话费"),
) -> dict:
    """A call as an import file holds it (agent by employee number, turns alternating)."""
    turns = []
    t = 0.0
    for index, text in enumerate(texts):
        turns.append(
            {
                "speaker": "agent" if index % 2 == 0 else "customer",
                "text": text,
                "start": t,
                "end": t + 2,
            }
        )
        t += 2.5
    return {"call_id": call_id, "agent": agent, "started_at": started_at, "turns": turns}


def jsonl(*calls: dict) -> bytes:
    return ("\n".join(json.dumps(c, ensure_ascii=False) for c in calls) + "\n").encode()
