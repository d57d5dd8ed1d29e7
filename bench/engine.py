"""Benchmark of the compliance engine (``qa_score``) against a floor measured in the same run.

    .venv/bin/python bench/engine.py [--calls N] [--repeat R] [--keep DIR]

Generates calls (20-60 turns of Chinese hotline talk with rule phrases, near misses,
punctuation, full-width noise and timings) and rule libraries of 300 and 3,000 rules, then
times:

- **floor**: the same file parsed (same JSON library as the engine), every turn normalized
  (NFKC, casefold, P*/Z*/C* characters dropped) and scanned once by a single Aho-Corasick
  automaton (ahocorasick-rs) of all the library's phrases, the matches written as JSON lines;
- **engine**: the real ``qa_score`` pipeline, ``scoring.engine.cli.run`` (the code behind
  ``manage.py qa_score``): library validation and compilation, call validation, matching with
  word boundaries and fuzzy phrases, evaluation of every rule, evidence, scores, output.

An English set (calls of English chat with a 300-rule English library) has its own floor:
every turn NFKC + casefold, each run of removed characters (punctuation, spaces) collapsed to
one space in one pass, one automaton scan; ``engine en@300`` is the engine on it.

Stored size: the bytes per call of the check's results as stored (``CheckResult`` from
``Library.check_line``: the full array, and the compact form the web app stores), at 300 and
3,000 rules.

Each figure is the best of ``--repeat`` runs (default 5). Targets: engine@300 / floor@300
<= 1.5; engine@3000 / engine@300 <= 1.5; engine en@300 / floor en@300 <= 1.5; workers 1 /
workers 2 >= 1.7 (on 2 cores); stored compact result <= 2 kB per call at 300 rules.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
import unicodedata
from bisect import bisect_right
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scoring.engine import ENGINE_MODE, cli  # noqa: E402
from scoring.engine.calls import loads  # noqa: E402 - the engine's JSON parser, for the floor

try:
    import orjson

    def dumps(obj) -> bytes:
        return orjson.dumps(obj)
except ImportError:  # pragma: no cover

    def dumps(obj) -> bytes:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


import ahocorasick_rs  # noqa: E402

STARTER = Path(__file__).resolve().parents[1] / "scoring" / "rules" / "fixtures" / "hotline.json"

# ------------------------------------------------------------------------------------------
# Generation

CHARS = (
    "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可"
    "下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面"
    "最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知世什两次使身者被高"
    "已亲其进此话常与活正感见明问力理尔点文几定本公特做外孩相西果走将月十实向声车全信重三机"
    "工物气每并别真打太新比才便夫再书部水像眼等体却加电主界门利海受听表德少克代员许先口由"
    "死安写性马光白或住难望教命花结乐色更拉东神记处让母父应直字场平报友关放至张认接告入笑内"
    "英军候民岁往何度山觉路带万男边风解叫任金快原吃妈变通师立象数四失满战远格士音轻目条呢病"
    "始达深完今提求清王化空业思切怎非找片罗钱吗语元喜曾离飞科言干流欢约各即指合反题必该论"
    "交终林请医晚制球决传画保读运及则房早院量苦火布品近坐产答星精视五连司巴奇管类未朋且婚"
    "台夜青北队久乎越观落尽形影红爸百令周吧识步希亚术留市半热送兴造谈容极随演收首根讲整式取"
    "照办强石古华拿计您玩志城"
)
CHARS = "".join(ch for ch in CHARS if "\u4e00" <= ch <= "\u9fff")

AGENT_LINES = [
    "您好，很高兴为您服务",
    "请问有什么可以帮您",
    "我帮您查询一下，请稍等",
    "请您提供一下身份证号码",
    "请先验证一下服务密码",
    "您本月的话费是五十八元",
    "您的余额还有四十二元",
    "很抱歉，没能帮助到您",
    "对不起，可能是我解释的不清楚",
    "还有什么可以帮您",
    "感谢您的来电，再见",
    "这个业务暂时无法办理",
    "好的，我已经为您登记",
    "您的ＶＩＰ权益已经生效",
    "４Ｇ套餐每月三十元",
    "这个我不知道",
    "您自己看一下短信",
    "OK，没问题",
]
CUSTOMER_LINES = [
    "我想查一下话费",
    "我的流量怎么用得这么快",
    "听不懂你说的",
    "我没听明白",
    "为什么办不了",
    "这个不能办理吗",
    "好的，谢谢",
    "嗯嗯，知道了",
    "你们的APP登不上去",
    "我要投诉！！",
    "喂？喂？",
    "帮我查一下账单",
]
#: Share of the phrases in calls drawn from the 300-rule library (the rest: the other 2,700).
COMMON_SHARE = 0.7
PUNCT = ["，", "。", "？", "！", "、", "…", "～", " ", "", "", "；", ",", ".", "  "]
NOISE = ["ＶＩＰ", "４Ｇ", "ＯＫ", "（", "）", "“", "”", "【", "】", "ok", "app", "5G", "①"]


def _phrase(rng: random.Random) -> str:
    length = rng.choices([2, 3, 4, 5, 6, 7, 8], weights=[8, 20, 25, 20, 12, 8, 7])[0]
    return "".join(rng.choice(CHARS) for _ in range(length))


def make_rules(count: int, seed: int = 7) -> list[dict]:
    """Synthetic rules; the first ``n`` of ``make_rules(m)`` equal ``make_rules(n)``."""
    rng = random.Random(seed)
    rules = []
    for i in range(count):
        kind = rng.choices(
            ["required", "forbidden", "triggered", "sequence"], weights=[25, 35, 22, 18]
        )[0]
        r: dict = {
            "code": f"R{i:05d}",
            "title": f"规则{i}",
            "kind": kind,
            "points": rng.randint(1, 5),
        }
        if rng.random() < 0.03:
            r["critical"] = True
        if rng.random() < 0.15:
            r["fuzzy"] = 1

        def phrases(k: int) -> list[str]:
            out: list[str] = []
            while len(out) < k:
                p = _phrase(rng)
                if all(p not in q and q not in p for q in out):
                    out.append(p)
            return out

        spk = rng.choice(["agent", "agent", "customer"])
        if kind in ("required", "forbidden"):
            r.update(speaker=spk, phrases=phrases(rng.randint(1, 5)))
            if rng.random() < 0.2:
                r.update(where=rng.choice(["first", "last"]), turns=rng.randint(1, 3))
        elif kind == "triggered":
            r["when"] = {"speaker": spk, "phrases": phrases(rng.randint(1, 4))}
            r["then"] = {
                "speaker": rng.choice(["agent", "customer"]),
                "phrases": phrases(rng.randint(1, 3)),
                "within": rng.randint(1, 3),
            }
        else:
            r.update(speaker=spk, first=phrases(rng.randint(1, 3)), then=phrases(rng.randint(1, 3)))
        rules.append(r)
    return rules


def make_library(count: int) -> dict:
    starter = json.loads(STARTER.read_text(encoding="utf-8"))
    base = starter["rules"]
    return {
        "name": f"bench-{count}",
        "version": "1",
        "rules": base + make_rules(count - len(base)),
    }


def library_phrases(lib: dict) -> list[str]:
    out = []
    for r in lib["rules"]:
        for key in ("phrases", "first"):
            out += r.get(key, [])
        for key in ("when", "then"):
            v = r.get(key)
            if isinstance(v, dict):
                out += v["phrases"]
            elif isinstance(v, list):
                out += v
    return out


def _near_miss(rng: random.Random, p: str) -> str:
    choice = rng.random()
    i = rng.randrange(len(p))
    if choice < 0.3:  # an ASR-like substitution
        return p[:i] + rng.choice(CHARS) + p[i + 1 :]
    if choice < 0.5:  # a deletion
        return p[:i] + p[i + 1 :] if len(p) > 2 else p + rng.choice(CHARS)
    if choice < 0.7:  # an insertion
        return p[:i] + rng.choice(CHARS) + p[i:]
    # punctuation or spaces inside: still the phrase once normalized
    return p[:i] + rng.choice(["，", " ", "、", "\u3000"]) + p[i:]


def _turn_text(rng: random.Random, speaker: str, phrases: tuple[list[str], list[str]]) -> str:
    parts = []
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if roll < 0.3:
            parts.append(rng.choice(AGENT_LINES if speaker == "agent" else CUSTOMER_LINES))
        elif roll < 0.5:
            # Scripted phrases follow a long tail: most said are those of the core library,
            # some come from the specialised rules only the big library has.
            common, rare = phrases
            p = rng.choice(common if rng.random() < COMMON_SHARE or not rare else rare)
            parts.append(_near_miss(rng, p) if rng.random() < 0.3 else p)
        elif roll < 0.56:
            parts.append(rng.choice(NOISE))
        else:
            parts.append("".join(rng.choice(CHARS) for _ in range(rng.randint(3, 12))))
        parts.append(rng.choice(PUNCT))
    return "".join(parts)


def make_calls(path: Path, count: int, phrases: tuple[list[str], list[str]], seed: int = 11) -> int:
    rng = random.Random(seed)
    size = 0
    with path.open("wb") as fh:
        for i in range(count):
            t = 0.0
            turns = []
            speaker = "agent"
            for _ in range(rng.randint(20, 60)):
                text = _turn_text(rng, speaker, phrases)
                duration = round(max(0.4, len(text) / rng.uniform(3.0, 5.5)), 2)
                gap = rng.choice([0.3, 0.5, 0.8, 1.2, 2.0, -0.6, 12.5]) if turns else 0.0
                start = round(max(0.0, t + gap), 2)
                turns.append(
                    {"speaker": speaker, "text": text, "start": start, "end": start + duration}
                )
                t = start + duration
                if rng.random() < 0.8:
                    speaker = "customer" if speaker == "agent" else "agent"
            call = {
                "call_id": f"B-{i:06d}",
                "agent": f"A{1000 + i % 50}",
                "started_at": "2026-11-02T09:15:00+08:00",
                "turns": turns,
            }
            line = json.dumps(call, ensure_ascii=False).encode("utf-8") + b"\n"
            size += len(line)
            fh.write(line)
    return size


# ------------------------------------------------------------------------------------------
# English

EN_WORDS = (
    "account bill plan data phone number order refund payment card help check issue time "
    "today week month line service store email address password code message app update "
    "charge balance credit transfer network signal device screen reset restart store ticket "
    "delivery package price offer upgrade contract roaming minutes texts router internet "
    "speed slow fast working problem question answer moment second minute hour please "
    "thanks sorry sure right okay great fine good well yes maybe again still already just "
    "really actually very quite about with from into over under after before during your "
    "my our their this that these those there here where when what which who how why can "
    "could would should will may might must have has had make made take took give gave "
    "send sent see saw look find found know knew think thought tell told ask asked call"
).split()
EN_AGENT_LINES = [
    "Hello, thank you for calling, how can I help you today?",
    "Hi there! Thanks for reaching out.",
    "Let me check that for you, one moment please.",
    "Could you confirm your account number, please?",
    "For security, please verify your date of birth.",
    "Your balance is 42 dollars.",
    "I'm sorry, I can't do that from here.",
    "I do not know, you'll have to check yourself.",
    "Is there anything else I can help you with?",
    "Thank you for calling, have a great day!",
    "I've updated your plan — it's active now.",
    "Sorry for the wait; thanks for holding.",
]
EN_CUSTOMER_LINES = [
    "Hi, I want to check my bill.",
    "Why is my data so slow??",
    "I don't understand what you mean.",
    "Can you explain that again?",
    "That's not what I asked!",
    "OK, thanks.",
    "My app won't log in...",
    "I'd like a refund, please.",
]
EN_PUNCT = [", ", ". ", "? ", "! ", " ", " ", "  ", " - ", "... ", "; "]


def _phrase_en(rng: random.Random) -> str:
    """2-5 words: rule phrases are wordings ("thank you for calling"), as selective as the
    Chinese set's 2-8 characters; single common words would match most of the filler."""
    return " ".join(rng.choice(EN_WORDS) for _ in range(rng.choice([2, 3, 3, 4, 4, 5])))


