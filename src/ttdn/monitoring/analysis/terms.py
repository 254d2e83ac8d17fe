"""Watched terms: find an organisation's terms ignoring case, diacritics and đ."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from .results import Mention
from .text import Doc, fold


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]] | None:
    keys: dict[str, str] = {}
    for term in terms:
        key = fold(term)
        if key:
            keys.setdefault(key, term)
    if not keys:
        return None
    parts = [r"[\W_]+".join(map(re.escape, k.split())) for k in sorted(keys, key=len, reverse=True)]
    return re.compile(r"(?<![^\W_])(?:" + "|".join(parts) + r")(?![^\W_])"), keys


def find_terms_docs(title: Doc, text: Doc, terms: Sequence[str]) -> list[Mention]:
    compiled = _pattern(tuple(terms))
    if compiled is None:
        return []
    pattern, keys = compiled
    out: list[Mention] = []
    for name, doc in (("title", title), ("text", text)):
        for m in pattern.finditer(doc.folded):
            key = " ".join(re.findall(r"[^\W_]+", m.group()))
            term = keys.get(key, m.group())
            s, e = doc.orig_span(m.start(), m.end())
            out.append(Mention("term", term, name, s, e, doc.original[s:e]))
    return out


def find_terms(title: str, text: str, terms: Sequence[str]) -> list[Mention]:
    """Occurrences of watched terms, ignoring case, diacritics and đ."""
    return find_terms_docs(Doc.of(title), Doc.of(text), terms)
