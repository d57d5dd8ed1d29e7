"""How long must a phrase be before one edit cannot change its sense? (FUZZY_MIN_CHARS)

    .venv/bin/python bench/fuzzy_length.py

A one-edit (fuzzy) match of a phrase is only safe when the span it matches is the phrase with
a transcription slip, not another wording. This measures, on a real Chinese lexicon (the
47,000 words and set phrases pypinyin ships, ``pypinyin.phrases_dict``), for each length n:
the share of n-character entries that have *another* entry within one edit (a character
substituted, inserted or deleted, never a negator 不没未无非别莫勿): 什么意思 / 什么意义,
办理 / 处理. Where that share is high, a one-edit match is as likely another meaning as a
slip. The engine admits an edit from the length where it drops (``FUZZY_MIN_CHARS``; see
docs/rules.md). English is not measured here: no English lexicon ships with the project's
packages; the same threshold applies to the characters of a Latin-script phrase.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pypinyin import phrases_dict  # noqa: E402

from scoring.engine.library import FUZZY_MIN_CHARS, NEGATOR_CHARS  # noqa: E402


def within_one(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    if len(a) > len(b):
        a, b = b, a
    return any(b[:i] + b[i + 1 :] == a for i in range(len(b)))


def negators(text: str) -> int:
    return sum(ch in NEGATOR_CHARS for ch in text)


def main() -> int:
    words = [w for w in phrases_dict.phrases_dict if all("\u4e00" <= ch <= "\u9fff" for ch in w)]
    # Symmetric deletion index: two words within one edit share a key (one of them with a
    # character deleted, or both at the same place).
    by_key: dict[str, set[str]] = defaultdict(set)
    for w in words:
        by_key[w].add(w)
        for i in range(len(w)):
            by_key[w[:i] + w[i + 1 :]].add(w)
    total: Counter[int] = Counter()
    close: Counter[int] = Counter()
    examples: dict[int, tuple[str, str]] = {}
    for w in words:
        n = len(w)
        total[n] += 1
        candidates: set[str] = set()
        for key in [w] + [w[:i] + w[i + 1 :] for i in range(n)]:
            candidates |= by_key.get(key, set())
        for other in candidates:
            if within_one(other, w) and negators(other) == negators(w):
                close[n] += 1
                examples.setdefault(n, (w, other))
                break
    print(f"lexicon: {len(words)} Chinese entries (pypinyin.phrases_dict)")
    print(f"{'length':>6} {'entries':>8} {'another entry 1 edit away':>27}  example")
    for n in sorted(total):
        if total[n] < 20:
            continue
        w, other = examples.get(n, ("", ""))
        share = 100 * close[n] / total[n]
        print(f"{n:>6} {total[n]:>8} {close[n]:>10} ({share:5.1f} %)         {w} / {other}")
    print(f"FUZZY_MIN_CHARS = {FUZZY_MIN_CHARS}: shorter phrases always match exactly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
