"""Find every phrase of a library in a normalized turn with one Aho-Corasick automaton.

All phrases of all rules go into a single automaton, so a turn is scanned once whatever the
number of rules (the cost of a 3,000-rule library is in the matches, not in the rules). Each
pattern knows, per speaker, which (rule, role) entries it feeds, so a match on the wrong
speaker's turn costs one dictionary look-up.

Fuzzy phrases (``fuzzy: 1``, 5+ normalized characters) match any span within Levenshtein
distance 1 whose negators are the phrase's (an edit never adds, removes or changes a negator). By the pigeonhole principle one edit leaves one half of the phrase intact, so the
two halves go into the automaton and a hit on a half is verified around it: the rest of the
span must be within distance 1 of the other half (a common prefix or suffix does not change
the distance).
"""

from __future__ import annotations

import re
from bisect import bisect_right

from scoring.engine.library import FUZZY_MIN_CHARS, NEGATOR_CHARS, NEGATOR_WORDS
from scoring.engine.normalize import (
    SEP,
    CallText,
    has_word_char,
    is_word,
    normalize_phrase,
)

try:  # compiled by Cython (``python -m scoring.engine.build``); the annotations type the loops
    import cython
except ImportError:  # pragma: no cover - the same code as pure Python, without Cython
    from scoring.engine import _cython_shim as cython

# One automaton for every phrase of the library; it returns all matches of a turn in one call.
import ahocorasick_rs as _ac_rs

#: Scan a call whose normalized text is ASCII one byte a character (tests switch it off).
_ASCII_SCAN = True

#: Speaker codes used throughout the engine.
AGENT, CUSTOMER = 0, 1
SPEAKER_CODE = {"agent": AGENT, "customer": CUSTOMER}


class Automaton:
    """``find(text)`` -> list of ``(pattern_id, start, end)``, overlapping matches included,
    with offsets in UTF-16 code units times two: twice the character offsets, and an odd
    ``start`` for a match to throw away (see below).

    The automaton runs over the text encoded as UTF-16 (little endian), not UTF-8: Chinese
    takes two bytes a character instead of three, so the automaton has a third fewer states
    and steps (at 3,000 rules, 13,000 patterns, it scans ~30 % faster and stays smaller in
    the processor's caches), encoding a turn is a copy of Python's own two-byte storage, and
    byte offsets are character offsets times two, with no conversion. A pattern's bytes can
    also occur across two characters (an odd byte offset): such matches are not real. Text
    with characters outside the Basic Multilingual Plane (four bytes each) is mapped back to
    character offsets here, so callers see the same form."""

    def __init__(self, patterns: list[str]) -> None:
        self._empty = not patterns
        self._patterns = patterns
        self._rs8 = None
        if self._empty:
            return
        self._rs = _ac_rs.BytesAhoCorasick([p.encode("utf-16-le") for p in patterns])
        self.find = self._find_rs  # type: ignore[method-assign]

    def find(self, text: str) -> list[tuple[int, int, int]]:
        return []

    def find_ascii(self, text: str) -> list[tuple[int, int, int]]:
        """``find`` for a text that is ASCII but for SEP, with plain character offsets: one
        byte a character (English scans half the bytes of UTF-16). SEP becomes NUL, which
        no normalized pattern holds; patterns beyond ASCII (UTF-8) never match ASCII bytes.
        The automaton is built on first use."""
        return self.find_bytes(text.replace(SEP, "\x00").encode("ascii"))

    def find_bytes(self, data: bytes) -> list[tuple[int, int, int]]:
        """``find_ascii`` of a text already encoded so (``CallText.data``)."""
        if self._empty:
            return []
        if self._rs8 is None:
            self._rs8 = _ac_rs.BytesAhoCorasick([p.encode("utf-8") for p in self._patterns])
        return self._rs8.find_matches_as_indexes(data, overlapping=True)

    def _find_rs(self, text: str) -> list[tuple[int, int, int]]:
        data = text.encode("utf-16-le")
        matches = self._rs.find_matches_as_indexes(data, overlapping=True)
        if len(data) != 2 * len(text):  # surrogate pairs: map code units to characters
            return _astral_offsets(text, matches)
        return matches


