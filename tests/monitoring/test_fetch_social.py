"""Social-media exports: column names of the usual tools, encodings, skipped and faulty rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import translation

from ttdn.monitoring.fetch import (
    SocialImportError,
    parse_social_export,
    read_social_export,
)
from ttdn.monitoring.fetch.social import parse_timestamp

DATA = Path(__file__).parent / "fetchdata"
UTC = dt.UTC


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_a_facebook_csv_export_maps_its_columns_and_skips_rows_without_text():
    export = read_social_export((DATA / "facebook_posts.csv").read_bytes(), "facebook_posts.csv")
    assert export.total_rows == 3
    assert export.skipped_rows == [3]
    first, third = export.posts
    assert first.platform == "facebook"
    assert first.kind == "post"
    assert first.url == "https://www.facebook.com/baothunghiem/posts/111"
    assert first.text == "Tỉnh Thử Nghiệm tiếp đoàn đại biểu Lào, ký biên bản ghi nhớ."
    assert first.author == "Báo Thử Nghiệm"
    assert first.published == dt.datetime(2025, 7, 5, 9, 30, tzinfo=UTC)
    assert first.external_id == "111_1"
    assert first.row == 2
    assert third.text == 'Dòng có\nxuống dòng và "ngoặc kép"'
    assert third.published == dt.datetime.fromtimestamp(1751708400, tz=UTC)
    assert third.row == 4


def test_youtube_comments_in_json_lines_with_nested_fields():
    posts = parse_social_export((DATA / "youtube_comments.jsonl").read_bytes(), "export.jsonl")
    assert [p.text for p in posts] == ["Video rất hay về quê hương!", "Cảm ơn kênh"]
    first = posts[0]
    assert (first.platform, first.kind) == ("youtube", "comment")
    assert first.url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert first.author == "@nguoixem"
    assert first.published == dt.datetime(2025, 7, 5, 1, 2, 3, tzinfo=UTC)
    assert first.external_id == "UgxA1"
    assert posts[1].published == dt.datetime(2025, 7, 5, 1, 0, tzinfo=UTC)  # milliseconds
    assert posts[1].row == 4


def test_a_vietnamese_tiktok_export_with_semicolons_posts_and_comments():
    posts = parse_social_export((DATA / "tiktok_vi.csv").read_bytes(), "xuat-du-lieu.csv")
    post, comment = posts
    assert (post.platform, post.kind, post.author) == ("tiktok", "post", "@dulich")
    assert post.published == dt.datetime(2025, 7, 5, 1, 15, tzinfo=UTC)  # 08:15 Vietnam time
    assert comment.kind == "comment"
    assert comment.parent_url == "https://www.tiktok.com/@dulich/video/7400000000000000001"
    assert comment.url.endswith("?cid=1")


def test_utf16_and_bom_files_are_read():
    text = "platform\tcaption\tlink\r\nZalo\tTin nhắn từ OA\thttps://zalo.me/oa/123\r\n"
    for raw in (text.encode("utf-16"), "\ufeff".encode() + text.encode()):
        [post] = parse_social_export(raw, "zalo.csv")
        assert (post.platform, post.text, post.url) == (
            "zalo",
            "Tin nhắn từ OA",
            "https://zalo.me/oa/123",
        )


def test_a_legacy_vietnamese_file_asks_to_save_as_utf8():
    raw = "noi dung,ngay\nTi\xeanh,2025-07-05\n".encode("latin-1")
    with pytest.raises(SocialImportError) as info:
        parse_social_export(raw, "cu.csv")
    assert info.value.code == "encoding"
    assert "save it as UTF-8" in info.value.message


def test_faulty_rows_are_listed_by_number():
    raw = (
        "message,created_time,url\n"
        "Bài một,2025-07-05,https://facebook.com/p/1\n"
        "Bài hai,không phải ngày,https://facebook.com/p/2\n"
        "Bài ba,2025-07-05,ftp://facebook.com/p/3\n"
        ",2025-07-05,https://facebook.com/p/4\n"
    ).encode()
    with pytest.raises(SocialImportError) as info:
        parse_social_export(raw, "fb.csv")
    error = info.value
    assert error.code == "malformed"
    assert [e.row for e in error.errors] == [3, 4]
    assert "rows 3, 4" in error.message
    assert "không phải ngày" in error.errors[0].message

    lenient = read_social_export(raw, "fb.csv", strict=False)
    assert [p.text for p in lenient.posts] == ["Bài một"]
    assert lenient.skipped_rows == [5]
    assert len(lenient.errors) == 2


def test_a_file_without_a_text_column_says_which_columns_are_expected():
    with pytest.raises(SocialImportError) as info:
        parse_social_export(b"likes,shares\n1,2\n", "stats.csv")
    assert "message" in info.value.message


def test_a_broken_json_line_is_reported_with_its_number():
    raw = b'{"text": "ok", "url": "https://tiktok.com/@a/video/1"}\n{broken\n'
    with pytest.raises(SocialImportError) as info:
        parse_social_export(raw, "tiktok.jsonl")
    assert [e.row for e in info.value.errors] == [2]


def test_a_json_array_export_is_accepted():
    raw = json.dumps(
        [
            {
                "message": "Xin chào",
                "from": {"name": "Trang A"},
                "created_time": "2025-07-05T10:00:00+0700",
                "permalink_url": "https://m.facebook.com/story.php?id=1",
            }
        ]
    ).encode()
    [post] = parse_social_export(raw, "graph.json")
    assert (post.platform, post.author) == ("facebook", "Trang A")
    assert post.published == dt.datetime(2025, 7, 5, 3, 0, tzinfo=UTC)


def test_the_platform_comes_from_a_column_then_the_address_then_the_file_name():
    raw = b"text,platform,url\nA,YouTube,https://example.com/1\nB,,https://fb.watch/x\nC,,\n"
    posts = parse_social_export(raw, "tiktok-export.csv")
    assert [p.platform for p in posts] == ["youtube", "facebook", "tiktok"]
    [other] = parse_social_export(b"text\nD\n", "export.csv")
    assert other.platform == "other"


def test_other_formats_and_empty_files_are_refused():
    with pytest.raises(SocialImportError):
        parse_social_export(b"", "a.csv")
    with pytest.raises(SocialImportError, match="CSV"):
        parse_social_export(b"PK\x03\x04...", "a.xlsx")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1751708400", dt.datetime(2025, 7, 5, 9, 40, tzinfo=UTC)),
        ("1751708400000", dt.datetime(2025, 7, 5, 9, 40, tzinfo=UTC)),
        ("2025-07-05T09:40:00Z", dt.datetime(2025, 7, 5, 9, 40, tzinfo=UTC)),
        ("2025-07-05T16:40:00+0700", dt.datetime(2025, 7, 5, 9, 40, tzinfo=UTC)),
        ("2025-07-05 16:40:00", dt.datetime(2025, 7, 5, 9, 40, tzinfo=UTC)),
        ("05/07/2025 16:40", dt.datetime(2025, 7, 5, 9, 40, tzinfo=UTC)),
        ("2025-07-05", dt.datetime(2025, 7, 4, 17, 0, tzinfo=UTC)),
    ],
)
def test_timestamps_and_dates(value, expected):
    assert parse_timestamp(value) == expected
