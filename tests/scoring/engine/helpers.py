"""Small builders shared by the engine tests."""

from __future__ import annotations

from typing import Any

from scoring.engine import load_library


def rule(code: str = "R", kind: str = "required", **fields: Any) -> dict[str, Any]:
    return {"code": code, "title": code, "kind": kind, **fields}


def library(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"name": "test", "version": "1", "rules": list(rules)}


def turn(speaker: str, text: str, start: float | None = None, end: float | None = None):
    t: dict[str, Any] = {"speaker": speaker, "text": text}
    if start is not None:
        t["start"] = start
    if end is not None:
        t["end"] = end
    return t


def agent(text: str, start: float | None = None, end: float | None = None):
    return turn("agent", text, start, end)


def customer(text: str, start: float | None = None, end: float | None = None):
    return turn("customer", text, start, end)


def score(rules: list[dict[str, Any]] | dict[str, Any], *turns: dict[str, Any]) -> dict:
    rules = rules if isinstance(rules, list) else [rules]
    return load_library(library(*rules)).score_call({"call_id": "C-1", "turns": list(turns)})


def outcome(rules, *turns) -> str:
    return score(rules, *turns)["results"][0]["outcome"]


def result(rules, *turns) -> dict:
    return score(rules, *turns)["results"][0]