def _astral_offsets(text: str, matches: list) -> list[tuple[int, int, int]]:
    """UTF-16 offsets of ``matches`` in ``text`` (which has characters beyond U+FFFF, two
    code units each) as twice character offsets; a match that starts or ends inside such a
    character, or off a code unit, gets an odd start."""
    char_at: list[int] = []  # code unit -> character index, -1 inside a surrogate pair
    for i, ch in enumerate(text):
        char_at.append(i)
        if ord(ch) > 0xFFFF:
            char_at.append(-1)
    char_at.append(len(text))
    out = []
    for pid, s, e in matches:
        a = char_at[s >> 1] if not s & 1 else -1
        b = char_at[e >> 1] if not e & 1 else -1
        out.append((pid, 2 * a, 2 * b) if a >= 0 and b >= 0 else (pid, 1, 1))
    return out


_NEGATOR_WORD = re.compile(
    r"(?<![^\W_])(?:" + "|".join(NEGATOR_WORDS) + r")(?![^\W_])|(?<=n) t(?![^\W_])"
)


def negators(text: str) -> int:
    """How many negators ``text`` (normalized) holds: characters 不没未无非别莫勿 and the
    words not, no, never, cannot, n't. A near span must hold as many as its phrase."""
    count = 0
    for ch in NEGATOR_CHARS:
        count += text.count(ch)
    if has_word_char(text) is not None:
        count += len(_NEGATOR_WORD.findall(text))
    return count


def starts_negated(phrase: str) -> bool:
    """The phrase itself starts with a negator: no negator before it is looked for."""
    if phrase[0] in NEGATOR_CHARS:
        return True
    word = phrase.split(" ", 1)[0]
    if word in NEGATOR_WORDS:
        return True
    rest = phrase[len(word) :]
    return word.endswith("n") and (rest == " t" or rest.startswith(" t "))


def negated_before(text: str, base: int, s: int) -> int:
    """Where a negator directly before ``text[s]`` starts (-1 if none); see ``_neg_before``."""
    return _neg_before(text, base, s)


@cython.cfunc
@cython.boundscheck(False)
@cython.wraparound(False)
def _neg_before(text: str, base: cython.Py_ssize_t, s: cython.Py_ssize_t) -> cython.Py_ssize_t:
    """The start of a negator directly before ``text[s]`` in the same turn (which starts at
    ``base``), or -1: 不/没/未/无/非/别/莫/勿, optionally followed by one modal or helper
    (不用, 没有, 无法, 不能, 不需要, 不可以 ...), or the English word before being not, no, never,
    cannot or ending in n't ("don t"). Whether punctuation (a clause break) stood between
    them in the original text is for the caller to judge."""
    c: cython.Py_UCS4
    d: cython.Py_UCS4
    k: cython.Py_ssize_t
    j: cython.Py_ssize_t
    if s <= base:
        return -1
    c = text[s - 1]
    if c in "不没未无非别莫勿":
        return s - 1
    if s - 2 >= base:
        d = text[s - 2]
        if d in "不没未无非别莫勿" and c in "用要需必会能可是有得想敢肯应该法再太准":
            return s - 2
        if s - 3 >= base and text[s - 3] in "不没未无非别莫勿":
            if (d == "需" and c == "要") or (d == "可" and c == "以") or (d == "应" and c == "该"):
                return s - 3
            if (d == "能" and c == "够") or (d == "愿" and c == "意"):
                return s - 3
    if c != " ":
        return -1
    j = s - 1
    k = j
    while k > base and _word_at(text, k - 1):
        k -= 1
    if k == j:
        return -1
    word = text[k:j]
    if word == "not" or word == "no" or word == "never" or word == "cannot":
        return k
    if word == "t" and k - 2 >= base and text[k - 1] == " " and text[k - 2] == "n":
        j = k - 1
        k = j
        while k > base and _word_at(text, k - 1):
            k -= 1
        return k if k < j else -1
    return -1


def within_one(x: str, y: str) -> bool:
    """Levenshtein distance of ``x`` and ``y`` is at most 1."""
    lx = len(x)
    ly = len(y)
    if lx == ly:
        if x == y:
            return True
        i = 0
        while x[i] == y[i]:
            i += 1
        return x[i + 1 :] == y[i + 1 :]
    if lx == ly + 1:
        x, y, lx, ly = y, x, ly, lx
    elif lx + 1 != ly:
        return False
    i = 0
    while i < lx and x[i] == y[i]:
        i += 1
    return x[i:] == y[i + 1 :]


