"""Fingerprints for duplicates and stories.

- ``content_hash``: SHA-1 of the normalised body (folded words; datelines, source tags
  and "./." removed), for exact reposts.
- ``simhash``: 64-bit simhash over three-word shingles of the same normalised body, for
  near-duplicates: a repost with another headline, dateline or a few edited words is
  within :data:`NEAR_DUP_BITS` bits; a different story is not.
- ``signature``: language-independent features of the lead (title and first
  paragraphs): current provinces ``p:``, topics ``t:``, numbers ``n:``, dates ``d:``,
  Latin-script names ``e:`` (folded, so "Trần Văn Hùng" = "Tran Van Hung") and concept ids
  ``c:`` from ``data/concepts.json`` (so "ngư dân" and "fishermen" meet).
  :func:`story_similarity` is a weighted cosine of two signatures; items at or above
  :data:`SAME_STORY` tell the same story.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from itertools import compress
from pathlib import Path
from typing import Any

import numpy as np

from .lexicon import Hit
from .text import Doc, fold1, universal_words

# Simhash distance of a repost. Datelines, source tags and headlines are not hashed, so a
# plain repost is at 0; a word or two edited in a lead moves a few bits (measured: one
# edit in a 60-140 word lead moves 5 bits on average, 10 at most), while different
# stories are 19 or more bits apart (25 for the closest 5%). An index that finds
# candidates by equal bands needs NEAR_DUP_BITS + 1 bands to be sure to find them all.
NEAR_DUP_BITS = 6
SAME_STORY = 0.42  # story_similarity at or above which two items tell the same story
LEAD_CHARS = 900  # the signature reads the title and this much of the text

_MASK64 = (1 << 64) - 1
_PAREN_TAG = re.compile(r"\((?:[^()\n]{1,25})\)")
_DATELINE = re.compile(r"^\s*([^\n]{0,60}?)\s*[-–—]+\s+")
_END_TAGS = re.compile(r"(?:\./\.|\s*\((?:Theo|Nguồn|Source)[^)]*\)\s*)\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,]\d{3})+|\d+)(?:[.,]\d+)?(?![\w])")
_VI_DATE = re.compile(r"\b(?:ngày\s+)?(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(?:19|20)\d\d)?\b")
_VI_DATE2 = re.compile(r"\bngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\b", re.IGNORECASE)
_ZH_DATE = re.compile(r"(\d{1,2})月(\d{1,2})日")
_MONTHS = {
    "january": 1, "jan": 1, "janvier": 1, "february": 2, "feb": 2, "fevrier": 2,
    "march": 3, "mar": 3, "mars": 3, "april": 4, "apr": 4, "avril": 4, "may": 5, "mai": 5,
    "june": 6, "jun": 6, "juin": 6, "july": 7, "jul": 7, "juillet": 7, "august": 8,
    "aug": 8, "aout": 8, "september": 9, "sept": 9, "sep": 9, "septembre": 9,
    "october": 10, "oct": 10, "octobre": 10, "november": 11, "nov": 11, "novembre": 11,
    "december": 12, "dec": 12, "decembre": 12,
}  # fmt: skip
_MONTH_WORD = (
    "(jan(?:uary|vier)?|feb(?:ruary)?|fevrier|mar(?:ch|s)?|apr(?:il)?|avril|may|mai|june?|juin"
    "|july?|juillet|aug(?:ust)?|aout|sep(?:t|tember|tembre)?|oct(?:ober|obre)?"
    "|nov(?:ember|embre)?|dec(?:ember|embre)?)"
)
_EN_DATE = re.compile(rf"\b{_MONTH_WORD}\.?\s+(\d{{1,2}})\b|\b(\d{{1,2}})(?:er)?\s+{_MONTH_WORD}\b")
_VI_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$"
)
_TYPE_WEIGHTS = {"p": 2.0, "t": 0.5, "c": 1.0, "n": 2.0, "y": 1.0, "d": 2.5, "e": 2.0, "f": 1.0}


# --- normalisation and hashes -----------------------------------------------------


def _skipped_spans(text: str) -> list[tuple[int, int]]:
    """Spans of a body that are not its content: the dateline, source tags, "./."."""
    spans = []
    m = _DATELINE.match(text)
    if m:
        head = m.group(1)
        letters = [c for c in head if c.isalpha()]
        if "(" in head or (letters and all(c.isupper() for c in letters)):
            spans.append((0, m.end()))
    spans += [t.span() for t in _PAREN_TAG.finditer(text)]
    end = _END_TAGS.search(text)
    if end:
        spans.append(end.span())
    return spans


def body_words(doc: Doc) -> list[str]:
    """Folded words of a field without its dateline and source tags (Han characters one by
    one, so Chinese text has words too)."""
    spans = _skipped_spans(doc.nfc)
    if doc.lossy:
        folded = doc.folded
        for s, e in spans:
            folded = folded[:s] + " " * (e - s) + folded[e:]
        return universal_words(folded)
    if not spans:
        return doc.toks
    keep = [True] * len(doc.toks)
    for s, e in spans:
        lo, hi = bisect_left(doc.starts, s), bisect_left(doc.starts, e)
        keep[lo:hi] = [False] * (hi - lo)
    return list(compress(doc.toks, keep))


def _item_words(title: Doc, text: Doc) -> list[str]:
    words = body_words(text)
    if len(words) < 8:
        words = body_words(title) + words
    return words


def _sha1(words: Sequence[str]) -> str:
    return hashlib.sha1(" ".join(words).encode("utf-8"), usedforsecurity=False).hexdigest()


def content_hash(title: str, text: str) -> str:
    """Hex SHA-1 of the normalised body (with the title when the body is very short)."""
    return _sha1(_item_words(Doc.of(title), Doc.of(text)))


_WORD_HASHES: dict[str, int] = {}
_K1, _K2, _K3 = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
)


def _word_hashes(words: Sequence[str]) -> list[int]:
    """Stable 64-bit hashes of words (BLAKE2b; cached, as vocabularies repeat)."""
    cache = _WORD_HASHES
    out = list(map(cache.get, words))
    for i, h in enumerate(out):
        if h is None:
            word = words[i]
            h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
            if len(cache) > 500_000:
                cache.clear()
            cache[word] = out[i] = h
    return out  # type: ignore[return-value]


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, on an array of uint64."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _simhash_words(words: Sequence[str]) -> int:
    if not words:
        return 0
    h = np.array(_word_hashes(words), dtype=np.uint64)
    if len(h) >= 3:
        shingles = _mix(h[:-2] * _K1 + _mix(h[1:-1] * _K2) + _mix(_mix(h[2:]) * _K3))
    else:
        shingles = _mix(h)
    bits = np.unpackbits(shingles.astype("<u8").view(np.uint8)).reshape(-1, 64)
    ones = bits.sum(axis=0, dtype=np.int64)
    packed = np.packbits((ones * 2 > bits.shape[0]).astype(np.uint8)).tobytes()
    value = int.from_bytes(packed, "big")
    return value - (1 << 64) if value >= 1 << 63 else value


def simhash(text: str) -> int:
    """64-bit simhash of a text's three-word shingles, as a signed int64."""
    return _simhash_words(body_words(Doc.of(text)))