def make_library_en(count: int, seed: int = 17) -> dict:
    """The 300-rule shape of ``make_rules`` with English phrases of 2-5 words."""
    rng = random.Random(seed)
    rules = make_rules(count, seed=seed)
    seen: set[str] = set()

    def swap(phrases: list[str]) -> list[str]:
        out = []
        while len(out) < len(phrases):
            p = _phrase_en(rng)
            if p not in seen and all(p not in q and q not in p for q in out):
                seen.add(p)
                out.append(p)
        return out

    for r in rules:
        for key in ("phrases", "first"):
            if key in r:
                r[key] = swap(r[key])
        for key in ("when", "then"):
            v = r.get(key)
            if isinstance(v, dict):
                v["phrases"] = swap(v["phrases"])
            elif isinstance(v, list):
                r[key] = swap(v)
    return {"name": f"bench-en-{count}", "version": "1", "rules": rules}


def _near_miss_en(rng: random.Random, p: str) -> str:
    i = rng.randrange(len(p))
    roll = rng.random()
    if roll < 0.4:
        return p[:i] + rng.choice("aeiourstn") + p[i + 1 :]
    if roll < 0.7:
        return p.upper() if rng.random() < 0.5 else p.title()
    return p.replace(" ", rng.choice([", ", "  ", " - "]))


