"""A call's transcript ready to show: speaker turns with times, the automatic evidence cut
into highlighted segments. Pure Python over the call's JSON (no queries), so the page's query
count does not depend on the number of turns or evidence spans. The template escapes every
segment's text; nothing here is marked safe."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Segment:
    text: str
    rules: tuple[str, ...] = ()  # engine rule codes whose evidence covers this text
    failed: bool = False  # evidence of a failed rule (forbidden wording, say)

    @property
    def highlighted(self) -> bool:
        return bool(self.rules)

    @property
    def rules_attr(self) -> str:
        return " ".join(self.rules)


@dataclass
class Turn:
    index: int
    speaker: str
    text: str
    start: float | None
    end: float | None
    segments: list[Segment] = field(default_factory=list)

    @property
    def is_agent(self) -> bool:
        return self.speaker == "agent"

    @property
    def time_label(self) -> str:
        return format_seconds(self.start)

    @property
    def rules_attr(self) -> str:
        return " ".join(sorted({code for s in self.segments for code in s.rules}))


def format_seconds(seconds: float | None) -> str:
    """mm:ss (h:mm:ss past an hour); empty when the time is unknown."""
    if seconds is None:
        return ""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def _spans_by_turn(results: list[dict[str, Any]] | None) -> dict[int, list[tuple]]:
    spans: dict[int, list[tuple]] = {}
    for result in results or []:
        if not isinstance(result, dict):
            continue
        code = str(result.get("code", ""))
        failed = result.get("outcome") == "fail"
        for ev in result.get("evidence") or []:
            try:
                turn, start, end = int(ev["turn"]), int(ev["start"]), int(ev["end"])
            except (KeyError, TypeError, ValueError):
                continue  # timing evidence without a text span, or a malformed entry
            if end > start >= 0:
                spans.setdefault(turn, []).append((start, end, code, failed))
    return spans


def _merge(spans: list[tuple], length: int) -> list[tuple[int, int, tuple[str, ...], bool]]:
    """Overlapping or touching spans become one, carrying every rule code that covers it."""
    merged: list[list] = []
    for start, end, code, failed in sorted(spans):
        start, end = max(0, start), min(end, length)
        if start >= end:
            continue
        if merged and start < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            last[2].add(code)
            last[3] = last[3] or failed
        else:
            merged.append([start, end, {code}, failed])
    return [(s, e, tuple(sorted(codes)), f) for s, e, codes, f in merged]


def segment_text(text: str, spans: list[tuple]) -> list[Segment]:
    segments: list[Segment] = []
    at = 0
    for start, end, codes, failed in _merge(spans, len(text)):
        if start > at:
            segments.append(Segment(text[at:start]))
        segments.append(Segment(text[start:end], codes, failed))
        at = end
    if at < len(text) or not segments:
        segments.append(Segment(text[at:]))
    return segments


def _seconds(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def transcript_turns(turns: list[dict[str, Any]] | None, results: list | None) -> list[Turn]:
    """The call's turns with the automatic check's evidence cut into segments."""
    spans = _spans_by_turn(results)
    shown = []
    for index, raw in enumerate(turns or []):
        text = str(raw.get("text", ""))
        shown.append(
            Turn(
                index=index,
                speaker=str(raw.get("speaker", "")),
                text=text,
                start=_seconds(raw.get("start")),
                end=_seconds(raw.get("end")),
                segments=segment_text(text, spans.get(index, [])),
            )
        )
    return shown


def results_by_code(results: list | None) -> dict[str, dict[str, Any]]:
    return {str(r.get("code")): r for r in results or [] if isinstance(r, dict)}