def cuts_word(text: str, s: int, e: int) -> bool:
    """A match ``[s, e)`` cuts a word: it starts (ends) with a word character that has a
    word character just before (after) it."""
    return _cuts_word(text, s, e)


@cython.cfunc
@cython.inline
@cython.boundscheck(False)
@cython.wraparound(False)
def _word_at(text: str, i: cython.Py_ssize_t) -> cython.bint:
    """``is_word(text[i])``; compiled, a test on the code point (no string object)."""
    ch: cython.Py_UCS4 = text[i]
    return ord(ch) < 0x2E80 and ch.isalnum()


@cython.cfunc
@cython.inline
@cython.boundscheck(False)
@cython.wraparound(False)
def _char_is(
    text: str, i: cython.Py_ssize_t, c0: cython.Py_ssize_t, c1: cython.Py_ssize_t
) -> cython.bint:
    """``text[i]`` is the character with code point ``c0`` or ``c1``."""
    ch: cython.Py_ssize_t = ord(text[i])
    return ch == c0 or ch == c1


@cython.cfunc
@cython.boundscheck(False)
@cython.wraparound(False)
def _cuts_word(text: str, s: cython.Py_ssize_t, e: cython.Py_ssize_t) -> cython.bint:
    return (s > 0 and _word_at(text, s) and _word_at(text, s - 1)) or (
        e < len(text) and _word_at(text, e - 1) and _word_at(text, e)
    )