def make_calls_en(path: Path, count: int, phrases: list[str], seed: int = 13) -> int:
    rng = random.Random(seed)
    size = 0
    with path.open("wb") as fh:
        for i in range(count):
            t = 0.0
            turns = []
            speaker = "agent"
            for _ in range(rng.randint(20, 60)):
                parts = []
                for _ in range(rng.randint(1, 4)):
                    roll = rng.random()
                    if roll < 0.3:
                        lines = EN_AGENT_LINES if speaker == "agent" else EN_CUSTOMER_LINES
                        parts.append(rng.choice(lines))
                    elif roll < 0.5:
                        p = rng.choice(phrases)
                        parts.append(_near_miss_en(rng, p) if rng.random() < 0.3 else p)
                    else:
                        words = [rng.choice(EN_WORDS) for _ in range(rng.randint(2, 8))]
                        parts.append(" ".join(words).capitalize())
                    parts.append(rng.choice(EN_PUNCT))
                text = "".join(parts).strip()
                duration = round(max(0.4, len(text) / rng.uniform(10.0, 16.0)), 2)
                gap = rng.choice([0.3, 0.5, 0.8, 1.2, 2.0, -0.6, 12.5]) if turns else 0.0
                start = round(max(0.0, t + gap), 2)
                turns.append(
                    {"speaker": speaker, "text": text, "start": start, "end": start + duration}
                )
                t = start + duration
                if rng.random() < 0.8:
                    speaker = "customer" if speaker == "agent" else "agent"
            call = {"call_id": f"E-{i:06d}", "agent": f"A{1000 + i % 50}", "turns": turns}
            line = json.dumps(call, ensure_ascii=False).encode("utf-8") + b"\n"
            size += len(line)
            fh.write(line)
    return size


