"""Byte decoding, including the legacy 8-bit Vietnamese encodings TCVN3 (ABC) and VNI-Windows.

Older provincial files were typed with TCVN3 fonts (.VnTime) or VNI fonts (VNI-Times). Their
bytes are plain 8-bit text: read as cp1252 they give tell-tale strings such as "Tr­êng"
(Trường, TCVN3) or "Vieät Nam" (VNI, where a base vowel is followed by a mark byte). The
conversion tables below are written from the public definitions of the two encodings:

* TCVN3: one byte per lower-case letter with diacritics; capitals with tone marks live in a
  separate "H" font that reuses the lower-case codes, so only Ă Â Đ Ê Ô Ơ Ư have own codes.
* VNI-Windows: a base letter followed by one mark byte (acute ù/Ù, grave ø/Ø, hook û/Û, tilde
  õ/Õ, dot ï/Ï; circumflex+tone â á à å ã ä; breve+tone ê é è ú ü ë); ơ ư đ and the tone-marked
  i/ỵ are single bytes.

``detect_and_decode`` tries the candidate decodings and keeps the one whose words look most
like Vietnamese (share of very frequent Vietnamese syllables), so it needs no guessing
library and is deterministic.
"""

from __future__ import annotations

import re
import unicodedata

# --- TCVN3 (ABC) --------------------------------------------------------------------------

_TCVN3_ROWS = [
    # (unicode letters, TCVN3 characters as read through cp1252), same order
    ("àáảãạ", "µ¸¶·¹"),
    ("ăằắẳẵặ", "¨»¾¼½Æ"),
    ("âầấẩẫậ", "©ÇÊÈÉË"),
    ("đ", "®"),
    ("èéẻẽẹ", "ÌÐÎÏÑ"),
    ("êềếểễệ", "ªÒÕÓÔÖ"),
    ("ìíỉĩị", "×ÝØÜÞ"),
    ("òóỏõọ", "ßãáâä"),
    ("ôồốổỗộ", "«åèæçé"),
    ("ơờớởỡợ", "¬êíëìî"),
    ("ùúủũụ", "ïóñòô"),
    ("ưừứửữự", "\u00adõøö÷ù"),
    ("ỳýỷỹỵ", "úýûüþ"),
    ("ĂÂĐÊÔƠƯ", "¡¢§£¤¥¦"),
]
TCVN3_TO_UNICODE: dict[str, str] = {}
for _uni, _tcvn in _TCVN3_ROWS:
    assert len(_uni) == len(_tcvn)
    TCVN3_TO_UNICODE.update(zip(_tcvn, _uni, strict=True))
UNICODE_TO_TCVN3 = {v: k for k, v in TCVN3_TO_UNICODE.items()}
_TCVN3_TABLE = str.maketrans(TCVN3_TO_UNICODE)

# --- VNI-Windows --------------------------------------------------------------------------