def fingerprints(title: Doc, text: Doc) -> tuple[str, int]:
    """(content hash, simhash) of an item: its body, with the title when the body is very
    short (so a repost under another headline is the same item)."""
    words = _item_words(title, text)
    return _sha1(words), _simhash_words(words)


def hamming(a: int, b: int) -> int:
    """Number of differing bits of two 64-bit hashes (signed or unsigned)."""
    return ((a ^ b) & _MASK64).bit_count()


def near_duplicate(a: int, b: int) -> bool:
    """Whether two simhashes are within :data:`NEAR_DUP_BITS` bits."""
    return hamming(a, b) <= NEAR_DUP_BITS


# --- story signatures ---------------------------------------------------------------


@cache
def _concepts() -> dict[str, dict[str, list[str]]]:
    path = Path(str(resources.files("ttdn.monitoring") / "data" / "concepts.json"))
    with path.open(encoding="utf-8") as fh:
        data: dict[str, dict[str, list[str]]] = json.load(fh)["concepts"]
    return data


@cache
def _stop_names() -> frozenset[str]:
    """Capitalised words that name no story (weekdays, agencies, "The" …), folded."""
    path = Path(str(resources.files("ttdn.monitoring") / "data" / "concepts.json"))
    with path.open(encoding="utf-8") as fh:
        return frozenset(json.load(fh)["stop_names"])