# ------------------------------------------------------------------------------------------
# The floor


def _removed_class() -> str:
    # Basic Multilingual Plane only: Python's re tests astral ranges one by one, which would
    # slow the floor down for nothing (the generated text has no astral characters).
    ranges = []
    start = None
    for cp in range(0x10000):
        removed = unicodedata.category(chr(cp))[0] in "PZC"
        if removed and start is None:
            start = cp
        elif not removed and start is not None:
            ranges.append((start, cp - 1))
            start = None
    if start is not None:
        ranges.append((start, 0xFFFF))
    return "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


_DROP = re.compile(f"[{_removed_class()}]+")


def floor(rules_path: Path, calls_path: Path, out_path: Path) -> None:
    """Parse, normalize every turn, scan once with one automaton, write the matches."""
    nfkc = unicodedata.normalize
    drop = _DROP.sub
    lib = json.loads(rules_path.read_bytes())
    patterns = sorted(
        {p for p in (drop("", nfkc("NFKC", q).casefold()) for q in library_phrases(lib)) if p}
    )
    find = ahocorasick_rs.AhoCorasick(patterns).find_matches_as_indexes
    with calls_path.open("rb") as src, out_path.open("wb") as out:
        for line in src:
            call = loads(line)
            matches = []
            for i, turn in enumerate(call["turns"]):
                text = drop("", nfkc("NFKC", turn["text"]).casefold())
                for m in find(text, overlapping=True):
                    matches.append((i, *m))
            out.write(dumps({"call_id": call["call_id"], "matches": matches}) + b"\n")


