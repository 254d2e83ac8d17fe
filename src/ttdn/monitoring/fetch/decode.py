"""Turning the bytes of a web page into text.

Vietnamese news sites are mostly UTF-8, but older provincial portals still serve
windows-1258, and the monitor also reads Chinese, Japanese and Korean sources. The order is
the browsers' order, with one exception learnt from practice: a byte order mark wins; then
a body that is valid UTF-8 is UTF-8 whatever the labels say (servers often send a stale
"iso-8859-1" label, and legacy text is almost never valid UTF-8 by accident); then the
HTTP charset, then ``<meta charset>`` or the XML declaration; then a guess among the legacy
encodings, keeping the one whose text looks most like real words of its language. Bytes
that are not text at all raise :class:`~.errors.EncodingError`.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from django.utils.translation import gettext as _

from .errors import EncodingError


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{1,40})""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([a-zA-Z0-9_.:-]{1,40})""")

# Labels mapped to the encoding browsers actually use for them (the WHATWG table's
# supersets), so that a page labelled gb2312 with a GBK character still decodes.
_SUPERSETS = {
    "ascii": "cp1252",
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "tis_620": "cp874",
    "iso8859_11": "cp874",
    "iso8859_9": "cp1254",
}
_UTF8 = frozenset({"utf_8", "utf_8_sig"})

_VIETNAMESE = _words(
    "và của các được có là một không những người trong cho với này đã về theo tại từ "
    "năm đến khi để ra trên nhiều như sẽ cũng đó nhà ngày việc thì nước bị đang còn "
    "hơn vào việt nam tỉnh thành phố công tác phát triển kinh tế xã hội chính phủ "
    "quốc tế dân báo tin thông cùng sau lại đầu đồng hợp động hiện thực quan chủ tịch "
    "ủy ban nhân đại biểu hội nghị trường học sinh viên giáo dục y tế đường giao"
)
_SIMPLIFIED = frozenset(
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下"
    "自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部"
    "其些主样理心本前开但因只从想实日者意无力它与长把机十民第公此已工使情明性知全三又关点"
    "正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西"
    "，。、：；！？“”《》"
)
_TRADITIONAL = frozenset(
    "的一是不了在人有我他這個們中來上大為和國地到以說時要就出會可也你對生能而子那得於著下"
    "自之年過發後作裡用道行所然家種事成方多經麼去法學如都同現當沒動面起看定天分還進好小部"
    "其些主樣理心本前開但因只從想實日者意無力它與長把機十民第公此已工使情明性知全三又關點"
    "正業外將兩高間由問很最重並物手應戰向頭文體政美相見被利什二等產或新己製身果加西臺灣"
    "，。、：；！？「」《》"
)
_KOREAN = frozenset(
    "이의다에는을를하고가한지로서기있사대도적수것들나해게보리정어시자일와과년국인한전부"
    "문제위회민경주원상장만그때및또우리에서으로했다니다습"
)


def _is_japanese(ch: str) -> bool:
    return "\u3041" <= ch <= "\u30ff" or ch in "、。「」"


