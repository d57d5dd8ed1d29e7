"""Charts of the KPI pages as inline SVG, drawn on the server: no script, no inline style (the
pages' Content-Security-Policy allows neither), the same markup in the browser and in the PDF
(WeasyPrint draws SVG). Colours are SVG presentation attributes, which CSP does not govern.

Every function returns safe markup (numbers are formatted here; every text passes through
escape) with a <title> for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BLUE, GREY, RED, GREEN, AMBER = "#1f5fbf", "#888888", "#d93025", "#1e8e3e", "#e8a400"
BAND_COLOURS = {"green": GREEN, "amber": AMBER, "red": RED}


def _finite(values: Sequence[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(float(v))]


def _scale(lo: float, hi: float, top: float, bottom: float):
    if hi - lo < 1e-12:
        lo, hi = lo - 1, hi + 1

    def y(value: float) -> float:
        return bottom - (value - lo) / (hi - lo) * (bottom - top)

    return y


def _svg(width: int, height: int, title: str, body: list[str], css_class: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every text above is escaped, numbers are formatted here
        f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} '
        f'{height}" width="{width}" height="{height}" role="img"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def sparkline(
    values: Sequence[float | None],
    *,
    title: str,
    target: float | None = None,
    width: int = 120,
    height: int = 28,
) -> SafeString:
    """A small trend line (months of a node), the target as a dashed line."""
    finite = _finite(values)
    if len(finite) < 2:
        return mark_safe("")
    lo, hi = (
        min(finite + ([target] if target is not None else [])),
        max(finite + ([target] if target is not None else [])),
    )
    y = _scale(lo, hi, 3, height - 3)
    step = (width - 6) / max(1, len(values) - 1)
    points = [
        f"{3 + i * step:.1f},{y(float(v)):.1f}"
        for i, v in enumerate(values)
        if v is not None and math.isfinite(float(v))
    ]
    body = []
    if target is not None:
        ty = y(float(target))
        body.append(
            f'<line x1="3" x2="{width - 3}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{GREY}" '
            'stroke-dasharray="3,2" stroke-width="1"/>'
        )
    body.append(
        f'<polyline fill="none" stroke="{BLUE}" stroke-width="1.5" points="{" ".join(points)}"/>'
    )
    return _svg(width, height, title, body, "kpi-spark")


def control_chart_svg(
    *,
    labels: Sequence[str],
    values: Sequence[float | None],
    center: Sequence[float | None],
    lcl: Sequence[float | None],
    ucl: Sequence[float | None],
    signals: Sequence[bool],
    target: float | None,
    title: str,
    fmt=lambda v: f"{v:.3g}",
    width: int = 720,
    height: int = 240,
) -> SafeString:
    """A series with its centre line, per-point limits (stepped) and target; signalling points
    in red."""
    left, right, top, bottom = 56, width - 10, 10, height - 28
    everything = _finite(values) + _finite(lcl) + _finite(ucl)
    if target is not None:
        everything.append(float(target))
    if not everything:
        return mark_safe("")
    lo, hi = min(everything), max(everything)
    pad = (hi - lo) * 0.05 or 1.0
    lo, hi = lo - pad, hi + pad
    y = _scale(lo, hi, top, bottom)
    n = len(values)
    step = (right - left) / max(1, n - 1)

    def x(i: int) -> float:
        return left + i * step

    def path(series: Sequence[float | None]) -> str:
        parts, pen = [], "M"
        for i, v in enumerate(series):
            if v is None or not math.isfinite(float(v)):
                pen = "M"
                continue
            parts.append(f"{pen}{x(i):.1f},{y(float(v)):.1f}")
            pen = "L"
        return " ".join(parts)

    body = [
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{bottom}" stroke="{GREY}"/>',
        f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{GREY}"/>',
    ]
    for tick in (lo + pad, (lo + hi) / 2, hi - pad):
        body.append(
            f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="#444">{escape(fmt(tick))}</text>'
        )
    for series, colour, dash in ((ucl, RED, "4,3"), (lcl, RED, "4,3"), (center, GREY, "")):
        d = path(series)
        if d:
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            body.append(
                f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="1"{dash_attr}/>'
            )
    if target is not None:
        ty = y(float(target))
        body.append(
            f'<line x1="{left}" x2="{right}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{GREEN}" '
            'stroke-width="1.5" stroke-dasharray="8,3"/>'
        )
    body.append(f'<path d="{path(values)}" fill="none" stroke="{BLUE}" stroke-width="1.5"/>')
    for i, v in enumerate(values):
        if v is None or not math.isfinite(float(v)):
            continue
        flagged = i < len(signals) and signals[i]
        body.append(
            f'<circle cx="{x(i):.1f}" cy="{y(float(v)):.1f}" r="{3 if flagged else 1.8}" '
            f'fill="{RED if flagged else BLUE}"><title>{escape(labels[i])}: '
            f"{escape(fmt(float(v)))}</title></circle>"
        )
    every = max(1, n // 8)
    for i in range(0, n, every):
        body.append(
            f'<text x="{x(i):.1f}" y="{bottom + 16}" font-size="10" text-anchor="middle" '
            f'fill="#444">{escape(labels[i])}</text>'
        )
    return _svg(width, height, title, body, "kpi-chart")


def bars_svg(
    *,
    labels: Sequence[str],
    values: Sequence[float | None],
    title: str,
    band: float | None = None,
    highlight: int | None = None,
    lo: float = -1.0,
    hi: float = 1.0,
    width: int = 720,
    height: int = 220,
) -> SafeString:
    """Vertical bars around zero (a cross-correlogram: r by lag, ±band dashed)."""
    left, right, top, bottom = 40, width - 10, 10, height - 26
    y = _scale(lo, hi, top, bottom)
    n = max(1, len(values))
    slot = (right - left) / n
    zero = y(0.0)
    body = [
        f'<line x1="{left}" x2="{right}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="{GREY}"/>',
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{bottom}" stroke="{GREY}"/>',
    ]
    for tick in (lo, 0.0, hi):
        body.append(
            f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="#444">{tick:+.1f}</text>'
        )
    if band:
        for level in (band, -band):
            body.append(
                f'<line x1="{left}" x2="{right}" y1="{y(level):.1f}" y2="{y(level):.1f}" '
                f'stroke="{RED}" stroke-dasharray="4,3"/>'
            )
    for i, v in enumerate(values):
        cx = left + (i + 0.5) * slot
        if v is not None and math.isfinite(float(v)):
            top_y, bottom_y = sorted((y(float(v)), zero))
            colour = RED if i == highlight else BLUE
            body.append(
                f'<rect x="{cx - slot * 0.35:.1f}" y="{top_y:.1f}" width="{slot * 0.7:.1f}" '
                f'height="{max(0.5, bottom_y - top_y):.1f}" fill="{colour}"><title>'
                f"{escape(labels[i])}: {float(v):+.2f}</title></rect>"
            )
        if n <= 31 or i % 2 == 0:
            body.append(
                f'<text x="{cx:.1f}" y="{bottom + 14}" font-size="9" text-anchor="middle" '
                f'fill="#444">{escape(labels[i])}</text>'
            )
    return _svg(width, height, title, body, "kpi-chart")


def heat_colour(r: float | None) -> str:
    """Blue for positive, red for negative correlations, paler towards zero."""
    if r is None or not math.isfinite(r):
        return "#f4f4f4"
    strength = min(1.0, abs(r))
    base = (31, 95, 191) if r >= 0 else (217, 48, 37)
    mix = [round(255 - (255 - c) * strength) for c in base]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def matrix_svg(
    *, labels: Sequence[str], matrix: Sequence[Sequence[float | None]], title: str, cell: int = 44
) -> SafeString:
    """A correlation matrix as a heat map with r printed in each cell."""
    n = len(labels)
    left, top = 150, 10
    width, height = left + n * cell + 10, top + n * cell + 110
    body = []
    for i, row in enumerate(matrix):
        body.append(
            f'<text x="{left - 6}" y="{top + i * cell + cell / 2 + 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="#222">{escape(labels[i])}</text>'
        )
        for j, r in enumerate(row):
            value = None if r is None or not math.isfinite(float(r)) else float(r)
            body.append(
                f'<rect x="{left + j * cell}" y="{top + i * cell}" width="{cell - 1}" '
                f'height="{cell - 1}" fill="{heat_colour(value)}"><title>{escape(labels[i])} × '
                f"{escape(labels[j])}: {'—' if value is None else f'{value:+.2f}'}</title></rect>"
            )
            if value is not None:
                ink = "#fff" if abs(value) > 0.6 else "#222"
                body.append(
                    f'<text x="{left + j * cell + cell / 2:.1f}" y="{top + i * cell + cell / 2 + 4:.1f}" '
                    f'font-size="10" text-anchor="middle" fill="{ink}">{value:+.2f}</text>'
                )
    for j, label in enumerate(labels):
        x = left + j * cell + cell / 2
        y = top + n * cell + 8
        body.append(
            f'<text x="{x:.1f}" y="{y}" font-size="11" text-anchor="end" fill="#222" '
            f'transform="rotate(-45 {x:.1f} {y})">{escape(label)}</text>'
        )
    return _svg(width, height, title, body, "kpi-matrix")


def weekday_bars_svg(
    *, labels: Sequence[str], values: Sequence[float | None], title: str, fmt, target=None
) -> SafeString:
    """A series by weekday (the weekly cycle), target dashed."""
    finite = _finite(values) + ([float(target)] if target is not None else [])
    if not finite:
        return mark_safe("")
    lo, hi = min(finite), max(finite)
    pad = (hi - lo) * 0.15 or abs(hi) * 0.05 or 1.0
    lo, hi = lo - pad, hi + pad
    width, height = 360, 200
    left, right, top, bottom = 56, width - 10, 10, height - 26
    y = _scale(lo, hi, top, bottom)
    slot = (right - left) / max(1, len(values))
    body = [f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{GREY}"/>']
    for tick in (lo + pad, hi - pad):
        body.append(
            f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="#444">{escape(fmt(tick))}</text>'
        )
    for i, v in enumerate(values):
        cx = left + (i + 0.5) * slot
        if v is not None and math.isfinite(float(v)):
            vy = y(float(v))
            body.append(
                f'<rect x="{cx - slot * 0.35:.1f}" y="{vy:.1f}" width="{slot * 0.7:.1f}" '
                f'height="{max(0.5, bottom - vy):.1f}" fill="{BLUE}"><title>{escape(labels[i])}: '
                f"{escape(fmt(float(v)))}</title></rect>"
            )
        body.append(
            f'<text x="{cx:.1f}" y="{bottom + 14}" font-size="10" text-anchor="middle" '
            f'fill="#444">{escape(labels[i])}</text>'
        )
    if target is not None:
        ty = y(float(target))
        body.append(
            f'<line x1="{left}" x2="{right}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{GREEN}" '
            'stroke-width="1.5" stroke-dasharray="8,3"/>'
        )
    return _svg(width, height, title, body, "kpi-chart")