def floor_en(rules_path: Path, calls_path: Path, out_path: Path) -> None:
    """The English floor: parse, NFKC + casefold every turn, collapse each run of removed
    characters (punctuation, spaces) to one space in one pass, scan once, write the matches."""
    nfkc = unicodedata.normalize
    collapse = _DROP.sub
    lib = json.loads(rules_path.read_bytes())
    patterns = sorted(
        {
            p
            for p in (
                collapse(" ", nfkc("NFKC", q).casefold()).strip() for q in library_phrases(lib)
            )
            if p
        }
    )
    find = ahocorasick_rs.AhoCorasick(patterns).find_matches_as_indexes
    with calls_path.open("rb") as src, out_path.open("wb") as out:
        for line in src:
            call = loads(line)
            matches = []
            for i, turn in enumerate(call["turns"]):
                text = collapse(" ", nfkc("NFKC", turn["text"]).casefold())
                for m in find(text, overlapping=True):
                    matches.append((i, *m))
            out.write(dumps({"call_id": call["call_id"], "matches": matches}) + b"\n")


def stored_sizes(rules_path: Path, calls_path: Path) -> tuple[float, float]:
    """Mean bytes per call of the stored result: the full results array and the compact form
    (what the web app stores), from ``Library.check_line``."""
    from scoring.engine import load_library

    library = load_library(json.loads(rules_path.read_bytes()))
    full = compact = calls = 0
    with calls_path.open("rb") as src:
        for line in src:
            full += len(library.check_line(line).results_json)
            try:
                compact += len(library.check_line(line, compact=True).results_json)
            except TypeError:  # an engine from before the compact form (for comparisons)
                compact = float("nan")
            calls += 1
    return full / calls, compact / calls


def floor_joined(rules_path: Path, calls_path: Path, out_path: Path) -> None:
    """For information: the floor with a call's turns joined by U+FFFC (as the engine does:
    one normalization and one scan per call), matches mapped back to their turns."""
    nfkc = unicodedata.normalize
    drop = _DROP.sub
    lib = json.loads(rules_path.read_bytes())
    patterns = sorted(
        {p for p in (drop("", nfkc("NFKC", q).casefold()) for q in library_phrases(lib)) if p}
    )
    find = ahocorasick_rs.AhoCorasick(patterns).find_matches_as_indexes
    sep = "\ufffc"  # category So: kept by the floor's normalization
    with calls_path.open("rb") as src, out_path.open("wb") as out:
        for line in src:
            call = loads(line)
            text = drop("", nfkc("NFKC", sep.join([t["text"] for t in call["turns"]])).casefold())
            starts = [0] + [m.end() for m in re.finditer(sep, text)]
            matches = [
                (bisect_right(starts, s) - 1, pid, s, e)
                for pid, s, e in find(text, overlapping=True)
            ]
            out.write(dumps({"call_id": call["call_id"], "matches": matches}) + b"\n")


