"""Highlights in press items: the matched places and terms, and the words searched for.

A pure function of text, mention offsets (from the analysis, into the original text) and
folded query terms (``search.highlight_terms``). The query terms are found in the
*original* text while ignoring case, diacritics and the letter đ: the text is folded one
character at a time and every folded character remembers the original character it came
from, so a match in the folded text maps back to the exact original span ("Hà Nội" is
marked for the query "ha noi"). Overlapping marks never nest or cross: the text is cut
wherever the set of marks changes and each piece carries all its classes. Everything
else is escaped, so hostile text (``<script>``) stays text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

QUERY_CLASS = "query"
_CLASS_SAFE = re.compile(r"[^a-z0-9_-]")
_CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")


def _fold_char(ch: str) -> str:
    """What ``ttdn.core.text.fold`` makes of one character (before space squashing)."""
    if ch == "đ" or ch == "Đ":
        return "d"
    decomposed = unicodedata.normalize("NFD", ch.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@dataclass(frozen=True)
class Folded:
    """A folded text and, for each folded character, the index of its original one."""

    text: str
    origin: list[int]


def fold_with_offsets(text: str) -> Folded:
    """Fold ``text`` character by character; runs of white space become one space."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            out.append(" ")
            origin.append(i)
            continue
        for f in _fold_char(ch):
            out.append(f)
            origin.append(i)
    return Folded("".join(out), origin)


def _is_cjk(ch: str) -> bool:
    return bool(_CJK.match(ch))


def _term_pattern(term: str) -> re.Pattern[str] | None:
    """A whole-word pattern for a folded term; ``term*`` matches words starting so.

    Chinese and Japanese write no spaces between words: a term in those scripts is
    matched anywhere (as the search does, character by character).
    """
    term = " ".join(term.split())
    prefix = term.endswith("*")
    term = term.rstrip("*").strip()
    if not term:
        return None
    start = "" if _is_cjk(term[0]) else r"(?<!\w)"
    end = "" if prefix or _is_cjk(term[-1]) else r"(?!\w)"
    return re.compile(start + re.escape(term) + end)


def _extend_over_marks(text: str, end: int) -> int:
    """Do not cut a letter from its combining marks (text stored decomposed)."""
    while end < len(text) and unicodedata.category(text[end]) in ("Mn", "Mc", "Me"):
        end += 1
    return end


def query_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Original-text spans of the whole-word occurrences of the folded ``terms``, in
    order; overlapping spans and spans apart by white space only are merged."""
    patterns = [p for p in (_term_pattern(t) for t in terms if t) if p is not None]
    if not patterns or not text:
        return []
    folded = fold_with_offsets(text)
    spans: list[tuple[int, int]] = []
    for pattern in patterns:
        for m in pattern.finditer(folded.text):
            if m.end() <= m.start():
                continue
            start = folded.origin[m.start()]
            end = _extend_over_marks(text, folded.origin[m.end() - 1] + 1)
            spans.append((start, end))
    # words searched one by one but written together ("ha noi" → "Hà Nội") read as one mark
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or text[merged[-1][1] : start].isspace()):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _css(kind: str) -> str:
    return _CLASS_SAFE.sub("", kind.lower())[:32] or "mention"


def _mention_spans(
    text: str, mentions: Iterable[Mapping[str, Any]], field: str | None
) -> list[tuple[int, int, str]]:
    out = []
    for m in mentions or ():
        if field is not None and m.get("field", field) != field:
            continue
        try:
            start, end = int(m["start"]), int(m["end"])
        except (KeyError, TypeError, ValueError):
            continue
        start, end = max(0, start), min(len(text), end)
        if end > start:
            out.append((start, end, _css(str(m.get("kind") or "mention"))))
    return out


def _render(text: str, marks: Sequence[tuple[int, int, str]]) -> SafeString:
    if not marks:
        return SafeString(escape(text))
    # cut at every start and end; each piece carries the classes of the marks over it
    cuts = sorted({0, len(text), *(s for s, _e, _c in marks), *(e for _s, e, _c in marks)})
    parts: list[str] = []
    for a, b in pairwise(cuts):
        if b <= a:
            continue
        piece = escape(text[a:b])
        classes = sorted({c for s, e, c in marks if s <= a and b <= e})
        if classes:
            css = " ".join(f"hl-{c}" for c in classes)
            parts.append(f'<mark class="hl {css}">{piece}</mark>')
        else:
            parts.append(piece)
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above


def _marks(
    text: str,
    mentions: Iterable[Mapping[str, Any]],
    terms: Iterable[str],
    field: str | None,
) -> list[tuple[int, int, str]]:
    marks = _mention_spans(text, mentions, field)
    marks += [(s, e, QUERY_CLASS) for s, e in query_spans(text, terms)]
    return marks


def _window(text: str, marks: Sequence[tuple[int, int, str]], start: int, end: int) -> SafeString:
    """``text[start:end]`` rendered with the marks that fall in it, clipped."""
    clipped = [
        (max(s, start) - start, min(e, end) - start, c)
        for s, e, c in marks
        if s < end and e > start
    ]
    return _render(text[start:end], clipped)


def highlight(
    text: str,
    mentions: Iterable[Mapping[str, Any]] = (),
    terms: Iterable[str] = (),
    *,
    field: str | None = None,
) -> SafeString:
    """``text`` as safe HTML with ``<mark class="hl hl-<kind>">`` over mentions and terms.

    ``mentions`` are ``{kind, key, field, start, end}`` offsets into ``text``; with
    ``field`` ("title" or "text") only that field's mentions are used. ``terms`` are
    folded query terms (``hl-query``).
    """
    text = text or ""
    return _render(text, _marks(text, mentions, terms, field))


def highlight_paragraphs(
    text: str,
    mentions: Iterable[Mapping[str, Any]] = (),
    terms: Iterable[str] = (),
    *,
    field: str | None = None,
) -> list[SafeString]:
    """Like :func:`highlight`, one safe string per non-empty line: the offsets stay those
    of the whole text, and a mark over a line break is cut into one per line."""
    text = text or ""
    marks = _marks(text, mentions, terms, field)
    out = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if line.strip():
            out.append(_window(text, marks, start, end))
    return out


def snippet(
    text: str,
    mentions: Iterable[Mapping[str, Any]] = (),
    terms: Iterable[str] = (),
    *,
    field: str | None = "text",
    length: int = 280,
) -> SafeString:
    """A window of about ``length`` characters around the first searched word (or the
    first mention, or the start), highlighted like :func:`highlight`, with "…" where
    the text was cut."""
    text = text or ""
    if len(text) <= length:
        return highlight(text, mentions, terms, field=field)
    marks = _marks(text, mentions, terms, field)
    hits = [s for s, _e, c in marks if c == QUERY_CLASS]
    anchor = min(hits) if hits else min((s for s, _e, _c in marks), default=0)
    start = max(0, anchor - length // 3)
    if start:
        # begin at a word
        space = text.rfind(" ", max(0, start - 20), start + 1)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start + length // 2, end)
        end = space if space > 0 else end
    body = _window(text, marks, start, end)
    return mark_safe(("…" if start else "") + body + ("…" if end < len(text) else ""))  # noqa: S308
