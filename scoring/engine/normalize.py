"""Text normalization shared by phrases and turns, with a map back to the original text.

The contract: Unicode NFKC, then casefold; every run of characters whose category is
punctuation (P*), separator (Z*) or other (C*) is removed, except that a run between two word
characters (``str.isalnum()`` and below U+2E80) becomes one space.

Evidence must point into the *original* turn text, so :func:`normalize` also returns, lazily,
for every normalized character the original span ``[start, end)`` it came from.

Speed matters here more than anywhere else: a call has 20-60 turns and a day has many calls.
NFKC on a Chinese turn with full-width punctuation costs several microseconds because the
punctuation is not NFKC-stable. Most turns are CJK text + punctuation, so the fast path first
strips the punctuation runs we know to be inert (see ``_SAFE``) and then only has to *check*
that what remains is already normalized, which CPython does with a quick-check in ~0.1 us.
Anything unusual (combining marks, Hangul jamo, ligatures, full-width letters, ...) goes
through the exact per-character path, which is verified against ``NFKC(text).casefold()``.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache
from typing import Any

try:  # compiled by Cython (``python -m scoring.engine.build``); the annotations type the loops
    import cython
except ImportError:  # pragma: no cover - the same code as pure Python, without Cython
    from scoring.engine import _cython_shim as cython

_NFKC = unicodedata.normalize
_IS_NORMALIZED = unicodedata.is_normalized

#: Characters below this code point that are alphanumeric are "word characters".
WORD_LIMIT = "\u2e80"


def is_word(ch: str) -> bool:
    """True for a word character: a letter or digit below U+2E80 (Latin, Cyrillic, ...)."""
    return ch < WORD_LIMIT and ch.isalnum()


# --------------------------------------------------------------------------------------------
# Character tables, from the running Python's Unicode database. Computing them takes about a
# second, so they are shipped pre-computed in ``_tables.py`` for the Unicode version they were
# made with; another Python (another Unicode version) recomputes them at import.


def _to_ranges(codepoints: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for cp in codepoints:
        if out and out[-1][1] == cp - 1:
            out[-1] = (out[-1][0], cp)
        else:
            out.append((cp, cp))
    return out


def _cls(ranges: list[tuple[int, int]]) -> str:
    """A regex character-class body for code point ranges."""
    return "".join(_esc(a) if a == b else f"{_esc(a)}-{_esc(b)}" for a, b in ranges)


def _esc(cp: int) -> str:
    return f"\\U{cp:08x}" if cp > 0xFFFF else f"\\u{cp:04x}"


# Planes 4-13 are unassigned (Cn) and 15-16 private use (Co) in every Unicode version Python
# ships; scanning them would cost time for nothing. A test checks this claim.
_SCANNED_PLANES = (0, 1, 2, 3, 14)
_BULK_REMOVED = ((0x40000, 0xDFFFF), (0xF0000, 0x10FFFF))


def _composition_pairs() -> tuple[set[int], set[int]]:
    """Code points that can start / complete a canonical composition (NFC)."""
    first: set[int] = set()
    second: set[int] = set()
    for plane in _SCANNED_PLANES:
        for cp in range(plane << 16, (plane + 1) << 16):
            dec = unicodedata.decomposition(chr(cp))
            if not dec or dec[0] == "<":
                continue
            parts = dec.split()
            if len(parts) != 2:
                continue
            a, b = chr(int(parts[0], 16)), chr(int(parts[1], 16))
            if _NFKC("NFC", a + b) == chr(cp):  # a primary composite, not an exclusion
                first.add(ord(a))
                second.add(ord(b))
    # Hangul syllables compose algorithmically: L+V -> LV, LV+T -> LVT.
    first.update(range(0x1100, 0x1113))
    first.update(range(0xAC00, 0xD7A4, 28))
    second.update(range(0x1161, 0x1176))
    second.update(range(0x11A8, 0x11C3))
    return first, second


def build_tables() -> dict[str, list[tuple[int, int]]]:
    """Compute the character tables (ranges of code points) from ``unicodedata``.

    - ``removed``: category P*, Z* or C*; removed from normalized text.
    - ``word``: word characters (alphanumeric below U+2E80).
    - ``attach``: characters that may combine with the one before them under NFKC, or whose
      word-ness changes under casefold; a text with one of them takes the exact path.
    - ``safe``: removable and inert: NFKC never lets them interact with their neighbours, so
      they can be cut out of the original text before normalizing.
    """
    first, second = _composition_pairs()
    removed: list[int] = []
    attach: list[int] = []
    safe: list[int] = []
    word: list[int] = [cp for cp in range(0x2E80) if chr(cp).isalnum()]
    category = unicodedata.category
    combining = unicodedata.combining
    decomposition = unicodedata.decomposition
    for plane in _SCANNED_PLANES:
        for cp in range(plane << 16, (plane + 1) << 16):
            ch = chr(cp)
            is_removed = category(ch)[0] in "PZC"
            if is_removed:
                removed.append(cp)
            folded = ch.casefold()
            if folded != ch and (cp < 0x2E80) != all(c < WORD_LIMIT for c in folded):
                # Casefolding moves it across U+2E80 (Cherokee small letters): its word-ness
                # changes, which the fast path, judging the original, would get wrong.
                attach.append(cp)
                continue
            d = _NFKC("NFKD", ch) if decomposition(ch) else ch
            if combining(d[0]) or ord(d[0]) in second:
                attach.append(cp)
                continue
            if not is_removed and not decomposition(ch):
                continue
            g = _NFKC("NFKC", ch).casefold()
            if (
                folded == ch
                and all(category(c)[0] in "PZC" for c in g)
                and all(
                    not combining(c) and ord(c) not in first and ord(c) not in second for c in d
                )
            ):
                safe.append(cp)
    for lo, hi in _BULK_REMOVED:
        removed.extend(range(lo, hi + 1))
        safe.extend(range(lo, hi + 1))
    return {
        "removed": _to_ranges(removed),
        "attach": _to_ranges(attach),
        "safe": _to_ranges(safe),
        "word": _to_ranges(word),
    }


def write_tables(path: str) -> None:
    """Regenerate ``_tables.py``: ``python -c 'import scoring.engine.normalize as n;
    n.write_tables("scoring/engine/_tables.py")'`` (or ``python -m scoring.engine.normalize``)."""
    tables = build_tables()
    lines = [
        '"""Generated by ``python -m scoring.engine.normalize``; do not edit."""',
        "",
        f'UNIDATA_VERSION = "{unicodedata.unidata_version}"',
        "",
        "# fmt: off",
        "TABLES = {",
    ]
    for name, ranges in tables.items():
        lines.append(f'    "{name}": [')
        for i in range(0, len(ranges), 4):
            lines.append("        " + " ".join(f"({a}, {b})," for a, b in ranges[i : i + 4]))
        lines.append("    ],")
    lines += ["}", "# fmt: on", ""]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))


