"""Small builders shared by the engine tests."""

from __future__ import annotations

import json
import random
from pathlib import Path
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


# --- A big synthetic library and calls for it (the --workers tests) --------------------------

HOTLINE = Path(__file__).resolve().parents[3] / "scoring/rules/fixtures/hotline.json"
_CHARS = "的一是了我不人在有这个上们来到时大地为子中你说生国年着就那和要出也得里后自以会家可下"
_LINES = ["您好，很高兴为您服务", "请稍等，我帮您查询", "还有什么可以帮您", "感谢您的来电，再见"]


def _phrases(rng: random.Random, count: int) -> list[str]:
    """`count` phrases of 2–6 characters, none inside another."""
    out: list[str] = []
    while len(out) < count:
        p = "".join(rng.choice(_CHARS) for _ in range(rng.randint(2, 6)))
        if all(p not in q and q not in p for q in out):
            out.append(p)
    return out


def big_library(count: int, *, seed: int = 7) -> dict[str, Any]:
    """The starter hotline library plus synthetic rules of every kind up to `count` rules."""
    rng = random.Random(seed)
    rules = json.loads(HOTLINE.read_text(encoding="utf-8"))["rules"]
    for i in range(count - len(rules)):
        kind = ("required", "forbidden", "triggered", "sequence")[i % 4]
        r = rule(f"R{i:05d}", kind, points=rng.randint(1, 5))
        speaker = rng.choice(["agent", "agent", "customer"])
        if kind in ("required", "forbidden"):
            r.update(speaker=speaker, phrases=_phrases(rng, rng.randint(1, 3)))
            if i % 10 == 0:
                r.update(where=rng.choice(["first", "last"]), turns=rng.randint(1, 3))
        elif kind == "triggered":
            when, then = _phrases(rng, 2), _phrases(rng, 2)
            r.update(
                when={"speaker": speaker, "phrases": when},
                then={"speaker": "agent", "phrases": then, "within": rng.randint(1, 3)},
            )
        else:
            first, then = _phrases(rng, 2)
            r.update(speaker=speaker, first=[first], then=[then])
        if i % 7 == 0:
            r["fuzzy"] = 1
        if kind == "forbidden" and i % 100 == 1:  # a few: most calls keep a score
            r["critical"] = True
        rules.append(r)
    return library(*rules)


def library_phrases(lib: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for r in lib["rules"]:
        for key in ("phrases", "first"):
            found += r.get(key, [])
        for key in ("when", "then"):
            value = r.get(key)
            found += value["phrases"] if isinstance(value, dict) else value or []
    return found


def write_calls(path: Path, count: int, phrases: list[str], *, seed: int = 11) -> None:
    """`count` calls (JSON lines) of 20–40 turns mixing script lines, `phrases` (some with a
    character changed or a comma inside) and filler."""
    rng = random.Random(seed)
    with path.open("wb") as fh:
        for n in range(count):
            turns, t = [], 0.0
            for index in range(rng.randint(20, 40)):
                parts = []
                for _ in range(rng.randint(1, 3)):
                    roll = rng.random()
                    if roll < 0.3:
                        parts.append(rng.choice(_LINES))
                    elif roll < 0.7:
                        p = rng.choice(phrases)
                        if roll > 0.6:  # a near miss, or the phrase split by punctuation
                            i = rng.randrange(len(p))
                            p = p[:i] + rng.choice(["，", rng.choice(_CHARS)]) + p[i + 1 :]
                        parts.append(p)
                    else:
                        parts.append("".join(rng.choice(_CHARS) for _ in range(8)))
                text = rng.choice(["，", "。", " "]).join(parts)
                speaker = "agent" if index % 2 == 0 else "customer"
                turns.append({"speaker": speaker, "text": text, "start": t, "end": t + 2.0})
                t += 2.5
            call = {"call_id": f"W-{n:05d}", "agent": f"A{1000 + n % 50}", "turns": turns}
            fh.write(json.dumps(call, ensure_ascii=False).encode("utf-8") + b"\n")
