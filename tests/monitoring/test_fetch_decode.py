"""Decoding page bytes: BOM, labels, UTF-8 first, legacy guesses, and bytes that are no text."""

from __future__ import annotations

import unicodedata

import pytest
from django.utils import translation

from ttdn.monitoring.fetch import EncodingError, decode_html
from ttdn.monitoring.fetch.decode import normalize_charset, sniff_declared_charset

VIETNAMESE = (
    "Chiều ngày 5/7, Ủy ban nhân dân tỉnh đã tiếp đoàn đại biểu của Lào. Hai bên trao đổi về "
    "hợp tác phát triển kinh tế, văn hóa và giáo dục trong những năm tới."
)
CHINESE = "越南省代表团访问了我们的城市，双方签署了经济合作协议。这是两国人民友好交流的新成果。"
TRADITIONAL = "越南省代表團訪問了我們的城市，雙方簽署了經濟合作協議。這是兩國人民友好交流的新成果。"
JAPANESE = "ベトナムの省代表団が市を訪問し、経済協力に関する覚書に署名しました。"
KOREAN = "베트남 성 대표단이 우리 시를 방문하여 경제 협력에 관한 양해각서에 서명했다."

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """windows-1258 bytes: base letters with their own code, tone marks as combining bytes."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


def test_utf8_is_read_whatever_the_label_says():
    raw = page(VIETNAMESE).encode()
    assert VIETNAMESE in decode_html(raw, "iso-8859-1")
    assert VIETNAMESE in decode_html(raw, None)


@pytest.mark.parametrize(
    ("prefix", "codec"),
    [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")],
)
def test_a_byte_order_mark_wins(prefix, codec):
    raw = prefix + page(VIETNAMESE).encode(codec)
    assert VIETNAMESE in decode_html(raw, "windows-1252")


def test_utf16_without_a_mark_is_recognised():
    assert VIETNAMESE in decode_html(page(VIETNAMESE).encode("utf-16-le"), None)


def test_windows_1258_from_the_http_header():
    raw = to_cp1258(page(VIETNAMESE))
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert VIETNAMESE in decode_html(raw, "windows-1258")


def test_windows_1258_from_a_meta_tag():
    raw = to_cp1258(
        page(
            VIETNAMESE, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
        )
    )
    assert VIETNAMESE in decode_html(raw, None)


def test_windows_1258_without_any_label_is_guessed():
    assert VIETNAMESE in decode_html(to_cp1258(page(VIETNAMESE)), None)


def test_gb2312_with_a_meta_charset():
    raw = page(CHINESE, '<meta charset="gb2312">').encode("gb2312")
    assert CHINESE in decode_html(raw, None)


def test_a_gbk_character_in_a_page_labelled_gb2312_still_decodes():
    text = CHINESE + "镕"  # in GBK, not in GB2312
    raw = page(text).encode("gbk")
    assert text in decode_html(raw, "gb2312")


@pytest.mark.parametrize(
    ("text", "codec"),
    [(CHINESE, "gb18030"), (TRADITIONAL, "big5"), (JAPANESE, "shift_jis"), (KOREAN, "euc_kr")],
)
def test_east_asian_pages_without_labels_are_guessed(text, codec):
    assert text in decode_html(page(text).encode(codec), None)


def test_western_text_without_a_label_is_read_as_windows_1252():
    text = "Le président a rencontré la délégation à Hanoï — café, naïve."
    assert text in decode_html(page(text).encode("cp1252"), None)


def test_a_utf8_page_cut_in_the_middle_of_a_character_is_still_utf8():
    raw = page(VIETNAMESE).encode()[:-20] + "ệ".encode()[:2]
    text = decode_html(raw, "utf-8")
    assert VIETNAMESE[:40] in text


def test_a_label_naming_a_wrong_legacy_encoding_does_not_break_a_utf8_page():
    assert VIETNAMESE in decode_html(page(VIETNAMESE).encode(), "windows-1258")


def test_the_output_is_nfc():
    decomposed = unicodedata.normalize("NFD", VIETNAMESE)
    assert decode_html(decomposed.encode(), None) == VIETNAMESE


@pytest.mark.parametrize(
    "raw",
    [
        bytes(range(256)) * 20,
        b"\x89PNG\r\n\x1a\n" + bytes([0, 0, 0, 13]) * 500,
        b"\x81\x8d\x8f\x90\x9d\xff\xfe\x80" * 100,
    ],
)
def test_bytes_that_are_not_text_raise_an_encoding_error(raw):
    with pytest.raises(EncodingError) as info:
        decode_html(raw, None)
    assert info.value.code == "encoding"
    assert "character encoding" in info.value.message


def test_an_empty_body_is_empty_text():
    assert decode_html(b"", "utf-8") == ""


def test_label_helpers():
    assert normalize_charset("GB2312") == "gb18030"
    assert normalize_charset(" 'Windows-1258' ") == "cp1258"
    assert normalize_charset("iso-8859-1") == "cp1252"
    assert normalize_charset("no-such-charset") is None
    assert sniff_declared_charset(b'<?xml version="1.0" encoding="windows-1258"?><rss/>') == (
        "windows-1258"
    )
    assert sniff_declared_charset(b"<meta charset=utf-8>") == "utf-8"
