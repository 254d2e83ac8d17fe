"""Text preparation shared by the analysis stages: one pass per field, offsets kept.

A :class:`Doc` holds one field (title or text) in NFC, a *folded* copy of the same
length (lower case, no diacritics, đ→d, one character per character so that offsets are
shared) and its word tokens. Offsets found in the NFC string are mapped back to the
caller's original string with :meth:`Doc.orig_span` (the UI highlights them there).

The matchers of places, keywords and sentiment phrases all work the same way: walk a
trie of folded words, then *verify* the span as written: it must either equal the
entry's written form (diacritics and tone placement compared) or be written without
any diacritics. That is what keeps "Vinh" from matching "Vĩnh" while "Ha Giang" still
matches "Hà Giang".

Speed matters (hundreds of 3 KB articles a second on one core): tokens come from one
``re.split`` over an ASCII copy of the folded text, and the gaps between words are
classified through a small cache.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from ttdn.core.text import _OLD_TONE

_SPLIT = re.compile(r"([a-z0-9]+)")
_EAST_ASIAN = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
# Any script: a Han, kana or hangul character alone, or a run of other letters and digits.
_UNIVERSAL_WORD = re.compile(rf"[{_EAST_ASIAN}]|[^\W_{_EAST_ASIAN}]+")
# What may stand between the words of one name: spaces, a hyphen or dash, a line break.
_GAP_OK = re.compile(r"[ \t]*(?:-[ \t]*)?|[ \t]*(?:\r?\n)?[ \t]*")
# … and of a keyword phrase, which may also be written with a comma ("biển, đảo").
_GAP_LOOSE = re.compile(r"[ \t]*[-,]?[ \t]*(?:\r?\n)?[ \t]*")
_DASHES = re.compile(r"\s*[-–—‐]\s*|\s+")
_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:vn|com|net|org|gov|info|edu|int)\b(?:/\S*)?"
    r"|\S+@\S+\.\w+",
    re.IGNORECASE,
)
_URL_MARKERS = ("http", "www.", ".vn", ".com", ".net", ".org", ".gov", ".info", ".edu", ".int", "@")
_MARKED = re.compile(r"[\u00c0-\u024f\u1e00-\u1eff]")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """One character → one folded character (lower case, no marks, đ→d)."""
    if ch < "\x80":
        return ch.lower()
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0].lower()
    return base if len(base) == 1 else ch


def _build_fold_table() -> dict[int, str]:
    table = {cp: chr(cp + 32) for cp in range(0x41, 0x5B)}
    # dashes and no-break spaces as their ASCII counterparts: gaps between words are read
    # from the folded ASCII copy
    table.update({ord(c): "-" for c in "‐‑‒–—―−"})
    table[0xA0] = " "
    for cp in range(0x80, 0x2000):
        ch = chr(cp)
        f = fold_char(ch)
        if f != ch:
            table[cp] = f
    return table


_FOLD_TABLE = _build_fold_table()


def fold1(text: str) -> str:
    """Fold ``text`` character by character: the result has the same length."""
    return text.translate(_FOLD_TABLE)


def _ascii_folded(text: str) -> str:
    folded = fold1(unicodedata.normalize("NFC", text))
    return folded if folded.isascii() else folded.encode("ascii", "replace").decode()


def fold(text: str) -> str:
    """Folded key, words separated by one space ("Thừa Thiên - Huế" → "thua thien hue"),
    split into words exactly as :class:`Doc` splits a text."""
    return " ".join(_SPLIT.findall(_ascii_folded(text)))


def word_capitals(text: str) -> tuple[bool, ...]:
    """For each word of ``text`` (as :func:`fold` splits it), whether it is capitalised."""
    nfc = unicodedata.normalize("NFC", text)
    return tuple(nfc[m.start()].isupper() for m in re.finditer("[a-z0-9]+", _ascii_folded(nfc)))


def _tone_table() -> dict[str, str]:
    table = {}
    for old, new in _OLD_TONE.items():
        table[new] = old
        table[new.capitalize()] = old.capitalize()
        table[new.upper()] = old.upper()
    return table


_TONES = _tone_table()
_TONE_RE = re.compile("|".join(map(re.escape, _TONES)))


@lru_cache(maxsize=65536)
def written(text: str) -> str:
    """How a name is written, for comparing diacritics: NFC, one tone placement ("hoá" =
    "hóa", as ``ttdn.core.text.normalize_tone``), lower case, dashes and spaces as one
    space."""
    text = unicodedata.normalize("NFC", text)
    text = _TONE_RE.sub(lambda m: _TONES[m.group()], text)
    return _DASHES.sub(" ", text.lower()).strip()


@lru_cache(maxsize=65536)
def written_phrase(text: str) -> str:
    """:func:`written` ignoring commas (keyword phrases such as "biển, đảo")."""
    return written(text.replace(",", " "))


def universal_words(folded: str) -> list[str]:
    """Words of a folded text in any script (Han characters one by one)."""
    return _UNIVERSAL_WORD.findall(folded)


def is_plain(text: str) -> bool:
    """Written without diacritics (ASCII letters only)."""
    return text.isascii()


def _nfc_with_map(text: str) -> tuple[str, list[int] | None]:
    """NFC text and, when normalisation changed the string, the map NFC index → original."""
    nfc = unicodedata.normalize("NFC", text)
    if nfc == text:
        return text, None
    out: list[str] = []
    mapping: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j])
        out.append(piece)
        mapping.extend([i] * len(piece))
        i = j
    mapping.append(n)
    return "".join(out), mapping


_GAPS: dict[str, tuple[bool, bool]] = {}


def _gap_kind(gap: str) -> tuple[bool, bool]:
    """(may join a name, may join a keyword phrase) for the text between two words, as
    found in the folded ASCII copy (dashes are "-", other symbols "?")."""
    kind = _GAPS.get(gap)
    if kind is None:
        strict = _GAP_OK.fullmatch(gap) is not None
        kind = (strict, strict or _GAP_LOOSE.fullmatch(gap) is not None)
        if len(_GAPS) < 10000:
            _GAPS[gap] = kind
    return kind


@dataclass(eq=False)
class Doc:
    """One field prepared for matching."""

    original: str
    nfc: str
    folded: str
    starts: list[int]
    ends: list[int]
    toks: list[str]  # folded ASCII words
    joinable: list[bool]  # word i and i+1 may belong to one name
    joinable_loose: list[bool]  # … to one keyword phrase ("biển, đảo")
    mapping: list[int] | None = None  # NFC offset → original offset, when they differ
    cjk: bool = False
    plain: bool = False  # written without diacritics: plain words stand for accented ones
    lossy: bool = False  # many characters are not Latin letters (Chinese, Thai …)

    @classmethod
    def of(cls, text: str) -> Doc:
        nfc, mapping = _nfc_with_map(text or "")
        folded = fold1(nfc)
        if any(marker in folded for marker in _URL_MARKERS):
            # addresses and site names are not text: blank them (offsets stay valid)
            folded = _URL.sub(lambda m: " " * len(m.group()), folded)
        # Non-ASCII characters left after folding (CJK, symbols) become "?" one for one.
        ascii_copy = folded if folded.isascii() else folded.encode("ascii", "replace").decode()
        parts = _SPLIT.split(ascii_copy)
        toks = parts[1::2]
        offsets = list(accumulate(map(len, parts)))
        starts = offsets[0::2][: len(toks)]
        ends = offsets[1::2]
        cache = _GAPS
        kinds = [cache[g] if g in cache else _gap_kind(g) for g in parts[2 : 2 * len(toks) : 2]]
        joinable = [k[0] for k in kinds]
        joinable.append(False)
        loose = [k[1] for k in kinds]
        loose.append(False)
        ascii_text = nfc.isascii()
        return cls(
            original=text or "",
            nfc=nfc,
            folded=folded,
            starts=starts,
            ends=ends,
            toks=toks,
            joinable=joinable,
            joinable_loose=loose,
            mapping=mapping,
            cjk=not ascii_text and CJK.search(nfc) is not None,
            lossy=ascii_copy.count("?") - folded.count("?") > len(folded) // 10,
            plain=ascii_text or len(_MARKED.findall(nfc)) <= max(1, len(toks) // 50),
        )

    def orig_span(self, start: int, end: int) -> tuple[int, int]:
        if self.mapping is None:
            return start, end
        return self.mapping[start], self.mapping[end]

    def surface(self, i: int, j: int) -> str:
        """Text of words i..j-1 as written (NFC)."""
        return self.nfc[self.starts[i] : self.ends[j - 1]]

    def capitalised(self, i: int) -> bool:
        return self.nfc[self.starts[i]].isupper()

    def all_caps(self, i: int) -> bool:
        w = self.nfc[self.starts[i] : self.ends[i]]
        return len(w) > 1 and w.isupper()
