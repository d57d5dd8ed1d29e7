"""Score calls against a compiled rule library: outcomes, evidence, values, score.

Only the rules a call's matches touch are evaluated. Every other phrase rule has an outcome
known in advance (a required phrase never said fails, a forbidden one passes, a trigger or a
sequence that never started is ``na``), so its JSON fragment and its share of the score are
computed once per library and spliced into each result line. That keeps a 3,000-rule library
close to the cost of a 300-rule one: the work follows the matches, not the rules.
"""

from __future__ import annotations

import json
import re
import unicodedata
from array import array
from bisect import bisect_right
from typing import Any

from scoring.engine.calls import Call, CallError, parse_call, parse_line
from scoring.engine.library import TIMING_KINDS, UNLESS_ROLE, Problem, Rule, parse_library
from scoring.engine.matcher import SPEAKER_CODE, Matcher
from scoring.engine.normalize import CallText, normalize_call
from scoring.engine.result import CheckResult, codes_digest, compact_results

try:  # compiled by Cython (``python -m scoring.engine.build``); the annotations type the loops
    import cython
except ImportError:  # pragma: no cover - the same code as pure Python, without Cython
    from scoring.engine import _cython_shim as cython

PASS, FAIL, NA = "pass", "fail", "na"
_NO_OCCS: list = []  # the occurrences of a rule the call did not touch (never modified)
#: The matcher's role number of a rule's ``unless`` phrases.
UNLESS = 2
#: The role (number) ``unless`` and ``ambiguous`` apply to, per kind.
_CONTEXT_ROLE = {"forbidden": 0, "triggered": 0, "sequence": 1}
#: Apostrophes do not break a clause ("don't"); any other punctuation does.
_APOSTROPHES = "'\u2019\u02bc\uff07"

# Role numbers inside the matcher: the first phrase list of a rule is role 0, ``then`` role 1.
_ROLES = {
    "required": ("phrases",),
    "forbidden": ("phrases",),
    "triggered": ("when", "then"),
    "sequence": ("first", "then"),
}


#: Compact JSON with non-ASCII kept (one encoder: ``json.dumps`` with options builds one per call).
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
#: What that encoder escapes in a string (``json.encoder.ESCAPE``).
_ESCAPED = re.compile(r'[\x00-\x1f\\"]')


def _json_str(text: str) -> str:
    """``_dumps(text)`` for a string: most phrases and call ids need no escape, and quoting
    them directly is several times cheaper than the encoder (a 3,000-rule library has
    ~11,000 phrases)."""
    if _ESCAPED.search(text) is None:
        return f'"{text}"'
    return _dumps(text)


def _num(value: float | int) -> str:
    # repr of a float is the shortest round-trip form and valid JSON for finite numbers.
    return repr(value)


