"""Feeds, sitemaps and listing pages from recorded files, including hostile and broken XML."""

from __future__ import annotations

import datetime as dt
import gzip
import time
from pathlib import Path

import pytest
from django.utils import translation

from tests.monitoring.httpserver import LocalHTTPServer, Response
from ttdn.monitoring.fetch import (
    Fetcher,
    HostileXML,
    MalformedContent,
    extract_listing_links,
    parse_feed,
    parse_sitemap,
)
from ttdn.monitoring.fetch.feeds import SitemapUrl, html_to_text

DATA = Path(__file__).parent / "fetchdata"
UTC = dt.UTC


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- feeds ------------------------------------------------------------------------------------


def test_rss2_entries_have_absolute_links_plain_summaries_and_utc_dates():
    entries = parse_feed(data("rss2_vi.xml"), "https://baothunghiem.vn/rss/thoi-su.rss")
    assert [e.url for e in entries] == [
        "https://baothunghiem.vn/thoi-su/tinh-thu-nghiem-don-doan-dai-bieu-lao-campuchia-123456.html",
        "https://baothunghiem.vn/kinh-te/hoi-nghi-xuc-tien-dau-tu-tai-han-quoc-123457.html",
    ]
    first = entries[0]
    assert first.title == "Tỉnh Thử Nghiệm đón đoàn đại biểu Lào & Campuchia"
    assert first.summary == "Chiều 5/7, UBND tỉnh đã tiếp đoàn."
    assert first.published == dt.datetime(2025, 7, 5, 9, 30, tzinfo=UTC)
    assert first.author == "Nguyễn Văn An"
    assert first.lang == "vi"
    assert entries[1].published == dt.datetime(2025, 7, 4, 8, 0, tzinfo=UTC)
    assert entries[1].author is None


def test_atom_entries_use_xml_base_and_per_entry_language():
    entries = parse_feed(data("atom.xml"), "https://news.example.org/feed.atom")
    assert [e.url for e in entries] == [
        "https://news.example.org/world/2025/07/vietnam-province-signs-agreement-with-partner",
        "https://news.example.org/fr/une-province-du-vietnam-signe-un-accord",
    ]
    assert entries[0].title == "Vietnam province signs agreement"
    assert entries[0].published == dt.datetime(2025, 7, 5, 7, 0, tzinfo=UTC)
    assert entries[0].author == "Jane Reporter"
    assert [e.lang for e in entries] == ["en", "fr"]
    assert entries[1].summary == "Un accord a été signé."


def test_rdf_feed():
    [entry] = parse_feed(data("rdf.xml"), "https://rdf.example.jp/index.rdf")
    assert entry.url == "https://rdf.example.jp/news/20250705-001.html"
    assert entry.title == "ベトナムの省代表団が来訪"
    assert entry.published == dt.datetime(2025, 7, 5, 3, 0, tzinfo=UTC)
    assert entry.lang == "ja"


def test_rss091_with_its_public_doctype_is_accepted():
    [entry] = parse_feed(data("rss091.xml"), "http://old.example.com/rss.xml")
    assert entry.title == "An old item"
    assert entry.summary == "Café talk."
    assert entry.published is None


@pytest.mark.parametrize(
    "name", ["billion_laughs.xml", "xxe_passwd.xml", "xxe_parameter.xml", "xxe_malformed.xml"]
)
def test_hostile_feeds_are_refused_quickly(name):
    started = time.monotonic()
    with pytest.raises(HostileXML) as info:
        parse_feed(data(name), "https://evil.example/feed")
    assert time.monotonic() - started < 1
    assert info.value.code == "hostile_xml"
    assert "root:" not in info.value.message


def test_a_hostile_feed_served_over_http_leaks_no_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-PASSWORD")
    feed = data("xxe_passwd.xml").replace(b"file:///etc/passwd", secret.as_uri().encode())
    with (
        LocalHTTPServer(
            {"/feed.xml": Response(body=feed, content_type="application/rss+xml")}
        ) as srv,
        Fetcher(allowed_hosts=["127.0.0.1"], respect_robots=False) as fetcher,
    ):
        result = fetcher.fetch(srv.url("/feed.xml"))
        with pytest.raises(HostileXML) as info:
            parse_feed(result.content, result.final_url)
    assert "TOP-SECRET" not in info.value.message
    assert [r.path for r in srv.requests] == ["/feed.xml"]


def test_entity_text_inside_cdata_is_not_mistaken_for_an_attack():
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Security blog</title><item>'
        b"<title>How XXE works</title><link>https://blog.example/how-xxe-attacks-work-in-xml.html</link>"
        b"<description><![CDATA[Attackers write <!ENTITY x SYSTEM 'file:///etc/passwd'>]]></description>"
        b"</item></channel></rss>"
    )
    [entry] = parse_feed(feed, "https://blog.example/feed")
    assert "ENTITY" in entry.summary


def test_malformed_xml_without_entries_is_reported():
    with pytest.raises(MalformedContent) as info:
        parse_feed(data("malformed.xml"), "https://example.com/feed")
    assert info.value.code == "malformed"
    assert "news feed" in info.value.message


