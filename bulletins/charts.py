"""The weekly bulletin's charts as SVG, drawn on the server from the bulletin's frozen data.

One drawing serves the page and the PDF (WeasyPrint renders inline SVG), so the printed
bulletin has the charts the screen shows; no script runs, and every bar carries its label and
its value as text (a reader of the PDF or of a narrow screen sees every rule, none skipped).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

BLUE, PURPLE, GREEN, RED, GREY, INK = "#1f5fbf", "#7a4fbf", "#1e8e3e", "#d93025", "#888", "#222"
FONT = 'font-family="WenQuanYi Zen Hei, Noto Sans CJK SC, sans-serif"'


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _svg(width: int, height: int, body: list[str], title: str) -> SafeString:
    return mark_safe(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" {FONT} font-size="12">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def bars(
    rows: Sequence[dict],
    *,
    value_key: str,
    title: str,
    standard: float | None = None,
    label_width: int = 190,
) -> SafeString:
    """Horizontal bars 0–100, one row each, labelled on the left and valued at the bar's end;
    red below the standard, which is drawn as a dashed line."""
    width, row_h, top = 640, 22, 8
    plot = width - label_width - 56
    height = top * 2 + row_h * max(len(rows), 1) + 18
    body = []
    for i, row in enumerate(rows):
        y = top + i * row_h
        value = row.get(value_key)
        below = value is not None and standard is not None and value < standard
        label = str(row.get("label", ""))
        shown = label if len(label) <= 14 else label[:13] + "…"
        body.append(
            f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" fill="{INK}">'
            f"<title>{escape(label)}</title>{escape(shown)}</text>"
        )
        length = 0 if value is None else max(0.0, min(value, 100.0)) / 100 * plot
        body.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="{row_h - 8}" '
            f'fill="{RED if below else BLUE}"/>'
        )
        body.append(
            f'<text x="{label_width + length + 4:.1f}" y="{y + 15}" fill="{INK}">{_num(value)}</text>'
        )
    axis_y = top + row_h * max(len(rows), 1)
    body.append(
        f'<line x1="{label_width}" y1="{axis_y}" x2="{label_width + plot}" y2="{axis_y}" '
        f'stroke="{GREY}"/>'
    )
    for tick in (0, 50, 100):
        x = label_width + tick / 100 * plot
        body.append(
            f'<text x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle" fill="{GREY}" '
            f'font-size="10">{tick}</text>'
        )
    if standard is not None:
        x = label_width + standard / 100 * plot
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y}" stroke="{RED}" '
            f'stroke-dasharray="4 3"/>'
        )
    if not rows:
        body.append(f'<text x="{label_width}" y="{top + 15}" fill="{GREY}">—</text>')
    return _svg(width, height, body, title)


def team_bars(teams: Sequence[dict], *, title: str, labels: dict) -> SafeString:
    """Each team's automatic mean and pass rate as two thin bars (with a legend)."""
    width, row_h, top, label_width = 640, 30, 24, 150
    plot = width - label_width - 56
    height = top + row_h * max(len(teams), 1) + 22
    body = [
        f'<rect x="{label_width}" y="4" width="10" height="10" fill="{BLUE}"/>'
        f'<text x="{label_width + 14}" y="13" fill="{INK}">{escape(labels["auto_mean"])}</text>',
        f'<rect x="{label_width + 200}" y="4" width="10" height="10" fill="{GREEN}"/>'
        f'<text x="{label_width + 214}" y="13" fill="{INK}">{escape(labels["pass_rate"])}</text>',
    ]
    for i, team in enumerate(teams):
        y = top + i * row_h
        body.append(
            f'<text x="{label_width - 6}" y="{y + 18}" text-anchor="end" fill="{INK}">'
            f"{escape(team['label'])}</text>"
        )
        for j, (key, colour) in enumerate((("auto_mean", BLUE), ("pass_rate", GREEN))):
            value = team.get(key)
            length = 0 if value is None else max(0.0, min(value, 100.0)) / 100 * plot
            bar_y = y + 3 + j * 12
            body.append(
                f'<rect x="{label_width}" y="{bar_y}" width="{length:.1f}" height="10" '
                f'fill="{colour}"/><text x="{label_width + length + 4:.1f}" y="{bar_y + 9}" '
                f'font-size="10" fill="{INK}">{_num(value)}</text>'
            )
    return _svg(width, height, body, title)


def trend(points: Sequence[dict], *, title: str, labels: dict) -> SafeString:
    """The weeks' automatic mean, evaluation mean and pass rate as lines on 0–100; a week
    without data leaves a gap, and each point is labelled with its week."""
    width, height, left, right, top, bottom = 640, 250, 36, 12, 30, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(points)

    def x_of(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y_of(v: float) -> float:
        return top + plot_h * (1 - max(0.0, min(v, 100.0)) / 100)

    body = []
    for tick in (0, 25, 50, 75, 100):
        y = y_of(tick)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e4e4e4"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="{GREY}">{tick}</text>'
        )
    for i, point in enumerate(points):
        week = str(point.get("week", ""))
        body.append(
            f'<text x="{x_of(i):.1f}" y="{height - bottom + 14}" text-anchor="middle" '
            f'font-size="9" fill="{GREY}">{escape(week[5:] if len(week) == 10 else week)}</text>'
        )
    series = (("auto_mean", BLUE), ("eval_mean", PURPLE), ("pass_rate", GREEN))
    for k, (key, colour) in enumerate(series):
        body.append(
            f'<rect x="{left + k * 170}" y="6" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + k * 170 + 14}" y="15" fill="{INK}">{escape(labels[key])}</text>'
        )
        run: list[str] = []
        for i, point in enumerate(points + [{}]):
            value = point.get(key)
            if value is None:
                if len(run) > 1:
                    body.append(
                        f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                        f'points="{" ".join(run)}"/>'
                    )
                run = []
                continue
            run.append(f"{x_of(i):.1f},{y_of(value):.1f}")
            body.append(
                f'<circle cx="{x_of(i):.1f}" cy="{y_of(value):.1f}" r="2.5" fill="{colour}">'
                f"<title>{escape(str(point.get('week', '')))}: {_num(value)}</title></circle>"
            )
    return _svg(width, height, body, title)


def weeks_with_data(points: Sequence[dict]) -> int:
    """How many of the trend's weeks had any call checked or evaluated."""
    return sum(1 for p in points if p.get("checked") or p.get("evaluated"))


def weekly_charts(data: dict) -> dict:
    """The three charts of a weekly bulletin (page and PDF), and the trend's weeks with data."""
    labels = {
        "auto_mean": _("Automatic mean score"),
        "eval_mean": _("Evaluation mean score"),
        "pass_rate": _("Pass rate (%)"),
    }
    points = data.get("trend", [])
    return {
        "trend": trend(points, title=_("Trend over the last 12 weeks"), labels=labels),
        "trend_weeks": len(points),
        "trend_weeks_with_data": weeks_with_data(points),
        "rules": bars(
            data.get("rules", []),
            value_key="compliance",
            title=_("Compliance per rule"),
            standard=data.get("standards", {}).get("compliance"),
        ),
        "teams": team_bars(data.get("teams", [])[:40], title=_("Teams side by side"), labels=labels)
        if data.get("teams")
        else "",
    }