class Library:
    """A validated, compiled rule library. Build it with :func:`load_library`."""

    def __init__(self, data: Any, compact: bool = False) -> None:
        # The collector is left as it is: the web app and its tasks compile libraries here
        # too, and switching it is process-wide (every thread of a server). qa_score pauses
        # it around its own compile (see ``scoring.engine.cli``).
        self.rules, self.warnings = parse_library(data)
        #: Result lines list only the rules that applied (``na`` implied: qa_score --compact).
        self.compact = compact
        self.name = data.get("name")
        self.version = data.get("version")
        self._data = data
        self._compile()

    # ---------------------------------------------------------------------------------------
    def _compile(self) -> None:
        matcher = Matcher()
        self._ambiguous: list = []  # per rule: the JSON of its ambiguous phrases
        for pos, rule in enumerate(self.rules):
            for role, key in enumerate(_ROLES.get(rule.kind, ())):
                spk = SPEAKER_CODE[rule.speakers[key]]
                for phrase in rule.phrases[key]:
                    matcher.add(pos, role, spk, phrase, _json_str(phrase), rule.fuzzy)
            if rule.unless:  # looked for in the turns of the speaker of the counted phrases
                spk = SPEAKER_CODE[rule.speakers[UNLESS_ROLE[rule.kind]]]
                for phrase in rule.unless:
                    matcher.add(pos, UNLESS, spk, phrase, _json_str(phrase), False)
            self._ambiguous.append(frozenset(_json_str(p) for p in rule.ambiguous))
        matcher.build()
        self._matcher = matcher

        self._code_json = [_json_str(r.code) for r in self.rules]
        self._codes_digest = codes_digest([r.code for r in self.rules])
        self._integral = all(float(r.points).is_integer() for r in self.rules)
        default_frags: list[str] = []
        self._default_outcome: list[str | None] = []
        self._timing: list[int] = []
        passed = failed = 0
        critical_fails = 0
        for pos, rule in enumerate(self.rules):
            if rule.kind in TIMING_KINDS:
                outcome = None  # depends on every call
                self._timing.append(pos)
                default_frags.append("")
            else:
                outcome = (
                    FAIL if rule.kind == "required" else PASS if rule.kind == "forbidden" else NA
                )
                skip = self.compact and outcome == NA
                default_frags.append("" if skip else self._fragment(pos, outcome, "", None))
                if outcome == PASS:
                    passed += rule.points
                elif outcome == FAIL:
                    failed += rule.points
                    critical_fails += rule.critical
            self._default_outcome.append(outcome)
        # One UTF-8 string with every default fragment preceded by a comma; _offsets[i] is
        # where rule i's part starts, so a run of untouched rules is a single slice of it,
        # written without a copy (see ``buffers``). Output is assembled as bytes: a 3,000-rule result line is
        # ~150 kB, and building it as text then encoding it would cost more than scoring.
        encoded = [b"," + f.encode() if f else b"" for f in default_frags]
        self._offsets = [0]
        for frag in encoded:
            self._offsets.append(self._offsets[-1] + len(frag))
        self._blob = memoryview(b"".join(encoded))
        self._default_passed = passed
        self._default_failed = failed
        self._default_critical = critical_fails
        self._evaluators = {
            "required": self._eval_required,
            "forbidden": self._eval_forbidden,
            "triggered": self._eval_triggered,
            "sequence": self._eval_sequence,
            "silence": self._eval_silence,
            "interruption": self._eval_interruption,
            "speech_rate": self._eval_speech_rate,
        }

    def _fragment(
        self, pos: int, outcome: str, evidence: str, value: str | None, extra: str = ""
    ) -> str:
        """One rule's result object; ``extra`` is its optional members (``,"not_counted":
        [...]``, ``,"weak":true``), already written."""
        code = self._code_json[pos]
        if value is None and self.rules[pos].kind not in TIMING_KINDS:
            return f'{{"code":{code},"outcome":"{outcome}","evidence":[{evidence}]{extra}}}'
        value = "null" if value is None else value
        return (
            f'{{"code":{code},"outcome":"{outcome}","value":{value},"evidence":[{evidence}]'
            f"{extra}}}"
        )

    # ---------------------------------------------------------------------------------------
    @property
    def data(self) -> dict[str, Any]:
        """The library as it was loaded (JSON-compatible)."""
        return self._data

    def score_call(self, call: Any) -> dict[str, Any]:
        """Score one call (a dict as in the contract); returns the result dict.

        Raises :class:`~scoring.engine.calls.CallError` for an invalid call."""
        return json.loads(self.score_parsed(parse_call(call)))

    def score_line(self, line: bytes | str, line_no: int) -> tuple[bytes, bool]:
        """One result line (UTF-8 JSON, no newline) for one input line; ``True`` if valid."""
        out: list = []
        ok = self.score_line_into(line, line_no, out)
        return self.join(out), ok

    def score_line_into(self, line: bytes | str, line_no: int, out: list) -> bool:
        """Append the pieces of the result line for one input line to ``out``: ``bytes``, or
        a ``slice`` of :attr:`blob` (the fragments of untouched rules, shared by every call;
        see :meth:`buffers`). No newline. Returns ``True`` if the line was a valid call."""
        try:
            call = parse_line(line)
        except CallError as exc:
            out.append(error_line(exc, line_no))
            return False
        self._score_into(call, out)
        return True

    def check_line(self, line: bytes | str, compact: bool = False) -> CheckResult:
        """The result of one call line in parts (:class:`CheckResult`), for storing it: the
        same values as the result line, without writing and parsing JSON for the head. With
        ``compact``, ``results_json`` is the compact form (only the rules that applied, by
        position; see :mod:`scoring.engine.result`). Raises ``CallError`` for an invalid
        call."""
        call = parse_line(line)
        parts: list = []
        weak: list = []
        frags: dict | None = {} if compact else None
        score, critical, outcomes = self._score_into(call, parts, weak, frags)
        ordered = list(self._default_outcome)
        for pos, outcome in outcomes.items():
            ordered[pos] = outcome
        parts[0] = b"["  # the head: the results array starts here
        parts[-1] = b"]"
        flags = [False] * len(ordered)
        for pos in weak:
            flags[pos] = True
        if frags is not None:
            results = self._compact(ordered, frags)
        else:
            results = self.join(parts)
        return CheckResult(call.call_id, score, bool(critical), ordered, results, flags)

    def _compact(self, ordered: list, frags: dict) -> bytes:
        """The compact form: every rule's outcome from ``ordered``, the details (evidence,
        values, not counted, weak) from the fragments of the rules the call touched (the
        others have none)."""
        positions = sorted(frags)
        touched = [json.loads(frags[pos]) for pos in positions]
        data = compact_results(
            touched,
            {r["code"]: p for p, r in zip(positions, touched, strict=True)},
            self._codes_digest,
        )
        data["pass"] = [i for i, o in enumerate(ordered) if o == PASS]
        data["fail"] = [i for i, o in enumerate(ordered) if o == FAIL]
        return _dumps(data).encode()

    def score_parsed(self, call: Call) -> bytes:
        """The result line (UTF-8 JSON, no newline) for a validated call."""
        out: list = []
        self._score_into(call, out)
        return self.join(out)

    @property
    def blob(self) -> memoryview:
        """Every untouched rule's result fragment, comma-led, in library order (UTF-8)."""
        return self._blob

    def buffers(self, parts: list) -> list:
        """The pieces from :meth:`score_line_into` as bytes-like objects, for ``os.writev``:
        a 3,000-rule result line is ~150 kB, mostly untouched rules; writing their slices of
        :attr:`blob` directly, never joined, saves copying and faulting in that memory."""
        blob = self._blob
        return [blob[p] if type(p) is slice else p for p in parts]

    def join(self, parts: list) -> bytes:
        """The pieces from :meth:`score_line_into` as one bytes object."""
        return b"".join(self.buffers(parts))

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def pack(self, parts: list) -> tuple:
        """The pieces from :meth:`score_line_into` in a form cheap to send to another
        process: ``(data, layout)``, the bytes pieces joined into ``data`` and ``layout`` an
        ``array('q')`` of ``(source, start, end)`` triples, source 0 for ``data`` and 1 for
        :attr:`blob` (the receiver's own copy). See :meth:`unpack`."""
        chunks: list = []
        layout = array("q")
        size: cython.Py_ssize_t = 0
        run: cython.Py_ssize_t = -1  # where the current run of bytes pieces starts in data
        for p in parts:
            if type(p) is slice:
                if run >= 0:
                    layout.extend((0, run, size))
                    run = -1
                layout.extend((1, p.start, p.stop))
            else:
                if run < 0:
                    run = size
                chunks.append(p)
                size += len(p)
        if run >= 0:
            layout.extend((0, run, size))
        return b"".join(chunks), layout

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def unpack(self, data: bytes, layout: array) -> list:
        """The buffers to write for what :meth:`pack` made (memoryviews, no copy)."""
        sources = (memoryview(data), self._blob)
        n: cython.Py_ssize_t = len(layout)
        i: cython.Py_ssize_t
        out: list = []
        for i in range(0, n, 3):
            out.append(sources[layout[i]][layout[i + 1] : layout[i + 2]])
        return out

    def _score_into(
        self, call: Call, parts: list, weak: list | None = None, frags: dict | None = None
    ) -> tuple:
        """Append the result line's pieces to ``parts``; return (score as written, critical
        failures, {rule position: outcome} for the rules the call touched). The positions of
        weak critical failures are appended to ``weak`` (see :meth:`_is_weak`)."""
        ct = normalize_call(call.texts)
        hits: dict[int, list] = {}
        self._matcher.scan_call(ct, call.speakers, hits)
        ctx = _Context(call, ct)
        candidates = hits.pop(-1, None)
        if candidates is not None:
            self._drop_negated(candidates, hits, ctx)
        dynamic = sorted(set(hits).union(self._timing))
        rules = self.rules
        evaluators = self._evaluators
        passed = self._default_passed
        failed = self._default_failed
        critical = self._default_critical
        outcomes: dict[int, str] = {}
        head_at = len(parts)
        parts.append(b"")  # the head, once the score is known
        offsets = self._offsets
        prev = 0
        first = True  # the first part of the list must drop its leading comma
        for pos in dynamic:
            rule = rules[pos]
            occs = hits.get(pos, _NO_OCCS)
            ctx.not_counted = None
            outcome, evidence, value = evaluators[rule.kind](rule, occs, ctx)
            outcomes[pos] = outcome
            extra = ""
            if ctx.not_counted or (ctx.negated and pos in ctx.negated):
                extra = self._not_counted(pos, ctx)
            if outcome == FAIL and rule.critical and self._is_weak(pos, rule, occs, ctx):
                extra += ',"weak":true'
                if weak is not None:
                    weak.append(pos)
            default = self._default_outcome[pos]
            if default != outcome:
                points = rule.points
                if default == PASS:
                    passed -= points
                elif default == FAIL:
                    failed -= points
                    critical -= rule.critical
                if outcome == PASS:
                    passed += points
                elif outcome == FAIL:
                    failed += points
                    critical += rule.critical
            if offsets[prev] < offsets[pos]:  # untouched rules (none when all are na, compact)
                parts.append(slice(offsets[prev] + first, offsets[pos]))
                first = False
            prev = pos + 1
            if outcome == NA and self.compact:
                continue
            if not first:
                parts.append(b",")
            fragment = self._fragment(pos, outcome, evidence, value, extra)
            if frags is not None:
                frags[pos] = fragment
            parts.append(fragment.encode())
            first = False
        if offsets[prev] < offsets[-1]:
            parts.append(slice(offsets[prev] + first, offsets[-1]))

        if not self._integral:
            # Float points: sum in library order so the score does not depend on which rules
            # a call happened to touch.
            passed = failed = 0
            for pos, rule in enumerate(rules):
                outcome = outcomes.get(pos, self._default_outcome[pos])
                if outcome == PASS:
                    passed += rule.points
                elif outcome == FAIL:
                    failed += rule.points
        if critical:
            score = "0"
        elif passed + failed:
            score = _num(round(100 * passed / (passed + failed), 2))
        else:
            score = "null"
        call_id = call.call_id
        cid = _json_str(call_id) if type(call_id) is str else str(call_id)
        parts[head_at] = (
            f'{{"call_id":{cid},"score":{score},"critical_failed":'
            f'{"true" if critical else "false"},"results":['
        ).encode()
        parts.append(b"]}")
        return score, critical, outcomes

    # ---------------------------------------------------------------------------------------
    # Context: negation, exceptions (unless), weak evidence.

    def _drop_negated(self, candidates: list, hits: dict, ctx: _Context) -> None:
        """Remove the occurrences that a negator directly before them negates (the same
        clause: nothing but spaces or an apostrophe between them in the original text). The
        rule stays in ``hits`` (maybe with no occurrence) so its result shows them."""
        texts = ctx.call.texts
        span = ctx.ct.span
        category = unicodedata.category
        for rule, occ, neg in candidates:
            turn, s, e = occ[0], occ[1], occ[2]
            a = span(turn, neg, s)[0]
            start = span(turn, s, e)[0]
            text = texts[turn]
            # From the negator's first original character to the phrase's: a clause break
            # is any punctuation other than an apostrophe.
            if any(category(ch)[0] == "P" and ch not in _APOSTROPHES for ch in text[a:start]):
                continue
            lst = hits[rule]
            lst.remove(occ)
            if ctx.negated is None:
                ctx.negated = {}
            ctx.negated.setdefault(rule, []).append((occ, neg))

    def _apply_unless(self, rule: Rule, occs: list, ctx: _Context) -> list:
        """The occurrences without the rule's exceptions: its ``unless`` phrases' own
        occurrences go, and so does every occurrence of the phrases they apply to that has
        one in the same turn (or within ``unless_window`` characters); those are recorded
        in ``ctx.not_counted`` as ``(occurrence, unless occurrence)``."""
        unless = [o for o in occs if o[5] == UNLESS]
        if not unless:
            return occs
        role = _CONTEXT_ROLE[rule.kind]
        window = rule.unless_window
        kept = []
        dropped = []
        for o in occs:
            if o[5] == UNLESS:
                continue
            if o[5] == role:
                for u in unless:
                    if u[0] == o[0] and (
                        window is None or (u[2] > o[1] - window and u[1] < o[2] + window)
                    ):
                        dropped.append((o, u))
                        break
                else:
                    kept.append(o)
            else:
                kept.append(o)
        if dropped:
            ctx.not_counted = dropped
        return kept

    def _not_counted(self, pos: int, ctx: _Context) -> str:
        """``,"not_counted":[...]``: each occurrence a negator or an exception cancelled,
        with ``"negated"`` (the negator as said) or ``"unless"`` (the exception's phrase)."""
        span = ctx.ct.span
        texts = ctx.call.texts
        items = []
        for occ, neg in (ctx.negated or {}).get(pos, ()):
            turn = occ[0]
            a = span(turn, neg, occ[1])[0]
            start, end = span(turn, occ[1], occ[2])
            said = texts[turn][a:start].rstrip()
            items.append(
                (
                    turn,
                    start,
                    f'{{"turn":{turn},"start":{start},"end":{end},"phrase":{occ[4]},'
                    f'"negated":{_json_str(said)}}}',
                )
            )
        for occ, u in ctx.not_counted or ():
            turn = occ[0]
            start, end = span(turn, occ[1], occ[2])
            items.append(
                (
                    turn,
                    start,
                    f'{{"turn":{turn},"start":{start},"end":{end},"phrase":{occ[4]},'
                    f'"unless":{u[4]}}}',
                )
            )
        items.sort()
        return ',"not_counted":[' + ",".join(i[2] for i in items) + "]"

    def _is_weak(self, pos: int, rule: Rule, occs: list, ctx: _Context) -> bool:
        """A critical failure is weak when it rests only on fuzzy evidence or only on
        ambiguous phrases: without those occurrences (of the phrases that make it fail:
        forbidden phrases, triggers, a sequence's after phrases) the rule would not fail."""
        role = _CONTEXT_ROLE.get(rule.kind)
        if role is None:
            return False
        ambiguous = self._ambiguous[pos]
        strong = [o for o in occs if o[5] != role or (o[3] == 0 and o[4] not in ambiguous)]
        if len(strong) == len(occs):
            return False
        saved = ctx.not_counted
        outcome = self._evaluators[rule.kind](rule, strong, ctx)[0]
        ctx.not_counted = saved
        return outcome != FAIL

    # ---------------------------------------------------------------------------------------
    # Evaluators: (rule, occurrences, context) -> (outcome, evidence JSON items, value JSON).
    # An occurrence is (turn, start, end, distance, phrase_json, role) in normalized offsets:
    # tuples sort by place in the call, an exact occurrence before a near one at the same span.

    def _in_scope(self, rule: Rule, occs: list, ctx: _Context) -> list:
        if rule.where == "any":
            return occs
        rank: list = ctx.rank
        n: cython.Py_ssize_t = rule.turns
        if rule.where == "first":
            return [o for o in occs if rank[o[0]] < n]
        count: cython.Py_ssize_t = ctx.counts[SPEAKER_CODE[rule.speakers["phrases"]]]
        return [o for o in occs if rank[o[0]] >= count - n]

    def _eval_required(self, rule: Rule, occs: list, ctx: _Context):
        found = self._in_scope(rule, occs, ctx)
        if found:
            # One occurrence proves the rule: show the first of each phrase, not every "请".
            first: dict = {}
            for o in sorted(found, key=_order_exact_first):
                first.setdefault(o[4], o)
            return PASS, ctx.evidence(sorted(first.values())), None
        return FAIL, "", None

    def _eval_forbidden(self, rule: Rule, occs: list, ctx: _Context):
        if rule.unless:
            occs = self._apply_unless(rule, occs, ctx)
        found = self._in_scope(rule, occs, ctx)
        if found:
            return FAIL, ctx.evidence(_pick(found, rule.fuzzy)), None
        return PASS, "", None

    def _eval_triggered(self, rule: Rule, occs: list, ctx: _Context):
        if rule.unless:
            occs = self._apply_unless(rule, occs, ctx)
        when: dict = {}  # trigger turn -> its first when occurrence (exact before near)
        then: dict = {}  # turn -> its first then occurrence
        for o in sorted(occs, key=_order_exact_first):
            (when if o[5] == 0 else then).setdefault(o[0], o)
        if not when:
            return NA, "", None
        same = rule.speakers["when"] == rule.speakers["then"]
        later: list = ctx.turns_of[SPEAKER_CODE[rule.speakers["then"]]]
        within: cython.Py_ssize_t = rule.within
        i: cython.Py_ssize_t
        j: cython.Py_ssize_t
        stop: cython.Py_ssize_t
        answered: list = []
        unanswered: list = []
        for turn in sorted(when):
            trigger = when[turn]
            answer = then.get(turn) if same else None
            if answer is None:
                i = bisect_right(later, turn)
                stop = min(i + within, len(later))
                for j in range(i, stop):
                    answer = then.get(later[j])
                    if answer is not None:
                        break
            if answer is None:
                unanswered.append(trigger)
            else:
                answered.append(trigger)
                answered.append(answer)
        if unanswered:
            return FAIL, ctx.evidence(unanswered), None
        return PASS, ctx.evidence(sorted(set(answered))), None

    def _eval_sequence(self, rule: Rule, occs: list, ctx: _Context):
        if rule.unless:
            occs = self._apply_unless(rule, occs, ctx)
        if rule.fuzzy:  # the best-aligned span of each near occurrence, not its shifts
            occs = _pick(occs, True)
        thens = [o for o in occs if o[5] == 1]
        if not thens:
            return NA, "", None
        earliest = min(thens)
        where = (earliest[0], earliest[1])
        before = [o for o in occs if o[5] == 0 and (o[0], o[1]) < where]
        if before:
            return PASS, ctx.evidence([min(before), earliest]), None
        return FAIL, ctx.evidence([earliest]), None

    def _pairs(self, ctx: _Context) -> list[int]:
        """Indexes i where a customer turn i is directly followed by an agent turn."""
        spk = ctx.call.speakers
        return [i for i in range(len(spk) - 1) if spk[i] == 1 and spk[i + 1] == 0]

    def _eval_silence(self, rule: Rule, occs, ctx: _Context):
        call = ctx.call
        if call.starts is None:
            return NA, "", None
        pairs = self._pairs(ctx)
        if not pairs:
            return NA, "", None
        starts, ends = call.starts, call.ends
        gaps = [(i + 1, starts[i + 1] - ends[i]) for i in pairs]  # type: ignore[index]
        value = max(g for _, g in gaps)
        limit = rule.max_seconds
        over = [f'{{"turn":{t},"seconds":{_num(g)}}}' for t, g in gaps if g > limit]
        return (FAIL if value > limit else PASS), ",".join(over), _num(value)

    def _eval_interruption(self, rule: Rule, occs, ctx: _Context):
        call = ctx.call
        if call.starts is None:
            return NA, "", None
        pairs = self._pairs(ctx)
        if not pairs:
            return NA, "", None
        starts, ends = call.starts, call.ends
        found = []
        for i in pairs:
            overlap = ends[i] - starts[i + 1]  # type: ignore[index]
            if overlap >= rule.min_overlap:
                found.append(f'{{"turn":{i + 1},"seconds":{_num(overlap)}}}')
        count = len(found)
        return (FAIL if count > rule.max_count else PASS), ",".join(found), str(count)

    def _eval_speech_rate(self, rule: Rule, occs, ctx: _Context):
        call = ctx.call
        if call.starts is None:
            return NA, "", None
        spk = SPEAKER_CODE[rule.speaker]
        chars: cython.Py_ssize_t = 0
        duration = 0.0
        ct = ctx.ct
        turns: list = ctx.turns_of[spk]
        t: cython.Py_ssize_t
        ends: list = call.ends
        begins: list = call.starts
        if ct.joined:  # each turn's length from where the turns start in the joined text
            text: str = ct.text
            starts: list = ct.starts
            last: cython.Py_ssize_t = len(starts) - 1
            a: cython.Py_ssize_t
            b: cython.Py_ssize_t
            spaced: cython.bint = " " in text
            for t in turns:
                a = starts[t]
                b = starts[t + 1] - 1 if t < last else len(text)
                chars += b - a
                if spaced:
                    chars -= text.count(" ", a, b)
                duration += ends[t] - begins[t]
        else:
            for t in turns:
                turn_text = ct.turn_text(t)
                chars += len(turn_text) - turn_text.count(" ")
                duration += ends[t] - begins[t]
        if duration <= 0:
            return NA, "", None
        value = chars / duration * 60
        low = rule.min is not None and value < rule.min
        high = rule.max is not None and value > rule.max
        return (FAIL if low or high else PASS), "", _num(value)


