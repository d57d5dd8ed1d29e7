"""Matching: word boundaries, fuzzy matching, and the fast matcher against brute force."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine.matcher import Matcher, cuts_word, within_one
from scoring.engine.normalize import normalize_text
from tests.scoring.engine.helpers import agent, outcome, result, rule
from tests.scoring.engine.test_normalize import reference


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def negator_count(text: str) -> int:
    """Negators in a normalized text, counted independently of the engine: Chinese negator
    characters, and English words not/no/never/cannot or "t" after a word ending in n."""
    count = sum(text.count(ch) for ch in "不没未无非别莫勿")
    words = text.split(" ")
    for i, w in enumerate(words):
        count += w in ("not", "no", "never", "cannot")
        count += w == "t" and i > 0 and words[i - 1].endswith("n")
    return count


def brute_force(text: str, phrase: str, fuzzy: bool) -> set[tuple[int, int]]:
    """Every span of the normalized text where the normalized phrase occurs: exactly, or
    for a fuzzy phrase of 5+ characters within one edit that leaves its negators as they are."""
    out = set()
    m = len(phrase)
    fuzzy = fuzzy and m >= 5
    for s in range(len(text)):
        for e in range(s + 1, len(text) + 1):
            span = text[s:e]
            close = span == phrase or (
                fuzzy
                and levenshtein(span, phrase) <= 1
                and negator_count(span) == negator_count(phrase)
            )
            if close and not cuts_word(text, s, e):
                out.add((s, e))
    return out


def fast(text: str, phrases: list[str], fuzzy: bool) -> dict[str, set[tuple[int, int]]]:
    m = Matcher()
    for i, p in enumerate(phrases):
        m.add(i, 0, 0, p, json.dumps(p), fuzzy)
    m.build()
    hits: dict[int, list] = {}
    m.scan(text, 0, 0, hits)
    return {p: {(o[1], o[2]) for o in hits.get(i, [])} for i, p in enumerate(phrases)}


def test_contract_examples():
    assert outcome(rule(phrases=["您好"], speaker="agent"), agent("您 好～")) == "pass"
    assert outcome(rule(phrases=["please"], speaker="agent"), agent("ＰＬＥＡＳＥ")) == "pass"
    assert outcome(rule(phrases=["hi"], speaker="agent"), agent("this")) == "fail"
    assert outcome(rule(phrases=["please"], speaker="agent"), agent("pleased")) == "fail"
    assert outcome(rule(phrases=["please"], speaker="agent"), agent("yes, please!")) == "pass"
    assert outcome(rule(phrases=["4g"], speaker="agent"), agent("办理4G套餐")) == "pass"
    assert outcome(rule(phrases=["4g"], speaker="agent"), agent("14G")) == "fail"


def test_fuzzy_asr_error():
    r = rule(phrases=["可能是我解释的不清楚"], speaker="agent", fuzzy=1)
    res = result(r, agent("对不起，可能是我解释得不清楚。"))
    assert res["outcome"] == "pass"
    (ev,) = res["evidence"]
    assert "对不起，可能是我解释得不清楚。"[ev["start"] : ev["end"]] == "可能是我解释得不清楚"
    # without fuzzy, the ASR error is a miss
    assert outcome(dict(r, fuzzy=0), agent("可能是我解释得不清楚")) == "fail"


def test_fuzzy_insertion_and_deletion():
    r = rule(phrases=["请稍等一下"], speaker="agent", fuzzy=1)
    assert outcome(r, agent("请您稍等一下")) == "pass"  # insertion
    assert outcome(r, agent("请稍一下")) == "pass"  # deletion
    assert outcome(r, agent("请稍候片刻")) == "fail"  # two edits


def test_fuzzy_never_applies_below_five_characters():
    r = rule(phrases=["请稍等"], speaker="agent", fuzzy=1)
    assert outcome(r, agent("请稍候")) == "fail"
    assert outcome(r, agent("请稍等")) == "pass"
    # one edit of a four-character phrase changes a whole word: 什么意思 / 什么意义
    r = rule(phrases=["什么意思"], speaker="agent", fuzzy=1)
    assert outcome(r, agent("这个没什么意义")) == "fail"
    assert outcome(r, agent("单什么意思")) == "pass"
    r = rule(phrases=["谢谢"], speaker="agent", fuzzy=1)
    assert outcome(r, agent("谢了")) == "fail"


def test_fuzzy_respects_word_boundaries():
    r = rule(phrases=["thanks"], speaker="agent", fuzzy=1)
    assert outcome(r, agent("thankz a lot")) == "pass"
    assert outcome(r, agent("thank")) == "pass"
    # every span within distance 1 cuts the word
    assert outcome(r, agent("thanksgiving")) == "fail"
    # the whole word "xthanks" is one insertion away: it is close enough
    assert outcome(r, agent("xthanks")) == "pass"


def test_fuzzy_evidence_prefers_the_exact_span():
    r = rule(kind="forbidden", phrases=["我也没办法"], speaker="agent", fuzzy=1)
    res = result(r, agent("唉我也没办法了"))
    assert res["outcome"] == "fail"
    assert [("唉我也没办法了"[e["start"] : e["end"]]) for e in res["evidence"]] == ["我也没办法"]


def test_matching_never_crosses_turns():
    r = rule(phrases=["您好"], speaker="agent")
    assert outcome(r, agent("您"), agent("好")) == "fail"


def test_characters_beyond_the_basic_plane_and_bytes_across_characters():
    r = rule(phrases=["您好"], speaker="agent")
    res = result(r, agent("😀𠀀，您好"))
    assert [(e["start"], e["end"]) for e in res["evidence"]] == [(3, 5)]
    res = result(rule(phrases=["𠀀您"], speaker="agent"), agent("好😀𠀀您"))
    assert [(e["start"], e["end"]) for e in res["evidence"]] == [(2, 4)]
    # UTF-16 of ⴰ乎 is 30 2D 4E 4E: 中 (2D 4E) sits across the two characters, not in them.
    assert outcome(rule(phrases=["中"], speaker="agent"), agent("ⴰ乎")) == "fail"
    assert outcome(rule(phrases=["中"], speaker="agent"), agent("ⴰ 中")) == "pass"


def test_within_one():
    assert within_one("abcd", "abcd")
    assert within_one("abxd", "abcd")
    assert within_one("abd", "abcd")
    assert within_one("abcde", "abcd")
    assert within_one("", "a")
    assert not within_one("ab", "abcd")
    assert not within_one("axcx", "abcd")


# 😀 and 𠀀 lie beyond U+FFFF; 中 (U+4E2D) is the bytes of ⴰ乎 (U+2D30 U+4E4E) read one byte
# off in UTF-16, what the automaton scans (see Automaton).
ALPHABET = "您好请稍等谢不知道ab c，。ＡＢ1１ 😀𠀀ⴰ乎中"
PHRASES = st.text(alphabet="您好请稍等谢不知道abc1 😀𠀀中", min_size=1, max_size=6)


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet=ALPHABET, max_size=30),
    phrases=st.lists(PHRASES, min_size=1, max_size=5, unique=True),
    fuzzy=st.booleans(),
)
def test_fast_matcher_agrees_with_brute_force(text, phrases, fuzzy):
    norm = normalize_text(text)
    assert norm == reference(text)
    phrases = [p for p in phrases if normalize_text(p)]
    got = fast(norm, phrases, fuzzy)
    for p in phrases:
        assert got[p] == brute_force(norm, normalize_text(p), fuzzy), (text, p, fuzzy)


@settings(max_examples=400, deadline=None)
@given(
    phrase=st.text(alphabet="您好请稍等不ab", min_size=5, max_size=8),
    before=st.text(alphabet="您好请稍等ab ", max_size=6),
    after=st.text(alphabet="您好请稍等ab ", max_size=6),
    edit=st.sampled_from(["none", "sub", "ins", "del"]),
    at=st.integers(min_value=0, max_value=7),
    char=st.sampled_from(list("您好请xa不没")),
)
def test_fuzzy_matcher_agrees_with_brute_force_near_the_phrase(
    phrase, before, after, edit, at, char
):
    phrase = normalize_text(phrase)
    if len(phrase) < 5:
        return
    at = min(at, len(phrase) - 1)
    near = {
        "none": phrase,
        "sub": phrase[:at] + char + phrase[at + 1 :],
        "ins": phrase[:at] + char + phrase[at:],
        "del": phrase[:at] + phrase[at + 1 :],
    }[edit]
    text = normalize_text(before + near + after)
    assert fast(text, [phrase], True)[phrase] == brute_force(text, phrase, True)
