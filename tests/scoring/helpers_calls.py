"""Helpers for the call, import and rule-library tests."""

from __future__ import annotations

import json
from pathlib import Path

from scoring.rules.services import library_load_file

HOTLINE = Path(__file__).resolve().parents[2] / "scoring/rules/fixtures/hotline.json"


def active_hotline():
    return library_load_file(path=HOTLINE, activate=True)


def call_dict(
    call_id: str,
    agent: str,
    *,
    started_at: str = "2026-11-02T09:15:00+08:00",
    texts: tuple[str, ...] = ("您好，很高兴为您服务", "我想查一下话费"),
) -> dict:
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