def _order_exact_first(o: tuple) -> tuple:
    return (o[0], o[3], o[1], o[2])


def _order_near_last(o: tuple) -> tuple:
    return (o[3], o[0], o[1], o[2], o[4])


def _pick(occs: list, fuzzy: bool) -> list:
    """Evidence for a list of occurrences: all of them, ordered; for fuzzy rules, per phrase
    and turn, the best non-overlapping spans (exact first, then leftmost), since every real
    occurrence also has shifted near-spans within distance 1."""
    if not fuzzy:
        return sorted(occs)
    picked: list = []
    taken: dict = {}
    for o in sorted(occs, key=_order_near_last):
        spans = taken.setdefault((o[0], o[4], o[5]), [])
        if any(o[1] < e and s < o[2] for s, e in spans):
            continue
        spans.append((o[1], o[2]))
        picked.append(o)
    return sorted(picked)


class _Context:
    """Per-call facts shared by the evaluators."""

    __slots__ = ("call", "ct", "_rank", "_turns_of", "negated", "not_counted")

    def __init__(self, call: Call, ct: CallText) -> None:
        self.call = call
        self.ct = ct
        # rule position -> [(occurrence, negator start)] a negator cancelled
        self.negated: dict | None = None
        # the current rule's [(occurrence, unless occurrence)] exceptions cancelled
        self.not_counted: list | None = None
        self._rank: list[int] | None = None
        self._turns_of: tuple[list[int], list[int]] | None = None

    @property
    def turns_of(self) -> tuple[list[int], list[int]]:
        """Turn indexes of the agent and of the customer."""
        if self._turns_of is None:
            spk = self.call.speakers
            agent = [i for i, s in enumerate(spk) if not s]
            customer = [i for i, s in enumerate(spk) if s]
            self._turns_of = (agent, customer)
        return self._turns_of

    @property
    def rank(self) -> list[int]:
        """For each turn, its position among its speaker's turns."""
        if self._rank is None:
            seen = [0, 0]
            rank = []
            for s in self.call.speakers:
                rank.append(seen[s])
                seen[s] += 1
            self._rank = rank
        return self._rank

    @property
    def counts(self) -> tuple[int, int]:
        agent, customer = self.turns_of
        return len(agent), len(customer)

    def evidence(self, occs: list) -> str:
        span = self.ct.span
        out = []
        for o in occs:
            turn = o[0]
            start, end = span(turn, o[1], o[2])
            out.append(f'{{"turn":{turn},"start":{start},"end":{end},"phrase":{o[4]}}}')
        return ",".join(out)


def error_line(exc: CallError, line_no: int) -> bytes:
    """The result line that stands in for an invalid call line."""
    return _dumps({"call_id": exc.call_id, "line": line_no, "error": exc.message}).encode()


def load_library(data: Any, compact: bool = False) -> Library:
    """Validate and compile a rule library; raises ``LibraryError`` if it is invalid. With
    ``compact``, result lines list only the rules that applied (``na`` implied)."""
    return Library(data, compact)


def check_library(data: Any) -> list[Problem]:
    """Alias of :func:`scoring.engine.library.validate_library` for symmetry."""
    from scoring.engine.library import validate_library

    return validate_library(data)
