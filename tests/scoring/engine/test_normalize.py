from __future__ import annotations

import subprocess
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import normalize, normalize_text
from scoring.engine.normalize import build_tables, is_word
from tests.scoring.engine.helpers import agent, rule, score


def reference(text: str) -> str:
    """The contract, written the slow and obvious way."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    pending = False
    for ch in folded:
        if unicodedata.category(ch)[0] in "PZC":
            pending = True
            continue
        if pending and out and is_word(out[-1]) and is_word(ch):
            out.append(" ")
        pending = False
        out.append(ch)
    return "".join(out)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("您 好～", "您好~"),  # the full-width tilde becomes "~", a symbol, which is kept
        ("ＰＬＥＡＳＥ", "please"),
        ("Thank, you!", "thank you"),
        ("，您好。请稍等！", "您好请稍等"),
        ("a\u200bb", "a b"),  # a zero-width space between word characters
        ("您\u200b好", "您好"),
        ("ﬁne", "fine"),
        ("Straße", "strasse"),
        ("㈱", "株"),  # (株): the parentheses go
        ("①号", "1号"),
        ("ok，好的", "ok好的"),
        ("4G 套餐", "4g套餐"),
        ("  ", ""),
        ("", ""),
    ],
)
def test_examples(text, expected):
    assert normalize_text(text) == expected
    assert reference(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "cafe\u0301 au lait",  # combining acute: composes under NFKC
        "e\uff0c\u0301",  # a removed comma between a letter and a combining mark
        "\u1100\u1161\u11a8 가\u11a8",  # Hangul jamo compose
        "ΑΣ ΣΑΣ",  # casefold, final sigma
        "\uab70\uff0c\u13a0",  # Cherokee small letter casefolds below U+2E80: a word char
        "Ǆ ǅ ǆ İ ẞ",
        "x\u0316\u0301y",
        "\u2025\u2026\u22ef",
        "\U0001d400\U0001d7ce",  # mathematical bold A, digit 0
    ],
)
def test_unusual_text_matches_the_reference(text):
    assert normalize_text(text) == reference(text)


@pytest.mark.parametrize(
    ("text", "phrase", "expected"),
    [
        ("ﬁne", "fine", "ﬁne"),
        ("Straße", "strasse", "Straße"),
        ("㈱会社", "株会社", "㈱会社"),
        ("cafe\u0301", "café", "cafe\u0301"),
        ("ＰＬＥＡＳＥ wait", "please", "ＰＬＥＡＳＥ"),
        ("您，好呀", "您好", "您，好"),
        ("x thank , you x", "thank you", "thank , you"),
    ],
)
def test_spans_point_into_the_original_text(text, phrase, expected):
    norm = normalize(text)
    s = norm.text.index(normalize_text(phrase))
    a, b = norm.span(s, s + len(normalize_text(phrase)))
    assert text[a:b] == expected


def test_evidence_is_the_phrase_in_the_original_turn():
    text = "ＨＥＬＬＯ！ﬁne，您　好～Straße"
    rules = [
        rule("A", phrases=["hello"], speaker="agent"),
        rule("B", phrases=["fine"], speaker="agent"),
        rule("C", phrases=["您好"], speaker="agent"),
        rule("D", phrases=["strasse"], speaker="agent"),
    ]
    res = score(rules, agent(text))
    for r in res["results"]:
        assert r["outcome"] == "pass", r
        (ev,) = r["evidence"]
        assert normalize_text(text[ev["start"] : ev["end"]]) == normalize_text(ev["phrase"])


def test_fast_path_agrees_with_the_exact_path():
    from scoring.engine.normalize import _normalize_exact

    for text in ["您好，请稍等。", "ok, thanks!", "查询 4G 套餐：每月 30 元", "a ， b"]:
        fast = normalize(text)
        exact = _normalize_exact(text)
        assert fast.text == exact.text
        for i in range(len(fast.text)):
            if fast.text[i] != " ":
                assert fast.span(i, i + 1) == exact.span(i, i + 1), (text, i)


def test_shipped_tables_match_this_python():
    from scoring.engine import _tables

    if _tables.UNIDATA_VERSION != unicodedata.unidata_version:
        pytest.skip("tables are recomputed at import on this Python")
    assert build_tables() == {k: [tuple(r) for r in v] for k, v in _tables.TABLES.items()}


def test_bulk_planes_are_really_unassigned_or_private():
    # normalize.py treats planes 4-13 as Cn and 15-16 as Co without scanning them.
    for cp in list(range(0x40000, 0xE0000, 97)) + list(range(0xF0000, 0x110000, 89)):
        assert unicodedata.category(chr(cp)) in ("Cn", "Co")


def test_engine_imports_no_django():
    code = (
        "import sys, scoring.engine, scoring.engine.cli;"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


WIDE = "您好，。ａＢc1１ \u3000\u200b\u0301\u0316eﬁß㈱①⒈가\u11a8\u1161ᄀΣ\uab70~～¨\t-'"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=WIDE, max_size=16))
def test_normalize_agrees_with_the_reference_and_maps_back(text):
    norm = normalize(text)
    assert norm.text == reference(text)
    prev_start = 0
    for i, ch in enumerate(norm.text):
        a, b = norm.span(i, i + 1)
        assert 0 <= a < b <= len(text)
        assert a >= prev_start  # the map is monotonic
        prev_start = a
        if ch != " ":
            # the character comes from that slice of the original
            assert ch in unicodedata.normalize("NFKC", text[a:b]).casefold()


CALLISH = "您好，。、ａＢＶＩＰok4Ｇ５１① \u3000～！"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet=CALLISH, max_size=12), min_size=1, max_size=5))
def test_a_call_normalized_at_once_equals_its_turns_normalized_alone(texts):
    """The engine normalizes a call's turns joined, folding full-width letters in the original
    only where a removed run may become a space, and maps evidence back by walking the
    original turn (compiled) or from the removed runs (pure): each turn's text and every
    character's span must be what normalizing the turn alone gives."""
    from scoring.engine.normalize import normalize_call

    ct = normalize_call(texts)
    for t, text in enumerate(texts):
        alone = normalize(text)
        assert ct.turn_text(t) == alone.text == reference(text)
        for i in range(len(alone.text)):
            assert ct.span(t, i, i + 1) == alone.span(i, i + 1), (texts, t, i)
        if alone.text:
            assert ct.span(t, 0, len(alone.text)) == alone.span(0, len(alone.text))