def _load_tables() -> dict[str, list[tuple[int, int]]]:
    try:
        from scoring.engine import _tables
    except ImportError:  # pragma: no cover - the generated module is part of the package
        return build_tables()
    if _tables.UNIDATA_VERSION != unicodedata.unidata_version:  # pragma: no cover
        return build_tables()
    return _tables.TABLES


def _bmp(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(a, min(b, 0xFFFF)) for a, b in ranges if a <= 0xFFFF]


_T = _load_tables()
_ATTACH = frozenset(chr(cp) for a, b in _T["attach"] for cp in range(a, b + 1))
# Python's re matches Basic Multilingual Plane classes with a bitmap, but tests every range
# above U+FFFF one by one; so the fast-path classes are BMP only, and any astral character
# (emoji, rare ideographs) simply sends its turn to the exact path.
_ASTRAL = "\U00010000-\U0010ffff"
_WORD_RANGES = _T["word"]
_WORD_CLS = _cls(_WORD_RANGES)
_SAFE_CLS = _cls(_bmp(_T["safe"]))

# Runs of inert removable characters (mostly ASCII/CJK/full-width punctuation and spaces).
_SAFE_RUN = re.compile(f"[{_SAFE_CLS}]+")
# A safe run between two word characters: it becomes a space, not nothing.
_SAFE_RUN_IN_WORDS = re.compile(f"[{_WORD_CLS}][{_SAFE_CLS}]+[{_WORD_CLS}]")
# Anything that forbids the fast path once safe runs are gone.
_NOT_FAST = re.compile(f"[{_cls(_bmp(_T['removed']))}{_cls(_bmp(_T['attach']))}{_ASTRAL}]")
# Once every safe run is one space: a space that is not between two word characters (see
# ``_spaced``): two passes in C instead of a Python call per run (per space of English).
# (A literal space first, so the regex engine looks for spaces only: one after a non-word
# character, or before one.)
_LONE_SPACE = re.compile(f" (?:(?<![{_WORD_CLS}] )|(?![{_WORD_CLS}]))")
#: ``has_word_char(text)``: a match object if ``text`` has a word character, else None.
has_word_char = re.compile(f"[{_WORD_CLS}]").search
_SAFE_RANGES = _T["safe"]
_SAFE = frozenset(chr(cp) for a, b in _bmp(_T["safe"]) for cp in range(a, b + 1))
# The same set as one byte per BMP code point, for the compiled offset walk.
_SAFE_BITS = bytearray(0x10000)
for _a, _b in _bmp(_T["safe"]):
    _SAFE_BITS[_a : _b + 1] = b"\x01" * (_b + 1 - _a)