_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_SIMPLE = {"ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
_CIRC = {"â": "", "á": _ACUTE, "à": _GRAVE, "å": _HOOK, "ã": _TILDE, "ä": _DOT}
_BREVE = {"ê": "", "é": _ACUTE, "è": _GRAVE, "ú": _HOOK, "ü": _TILDE, "ë": _DOT}


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {}

    def add(seq: str, uni: str) -> None:
        table[seq] = _nfc(uni)
        table[seq.upper()] = _nfc(uni).upper()

    for base in "aeouy":
        for mark, tone in _SIMPLE.items():
            if base == "y" and tone == _DOT:
                continue  # ỵ has its own byte
            add(base + mark, base + tone)
    for base in "aeo":
        for mark, tone in _CIRC.items():
            add(base + mark, base + "\u0302" + tone)
    for mark, tone in _BREVE.items():
        add("a" + mark, "a\u0306" + tone)
    for single, uni in (("ô", "ơ"), ("ö", "ư")):
        add(single, uni)
        for mark, tone in _SIMPLE.items():
            add(single + mark, uni + tone)
    for single, tone in (("í", _ACUTE), ("ì", _GRAVE), ("æ", _HOOK), ("ó", _TILDE), ("ò", _DOT)):
        add(single, "i" + tone)
    add("î", "y" + _DOT)
    add("ñ", "đ")
    return table


VNI_TO_UNICODE = _vni_table()
UNICODE_TO_VNI = {v: k for k, v in sorted(VNI_TO_UNICODE.items(), key=lambda kv: -len(kv[0]))}
_VNI_RE = re.compile("|".join(sorted(map(re.escape, VNI_TO_UNICODE), key=len, reverse=True)))


def tcvn3_to_unicode(text: str) -> str:
    return text.translate(_TCVN3_TABLE)


# Letters that TCVN3 only has in lower case in the usual fonts: capitals typed with a
# ".VnTimeH" font reuse these codes, so after conversion "KẾ HOẠCH" reads "Kế HOạCH".
_TCVN3_LOWER = frozenset("".join(uni for uni, _ in _TCVN3_ROWS[:-1]))
_LINE_TOKEN = re.compile(r"\S+")
_LETTERS = re.compile(r"[^\W\d_]+")


def _word_kind(word: str) -> str:
    """U: all upper case; C: capitals with TCVN3 lower-case letters inside ("HOạCH", "ủY");
    A: ambiguous, an initial capital or none plus only such letters ("Kế", "ở"); L: lower case.
    """
    if word.isupper():
        return "U"
    plain = [c for c in word if c not in _TCVN3_LOWER]
    if any(c.islower() for c in plain):
        return "L"
    if any(c.isupper() for c in word[1:]):
        return "C"
    return "A"


def restore_tcvn3_capitals(text: str) -> str:
    """Upper-case the TCVN3 lower-case letters that stood for capitals.

    A word whose other letters are capitals ("HOạCH", "ủY", "TỉNH") is a capital word; in a line
    that holds no lower-case word and some capital words, every word is ("Tổ CHứC" → "TỔ
    CHỨC", "Hà" in "TỈNH Hà NAM"); one acronym does not make a line capital ("Sở TT&TT").
    Tokens with digits or slashes (identifiers, dates) are left alone and do not count.
    """
    out_lines: list[str] = []
    for line in text.split("\n"):
        words = [
            (m, w)
            for m in _LINE_TOKEN.finditer(line)
            if not re.search(r"[\d/]", m.group(0))
            for w in _LETTERS.finditer(m.group(0))
        ]
        kinds = [_word_kind(w.group(0)) for _m, w in words]
        if not any(k == "C" or k == "A" for k in kinds):
            out_lines.append(line)
            continue
        capital_words = kinds.count("C")
        # Upper-case tokens ("UBND", "TT&TT") count once each, whatever their inner parts.
        upper_tokens = len(
            {
                id(m)
                for k, (m, w) in zip(kinds, words, strict=True)
                if k == "U" and len(w.group(0)) >= 2
            }
        )
        strong = capital_words + upper_tokens
        all_caps = (
            "L" not in kinds
            and (capital_words >= 1 or upper_tokens >= 2)
            and strong >= kinds.count("A")
        )
        chars = list(line)
        for k, (m, w) in zip(kinds, words, strict=True):
            if k == "C" or (k == "A" and all_caps):
                start = m.start() + w.start()
                chars[start : start + len(w.group(0))] = list(w.group(0).upper())
        out_lines.append("".join(chars))
    return "\n".join(out_lines)


def vni_to_unicode(text: str) -> str:
    return _VNI_RE.sub(lambda m: VNI_TO_UNICODE[m.group(0)], text)


def unicode_to_tcvn3(text: str) -> str:
    """Inverse mapping (for tests): capitals with tone marks fall back to lower case."""
    out = []
    for ch in _nfc(text):
        if ch in UNICODE_TO_TCVN3:
            out.append(UNICODE_TO_TCVN3[ch])
        elif ch.lower() in UNICODE_TO_TCVN3 and ch.isupper():
            out.append(UNICODE_TO_TCVN3[ch.lower()])
        else:
            out.append(ch)
    return "".join(out)


def unicode_to_vni(text: str) -> str:
    return "".join(UNICODE_TO_VNI.get(ch, ch) for ch in _nfc(text))


# --- detection ----------------------------------------------------------------------------

_COMMON = frozenset(
    (
        "và",
        "của",
        "các",
        "được",
        "thông",
        "tin",
        "năm",
        "người",
        "trong",
        "những",
        "với",
        "cho",
        "để",
        "này",
        "tỉnh",
        "đối",
        "ngoại",
        "thực",
        "hiện",
        "việt",
        "nam",
        "quản",
        "lý",
        "công",
        "tác",
        "có",
        "là",
        "một",
        "không",
        "đã",
        "về",
        "theo",
        "tại",
        "sở",
        "ban",
        "ngành",
        "ủy",
        "nhân",
        "dân",
        "kế",
        "hoạch",
        "truyền",
        "hoạt",
        "động",
        "phát",
        "triển",
        "chủ",
        "trì",
        "phối",
        "hợp",
        "cơ",
        "quan",
        "đơn",
        "vị",
        "địa",
        "phương",
        "tuyên",
        "quảng",
        "bá",
        "nước",
        "quốc",
        "tế",
        "xã",
        "hội",
        "huyện",
        "thành",
        "phố",
        "chính",
        "phủ",
        "nhà",
        "đảng",
        "trung",
        "ương",
        "hướng",
        "dẫn",
        "báo",
        "chí",
    )
)
_WORD = re.compile(r"[^\W\d_]+")


def vietnamese_score(text: str) -> float:
    """Share of words that are very frequent Vietnamese syllables (0..1)."""
    words = _WORD.findall(text[:50000].lower())
    if not words:
        return 0.0
    return sum(1 for w in words if w in _COMMON) / len(words)


def _legacy_candidates(text: str) -> list[tuple[str, str]]:
    return [("tcvn3", _nfc(tcvn3_to_unicode(text))), ("vni", _nfc(vni_to_unicode(text)))]


def _finish(name: str | None, text: str) -> str:
    # The Vietnamese score reads lower case, so capitals are restored only for the winner.
    return restore_tcvn3_capitals(text) if name == "tcvn3" else text


def fix_legacy_text(text: str) -> tuple[str, str | None]:
    """Convert Unicode text that is really TCVN3/VNI read through a Western font mapping."""
    base = vietnamese_score(text)
    best_name: str | None = None
    best_text, best_score = text, base
    for name, converted in _legacy_candidates(text):
        score = vietnamese_score(converted)
        if score > best_score + 0.05:
            best_name, best_text, best_score = name, converted, score
    return _finish(best_name, best_text), best_name


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0)
    odd_nul = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nul > 0.3 * half and even_nul < 0.05 * half:
        return "utf-16-le"
    if even_nul > 0.3 * half and odd_nul < 0.05 * half:
        return "utf-16-be"
    return None


def detect_and_decode(data: bytes) -> tuple[str, str]:
    """Decode document bytes to Unicode text; return (text, encoding name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _nfc(data[3:].decode("utf-8", errors="replace")), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _nfc(data.decode("utf-16", errors="replace")), "utf-16"
    utf16 = _looks_utf16(data)
    if utf16:
        return _nfc(data.decode(utf16, errors="replace")), utf16
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        fixed, legacy = fix_legacy_text(_nfc(text))
        return fixed, f"utf-8+{legacy}" if legacy else "utf-8"
    # 8-bit text: Western reading for the legacy Vietnamese font encodings, and cp1258.
    western = data.decode("cp1252", errors="replace")
    if "\ufffd" in western:
        western = (
            "".join(ch if ch != "\ufffd" else chr(b) for ch, b in zip(western, data, strict=False))
            if len(western) == len(data)
            else data.decode("latin-1")
        )
    candidates = [("cp1258", _nfc(data.decode("cp1258", errors="replace")))]
    candidates += _legacy_candidates(western)
    candidates.append(("cp1252", _nfc(western)))
    name, text = max(candidates, key=lambda c: vietnamese_score(c[1]))
    return _finish(name, text), name