def test_an_html_page_is_not_a_feed():
    with pytest.raises(MalformedContent):
        parse_feed("<html><body><p>Trang chủ</p></body></html>".encode(), "https://example.com/")


def test_a_slightly_broken_feed_with_entries_is_still_read():
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T & C</title><item>'
        b"<title>Bao & Tin</title><link>https://example.com/bao-va-tin-ngay-moi-123456.html</link>"
        b"</item></channel></rss>"
    )
    [entry] = parse_feed(feed, "https://example.com/feed")
    assert entry.title == "Bao & Tin"


def test_a_feed_given_as_a_file_path_is_not_opened():
    with pytest.raises(MalformedContent):
        parse_feed(b"/etc/passwd", "https://example.com/feed")


def test_html_to_text_drops_scripts_and_tags():
    assert html_to_text("<p>Một<br>hai</p><script>x()</script><style>p{}</style> ba") == (
        "Một hai ba"
    )


# --- sitemaps ---------------------------------------------------------------------------------


def test_a_urlset_sitemap():
    urls, children = parse_sitemap(data("sitemap.xml"), "https://baothunghiem.vn/sitemap.xml")
    assert children == []
    assert urls == [
        SitemapUrl(
            "https://baothunghiem.vn/thoi-su/bai-mot-123.html",
            dt.datetime(2025, 7, 5, 9, 30, tzinfo=UTC),
        ),
        SitemapUrl(
            "https://baothunghiem.vn/kinh-te/bai-hai-124.html", dt.datetime(2025, 7, 4, tzinfo=UTC)
        ),
        SitemapUrl("https://baothunghiem.vn/the-thao/bai-ba-125.html", None),
    ]


def test_a_sitemap_index_lists_its_children():
    urls, children = parse_sitemap(data("sitemap_index.xml"), "https://baothunghiem.vn/sitemap.xml")
    assert urls == []
    assert children == [
        "https://baothunghiem.vn/sitemaps/news-2025-07.xml",
        "https://baothunghiem.vn/sitemaps/news-2025-06.xml.gz",
    ]


def test_a_news_sitemap_gives_title_and_publication_date():
    [url], _ = parse_sitemap(data("news_sitemap.xml"), "https://baothunghiem.vn/news.xml")
    assert url.title == "Tiếp Đại sứ Nhật Bản"
    assert url.lastmod == dt.datetime(2025, 7, 5, 2, 15, tzinfo=UTC)


def test_a_gzipped_sitemap_is_read():
    urls, _ = parse_sitemap(gzip.compress(data("sitemap.xml")), "https://baothunghiem.vn/s.xml.gz")
    assert len(urls) == 3


def test_a_plain_text_sitemap_is_read():
    text = b"https://a.example/one-two-three\n\nhttps://a.example/four\nnot a url\n"
    urls, _ = parse_sitemap(text, "https://a.example/sitemap.txt")
    assert [u.url for u in urls] == ["https://a.example/one-two-three", "https://a.example/four"]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (data("billion_laughs.xml"), HostileXML),
        (
            b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<urlset><url><loc>&x;</loc></url></urlset>",
            HostileXML,
        ),
        (b"<urlset><url><loc>https://a.example/</loc></url>", MalformedContent),
        (b'<?xml version="1.0"?><html><body/></html>', MalformedContent),
        (b"\x1f\x8b\x08\x00broken", MalformedContent),
    ],
)
def test_hostile_broken_and_foreign_sitemaps_are_refused(content, error):
    with pytest.raises(error):
        parse_sitemap(content, "https://a.example/sitemap.xml")


# --- listing pages ----------------------------------------------------------------------------


def test_listing_links_are_the_articles_of_the_site_in_page_order():
    html = data("listing.html").decode()
    links = extract_listing_links(html, "https://baothunghiem.vn/doi-ngoai")
    assert links == [
        "https://baothunghiem.vn/doi-ngoai/tinh-thu-nghiem-don-doan-dai-bieu-lao-campuchia-123456.html",
        "https://www.baothunghiem.vn/doi-ngoai/hoi-dam-voi-dai-su-han-quoc-ve-hop-tac-dia-phuong.html",
        "https://en.baothunghiem.vn/foreign-affairs/province-welcomes-lao-delegation-20250705.html",
        "https://baothunghiem.vn/video/201234.html",
        "https://baothunghiem.vn/Pages/tin-tuc.aspx?ItemID=4521",
    ]


def test_a_base_element_changes_how_relative_links_resolve():
    html = (
        '<html><head><base href="https://site.example/news/"></head><body>'
        '<a href="mot-bai-bao-rat-dai-ve-doi-ngoai.html">x</a></body></html>'
    )
    assert extract_listing_links(html, "https://site.example/") == [
        "https://site.example/news/mot-bai-bao-rat-dai-ve-doi-ngoai.html"
    ]


def test_a_page_without_articles_gives_no_links():
    assert (
        extract_listing_links("<p>Không có gì</p><a href='/'>Trang chủ</a>", "https://a.vn/") == []
    )