def engine(rules_path: Path, calls_path: Path, out_path: Path, workers: int) -> None:
    devnull = open(os.devnull, "w")  # noqa: SIM115 - warnings of a synthetic library
    try:
        status = cli.run(
            rules=str(rules_path),
            calls=str(calls_path),
            output=str(out_path),
            workers=workers,
            stderr=devnull,
        )
    finally:
        devnull.close()
    assert status == 0, f"qa_score exited {status}"


def write_only(data: bytes, out_path: Path) -> None:
    """For information: put ``data`` (an engine output) into a file as the engine does (in
    blocks, into a new file beside ``out_path`` that then takes its place); the part of a
    run no scoring code can avoid."""
    view = memoryview(data)
    step = 8 << 20
    part = out_path.with_name(out_path.name + ".part")
    with part.open("wb") as out:
        fd = out.fileno()
        for i in range(0, len(view), step):
            chunk = view[i : i + step]
            while chunk:
                chunk = chunk[os.write(fd, chunk) :]
    out_path.unlink(missing_ok=True)
    part.rename(out_path)


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def best_of(repeat: int, fn, *args) -> tuple[float, float]:
    """Best wall-clock and best CPU seconds over ``repeat`` runs.

    CPU time is reported too because wall time on a shared machine includes other people's
    work. It is user + system time of this process and of its finished children, so for
    ``--workers 2`` it is the total over the parent and both workers."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), _cpu()
        fn(*args)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, _cpu() - cpu)
    return best_wall, best_cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=3000, help="calls to generate (3000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure, best kept (5)")
    parser.add_argument("--keep", metavar="DIR", help="write the generated files here")
    parser.add_argument(
        "--uniform",
        action="store_true",
        help="draw call phrases uniformly from all 3,000 rules (the harshest case for 3,000)",
    )
    args = parser.parse_args(argv)

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="qa-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    libs = {n: make_library(n) for n in (300, 3000)}
    paths = {}
    for n, lib in libs.items():
        paths[n] = workdir / f"rules-{n}.json"
        paths[n].write_text(json.dumps(lib, ensure_ascii=False), encoding="utf-8")
    calls = workdir / "calls.jsonl"
    t = time.perf_counter()
    common = library_phrases(libs[300])
    rare = [p for p in library_phrases(libs[3000]) if p not in set(common)]
    if args.uniform:
        common, rare = common + rare, []
    size = make_calls(calls, args.calls, (common, rare))
    lib_en = make_library_en(300)
    paths["en"] = workdir / "rules-en-300.json"
    paths["en"].write_text(json.dumps(lib_en, ensure_ascii=False), encoding="utf-8")
    calls_en = workdir / "calls-en.jsonl"
    size_en = make_calls_en(calls_en, args.calls, library_phrases(lib_en))
    print(f"compliance engine: {ENGINE_MODE}")
    print(
        f"generated {args.calls} calls, {size / 1e6:.1f} MB in {time.perf_counter() - t:.1f} s;"
        f" {os.cpu_count()} CPUs; best of {args.repeat}"
    )
    print(f"generated {args.calls} English calls, {size_en / 1e6:.1f} MB")
    out = workdir / "out.jsonl"
    # The floor writes elsewhere: truncating a big engine output that the kernel is still
    # writing to disk would make the floor wait for the disk.
    floor_out = workdir / "floor.jsonl"

    times: dict[str, tuple[float, float]] = {}
    times["floor@300"] = best_of(args.repeat, floor, paths[300], calls, floor_out)
    times["floor@300 joined"] = best_of(args.repeat, floor_joined, paths[300], calls, floor_out)
    times["engine@300"] = best_of(args.repeat, engine, paths[300], calls, out, 1)
    times["floor@3000"] = best_of(args.repeat, floor, paths[3000], calls, floor_out)
    times["engine@3000"] = best_of(args.repeat, engine, paths[3000], calls, out, 1)
    times["floor en@300"] = best_of(args.repeat, floor_en, paths["en"], calls_en, floor_out)
    times["engine en@300"] = best_of(args.repeat, engine, paths["en"], calls_en, out, 1)
    times["engine@300 workers=2"] = best_of(args.repeat, engine, paths[300], calls, out, 2)
    times["engine@3000 workers=2"] = best_of(args.repeat, engine, paths[3000], calls, out, 2)
    # A result line lists every rule: 10x the rules, ~10x the bytes to write. Time writing
    # each output alone, to see how much of the 3,000-rule cost is the size of its results.
    out_bytes = {}
    for n in (300, 3000):
        engine(paths[n], calls, out, 1)
        data = out.read_bytes()
        out_bytes[n] = len(data)
        times[f"write output@{n}"] = best_of(args.repeat, write_only, data, out)
        del data

    print(f"{'':24} {'wall s':>8} {'calls/s':>9} {'MB/s':>7} {'cpu s':>8}")
    for name, (wall, cpu) in times.items():
        cpu_txt = f"{cpu:.3f}"
        print(
            f"{name:24} {wall:8.3f} {args.calls / wall:9.0f} {size / 1e6 / wall:7.2f} {cpu_txt:>8}"
        )

    def ratio(a: str, b: str, i: int) -> float:
        return times[a][i] / times[b][i]

    print(
        f"output: {out_bytes[300] / 1e6:.0f} MB at 300 rules, {out_bytes[3000] / 1e6:.0f} MB at"
        f" 3,000 (each result line lists every rule)"
    )
    print(f"{'':28} {'wall':>5} {'cpu':>5}")
    for name, a, b, target in [
        ("engine@300 / floor@300", "engine@300", "floor@300", "<= 1.5"),
        ("engine@3000 / engine@300", "engine@3000", "engine@300", "<= 1.5"),
        ("engine@3000 / floor@3000", "engine@3000", "floor@3000", "(info)"),
        ("engine@300 / floor joined", "engine@300", "floor@300 joined", "(info)"),
        ("engine en@300 / floor en@300", "engine en@300", "floor en@300", "<= 1.5"),
    ]:
        print(f"{name:28} {ratio(a, b, 0):5.2f} {ratio(a, b, 1):5.2f}   target {target}")
    scoring = [
        times[f"engine@{n}"][i] - times[f"write output@{n}"][i] for n in (300, 3000) for i in (0, 1)
    ]
    print(
        f"{'(engine - write) 3000 / 300':28} {scoring[2] / scoring[0]:5.2f} {scoring[3] / scoring[1]:5.2f}"
        "   (info: the rules' cost without writing their results)"
    )
    for n in (300, 3000):
        speedup = ratio(f"engine@{n}", f"engine@{n} workers=2", 0)
        cpu = ratio(f"engine@{n} workers=2", f"engine@{n}", 1)
        print(
            f"{f'workers1 / workers2 @{n}':28} {speedup:5.2f}   -     target >= 1.7 (2 cores);"
            f" CPU 2 workers / 1 = {cpu:.2f}"
        )
    for n in (300, 3000):
        full, compact = stored_sizes(paths[n], calls)
        print(
            f"stored result per call @{n}: full {full / 1e3:.1f} kB, compact {compact / 1e3:.2f} kB"
            f"   target compact <= 2 kB at 300"
        )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average at the end: {load:.2f} (wall figures are unreliable when it is high)")
    if not args.keep:
        for p in workdir.iterdir():
            p.unlink()
        workdir.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
