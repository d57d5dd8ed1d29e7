"""Formatting bulletin figures: missing values as a dash, changes with their sign."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def fig(value, suffix: str = ""):
    """A figure, or a dash when there was nothing to measure."""
    if value is None or value == "":
        return "—"
    return f"{value}{suffix}"


@register.filter
def delta(value):
    if value is None:
        return ""
    if value > 0:
        return f"+{value}"
    return f"{value}"


@register.filter
def delta_class(value):
    if value is None or value == 0:
        return ""
    return "up" if value > 0 else "down"


@register.filter
def iso_week(value):
    import datetime

    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return value.isocalendar()[1]