def normalize_charset(label: str | None) -> str | None:
    """The Python codec for an HTTP or HTML charset label, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in ("x-user-defined", "unicode-1-1-utf-8", "utf8mb4"):
        label = "utf-8"
    try:
        name = codecs.lookup(label).name.replace("-", "_")
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def sniff_declared_charset(content: bytes) -> str | None:
    """The charset named in the XML declaration or a ``<meta>`` tag near the top."""
    head = content[:8192]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _bom(content: bytes) -> tuple[str, int] | None:
    if content.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if content.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) and len(content) % 4 == 0:
        return "utf-32", 0
    if content.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if content.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    return None


def _utf16_without_bom(content: bytes) -> str | None:
    sample = content[:4000]
    if len(sample) < 8:
        return None
    half = len(sample) / 2
    even_nul, odd_nul = sample[0::2].count(0), sample[1::2].count(0)
    if odd_nul > 0.3 * half and even_nul < 0.02 * half:
        return "utf-16-le"
    if even_nul > 0.3 * half and odd_nul < 0.02 * half:
        return "utf-16-be"
    return None


def _words_score(text: str, frequent: frozenset[str]) -> float:
    words = re.findall(r"[^\W\d_]+", text[:60000].lower())
    if not words:
        return 0.0
    return sum(1 for word in words if word in frequent) / len(words)


def _chars_score(text: str, frequent: frozenset[str] | None) -> float:
    wide = [ch for ch in text[:60000] if ord(ch) > 0x2000]
    if not wide:
        return 0.0
    if frequent is None:
        return sum(1 for ch in wide if _is_japanese(ch)) / len(wide)
    return sum(1 for ch in wide if ch in frequent) / len(wide)


def _score(codec: str, text: str) -> float:
    if codec == "cp1258":
        return _words_score(unicodedata.normalize("NFC", text), _VIETNAMESE)
    if codec == "gb18030":
        return _chars_score(text, _SIMPLIFIED)
    if codec == "big5hkscs":
        return _chars_score(text, _TRADITIONAL)
    if codec == "cp932":
        return _chars_score(text, None)
    if codec == "cp949":
        return _chars_score(text, _KOREAN)
    return 0.0


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    sample = text[:100000]
    controls = len(_CONTROLS.findall(sample))
    return controls <= len(sample) / 100


_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _guess(content: bytes) -> str | None:
    candidates: dict[str, str] = {}
    for codec in ("cp1258", "gb18030", "big5hkscs", "cp932", "cp949", "cp1252"):
        try:
            candidates[codec] = content.decode(codec)
        except UnicodeDecodeError:
            continue
    scored = [(_score(codec, text), codec) for codec, text in candidates.items()]
    scored = [item for item in scored if item[0] >= 0.08]
    if scored:
        return max(scored)[1]
    # No language stands out: Western text is the common case left, then Vietnamese.
    for codec in ("cp1252", "cp1258"):
        if codec in candidates:
            return codec
    return None


def _undecodable() -> EncodingError:
    return EncodingError(
        _("The page could not be read as text: its character encoding is not recognised.")
    )


def _finish(text: str) -> str:
    if not _looks_like_text(text):
        raise _undecodable()
    return unicodedata.normalize("NFC", text)


def decode_html(content: bytes, charset_hint: str | None = None) -> str:
    """Decode a page (HTML, XML or plain text) to NFC text; see the module docstring."""
    if not content:
        return ""
    bom = _bom(content)
    if bom is not None:
        codec, skip = bom
        return _finish(content[skip:].decode(codec, errors="replace"))
    utf16 = _utf16_without_bom(content)
    if utf16 is not None:
        return _finish(content.decode(utf16, errors="replace"))
    if content.count(0) > len(content) / 100:
        raise _undecodable()
    try:
        return _finish(content.decode("utf-8"))
    except UnicodeDecodeError:
        pass

    declared: list[str] = []
    for label in (charset_hint, sniff_declared_charset(content)):
        named = normalize_charset(label)
        if named and named not in declared and named not in _UTF8:
            declared.append(named)
    for codec in declared:
        try:
            return _finish(content.decode(codec))
        except (UnicodeDecodeError, LookupError):
            continue

    # UTF-8 with a few broken bytes (a page cut in the middle of a character, a stray
    # Latin-1 byte in a template) is still UTF-8.
    text = content.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    multibyte = sum(1 for ch in text if ord(ch) > 127) - bad
    if (bad <= 3 and multibyte >= bad) or multibyte >= 20 * bad:
        return _finish(text)

    # A declared legacy encoding with a few invalid bytes beats a guess.
    for codec in declared:
        try:
            text = content.decode(codec, errors="replace")
        except LookupError:
            continue
        if text.count("\ufffd") <= max(3, len(text) // 500):
            return _finish(text)

    guessed = _guess(content)
    if guessed is None:
        raise _undecodable()
    return _finish(content.decode(guessed))
