"""Words, queries and facet tokens of press search, the same for both engines.

Both engines index the output of ``analyse``:

* the *folded* tokens: lower case, no diacritics, đ→d, letters and digits, and each
  Chinese or Japanese character as a token of its own (those scripts do not separate
  words, so a query for a word of theirs becomes a phrase of characters: a substring
  search that needs no dictionary);
* the *exact* tokens: the distinct words as written (lower case, one tone placement) that
  carry diacritics or are plain ASCII words of up to 7 letters (every Vietnamese syllable
  fits). A query word typed with diacritics must also match one of them, as written or
  written without marks: "Đồng" finds "đồng" and "dong" (a post typed without diacritics,
  "Dong Nai" in English) but not "dòng" or "động", while "dong" finds all of them.

Queries are folded and tokenized by the same functions, so index and query cannot
disagree.

Filters and the user's scope become *facet tokens* (``l_vi``, ``t_bien_dao``, ``o_8``...)
in a column of their own, so that every filter is part of the one full-text match and
results come out of the index already in time order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from ttdn.core.text import normalize_tone

# Guards against expensive or silly input: only the first characters and terms count.
MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
MAX_TOKENS_PER_TERM = 16
MAX_TOKEN_CHARS = 64
# Text beyond this is not indexed (a 2 MB social-media export must not stall the index).
MAX_INDEXED_CHARS = 100_000

# Chinese, Japanese kana, CJK compatibility: one token per character. Korean separates
# words with spaces, so Hangul stays in ordinary tokens.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_SLUG = re.compile(r"[^\W_]+")


class _FoldTable(dict[int, str]):
    """``str.translate`` table folding one character at a time, filled on first use.

    Same result as ``ttdn.core.text.fold`` on ordinary text (case, diacritics, đ).
    """

    def __missing__(self, code: int) -> str:
        ch = chr(code).lower().replace("đ", "d")
        out = "".join(
            c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn"
        )
        if code < 0x30000:  # bounded: a few thousand distinct characters in practice
            self[code] = out
        return out


_FOLD = _FoldTable()


def search_fold(text: str) -> str:
    """Lower case, no diacritics, đ→d (spacing and punctuation kept)."""
    return text.translate(_FOLD)


def _tone_rule() -> tuple[re.Pattern[str], dict[str, str]]:
    """``normalize_tone`` (one tone placement for oa/oe/uy) as one regex pass."""
    tones = "\u0300\u0301\u0309\u0303\u0323"
    forms = {
        unicodedata.normalize("NFC", a + b + t) for a, b in ("oa", "oe", "uy") for t in tones
    } | {unicodedata.normalize("NFC", a + t + b) for a, b in ("oa", "oe", "uy") for t in tones}
    table = {f: normalize_tone(f) for f in forms if normalize_tone(f) != f}
    return re.compile("|".join(sorted(table, key=len, reverse=True))), table


_TONE, _TONE_TABLE = _tone_rule()
_WORD = re.compile(r"[^\W_]+")
# Diacritics are only told apart in words this short: every Vietnamese syllable is.
MAX_EXACT_CHARS = 7


def exact_form(text: str) -> str:
    """Lower case with its diacritics, tone marks in one placement ("hoá" = "hóa")."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _TONE.sub(lambda m: _TONE_TABLE[m.group()], text.lower())


class _Words(dict[str, tuple[tuple[str, ...], str, str | None]]):
    """word (lower case, as written) → (folded tokens, the same for the index, exact form).

    The exact form is the word itself when it is short and folds to plain ASCII letters
    (a Vietnamese syllable, with or without diacritics, or a short Latin word); ``None``
    otherwise. A cache: news vocabulary is a few tens of thousands of words.
    """

    def __missing__(self, word: str) -> tuple[tuple[str, ...], str, str | None]:
        folded = tuple(_TOKEN.findall(word.translate(_FOLD)))
        indexed = " ".join(t for t in folded if len(t) <= MAX_TOKEN_CHARS)
        short = len(word) <= MAX_EXACT_CHARS and len(folded) == 1
        exact = word if short and folded[0].isascii() and folded[0].isalpha() else None
        entry = (folded, indexed, exact)
        if len(self) < 500_000:
            self[word] = entry
        return entry


_WORDS = _Words()


def _words(text: str) -> list[tuple[tuple[str, ...], str, str | None]]:
    return [_WORDS[w] for w in _WORD.findall(exact_form(text))]