_SAFE_BYTES = bytes(_SAFE_BITS)
del _SAFE_BITS, _a, _b
del _T


class _SimpleFold(dict):
    """``str.translate`` table: a character whose NFKC + casefold is one plain character
    (full-width letters and digits, upper case, ～ ...) maps to it; any other to itself.

    Filled lazily, one entry per distinct character ever seen, so it costs nothing up front.
    Applying it first lets such turns take the fast path: their normalization is still
    character by character, so offsets do not move.
    """

    def __missing__(self, cp: int) -> int:
        ch = chr(cp)
        target = cp
        if ch not in _ATTACH and ch not in _SAFE:
            g = _NFKC("NFKC", ch).casefold()
            if (
                len(g) == 1
                and g not in _ATTACH
                and not _NOT_FAST.match(g)
                and _NFKC("NFKC", g) == g
                and g.casefold() == g
            ):
                target = ord(g)
        self[cp] = target
        return target


_SIMPLE_FOLD = _SimpleFold()


class Normalized:
    """A normalized text and the way back to the original.

    ``text`` is the normalized string. :meth:`span` turns a normalized range into the
    original ``[start, end)`` range: from the first character that produced ``text[s]`` to the
    last one that produced ``text[e - 1]``. The map is built only when first asked for, since
    most turns never need it.
    """

    __slots__ = ("text", "_orig", "_starts", "_ends", "_bp", "_shift", "_spaces")

    def __init__(self, text: str, orig: str) -> None:
        self.text = text
        self._orig = orig
        self._starts: list[int] | None = None
        self._ends: list[int] | None = None
        self._bp: list[int] | None = None
        self._shift: list[int] = []
        self._spaces: dict[int, tuple[int, int]] = {}

    def span(self, s: int, e: int) -> tuple[int, int]:
        """Original ``(start, end)`` for the normalized range ``[s, e)``, ``s < e``."""
        if self._starts is not None:
            return self._starts[s], self._ends[e - 1]  # type: ignore[index]
        if self._bp is None:
            if len(self.text) == len(self._orig):
                return s, e  # nothing removed, or only single characters turned to spaces
            self._build_shift()
        bp = self._bp
        shift = self._shift
        spaces = self._spaces
        if s in spaces:
            start = spaces[s][0]
        else:
            start = s + shift[bisect_right(bp, s) - 1]  # type: ignore[arg-type]
        if e - 1 in spaces:
            end = spaces[e - 1][1]
        else:
            end = e + shift[bisect_right(bp, e - 1) - 1]  # type: ignore[arg-type]
        return start, end

    def _build_shift(self) -> None:
        # Fast-path texts map 1:1 except for the removed runs; record, at each normalized index
        # where the offset changes, how far ahead the original is, and where each inserted
        # space came from.
        orig = self._orig
        bp = [0]
        shift = [0]
        removed = 0  # original characters dropped so far (a spaced run drops one less)
        if " " not in self.text:  # no run became a space: the common case, kept cheap
            for m in _SAFE_RUN.finditer(orig):
                a, b = m.span()
                removed += b - a
                bp.append(b - removed)
                shift.append(removed)
            self._bp = bp
            self._shift = shift
            return
        for m in _SAFE_RUN.finditer(orig):
            a, b = m.span()
            spaced = 0 < a and b < len(orig) and is_word(orig[a - 1]) and is_word(orig[b])
            at = a - removed + spaced  # normalized index of the first character after the run
            if spaced:
                self._spaces[at - 1] = (a, b)
            removed += b - a - spaced
            bp.append(at)
            shift.append(removed)
        self._bp = bp
        self._shift = shift


