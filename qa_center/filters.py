"""Query parameters, validated in one place: every list page and API endpoint reads its filters
through these parsers, so no value in a URL can reach a query or a date computation unchecked.

A parser takes the raw text (None or "" when the parameter is absent) and returns the typed
value, None for "no filter", or raises FilterError naming the parameter and saying what is
wrong. Bounds are deliberately narrow: dates between MIN_DAY and MAX_DAY (so "the day after"
or "the week before" can never leave the calendar), ids that fit a database integer, decimals
that are finite and in range, text without NUL and of bounded length.

`parse_query(params, spec)` applies a spec ({parameter: parser}) to a QueryDict (or a plain
dict) and returns the values and the errors; a parameter given twice (`a=1&a=2`) is an error.
Pages show the errors as messages and ignore those parameters (`parse_for_page`); the API
answers 400 with {parameter: [message]} (`parse_for_api`).

Django validators for form and serializer fields (`validate_day`, `validate_id`) share the
same bounds, for the filters that are still declared as form or serializer fields.

Pure functions apart from the two adapters; no app is imported.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_DAY = datetime.date(2000, 1, 1)
MAX_DAY = datetime.date(2100, 12, 31)
MAX_ID = 2**31 - 1  # a PostgreSQL integer; bigger ids do not exist
MAX_TEXT = 200

Parser = Callable[[str | None], Any]


class FilterError(ValueError):
    """A query parameter's value was refused; `message` is fit to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _blank(raw: str | None) -> bool:
    return raw is None or raw.strip() == ""


def _clean_text(raw: str, max_length: int) -> str:
    if len(raw) > max_length:
        raise FilterError(_("At most %(n)s characters.") % {"n": max_length})
    if "\x00" in raw or any(0xD800 <= ord(c) <= 0xDFFF for c in raw):
        raise FilterError(_("Contains characters that are not allowed."))
    return raw


# --- Parsers -------------------------------------------------------------------------------


def decimal(*, min_value: Decimal | int, max_value: Decimal | int, places: int = 2) -> Parser:
    """A finite decimal in [min_value, max_value] (NaN, infinities, 1e999999 refused)."""
    low, high = Decimal(min_value), Decimal(max_value)

    def parse(raw: str | None) -> Decimal | None:
        if _blank(raw):
            return None
        text = _clean_text(raw.strip(), 40)
        try:
            value = Decimal(text)
        except (InvalidOperation, ValueError):
            value = None
        if value is None or not value.is_finite():
            raise FilterError(_("Enter a number."))
        if not low <= value <= high:
            raise FilterError(
                _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
            )
        return value.quantize(Decimal(1).scaleb(-places))

    return parse


def day(raw: str | None) -> datetime.date | None:
    """A YYYY-MM-DD date between MIN_DAY and MAX_DAY."""
    if _blank(raw):
        return None
    text = _clean_text(raw.strip(), 20)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise FilterError(_("Enter a date like 2026-03-05."))
    try:
        value = datetime.date.fromisoformat(text)
    except ValueError:
        raise FilterError(_("%(value)s is not a date.") % {"value": text}) from None
    return check_day(value)


def check_day(value: datetime.date) -> datetime.date:
    if not MIN_DAY <= value <= MAX_DAY:
        raise FilterError(
            _("Enter a date from %(low)s to %(high)s.")
            % {"low": MIN_DAY.isoformat(), "high": MAX_DAY.isoformat()}
        )
    return value


def week(raw: str | None) -> datetime.date | None:
    """The Monday of a week, written as an ISO week (2026-W10) or any day of it (2026-03-05)."""
    if _blank(raw):
        return None
    text = _clean_text(raw.strip(), 20)
    match = re.fullmatch(r"(\d{4})-W(\d{2})", text)
    if match:
        year, number = int(match[1]), int(match[2])
        if not MIN_DAY.year <= year <= MAX_DAY.year:
            check_day(datetime.date(max(year, 1), 1, 1))
        try:
            monday = datetime.date.fromisocalendar(year, number, 1)
        except ValueError:
            raise FilterError(_("%(value)s is not a week.") % {"value": text}) from None
        return check_day(monday)
    value = day(text)
    assert value is not None
    return check_day(value - datetime.timedelta(days=value.weekday()))