def tokens(text: str) -> list[str]:
    """The folded tokens of ``text``: words and single CJK characters.

    The index leaves out tokens longer than ``MAX_TOKEN_CHARS`` (``analyse``); a query
    keeps them, so that such a word finds nothing rather than being ignored.
    """
    return [t for folded, _i, _x in _words(text) for t in folded]


def exact_tokens(text: str) -> list[str]:
    """The words of ``text`` as written, lower case, that the exact index holds."""
    return [x for _f, _i, x in _words(text) if x is not None]


def marked_words(text: str) -> list[tuple[str, str]]:
    """(as written, folded) for the words of a query typed with diacritics."""
    return [(x, f[0]) for f, _i, x in _words(text) if x is not None and x != f[0]]


def analyse(title: str, text: str) -> tuple[str, str, str]:
    """What the index stores for an item: folded title, folded body, exact words.

    Each is a string of tokens separated by single spaces; the exact words are distinct
    (their positions are not needed: phrases are matched on the folded tokens).
    """
    t_words = _words(title[:MAX_INDEXED_CHARS])
    b_words = _words(text[:MAX_INDEXED_CHARS])
    exact = dict.fromkeys(x for _f, _i, x in t_words if x is not None)
    exact.update(dict.fromkeys(x for _f, _i, x in b_words if x is not None))
    return (
        " ".join([i for _f, i, _x in t_words if i]),
        " ".join([i for _f, i, _x in b_words if i]),
        " ".join(exact),
    )


def pairs(*folded: str) -> list[str]:
    """Adjacent tokens of each folded text, distinct: ``"dong nai"`` for a phrase index."""
    out: dict[str, None] = {}
    for text in folded:
        toks = text.split()
        out.update(dict.fromkeys(f"{a} {b}" for a, b in pairwise(toks)))
    return list(out)


def slug(value: object) -> str:
    """A facet value as a token part: ``"Tuyên Quang"`` → ``"tuyen_quang"``."""
    return "_".join(_SLUG.findall(search_fold(str(value)))) or "_"


# --- facets -----------------------------------------------------------------------------

# The one token every indexed item carries: the positive side of a query that only
# excludes words ("-xoso") and has no filter.
ALL = "a_all"


def facet(prefix: str, value: object) -> str:
    return f"{prefix}_{slug(value)}"


def org_ids_of_path(path: str) -> list[int]:
    """``"/1/8/23/"`` → ``[1, 8, 23]``."""
    return [int(p) for p in path.split("/") if p.isdigit()]


def item_facets(
    *,
    lang: str,
    topics: Iterable[str],
    provinces: Iterable[str],
    sentiment: str,
    source_id: int,
    cluster_id: int | None,
    kind: str,
    owner_path: str,
) -> list[str]:
    """The facet tokens of one item (see the module docstring)."""
    out = [ALL, facet("s", source_id), facet("k", kind)]
    if lang:
        out.append(facet("l", lang))
    if sentiment:
        out.append(facet("m", sentiment))
    if cluster_id:
        out.append(facet("c", cluster_id))
    out += [facet("t", t) for t in topics or () if t]
    out += [facet("p", p) for p in provinces or () if p]
    out += [facet("o", i) for i in org_ids_of_path(owner_path or "")]
    return list(dict.fromkeys(out))