def normalize(text: str) -> Normalized:
    """Normalize ``text`` per the contract; see :class:`Normalized` for the offset map."""
    result = _fast(text)
    if result is None:
        # Full-width letters, upper case and the like: fold them one for one, then try again.
        folded = text.translate(_SIMPLE_FOLD)
        if folded != text:
            result = _fast(folded)
        if result is None:
            result = _normalize_exact(text)
    return result


def _fast(text: str) -> Normalized | None:
    """The fast path, or None when ``text`` needs more than removing inert runs and casefold.

    ``text`` is the original or a one-for-one folding of it: offsets into it are offsets into
    the original, and its characters are the ones word boundaries are judged on.
    """
    core = _SAFE_RUN.sub("", text)
    if _NOT_FAST.search(core) or not _IS_NORMALIZED("NFKC", core):
        return None
    folded = core.casefold()
    if len(folded) != len(core):
        return None
    if len(core) != len(text) and _SAFE_RUN_IN_WORDS.search(text):
        folded = _spaced(text).casefold()
    return Normalized(folded, text)


def _spaced(text: str) -> str:
    """``text`` with each safe run between two word characters turned into one space and
    every other safe run removed (``_SAFE_RUN.sub(_space_or_nothing, text)``): runs are
    maximal, so once each is one space no two spaces touch, and a space stays iff a word
    character is on both sides."""
    return _LONE_SPACE.sub("", _SAFE_RUN.sub(" ", text))


def _space_or_nothing(m: re.Match[str]) -> str:
    a, b = m.span()
    s = m.string
    return " " if 0 < a and b < len(s) and is_word(s[a - 1]) and is_word(s[b]) else ""


#: Joins the turns of a call so that they are normalized and scanned in one go. U+FFFC
#: (OBJECT REPLACEMENT CHARACTER, category So) survives normalization unchanged, is not a word
#: character, is produced by the NFKC of no other character and composes with nothing, so
#: normalizing the joined text gives the turns' normalized texts joined by it.
SEP = "\ufffc"

_unstable: re.Pattern[str] | None = None
_wide_in_words: re.Pattern[str] | None = None


def _unstable_re() -> re.Pattern[str]:
    """Characters that have a decomposition (so may not be NFKC-stable), BMP, not safe.

    Built on first use (a few ms). A superset is harmless: each match is folded by
    ``_SIMPLE_FOLD`` (to itself when it is not a simple fold) and the fast path decides."""
    global _unstable, _wide_in_words
    if _unstable is None:
        decomposition = unicodedata.decomposition
        cps = [
            cp
            for cp in range(0x10000)
            if decomposition(chr(cp)) and chr(cp) not in _SAFE and not 0xD800 <= cp < 0xE000
        ]
        # Word characters, and those that fold to one (full-width letters, circled digits):
        # a safe run with none of them on both sides never becomes a space, folded or not.
        wide = [cp for a, b in _WORD_RANGES for cp in range(a, b + 1)]
        wide += [cp for cp in cps if any(is_word(c) for c in _NFKC("NFKC", chr(cp)).casefold())]
        wide_cls = _cls(_to_ranges(sorted(set(wide))))
        _wide_in_words = re.compile(f"[{wide_cls}][{_SAFE_CLS}]+[{wide_cls}]")
        _unstable = re.compile(f"[{_cls(_to_ranges(cps))}]+")
    return _unstable


