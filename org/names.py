"""Chinese names: pinyin sort keys and initials, so 张伟 sorts under Z and "zw" finds him."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def pinyin_sort_key(name: str) -> str:
    """`张伟` → `zhang wei|张伟`: pinyin first, the characters break ties between homophones."""
    return " ".join(lazy_pinyin(name, style=Style.NORMAL)).lower() + "|" + name


def pinyin_initials(name: str) -> str:
    """`张伟` → `zw`; Latin letters stay as they are (lower-cased)."""
    return "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER) if p).lower()