# --- queries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word or a phrase: ``tokens`` (folded) must appear next to each other, in this
    order, and each word of ``marked`` (typed with diacritics: as written, folded) must
    appear as written or without any diacritics."""

    tokens: tuple[str, ...]
    surface: str  # the folded text as typed, for highlighting
    marked: tuple[tuple[str, str], ...] = ()

    @property
    def is_phrase(self) -> bool:
        return len(self.tokens) > 1


@dataclass(frozen=True)
class ParsedQuery:
    """``groups`` must all match (each group: any of its terms); ``exclude`` must not."""

    groups: tuple[tuple[Term, ...], ...] = ()
    exclude: tuple[Term, ...] = ()
    ignored: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.exclude

    def terms(self) -> list[Term]:
        return [t for g in self.groups for t in g]


# A chunk of the query: a quoted phrase, or a run of non-space characters.
_CHUNK = re.compile(r'(-?)"([^"]*)"|(\S+)')


def _term(raw: str) -> Term | None:
    toks = tuple(tokens(raw))[:MAX_TOKENS_PER_TERM]
    if not toks:
        return None
    surface = " ".join(search_fold(raw).split()).strip("\"'.,;:!?()[]{}<>*+-_/\\|")
    marked = tuple(dict.fromkeys(marked_words(raw)))[:MAX_TOKENS_PER_TERM]
    return Term(toks, surface or " ".join(toks), marked)


def parse_query(text: str) -> ParsedQuery:
    """Parse what a user typed; never fails, whatever the input.

    - words: all must match (``dong nai`` finds "Đồng Nai" and also "nai ... đồng");
    - ``"phrases"``: the words next to each other; an unbalanced quote is ignored;
    - ``a OR b``: either (``OR`` in capitals, between two terms);
    - ``-word``, ``-"a phrase"``, ``NOT word``: must not appear;
    - punctuation, ``*``, FTS5 or tsquery syntax are just separators; words with inner
      punctuation (``covid-19``, ``U.S.``) become phrases of their parts.
    """
    text = unicodedata.normalize("NFC", text or "")[:MAX_QUERY_CHARS]
    if text.count('"') % 2:  # an unbalanced quote: drop the last one, keep the words
        i = text.rfind('"')
        text = text[:i] + " " + text[i + 1 :]
    # (negated, term) or an operator string
    items: list[tuple[bool, Term] | str] = []
    ignored: list[str] = []
    for m in _CHUNK.finditer(text):
        neg, quoted, bare = m.group(1), m.group(2), m.group(3)
        if quoted is not None:
            term = _term(quoted)
            if term is not None:
                items.append((bool(neg), term))
            continue
        if bare in {"OR", "AND", "NOT"}:
            items.append(bare)
            continue
        negated = bare.startswith("-") and len(bare) > 1
        term = _term(bare[1:] if negated else bare)
        if term is None:
            ignored.append(bare)
        else:
            items.append((negated, term))

    groups: list[list[Term]] = []
    exclude: list[Term] = []
    i = 0
    prev_positive = False  # the last thing added was a positive group (OR may extend it)
    while i < len(items):
        it = items[i]
        nxt = items[i + 1] if i + 1 < len(items) else None
        if isinstance(it, str):
            if it == "OR" and prev_positive and isinstance(nxt, tuple) and not nxt[0]:
                groups[-1].append(nxt[1])
                i += 2
                continue
            if it == "NOT" and isinstance(nxt, tuple):
                exclude.append(nxt[1])
                prev_positive = False
                i += 2
                continue
            if it == "AND" and prev_positive and isinstance(nxt, tuple):
                i += 1  # AND is what words do anyway
                continue
            it = (False, Term((it.lower(),), it.lower()))  # out of place: a word
        negated, term = it
        if negated:
            exclude.append(term)
            prev_positive = False
        else:
            groups.append([term])
            prev_positive = True
        i += 1

    # drop duplicates, then keep the first MAX_TERMS terms
    seen: set[tuple[tuple[tuple[str, ...], tuple[tuple[str, str], ...]], ...]] = set()
    kept: list[tuple[Term, ...]] = []
    budget = MAX_TERMS
    for g in groups:
        uniq = tuple(dict.fromkeys(g))[:budget]
        key = tuple(sorted((t.tokens, t.marked) for t in uniq))
        if not uniq or key in seen:
            continue
        seen.add(key)
        kept.append(uniq)
        budget -= len(uniq)
        if budget <= 0:
            break
    excl = tuple(dict.fromkeys(exclude))[: max(budget, 0) or 4]
    return ParsedQuery(tuple(kept), excl, tuple(ignored))


def highlight_terms(query_text: str) -> list[str]:
    """Folded words and phrases of a query, longest first, for the UI to highlight.

    The UI folds the displayed text the same way (``ttdn.core.text.fold``) to find them.
    Excluded terms are not highlighted.
    """
    parsed = parse_query(query_text)
    out = dict.fromkeys(t.surface for t in parsed.terms() if t.surface)
    return sorted(out, key=lambda s: (-len(s), s))


@dataclass(frozen=True)
class Plan:
    """A search as the engines receive it: text, facet groups, a ``sort_key`` range.

    Each facet group must match (any of its tokens): ``(("l_vi", "l_en"), ("o_8",))``.
    """

    text: ParsedQuery = ParsedQuery()
    facets: tuple[tuple[str, ...], ...] = ()
    lo: int | None = None
    hi: int | None = None

    @property
    def needs_match(self) -> bool:
        return not self.text.is_empty or bool(self.facets)

    @property
    def is_ranked(self) -> bool:
        return bool(self.text.groups)