class Matcher:
    """The compiled phrases of a library.

    ``add(rule, role, speaker, phrase, phrase_json, fuzzy)`` for every phrase, then
    ``build()``; ``scan(text, speaker, turn, hits)`` appends to ``hits[rule]`` a tuple
    ``(turn, start, end, distance, phrase_json, role)`` per occurrence, start/end in the
    normalized text (so occurrences sort by place, exact before near, without a key).
    ``distance`` is 0 for the exact phrase, 1 for a substitution (a span of the phrase's
    length), 2 for an insertion or deletion: sorting by it puts the best-aligned span first.

    An occurrence with a negator directly before it (see ``_neg_before``) is also listed
    under ``hits[-1]`` as ``(rule, occurrence, negator start)``: whether it is negated depends
    on the original text (a clause break between them), which the caller judges.
    """

    def __init__(self) -> None:
        self._patterns: dict[str, int] = {}
        # per speaker: pattern id -> [exact entries], pattern id -> [(fuzzy id, side)]
        self._exact: tuple[dict[int, list[tuple[int, int, str]]], ...] = ({}, {})
        self._halves: tuple[dict[int, list[tuple[int, int, int, int]]], ...] = ({}, {})
        # fuzzy id -> (phrase, half length, second half, first half reversed)
        self._fuzzy: list[tuple[str, int, str, str]] = []
        self._fuzzy_ids: dict[str, int] = {}
        # fuzzy id -> (its negator count, whether it starts with a negator)
        self._fuzzy_neg: list[tuple[int, bool]] = []
        self._fuzzy_entries: tuple[dict[int, list[tuple[int, int, str]]], ...] = ({}, {})
        # per speaker: pattern id -> [fuzzy ids] whose whole phrase is that pattern
        self._whole: tuple[dict[int, list[int]], ...] = ({}, {})
        self._seen: set[tuple[int, int, str]] = set()

    def _pid(self, pattern: str) -> int:
        pid = self._patterns.get(pattern)
        if pid is None:
            pid = self._patterns[pattern] = len(self._patterns)
        return pid

    def add(
        self, rule: int, role: int, speaker: int, phrase: str, phrase_json: str, fuzzy: bool
    ) -> None:
        norm = normalize_phrase(phrase)
        key = (rule, role, norm)
        seen = self._seen
        if not norm or key in seen:
            return  # never matches / the same phrase twice in one list: report it once
        seen.add(key)
        entry = (rule, role, phrase_json)
        if fuzzy and len(norm) >= FUZZY_MIN_CHARS:
            fid = self._fuzzy_ids.get(norm)
            if fid is None:
                fid = self._fuzzy_ids[norm] = len(self._fuzzy)
                half = len(norm) // 2
                self._fuzzy.append((norm, half, norm[half:], norm[:half][::-1]))
                self._fuzzy_neg.append((negators(norm), starts_negated(norm)))
            if fid not in self._fuzzy_entries[speaker]:
                half = self._fuzzy[fid][1]
                # With each half, the first two characters the other half shows next to it
                # (the second half grows leftwards): whatever the one edit, the span has one
                # of them right after (before) the hit, or one further, so a chance hit of a
                # short half is discarded without building anything.
                for side, part, other in (
                    (0, norm[:half], norm[half:]),
                    (1, norm[half:], norm[:half][::-1]),
                ):
                    self._halves[speaker].setdefault(self._pid(part), []).append(
                        (fid, side, ord(other[0]), ord(other[1]))
                    )
                # The whole phrase too: an exact occurrence gives its near spans for free.
                self._whole[speaker].setdefault(self._pid(norm), []).append(fid)
            self._fuzzy_entries[speaker].setdefault(fid, []).append(entry)
        else:
            exact = self._exact[speaker]
            pid = self._pid(norm)
            entries = exact.get(pid)
            if entries is None:
                exact[pid] = [entry]
            else:
                entries.append(entry)

    def build(self) -> None:
        patterns = list(self._patterns)
        self._automaton = Automaton(patterns)
        # Per speaker and pattern id: (exact entries or None, word-edge flags, halves or None);
        # None when the pattern means nothing for that speaker.
        self._table: list[list[tuple | None]] = []
        flags_of: dict[int, int] = {}
        for spk in (AGENT, CUSTOMER):
            row: list[tuple | None] = [None] * len(patterns)
            exacts, halves_of, wholes = self._exact[spk], self._halves[spk], self._whole[spk]
            for pid in {*exacts, *halves_of, *wholes}:
                flags = flags_of.get(pid)
                if flags is None:
                    p = patterns[pid]
                    flags = flags_of[pid] = (
                        (1 if is_word(p[0]) else 0)
                        | (2 if is_word(p[-1]) else 0)
                        | (0 if starts_negated(p) else 4)
                    )
                row[pid] = (exacts.get(pid), flags, halves_of.get(pid), wholes.get(pid))
            self._table.append(row)
        del self._seen
        self._sep_in_patterns = any(SEP in p for p in patterns)

    @property
    def patterns(self) -> list[str]:
        return list(self._patterns)

    def scan(self, text: str, speaker: int, turn: int, hits: dict[int, list]) -> None:
        """Find the phrases in one turn's normalized ``text``."""
        self._scan(text, [0], [speaker], turn, hits)

    def scan_call(self, ct: CallText, speakers: list[int], hits: dict[int, list]) -> None:
        """Find the phrases in every turn of a call (one scan when the turns are joined)."""
        if ct.joined and not self._sep_in_patterns:
            if ct.text:
                self._scan(ct.text, ct.starts, speakers, 0, hits, ct.ascii, ct.data)  # type: ignore[arg-type]
            return
        turns = ct.turns if ct.turns is not None else None
        for t in range(len(speakers)):
            text = turns[t].text if turns is not None else ct.turn_text(t)
            if text:
                self._scan(text, [0], [speakers[t]], t, hits)

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def _scan(
        self,
        text: str,
        starts: list,
        speakers: list,
        turn0: cython.Py_ssize_t,
        hits: dict,
        ascii: cython.bint = False,
        data: bytes = None,
    ) -> None:
        """``text`` holds turns ``turn0 ...``, turn ``k`` from ``starts[k]`` and spoken by
        ``speakers[k]``, separated by SEP (which no pattern contains, so no exact match crosses
        turns; fuzzy spans that would are dropped). ``ascii``: the text is ASCII but for SEP
        (offsets come one byte a character, see ``Automaton.find_ascii``); ``data``: that
        text as the one-byte scan reads it, when the caller has it."""
        if not ascii and _ASCII_SCAN and has_word_char(text) is not None:
            # Latin text whose punctuation (dashes, curly quotes) went with the runs: once
            # normalized it may be ASCII all the same (a replace, one C pass, tells).
            ascii = text.replace(SEP, "\x00").isascii()
        shift: cython.bint = not ascii
        matches: list
        if data is not None:
            matches = self._automaton.find_bytes(data)
        elif ascii:
            matches = self._automaton.find_ascii(text)
        else:
            matches = self._automaton.find(text)
        if not matches:
            return
        tables: list = self._table
        half_hits: list = None
        wholes: dict = None
        n: cython.Py_ssize_t = len(text)
        last: cython.Py_ssize_t = len(starts) - 1
        # The current turn k spans [base, limit) in text; a match outside it looks its turn
        # up (matches come in order of their end, so that is once per turn).
        k: cython.Py_ssize_t = 0
        base: cython.Py_ssize_t = 0
        limit: cython.Py_ssize_t = starts[1] - 1 if last > 0 else n
        table: list = tables[speakers[0]]
        pid: cython.Py_ssize_t
        s: cython.Py_ssize_t
        e: cython.Py_ssize_t
        flags: cython.Py_ssize_t
        turn: cython.Py_ssize_t
        side: cython.Py_ssize_t
        c0: cython.Py_ssize_t
        c1: cython.Py_ssize_t
        row: tuple
        for pid, s, e in matches:
            if shift:
                if s & 1:
                    continue  # across two characters (see Automaton)
                s >>= 1
                e >>= 1
            if e > limit or s < base:
                k = bisect_right(starts, s) - 1
                base = starts[k]
                limit = starts[k + 1] - 1 if k < last else n
                table = tables[speakers[k]]
            row = table[pid]
            if row is None:
                continue
            exact, flags, halves, whole = row
            if exact is not None:
                if not flags & 3 or not (
                    (flags & 1 and s > 0 and _word_at(text, s - 1))
                    or (flags & 2 and e < n and _word_at(text, e))
                ):
                    turn = turn0 + k
                    neg = _neg_before(text, base, s) if flags & 4 else -1
                    for rule, role, pj in exact:
                        occ = (turn, s - base, e - base, 0, pj, role)
                        lst = hits.get(rule)
                        if lst is None:
                            hits[rule] = [occ]
                        else:
                            lst.append(occ)
                        if neg >= 0:
                            hits.setdefault(-1, []).append((rule, occ, neg - base))
            if halves is not None:
                if half_hits is None:
                    half_hits = []
                for fid, side, c0, c1 in halves:
                    if side == 0:
                        if not (
                            (e < n and _char_is(text, e, c0, c1))
                            or (e + 1 < n and _char_is(text, e + 1, c0, c1))
                        ):
                            continue
                    elif not (
                        (s > 0 and _char_is(text, s - 1, c0, c1))
                        or (s > 1 and _char_is(text, s - 2, c0, c1))
                    ):
                        continue
                    half_hits.append((fid, side, s, e, k))
            if whole is not None:
                if wholes is None:
                    wholes = {}
                for fid in whole:
                    key = (fid, k)
                    got = wholes.get(key)
                    if got is None:
                        wholes[key] = {s}
                    else:
                        got.add(s)
        if half_hits is None:
            return
        self._fuzzy_hits(text, starts, speakers, turn0, hits, half_hits, wholes)

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def _fuzzy_hits(
        self,
        text: str,
        starts: list,
        speakers: list,
        turn0: cython.Py_ssize_t,
        hits: dict,
        half_hits: list,
        wholes: dict | None,
    ) -> None:
        """Turn the hits of fuzzy phrases' halves (and whole occurrences) into spans within
        distance 1, per (fuzzy id, turn), and record them."""
        n: cython.Py_ssize_t = len(text)
        s: cython.Py_ssize_t
        e: cython.Py_ssize_t
        k: cython.Py_ssize_t
        side: cython.Py_ssize_t
        base: cython.Py_ssize_t
        limit: cython.Py_ssize_t
        turn: cython.Py_ssize_t
        dist: cython.Py_ssize_t
        fuzzy_spans: dict = {}
        fuzzy: list = self._fuzzy
        if wholes:
            # Around an exact occurrence [s, e) the spans within distance 1 that keep one half
            # whole are exactly these; the halves' hits there need no verification.
            for key, occ_starts in wholes.items():
                spans = fuzzy_spans[key] = set()
                m = len(fuzzy[key[0]][0])
                for s in occ_starts:
                    e = s + m
                    spans.update(((s, e - 1), (s, e), (s + 1, e)))
                    if e < n:
                        spans.add((s, e + 1))
                    if s > 0:
                        spans.add((s - 1, e))
        for fid, side, s, e, k in half_hits:
            key = (fid, k)
            occ_starts = wholes.get(key) if wholes else None
            if occ_starts is not None:
                if side == 0:
                    if s in occ_starts:
                        continue
                elif e - len(fuzzy[fid][0]) in occ_starts:
                    continue
            spans = fuzzy_spans.get(key)
            if spans is None:
                spans = fuzzy_spans[key] = set()
            _verify(text, fuzzy[fid], side, s, e, spans)
        if not fuzzy_spans:
            return
        entries_of = (self._fuzzy_entries[0], self._fuzzy_entries[1])
        fuzzy_neg: list = self._fuzzy_neg
        neg: cython.Py_ssize_t
        m: cython.Py_ssize_t
        wordy: cython.bint = has_word_char(text) is not None  # Chinese: no boundary to check
        last: cython.Py_ssize_t = len(starts) - 1
        for (fid, k), spans in fuzzy_spans.items():
            if not spans:
                continue  # a half's hit that verified nothing (most of them, in English)
            phrase = fuzzy[fid][0]
            m = len(phrase)
            phrase_negators, exempt = fuzzy_neg[fid]
            entries = entries_of[speakers[k]][fid]
            base = starts[k]
            limit = starts[k + 1] - 1 if k < last else n  # the turn's end in ``text``
            turn = turn0 + k
            for s, e in spans:
                if s < base or e > limit or (wordy and _cuts_word(text, s, e)):
                    continue
                if text[s:e] == phrase:
                    dist = 0
                elif negators(text[s:e]) != phrase_negators:
                    continue  # the edit adds, removes or changes a negator: another meaning
                else:
                    dist = 1 if e - s == m else 2
                neg = -1 if exempt else _neg_before(text, base, s)
                for rule, role, pj in entries:
                    occ = (turn, s - base, e - base, dist, pj, role)
                    hits.setdefault(rule, []).append(occ)
                    if neg >= 0:
                        hits.setdefault(-1, []).append((rule, occ, neg - base))