# English as calls have it: ASCII with upper case, runs of punctuation and spaces, tabs, a
# symbol now and then, dashes, curly quotes and no-break spaces beyond ASCII (safe runs), NUL,
# and a letter beyond ASCII (é) that sends the call the general way.
ENGLISHISH = "Ab z09 ,.'!?-\t\x00$+~—“”’\u00a0é\u3000"


@settings(max_examples=600, deadline=None)
@given(st.lists(st.text(alphabet=ENGLISHISH, max_size=14), min_size=1, max_size=5))
def test_an_english_call_normalized_at_once_equals_its_turns_normalized_alone(texts):
    """The plain path (one bytes translate, a regex for runs of spaces, each turn's ends
    stripped) gives each turn what normalizing it alone gives, and the same offsets."""
    from scoring.engine.normalize import normalize_call

    ct = normalize_call(texts)
    for t, text in enumerate(texts):
        alone = normalize(text)
        assert ct.turn_text(t) == alone.text == reference(text), (texts, t)
        for i in range(len(alone.text)):
            assert ct.span(t, i, i + 1) == alone.span(i, i + 1), (texts, t, i)
    plain = all(normalize_text(t).isascii() for t in texts) and "é" not in "".join(texts)
    if plain and "\x00" not in "".join(texts):
        assert ct.ascii and ct.data == ct.text.replace("\ufffc", "\x00").encode("ascii")
    # The compiled engine makes those bytes in one C pass (_plain_walk); run as Python here,
    # it must give the bytes of the pure engine's translate, regex and strips.
    module = sys.modules["scoring.engine.normalize"]
    walk = getattr(module, "_plain_walk", None)  # a C function, not visible, once compiled
    if walk is not None and ct.data is not None:
        wide = [module._WIDE_SAFE_RUN.sub(" ", t) for t in texts]
        assert walk("\x00".join(wide).encode("ascii")) == ct.data
