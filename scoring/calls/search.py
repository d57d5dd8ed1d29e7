"""Finding calls by what was said: a phrase search over transcripts.

Each call keeps `search_text`, its transcript normalized for search: every turn's text in NFKC,
case-folded, with only letters and digits kept (punctuation and spaces dropped, so "请稍等。"
and "请 稍等" are found by "请稍等"), turns separated by a space so that a phrase never spans
two turns. A phrase is normalized the same way and must occur in that text.

On PostgreSQL the search uses an index instead of reading every transcript: a GIN index on the
character bigrams of `search_text` (`qa_text_bigrams(search_text)`, a tsvector of its distinct
two-character pieces, created by migration calls 0003). Chinese has no spaces between words,
so word-based full-text search does not apply; pg_trgm's trigram index needs at least three
characters to narrow a LIKE, and two-character words (投诉, 退费) are common searches — bigrams
serve every phrase of two or more characters. The index narrows to the calls holding all of
the phrase's bigrams; the LIKE on `search_text` then keeps those holding the phrase itself.
On other databases (SQLite, the embedded default) the LIKE alone does the work.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.db import connection
from django.db.models import BooleanField, F, Func, QuerySet, Value

#: Fewer normalized characters than this cannot be searched (one character matches too much).
MIN_PHRASE = 2
#: A phrase's bigrams sent to the index; the LIKE checks the whole phrase anyway, and more
#: bigrams only make the index lookup longer.
MAX_BIGRAMS = 12


def normalize(text: str) -> str:
    """Text as the search compares it: NFKC, case-folded, letters and digits only."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


def search_text_of(turns: Iterable | None) -> str:
    """A call's `search_text` from its turns ([{"speaker", "text", ...}, ...])."""
    parts = []
    for turn in turns or ():
        text = turn.get("text") if isinstance(turn, dict) else None
        if isinstance(text, str):
            normalized = normalize(text)
            if normalized:
                parts.append(normalized)
    return " ".join(parts)


def bigrams(phrase: str) -> list[str]:
    """The distinct two-character pieces of a normalized phrase, in order."""
    seen: dict[str, None] = {}
    for i in range(len(phrase) - 1):
        seen.setdefault(phrase[i : i + 2], None)
    return list(seen)


def _tsquery(grams: list[str]) -> str:
    # Letters and digits only (normalize): no quote or operator of the tsquery syntax can
    # appear in a piece; the simple configuration parses them as the index's function did.
    return " & ".join(f"'{g}'" for g in grams)


def phrase_filter(calls: QuerySet, phrase: str) -> QuerySet:
    """`calls` whose transcript contains `phrase` (normalized). A phrase shorter than
    MIN_PHRASE normalized characters matches nothing (the filter parser refuses it first)."""
    norm = normalize(phrase)
    if len(norm) < MIN_PHRASE:
        return calls.none()
    calls = calls.filter(search_text__contains=norm)
    if connection.vendor == "postgresql":
        grams = bigrams(norm)
        if len(grams) > MAX_BIGRAMS:
            # Spread over the phrase: the rarest pieces are as likely anywhere.
            step = len(grams) / MAX_BIGRAMS
            grams = [grams[int(i * step)] for i in range(MAX_BIGRAMS)]
        calls = calls.filter(_BigramsMatch(F("search_text"), Value(_tsquery(grams))))
    return calls


class _BigramsMatch(Func):
    """qa_text_bigrams(search_text) @@ to_tsquery('simple', query), as an expression: its
    column is named by the query compiler, so it holds inside a subquery (an alias like u0),
    where a hand-written table name did not."""

    template = "qa_text_bigrams(%(expressions)s)"
    arg_joiner = ") @@ to_tsquery('simple'::regconfig, "
    output_field = BooleanField()


#: The PostgreSQL function the index is built on (and the search calls): IMMUTABLE, so it can
#: be indexed. Two regular expressions (C code, fast at a million rows) cut each turn into
#: pairs of characters, once from its first character and once from its second, so that every
#: overlapping pair is there ("abcde" → "ab cd e" + "bc de"); the simple text-search
#: configuration makes the pieces lexemes as they are (a leftover single character is a
#: harmless extra lexeme). The search builds its tsquery with the same configuration.
PG_FUNCTION = r"""
CREATE OR REPLACE FUNCTION qa_text_bigrams(t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT to_tsvector('simple'::regconfig,
    regexp_replace(t, '([^ ])([^ ])', '\1\2 ', 'g') || ' ' ||
    regexp_replace(regexp_replace(t, '(^| )[^ ]', '\1', 'g'), '([^ ])([^ ])', '\1\2 ', 'g'))
$$;
"""
PG_INDEX = (
    "CREATE INDEX IF NOT EXISTS calls_call_search_bigrams ON calls_call "
    "USING gin (qa_text_bigrams(search_text))"
)
PG_DROP = (
    "DROP INDEX IF EXISTS calls_call_search_bigrams; DROP FUNCTION IF EXISTS qa_text_bigrams(text);"
)


def phrase_parameter(raw: str | None) -> str | None:
    """A query parameter holding a phrase to search for (qa_center.filters parser): bounded
    text, at least MIN_PHRASE letters or characters once normalized."""
    from django.utils.translation import gettext as _

    from qa_center import filters

    value = filters.text(100)(raw)
    if value is not None and len(normalize(value)) < MIN_PHRASE:
        raise filters.FilterError(
            _("Search for at least %(n)s letters or characters.") % {"n": MIN_PHRASE}
        )
    return value


def validate_phrase(value: str) -> None:
    """A form or serializer field's validator: phrase_parameter's rules."""
    from django.core.exceptions import ValidationError

    from qa_center import filters

    try:
        phrase_parameter(value)
    except filters.FilterError as exc:
        raise ValidationError(exc.message, code="phrase") from None