@cython.cfunc
@cython.boundscheck(False)
@cython.wraparound(False)
def _verify(
    text: str,
    fuzzy: tuple,
    side: cython.Py_ssize_t,
    s: cython.Py_ssize_t,
    e: cython.Py_ssize_t,
    spans: set,
) -> cython.void:
    """Add the spans around a half's hit at ``[s, e)`` within distance 1 of the phrase.

    The span is the hit half plus a neighbour ``x`` of the other half ``o``; ``x`` may
    be ``len(o) - 1``, ``len(o)`` or ``len(o) + 1`` long. One common-prefix scan of ``x``
    against ``o`` (reversed for the second half, which grows leftwards) decides all three.
    ``x`` is read in place, one character at a time (``x[t]`` is ``text[at + step * t]``):
    compiled, no slice is made.
    """
    other: str = fuzzy[2] if side == 0 else fuzzy[3]
    m: cython.Py_ssize_t = len(fuzzy[0])
    r: cython.Py_ssize_t = len(other)
    lx: cython.Py_ssize_t
    at: cython.Py_ssize_t
    step: cython.Py_ssize_t
    i: cython.Py_ssize_t
    j: cython.Py_ssize_t
    t: cython.Py_ssize_t
    lim: cython.Py_ssize_t
    same: cython.bint
    if side == 0:  # the first half sits at [s, e): the span starts at s, x follows it
        at = e
        step = 1
        lx = len(text) - e
    else:  # the second half sits at [s, e): the span ends at e, x precedes it (reversed)
        at = s - 1
        step = -1
        lx = s
    if lx > r + 1:
        lx = r + 1
    i = 0
    lim = lx if lx < r else r
    while i < lim and text[at + step * i] == other[i]:
        i += 1
    if lx >= r - 1:  # deletion: x[:r-1] is other less one character
        j = i if i < r - 1 else r - 1
        same = True
        for t in range(j, r - 1):
            if text[at + step * t] != other[t + 1]:
                same = False
                break
        if same:
            _add_span(spans, side, s, e, m - 1)
    if lx >= r:  # equal or substitution: x[i+1:r] is the rest of other
        same = True
        for t in range(i + 1, r):
            if text[at + step * t] != other[t]:
                same = False
                break
        if same:
            _add_span(spans, side, s, e, m)
    if lx > r:  # insertion: x[i+1:] is other from i on
        same = True
        for t in range(i, r):
            if text[at + step * (t + 1)] != other[t]:
                same = False
                break
        if same:
            _add_span(spans, side, s, e, m + 1)


@cython.cfunc
@cython.inline
def _add_span(
    spans: set,
    side: cython.Py_ssize_t,
    s: cython.Py_ssize_t,
    e: cython.Py_ssize_t,
    length: cython.Py_ssize_t,
) -> cython.void:
    spans.add((s, s + length) if side == 0 else (e - length, e))