def _fold_run(m: re.Match[str]) -> str:
    return m[0].translate(_SIMPLE_FOLD)


class CallText:
    """The normalized turns of one call.

    When ``joined`` is true, ``text`` is every turn's normalized text joined by :data:`SEP`
    and ``starts[t]`` is where turn ``t`` begins in it (one scan finds the phrases of every
    turn); otherwise (a turn took the exact path or contains SEP) ``turns`` holds one
    :class:`Normalized` per turn. :meth:`span` maps a turn's normalized range back to its
    original text either way.
    """

    __slots__ = (
        "joined",
        "text",
        "starts",
        "turns",
        "_whole",
        "_ostarts",
        "_maps",
        "ascii",
        "data",
    )

    def __init__(
        self,
        text: str,
        starts: list[int] | None,
        whole: Normalized | None,
        ostarts: list[int] | None,
        turns: list[Normalized] | None,
    ) -> None:
        self.joined = turns is None
        #: Every turn is ASCII: the matcher scans one byte a character (see Automaton).
        self.ascii = False
        #: When ``ascii``, ``text`` as ASCII bytes with NUL for SEP (what the one-byte scan
        #: reads), or None.
        self.data: bytes | None = None
        self.text = text
        self.starts = starts
        self.turns = turns
        self._whole = whole
        self._ostarts = ostarts
        self._maps: dict[int, Any] | None = None

    def turn_text(self, t: int) -> str:
        """Turn ``t``'s normalized text."""
        if self.turns is not None:
            return self.turns[t].text
        starts = self.starts
        assert starts is not None
        end = starts[t + 1] - 1 if t + 1 < len(starts) else len(self.text)
        return self.text[starts[t] : end]

    def span(self, t: int, s: int, e: int) -> tuple[int, int]:
        """Original ``(start, end)`` in turn ``t`` of its normalized range ``[s, e)``."""
        if self.turns is not None:
            return self.turns[t].span(s, e)
        if cython.compiled:
            # Compiled: walk the original turn, skipping the removed characters, when no run
            # became a space in the turn (removed runs are then all there is).
            starts = self.starts
            assert starts is not None and self._ostarts is not None and self._whole is not None
            end = starts[t + 1] - 1 if t + 1 < len(starts) else len(self.text)
            if self.text.find(" ", starts[t], end) < 0:
                return _walk_span(self._whole._orig, self._ostarts[t], s, e)
            # Runs that became a space too (English): the same walk, counting them.
            return _walk_span_spaced(self._whole._orig, self._ostarts[t], s, e)
        # The map is built for the turns that have evidence only, from the turn's slice of
        # the (folded) original: exactly what normalizing the turn alone would give.
        maps = self._maps
        if maps is None:
            maps = self._maps = {}
        runs = maps.get(t)
        if runs is None:
            ostarts = self._ostarts
            assert ostarts is not None and self._whole is not None
            orig = self._whole._orig
            oend = ostarts[t + 1] - 1 if t + 1 < len(ostarts) else len(orig)
            text = self.turn_text(t)
            if len(text) == oend - ostarts[t]:
                runs = maps[t] = ()  # one for one
            elif " " in text:  # a run became a space: the general map
                runs = maps[t] = Normalized(text, orig[ostarts[t] : oend])
            else:  # removed runs only: a few (start, end) pairs, walked below
                runs = maps[t] = [m.span() for m in _SAFE_RUN.finditer(orig, ostarts[t], oend)]
                base = ostarts[t]
                runs = maps[t] = [(a - base, b - base) for a, b in runs]
        if type(runs) is Normalized:
            return runs.span(s, e)
        # Normalized index p is original p + the length of the runs removed before it.
        start = s
        last = e - 1
        for a, b in runs:
            if a > start:
                break
            start += b - a
        for a, b in runs:
            if a > last:
                break
            last += b - a
        return start, last + 1