def concept_entries(lang: str) -> list[tuple[str, Any, Any]]:
    """Lexicon entries (phrase, group, concept id) for one language."""
    out: list[tuple[str, Any, Any]] = []
    for cid, by_lang in _concepts().items():
        for phrase in by_lang.get(lang, []):
            out.append((phrase, "c", cid))
    return out


def _numbers(text: str) -> set[str]:
    out = set()
    for m in _NUMBER.finditer(text):
        digits = re.sub(r"[.,]", "", m.group(1)).lstrip("0")
        if len(digits) >= 2:
            kind = "y" if len(digits) == 4 and digits[:2] in {"19", "20"} else "n"
            out.add(f"{kind}:{digits}")
    return out


def _dates(text: str) -> set[str]:
    out = set()
    for pattern in (_VI_DATE, _VI_DATE2, _ZH_DATE):
        for m in pattern.finditer(text):
            a, b = int(m.group(1)), int(m.group(2))
            day, month = (b, a) if pattern is _ZH_DATE else (a, b)
            if 1 <= day <= 31 and 1 <= month <= 12:
                out.add(f"d:{month:02d}-{day:02d}")
    for m in _EN_DATE.finditer(fold1(text)):
        name, number = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        named_month, day = _MONTHS.get(name), int(number)
        if named_month and 1 <= day <= 31:
            out.add(f"d:{named_month:02d}-{day:02d}")
    return out


def _entities(doc: Doc, limit: int, taken: Sequence[tuple[int, int]]) -> set[str]:
    """Folded capitalised names of the lead: "e:tran van hung", "e:formosa"."""
    out = set()
    toks, starts, nfc, joinable = doc.toks, doc.starts, doc.nfc, doc.joinable
    n = bisect_left(starts, limit)
    free = [True] * n
    for s, e in taken:  # words of place names are p: features already
        lo, hi = bisect_left(starts, s), min(n, bisect_left(starts, e))
        free[lo:hi] = [False] * max(0, hi - lo)
    i = 0
    while i < n:
        if not (free[i] and nfc[starts[i]].isupper()):
            i += 1
            continue
        j = i + 1
        while j < n and j - i < 5 and joinable[j - 1] and free[j] and nfc[starts[j]].isupper():
            j += 1
        words = toks[i:j]
        while words and words[0] in _stop_names():
            words = words[1:]
        while words and words[-1] in _stop_names():
            words = words[:-1]
        if len(words) >= 2:
            out.add("e:" + " ".join(words))
        elif len(words) == 1 and len(words[0]) >= 4:
            w = words[0]
            sentence_start = i == 0 or nfc[: starts[i]].rstrip()[-1:] in {"", ".", "!", "?", ":"}
            if not (sentence_start and j - i == 1) and (
                not _VI_SYLLABLE.match(w) or doc.all_caps(i)
            ):
                out.add("e:" + w)
        i = j
    return out


def signature(
    title: Doc,
    text: Doc,
    provinces: Iterable[str],
    topics: Iterable[str],
    concept_hits: Iterable[Hit],
    place_spans: Sequence[tuple[str, int, int]] = (),
) -> frozenset[str]:
    """Story features of an item (see the module docstring)."""
    feats: set[str] = {f"p:{p}" for p in provinces}
    feats |= {f"t:{t}" for t in topics if t != "khac"}
    feats |= {f"c:{h.payload}" for h in concept_hits if h.group == "c"}
    lead = f"{title.nfc}\n{text.nfc[:LEAD_CHARS]}"
    feats |= _numbers(lead)
    feats |= _dates(lead)
    for doc, name in ((title, "title"), (text, "text")):
        taken = [(s, e) for f, s, e in place_spans if f == name]
        feats |= _entities(doc, LEAD_CHARS if name == "text" else len(doc.nfc), taken)
    return frozenset(feats)


def _weight(feature: str) -> float:
    return _TYPE_WEIGHTS.get(feature.split(":", 1)[0], 1.0)


def story_similarity(sig_a: frozenset[str], sig_b: frozenset[str]) -> float:
    """Weighted cosine of two signatures, 0..1."""
    if not sig_a or not sig_b:
        return 0.0
    shared = sum(_weight(f) for f in sig_a & sig_b)
    if not shared:
        return 0.0
    wa = sum(_weight(f) for f in sig_a)
    wb = sum(_weight(f) for f in sig_b)
    return shared / math.sqrt(wa * wb)
