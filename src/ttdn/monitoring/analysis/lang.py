"""Language identification: cheap script evidence first, then py3langid.

Vietnamese is recognised by its letters (ă â đ ê ô ơ ư and the tone-marked vowels),
Chinese by Han characters without kana or hangul; the rest goes to py3langid restricted
to the languages this platform meets (Vietnam's press, its neighbours' and partners').
Vietnamese typed without diacritics is recognised by its frequent syllables.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .text import CJK

LANGUAGES = (
    "vi", "en", "fr", "zh", "ja", "ko", "ru", "de", "es", "it", "pt", "nl",
    "th", "lo", "km", "id", "ms", "tl", "ar", "hi",
)  # fmt: skip

_VI_LETTERS = re.compile(
    "[ăâđêôơưĂÂĐÊÔƠƯ"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ]"
)
# Letters that Vietnamese has and French/Portuguese/… do not use the same way.
_VI_ONLY = re.compile("[ăđơưĂĐƠƯảãạằắẳẵặầấẩẫậẻẽẹềếểễệỉĩịỏọồốổỗộờớởỡợủũụừứửữựỳỷỹỵ]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_LAO = re.compile(r"[\u0e80-\u0eff]")
_KHMER = re.compile(r"[\u1780-\u17ff]")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[a-z]+")


@cache
def _vi_plain() -> frozenset[str]:
    """Frequent Vietnamese syllables typed without diacritics, rare in other languages."""
    path = Path(str(resources.files("ttdn.monitoring") / "data" / "languages.json"))
    with path.open(encoding="utf-8") as fh:
        return frozenset(json.load(fh)["vi_plain_syllables"])


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def _script(sample: str) -> str | None:
    """A language the writing system settles, or None."""
    if sample.isascii():
        return None
    # Vietnamese first: the common case, and one cheap count settles it.
    vi_only = len(_VI_ONLY.findall(sample))
    if vi_only >= 3 and vi_only > len(sample) * 0.02:
        return "vi"
    letters = len(_LETTER.findall(sample)) or 1
    han = len(CJK.findall(sample))
    if _KANA.search(sample) and han + len(_KANA.findall(sample)) > letters * 0.3:
        return "ja"
    if _HANGUL.search(sample) and len(_HANGUL.findall(sample)) > letters * 0.3:
        return "ko"
    if han > letters * 0.3:
        return "zh"
    for pattern, code in ((_THAI, "th"), (_LAO, "lo"), (_KHMER, "km")):
        if pattern.search(sample) and len(pattern.findall(sample)) > letters * 0.3:
            return code
    if vi_only >= 2 and len(_VI_LETTERS.findall(sample)) > letters * 0.06:
        return "vi"
    return None


def detect_language_scored(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, confidence 0..1)."""
    sample = (text or "")[:800]
    if not sample.strip():
        return "und", 0.0
    script = _script(sample)
    if script:
        return script, 0.99
    words = _WORD.findall(sample.lower())
    if words:
        vi_plain = sum(1 for w in words if w in _vi_plain())
        if len(words) >= 4 and vi_plain >= max(2, len(words) * 0.25):
            return "vi", 0.8
    lang, conf = _identifier().classify(sample[:400])
    return str(lang), float(conf)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language ("und" for no text)."""
    return detect_language_scored(text)[0]


def choose_language(title: str, text: str, hint: str | None = None) -> str:
    """The item's language: detection on title and text, the hint (the source's declared
    language) when detection is unsure."""
    lang, conf = detect_language_scored(f"{title}\n{text}")
    hint = (hint or "").strip().lower()[:2] or None
    if hint and lang != hint and conf < 0.9:
        return hint
    if lang == "und":
        return hint or "und"
    return lang
