"""Highlights: searched words found in the original text whatever its diacritics, case
or đ; mention offsets; overlapping marks that never nest; hostile text escaped."""

from __future__ import annotations

import re
import unicodedata

from ttdn.monitoring.highlight import (
    fold_with_offsets,
    highlight,
    highlight_paragraphs,
    query_spans,
    snippet,
)

MARK = re.compile(r'<mark class="([^"]+)">(.*?)</mark>', re.S)


def marked(html: str) -> list[tuple[str, str]]:
    return MARK.findall(str(html))


def test_query_terms_match_the_original_text_ignoring_diacritics_and_case():
    html = highlight("Lũ lụt ở MIỀN TRUNG và miền Trung", terms=["mien trung"])
    assert marked(html) == [("hl hl-query", "MIỀN TRUNG"), ("hl hl-query", "miền Trung")]


def test_d_with_stroke_is_matched_by_d():
    html = highlight("Đà Nẵng và đồng bằng", terms=["da nang", "dong"])
    assert marked(html) == [("hl hl-query", "Đà Nẵng"), ("hl hl-query", "đồng")]


def test_query_typed_with_diacritics_after_folding_still_matches_plain_text():
    # the search hands over folded terms; a text written without diacritics matches too
    assert marked(highlight("Ha Noi hom nay", terms=["ha noi"])) == [("hl hl-query", "Ha Noi")]


def test_decomposed_text_keeps_its_combining_marks_inside_the_mark():
    text = unicodedata.normalize("NFD", "Hội An đẹp")
    html = str(highlight(text, terms=["hoi an"]))
    (_cls, inner), *_rest = marked(html)
    assert unicodedata.normalize("NFC", inner) == "Hội An"
    assert html.endswith(unicodedata.normalize("NFD", " đẹp"))


def test_words_searched_one_by_one_but_written_together_are_one_mark():
    html = highlight("Người dân Hà  Nội, dân", terms=["nguoi", "dan", "noi", "ha"])
    assert marked(html) == [
        ("hl hl-query", "Người dân Hà  Nội"),
        ("hl hl-query", "dân"),
    ]


def test_only_whole_words_are_marked():
    assert marked(highlight("Ban an toàn", terms=["an"])) == [("hl hl-query", "an")]
    assert marked(highlight("Banana", terms=["an"])) == []


def test_phrase_across_several_spaces_and_a_line_break():
    assert marked(highlight("biển\n  Đông", terms=["bien dong"])) == [
        ("hl hl-query", "biển\n  Đông")
    ]


def test_chinese_terms_match_inside_a_sentence():
    assert marked(highlight("越南的河内市很美", terms=["河内"])) == [("hl hl-query", "河内")]


def test_mentions_are_marked_by_kind_and_field():
    text = "Tỉnh Quảng Ninh đón khách"
    mentions = [
        {"kind": "place", "key": "Quảng Ninh", "field": "text", "start": 5, "end": 15},
        {"kind": "place", "key": "X", "field": "title", "start": 0, "end": 4},
    ]
    assert marked(highlight(text, mentions, field="text")) == [("hl hl-place", "Quảng Ninh")]


def test_overlapping_marks_are_cut_into_pieces_with_all_their_classes():
    text = "Ủy ban nhân dân tỉnh Lào Cai"
    mentions = [
        {"kind": "place", "field": "text", "start": 21, "end": 28},  # Lào Cai
        {"kind": "term", "field": "text", "start": 16, "end": 24},  # tỉnh Lào
    ]
    html = str(highlight(text, mentions, ["lao cai"], field="text"))
    assert marked(html) == [
        ("hl hl-term", "tỉnh "),
        ("hl hl-place hl-query hl-term", "Lào"),
        ("hl hl-place hl-query", " Cai"),
    ]
    assert "<mark" not in "".join(inner for _c, inner in marked(html))  # never nested


def test_hostile_text_and_kinds_are_escaped():
    text = '<script>alert("x")</script> Hà Nội <img src=x onerror=1>'
    start = text.index("Hà Nội")
    mentions = [{"kind": '"><script>', "field": "text", "start": start, "end": start + 6}]
    html = str(highlight(text, mentions, ["script", "ha noi"], field="text"))
    assert "<script" not in html and "<img" not in html
    assert "&lt;<mark" in html and "&lt;img src=x onerror=1&gt;" in html
    assert 'class="hl hl-place' not in html  # the kind is reduced to safe characters
    assert ("hl hl-query hl-script", "Hà Nội") in marked(html)
    assert ("hl hl-query", "script") in marked(html)


def test_bad_mentions_are_ignored():
    text = "Huế"
    mentions: list[dict[str, object]] = [
        {"kind": "place", "start": 2, "end": 99},
        {"kind": "place", "start": "x", "end": 1},
        {"kind": "place"},
        {"kind": "place", "start": 3, "end": 1},
    ]
    assert marked(highlight(text, mentions)) == [("hl hl-place", "ế")]


def test_no_terms_no_mentions_is_escaped_text():
    assert str(highlight("a < b & c")) == "a &lt; b &amp; c"
    assert str(highlight("")) == ""


def test_fold_keeps_an_offset_for_every_folded_character():
    folded = fold_with_offsets("Đà  Nẵng")
    assert folded.text == "da nang"
    assert [folded.origin[i] for i in range(len(folded.text))] == [0, 1, 2, 4, 5, 6, 7]


def test_query_spans_are_offsets_into_the_original():
    text = "Ông Nguyễn Văn A tại Hà Nội"
    (start, end), *_ = query_spans(text, ["ha noi"])
    assert text[start:end] == "Hà Nội"


def test_paragraphs_keep_the_offsets_of_the_whole_text():
    text = "Dòng một.\n\nTin từ Đà Nẵng"
    mentions = [{"kind": "place", "field": "text", "start": 18, "end": 25}]
    paragraphs = [str(p) for p in highlight_paragraphs(text, mentions, field="text")]
    assert paragraphs == ["Dòng một.", 'Tin từ <mark class="hl hl-place">Đà Nẵng</mark>']


def test_snippet_is_a_window_around_the_first_searched_word():
    text = "mở đầu " * 80 + "Cảng Cái Mép " + "kết thúc " * 80
    html = str(snippet(text, [], ["cai mep"], length=200))
    assert html.startswith("…") and html.endswith("…")
    assert '<mark class="hl hl-query">Cái Mép</mark>' in html
    assert len(re.sub(r"<[^>]+>", "", html)) <= 210


def test_snippet_of_a_short_text_is_the_whole_text():
    assert (
        str(snippet("Ngắn <b>", [], ["ngan"])) == '<mark class="hl hl-query">Ngắn</mark> &lt;b&gt;'
    )