@cython.cfunc
@cython.boundscheck(False)
@cython.wraparound(False)
def _walk_span(
    orig: str, o: cython.Py_ssize_t, s: cython.Py_ssize_t, e: cython.Py_ssize_t
) -> tuple:
    """Original ``(start, end)``, relative to ``o``, of the normalized range ``[s, e)`` of
    the text that starts at ``orig[o]`` and only lost removed (safe) characters."""
    safe: bytes = _SAFE_BYTES
    i: cython.Py_ssize_t = o
    kept: cython.Py_ssize_t = -1  # normalized index of orig[i] once it is a kept character
    cp: cython.Py_ssize_t
    start: cython.Py_ssize_t = 0
    while True:
        cp = ord(orig[i])
        if cp >= 0x10000 or not safe[cp]:
            kept += 1
            if kept == s:
                start = i
            if kept == e - 1:
                return start - o, i + 1 - o
        i += 1


@cython.cfunc
@cython.boundscheck(False)
@cython.wraparound(False)
def _walk_span_spaced(
    orig: str, o: cython.Py_ssize_t, s: cython.Py_ssize_t, e: cython.Py_ssize_t
) -> tuple:
    """:func:`_walk_span` for a text where a safe run between two word characters became
    one space: that space maps back to the whole run."""
    safe: bytes = _SAFE_BYTES
    i: cython.Py_ssize_t = o
    kept: cython.Py_ssize_t = -1
    cp: cython.Py_ssize_t
    start: cython.Py_ssize_t = 0
    run: cython.Py_ssize_t = -1  # where the pending safe run starts, -1 if none
    word: cython.bint
    prev_word: cython.bint = False
    ch: cython.Py_UCS4
    while True:
        ch = orig[i]
        cp = ord(ch)
        if cp < 0x10000 and safe[cp]:
            if run < 0:
                run = i
            i += 1
            continue
        word = cp < 0x2E80 and ch.isalnum()
        if run >= 0:
            if prev_word and word:  # the run is one space
                kept += 1
                if kept == s:
                    start = run
                if kept == e - 1:
                    return start - o, i - o
            run = -1
        kept += 1
        if kept == s:
            start = i
        if kept == e - 1:
            return start - o, i + 1 - o
        prev_word = word
        i += 1


#: Every ASCII character is safe (a removable run) or plain (kept as it is, NFKC-stable and
#: combining with nothing): an all-ASCII text needs no check beyond its runs.
_ASCII_FAST = all(chr(cp) in _SAFE or _NOT_FAST.match(chr(cp)) is None for cp in range(128))


def _fast_call(joined: str) -> Normalized | None:
    """:func:`_fast` for a call's joined turns, folding full-width letters and the like in
    the same pass (only what is left once the inert runs are gone needs checking)."""
    if _SAFE_RUN_IN_WORDS.search(joined) is not None:
        # Words with spaces between them (English): the spaced text first, its core is it
        # without the spaces; anything unusual goes the general way below.
        spaced = _spaced(joined)
        core = spaced.replace(" ", "")
        if _ASCII_FAST and core.replace(SEP, "").isascii():
            # What the runs left is ASCII (the dashes and curly quotes were runs): plain.
            return Normalized(spaced.lower(), joined)
        if _NOT_FAST.search(core) is None and _IS_NORMALIZED("NFKC", core):
            folded = spaced.casefold()
            if len(folded) == len(spaced):
                return Normalized(folded, joined)
    core = _SAFE_RUN.sub("", joined)
    if _NOT_FAST.search(core):
        return None
    src = joined
    if not _IS_NORMALIZED("NFKC", core):
        # Folding is one for one and never produces or touches a removable character, so
        # folding the core is the same as cutting the runs out of the folded text.
        fold = _unstable_re().sub
        core = fold(_fold_run, core)
        if not _IS_NORMALIZED("NFKC", core):
            return None
        # The folded original is needed only where a removed run may sit between two word
        # characters (it then becomes a space, judged on folded characters); elsewhere the
        # runs are where they were, so the original serves for the offset map.
        if len(core) != len(joined) and _in_words_wide(joined):
            src = fold(_fold_run, joined)
    folded = core.casefold()
    if len(folded) != len(core):
        return None
    if len(core) != len(src) and _SAFE_RUN_IN_WORDS.search(src):
        folded = _spaced(src).casefold()
    return Normalized(folded, src)


