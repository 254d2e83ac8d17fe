"""Vietnamese text helpers shared by every app: folding for search and matching.

``fold`` gives a key that ignores case, diacritics and the letter đ (which Unicode does
not decompose: it is a letter of its own, so it is mapped by hand). ``normalize_tone``
moves tone marks to the "new" placement so that "Uỷ ban"/"Ủy ban" and "hoá"/"hóa"
compare equal before folding is needed.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")

# Old-style tone placement (on the first vowel of oa/oe/uy) → new style (on the second).
_OLD_TONE = {
    "òa": "oà",
    "óa": "oá",
    "ỏa": "oả",
    "õa": "oã",
    "ọa": "oạ",
    "òe": "oè",
    "óe": "oé",
    "ỏe": "oẻ",
    "õe": "oẽ",
    "ọe": "oẹ",
    "ùy": "uỳ",
    "úy": "uý",
    "ủy": "uỷ",
    "ũy": "uỹ",
    "ụy": "uỵ",
}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def squash(text: str) -> str:
    """NFC, one space between words, no leading or trailing space."""
    return _SPACES.sub(" ", nfc(text)).strip()


def normalize_tone(text: str) -> str:
    """Write tone marks in one placement so that both spellings compare equal.

    Vietnamese offices use both "Ủy ban" and "Uỷ ban", "hóa" and "hoá". We map the
    old placement on "oa/oe/uy" to the mark on the first vowel (the form that
    Vietnamese government documents use today: "hóa", "Ủy").
    """
    text = nfc(text)
    out = text
    for old, new in _OLD_TONE.items():
        # new-style → the form with the mark on the first vowel
        out = out.replace(new, old).replace(new.capitalize(), old.capitalize())
        out = out.replace(new.upper(), old.upper())
    return out


def fold(text: str) -> str:
    """Lower case, no diacritics, đ→d, single spaces: a key for matching and search."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", text.lower()).strip()