def month(raw: str | None) -> datetime.date | None:
    """The first day of a month written YYYY-MM."""
    if _blank(raw):
        return None
    text = _clean_text(raw.strip(), 20)
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise FilterError(_("Enter a month like 2026-03."))
    return check_day(datetime.date(int(match[1]), int(match[2]), 1))


def id_(raw: str | None) -> int | None:
    """A database id: a positive integer that fits the database."""
    if _blank(raw):
        return None
    text = _clean_text(raw.strip(), 20)
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise FilterError(_("Enter an id (a whole number from 1)."))
    return int(text)


def choice(values: Iterable[str]) -> Parser:
    """One of `values` (compared as text)."""
    allowed = [str(v) for v in values]

    def parse(raw: str | None) -> str | None:
        if _blank(raw):
            return None
        text = raw.strip()
        if text not in allowed:
            raise FilterError(_("Choose one of: %(values)s.") % {"values": ", ".join(allowed)})
        return text

    return parse


def yes_no(raw: str | None) -> bool | None:
    """1/yes/true or 0/no/false."""
    if _blank(raw):
        return None
    value = {"1": True, "yes": True, "true": True, "0": False, "no": False, "false": False}.get(
        raw.strip().lower()
    )
    if value is None:
        raise FilterError(_("Choose yes or no."))
    return value


def text(max_length: int = MAX_TEXT) -> Parser:
    """Free text (a search): at most `max_length` characters, no NUL; "" is no filter."""

    def parse(raw: str | None) -> str | None:
        if _blank(raw):
            return None
        return _clean_text(raw.strip(), max_length)

    return parse


# --- Applying a spec -----------------------------------------------------------------------


@dataclass
class Parsed:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value


def _values_of(params: Mapping[str, Any], name: str) -> list[str]:
    if hasattr(params, "getlist"):
        return list(params.getlist(name))
    value = params.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def parse_query(params: Mapping[str, Any], spec: Mapping[str, Parser]) -> Parsed:
    """Every parameter of `spec` parsed; those refused are in `errors` (and not in `values`)."""
    parsed = Parsed()
    for name, parser in spec.items():
        given = _values_of(params, name)
        if len(given) > 1:
            parsed.errors[name] = _("Give this parameter once.")
            continue
        raw = given[0] if given else None
        if raw is not None and not isinstance(raw, str):
            raw = str(raw)
        try:
            parsed.values[name] = parser(raw)
        except FilterError as exc:
            parsed.errors[name] = exc.message
    return parsed


def parse_for_page(request, spec: Mapping[str, Parser], params=None) -> Parsed:
    """For a page: refused parameters are ignored, each with a warning message naming it."""
    parsed = parse_query(request.GET if params is None else params, spec)
    for name, message in parsed.errors.items():
        warn_ignored(request, name, message)
    return parsed


def warn_ignored(request, name: str, message: str) -> None:
    """The page's message for a refused parameter, naming it."""
    from django.contrib import messages

    messages.warning(
        request,
        _("The filter “%(name)s” was ignored: %(message)s") % {"name": name, "message": message},
    )


def parse_for_api(params, spec: Mapping[str, Parser]) -> Parsed:
    """For the API: any refused parameter is a 400 {parameter: [message]}."""
    from rest_framework.exceptions import ValidationError as ApiValidationError

    parsed = parse_query(params, spec)
    if parsed.errors:
        raise ApiValidationError({name: [msg] for name, msg in parsed.errors.items()})
    return parsed


# --- Validators for form and serializer fields ---------------------------------------------


def validate_day(value: datetime.date) -> None:
    """A form or serializer DateField's validator: the same bounds as `day`."""
    try:
        check_day(value)
    except FilterError as exc:
        raise ValidationError(exc.message, code="date_range") from None


def validate_id(value: int) -> None:
    if not 1 <= value <= MAX_ID:
        raise ValidationError(_("Enter an id (a whole number from 1)."), code="id_range")


def validate_text(value: str) -> None:
    try:
        _clean_text(value, len(value))
    except FilterError as exc:
        raise ValidationError(exc.message, code="text") from None