def _in_words_wide(text: str) -> bool:
    """``text`` has a safe run between two characters that are word characters or fold to
    one: a cheap superset of "a run between two word characters once folded"."""
    _unstable_re()
    assert _wide_in_words is not None
    return _wide_in_words.search(text) is not None


#: ``bytes.translate`` table of the plain path: each safe (removable) ASCII character becomes
#: a space, each upper case letter its lower case (casefold, on ASCII); other bytes stay, and
#: so does NUL, which separates the turns there (a turn with a NUL does not take that path).
_PLAIN_TABLE = bytes(
    0x20 if 0 < b < 0x80 and chr(b) in _SAFE else b + 32 if 0x41 <= b <= 0x5A else b
    for b in range(256)
)
#: ASCII characters kept that are not word characters ($ + < = > ^ ` | ~): a space next to
#: one is not between two word characters.
_PLAIN_SYMBOLS = tuple(
    bytes([b]) for b in range(0x80) if chr(b) not in _SAFE and not chr(b).isalnum()
)
#: The safe ASCII characters but NUL (``str.strip`` of each turn's ends).
_PLAIN_STRIP = "".join(chr(b) for b in range(1, 0x80) if chr(b) in _SAFE)
# Two spaces or more (safe runs once translated).
_PLAIN_SPACES = re.compile(b"  +")
# A space (each run is one by then) not between two word characters, in the plain path's
# bytes (lower case; NUL between turns is not a word character).
_PLAIN_LONE_SPACE = re.compile(rb" (?:(?<![0-9A-Za-z] )|(?![0-9A-Za-z]))")
# Runs of safe characters beyond ASCII (dashes, curly quotes, no-break spaces ...).
_WIDE_SAFE_RUN = re.compile(
    f"[{_cls([(max(a, 0x80), b) for a, b in _bmp(_SAFE_RANGES) if b >= 0x80])}]+"
)


def _plain_call(texts: list[str]) -> bytes | None:
    """The normalized text of a call whose turns are ASCII once their safe characters beyond
    ASCII are gone (English: at most a dash or curly quotes), as ASCII bytes with NUL between
    the turns (``normalize_call``'s text, SEP as NUL); None for any other call.

    Per the contract on such text: each safe character becomes a space (one bytes translate,
    which lowers the letters too), each run of two spaces or more one space (one regex pass
    that only stops at such runs), and a space goes unless a word character is on both
    sides: the runs at the ends of a turn are stripped first, and (rare, a regex then) a
    space beside a symbol goes. No Python call per run, and no pass over every single space
    between words."""
    plain = texts
    for i in range(len(texts)):
        t = texts[i]
        if not t.isascii():
            # Safe runs are removable wherever they are: each may stand as one space.
            t = _WIDE_SAFE_RUN.sub(" ", t)
            if not t.isascii():
                return None  # Chinese, accents ...: at the first such turn
            if plain is texts:
                plain = list(texts)
            plain[i] = t
    texts = plain
    if cython.compiled:
        # One pass in C does all of the below (_plain_walk).
        joined = "\x00".join(texts)
        if joined.count("\x00") != len(texts) - 1:
            return None
        return _plain_walk(joined.encode("ascii"))
    # The runs at the ends of each turn go (no word character beyond them).
    joined = "\x00".join([t.strip(_PLAIN_STRIP) for t in texts])
    if joined.count("\x00") != len(texts) - 1:
        return None  # a NUL in a turn: it is a removable character there, not a separator
    data = _PLAIN_SPACES.sub(b" ", joined.encode("ascii").translate(_PLAIN_TABLE))
    for symbol in _PLAIN_SYMBOLS:
        if symbol in data:
            return _PLAIN_LONE_SPACE.sub(b"", data)
    return data


@cython.cfunc
@cython.boundscheck(False)
@cython.wraparound(False)
def _plain_walk(src: bytes) -> bytes:
    """The plain path of :func:`_plain_call` in one pass over ``src`` (ASCII, NUL between the
    turns), for the compiled engine: each character through ``_PLAIN_TABLE``; a run of
    safe characters (spaces by then) becomes one space when a word character (a digit or a
    lower case letter by then) is on both sides, and nothing otherwise. The same bytes as
    the translate, the regex and the strips (tested)."""
    n: cython.Py_ssize_t = len(src)
    p: cython.p_char = src
    table: cython.p_char = _PLAIN_TABLE
    out: bytearray = bytearray(n)
    q: cython.p_char = out
    k: cython.Py_ssize_t = 0
    i: cython.Py_ssize_t
    c: cython.char
    pending: cython.bint = False
    prev_word: cython.bint = False
    word: cython.bint
    for i in range(n):
        c = table[p[i]]
        if c == 32:
            pending = True
            continue
        word = (48 <= c <= 57) or (97 <= c <= 122)
        if pending:
            if prev_word and word:
                q[k] = 32
                k += 1
            pending = False
        q[k] = c
        k += 1
        prev_word = word
    return bytes(q[:k])


def normalize_call(texts: list[str]) -> CallText:
    """Normalize every turn of a call, in one pass over the joined text when possible."""
    joined = SEP.join(texts)
    result = None
    ascii = False
    data = None
    if joined.count(SEP) == len(texts) - 1 and texts:
        if _ASCII_FAST:
            data = _plain_call(texts)
        if data is not None:
            # Nothing to fold or check: the runs, and lower case (casefold on ASCII).
            result = Normalized(data.decode("ascii").replace("\x00", SEP), joined)
            ascii = True
        else:
            result = _fast_call(joined)
    if result is None:
        turns = [normalize(t) for t in texts]
        return CallText("", None, None, None, turns)
    norm = result.text
    starts = [0]
    find = norm.find
    i = find(SEP)
    while i >= 0:
        i += 1
        starts.append(i)
        i = find(SEP, i)
    ostarts = [0]
    pos = 0
    for t in texts[:-1]:
        pos += len(t) + 1
        ostarts.append(pos)
    ct = CallText(norm, starts, result, ostarts, None)
    ct.ascii = ascii
    ct.data = data
    return ct


def normalize_text(text: str) -> str:
    """Just the normalized string (phrases, speech-rate counts)."""
    return normalize(text).text


@lru_cache(maxsize=1 << 16)
def normalize_phrase(phrase: str) -> str:
    """:func:`normalize_text`, cached: a library's phrases are normalized several times while
    it is validated and compiled."""
    return normalize(phrase).text


def _normalize_exact(text: str) -> Normalized:
    """The general path: cut ``text`` into pieces NFKC treats independently, map each."""
    pieces: list[tuple[int, int, str]] = []
    n = len(text)
    i = 0
    attach = _ATTACH
    while i < n:
        j = i + 1
        # A piece starts at a character that cannot combine with what precedes it, so NFKC of
        # the whole is the concatenation of NFKC of the pieces (checked below).
        while j < n and text[j] in attach:
            j += 1
        pieces.append((i, j, _NFKC("NFKC", text[i:j]).casefold()))
        i = j
    if "".join(p[2] for p in pieces) != _NFKC("NFKC", text).casefold():
        # Cannot happen with a consistent Unicode database; stay correct if it does.
        pieces = [(0, n, _NFKC("NFKC", text).casefold())] if n else []

    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    category = unicodedata.category
    # Walk the folded characters; a removed run becomes a space only between word characters.
    run_start = -1  # original start of the pending removed run, -1 if none
    run_end = -1
    for a, b, folded in pieces:
        for ch in folded:
            if category(ch)[0] in "PZC":
                if run_start < 0:
                    run_start = a
                run_end = b
                continue
            if run_start >= 0:
                if out and is_word(out[-1]) and is_word(ch):
                    out.append(" ")
                    starts.append(run_start)
                    ends.append(run_end)
                run_start = -1
            out.append(ch)
            starts.append(a)
            ends.append(b)
    result = Normalized("".join(out), text)
    result._starts = starts
    result._ends = ends
    return result


if __name__ == "__main__":
    write_tables(__file__.replace("normalize.py", "_tables.py"))
