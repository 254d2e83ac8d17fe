"""Reading what a news source lists: RSS/Atom/RDF feeds, sitemaps and listing pages.

XML from the Internet is checked for hostile constructs before any parser sees it: a
document that declares entities (the "billion laughs" expansion bomb, or an external entity
that would read ``file:///etc/passwd`` or call an internal address) is refused with code
``hostile_xml``. A plain ``<!DOCTYPE>`` without an internal subset, as RSS 0.91 feeds carry,
is harmless and accepted. feedparser then reads the feed leniently (many real feeds are not
well-formed); a document with no entries that is not a feed is reported as ``malformed``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
import feedparser
from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _

from .errors import HostileXML, MalformedContent, TooLarge

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str
    summary: str
    published: dt.datetime | None
    author: str | None
    lang: str | None


@dataclass(frozen=True)
class SitemapUrl:
    url: str
    lastmod: dt.datetime | None
    title: str | None = None  # from a Google News sitemap's <news:title>


# --- hostile XML ------------------------------------------------------------------------------


_FIRST_ELEMENT = re.compile(r"<[A-Za-z_]")
_ENTITY_DECL = re.compile(r"<!ENTITY", re.IGNORECASE)


def _head_text(content: bytes) -> str:
    head = content[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if len(head) > 8 and head[1::2].count(0) > len(head) // 4:
        return head.decode("utf-16-le", errors="replace")
    if len(head) > 8 and head[0::2].count(0) > len(head) // 4:
        return head.decode("utf-16-be", errors="replace")
    return head.decode("latin-1")


def _hostile() -> HostileXML:
    return HostileXML(
        _(
            "The document contains XML declarations that can be used to attack a server "
            "(entity definitions), so it was not read."
        )
    )


def refuse_hostile_xml(content: bytes) -> Element | None:
    """Raise :class:`HostileXML` for entity declarations; return the tree if well-formed.

    The prolog is also scanned as text, so a document that is hostile *and* broken (which
    the strict parser would only call broken) is still refused before feedparser reads it.
    """
    head = _head_text(content)
    first = _FIRST_ELEMENT.search(head)
    prolog = head[: first.start()] if first else head
    if _ENTITY_DECL.search(prolog):
        raise _hostile()
    try:
        return SafeET.fromstring(content, forbid_dtd=False, forbid_entities=True)
    except DefusedXmlException:
        raise _hostile() from None
    except (ParseError, ValueError, UnicodeError):
        return None


# --- feeds ------------------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("p", "br", "div", "li"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment, on one line."""
    if "<" not in html and "&" not in html:
        return " ".join(html.split())
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def _http_url(value: str | None, base_url: str) -> str | None:
    if not value:
        return None
    url = urljoin(base_url, value.strip())
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _struct_to_utc(value: time.struct_time | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime(*value[:6], tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return None


def _lang(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip().replace("_", "-").split("-")[0].lower()
    return None


def parse_feed(content: bytes, base_url: str) -> list[FeedEntry]:
    """The entries of an RSS 0.9x/2.0, Atom or RDF feed, links made absolute.

    Entries without a usable http(s) link are dropped, and a link listed twice is kept
    once. Summaries are plain text.
    """
    refuse_hostile_xml(content)
    # A file-like object: given bytes or str, feedparser may treat them as a file name or
    # an address and read it.
    parsed = feedparser.parse(
        io.BytesIO(content),
        response_headers={"content-location": base_url},
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise MalformedContent(_("The address does not return a readable news feed (RSS or Atom)."))
    feed_lang = parsed.feed.get("language")
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for item in parsed.entries:
        url = _http_url(item.get("link"), base_url)
        if url is None:
            guid = item.get("id")
            url = _http_url(guid, base_url) if guid and "://" in guid else None
        if url is None or url in seen:
            continue
        seen.add(url)
        summary = item.get("summary") or ""
        if not summary and item.get("content"):
            summary = item["content"][0].get("value", "")
        title_detail = item.get("title_detail") or {}
        entries.append(
            FeedEntry(
                url=url,
                title=html_to_text(item.get("title") or ""),
                summary=html_to_text(summary),
                published=_struct_to_utc(
                    item.get("published_parsed") or item.get("updated_parsed")
                ),
                author=html_to_text(item.get("author") or "") or None,
                lang=_lang(title_detail.get("language"), feed_lang),
            )
        )
    if not entries and parsed.bozo:  # broken XML that yielded nothing usable
        raise MalformedContent(_("The address does not return a readable news feed (RSS or Atom)."))
    return entries


# --- sitemaps ---------------------------------------------------------------------------------


def _gunzip(content: bytes) -> bytes:
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(content, MAX_SITEMAP_BYTES + 1)
    except zlib.error:
        raise MalformedContent(_("The compressed sitemap is damaged.")) from None
    if len(data) > MAX_SITEMAP_BYTES:
        raise TooLarge(_("The sitemap is larger than the limit of 50 MB."))
    return data


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(element: Element, name: str) -> str | None:
    for child in element.iter():
        if child is not element and _local(child.tag) == name and child.text:
            return child.text.strip()
    return None


def parse_w3c_datetime(value: str | None) -> dt.datetime | None:
    """A sitemap or feed date ("2025-07-01", "2025-07-01T08:00:00+07:00") in UTC."""
    if not value:
        return None
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return dt.datetime.fromisoformat(text + "-01").replace(tzinfo=dt.UTC)
        parsed = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def parse_sitemap(content: bytes, base_url: str) -> tuple[list[SitemapUrl], list[str]]:
    """The page addresses of a sitemap and the child sitemaps of a sitemap index.

    Accepts XML (``urlset`` or ``sitemapindex``, gzip-compressed or not) and the plain-text
    form (one address per line).
    """
    if content[:2] == b"\x1f\x8b":
        content = _gunzip(content)
    stripped = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped and not stripped.startswith(b"<"):
        return _plain_text_sitemap(stripped, base_url), []
    root = refuse_hostile_xml(content)
    if root is None:
        raise MalformedContent(_("The sitemap is not valid XML."))
    kind = _local(root.tag)
    urls: list[SitemapUrl] = []
    children: list[str] = []
    seen: set[str] = set()
    if kind == "urlset":
        for node in root:
            if _local(node.tag) != "url":
                continue
            url = _http_url(_child_text(node, "loc"), base_url)
            if url is None or url in seen:
                continue
            seen.add(url)
            lastmod = parse_w3c_datetime(_child_text(node, "lastmod")) or parse_w3c_datetime(
                _child_text(node, "publication_date")
            )
            urls.append(SitemapUrl(url, lastmod, _child_text(node, "title")))
    elif kind == "sitemapindex":
        for node in root:
            if _local(node.tag) != "sitemap":
                continue
            url = _http_url(_child_text(node, "loc"), base_url)
            if url is not None and url not in seen:
                seen.add(url)
                children.append(url)
    else:
        raise MalformedContent(_("The document is not a sitemap."))
    return urls, children


def _plain_text_sitemap(content: bytes, base_url: str) -> list[SitemapUrl]:
    urls: list[SitemapUrl] = []
    seen: set[str] = set()
    for line in content.decode("utf-8", errors="replace").splitlines():
        line = line.strip()
        # The text form lists absolute addresses only; anything else is not an address.
        url = _http_url(line, base_url) if re.match(r"(?i)https?://\S+$", line) else None
        if url is not None and url not in seen:
            seen.add(url)
            urls.append(SitemapUrl(url, None))
    if not urls:
        raise MalformedContent(_("The document is not a sitemap."))
    return urls


# --- listing pages ----------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NOT_ARTICLE_SEGMENTS = _words(
    "tag tags tu-khoa tukhoa chu-de chude topic topics category categories chuyen-muc "
    "chuyenmuc danh-muc search tim-kiem timkiem login dang-nhap logout dang-xuat "
    "register dang-ky signup account tai-khoan user users profile author authors "
    "tac-gia contact lien-he gioi-thieu about rss feed feeds sitemap print share cart "
    "wp-admin wp-login.php static assets media images image uploads files download"
)
_MEDIA_EXTENSIONS = _words(
    "jpg jpeg png gif webp svg bmp ico tif tiff avif pdf doc docx xls xlsx ppt pptx "
    "odt ods zip rar 7z gz tar mp3 mp4 m4a wav avi mov mkv webm flv css js json xml "
    "rss txt csv apk exe"
)
_ARTICLE_EXTENSIONS = frozenset({"html", "htm", "shtml", "aspx", "asp", "php", "jsp", "cms"})
_LONG_NUMBER = re.compile(r"\d{5,}")
_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|zarsrc$|ref$|source$)", re.IGNORECASE)
_ID_PARAM = re.compile(r"(^|_)(id|itemid|newsid|articleid|postid|p)$", re.IGNORECASE)


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.base: str | None = None
        self._nav = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "nav":
            self._nav += 1
        elif tag == "base" and self.base is None:
            self.base = dict(attrs).get("href")
        elif tag == "a" and not self._nav:
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._nav:
            self._nav -= 1


def _site(host: str) -> str:
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _same_site(host: str, base_host: str) -> bool:
    a, b = _site(host), _site(base_host)
    return a == b or a.endswith("." + b)


def _looks_like_article(path: str, query: str) -> bool:
    segments = [s for s in path.split("/") if s]
    if not segments:
        return False
    if any(s.lower() in _NOT_ARTICLE_SEGMENTS for s in segments):
        return False
    last = segments[-1]
    stem, dot, extension = last.rpartition(".")
    if not dot:
        stem, extension = last, ""
    extension = extension.lower()
    if extension in _MEDIA_EXTENSIONS:
        return False
    if extension and extension not in _ARTICLE_EXTENSIONS:
        stem = last  # a dot inside a slug, not an extension
    if _LONG_NUMBER.search(stem) or (stem.isdigit() and len(stem) >= 4):
        return True
    words = [w for w in re.split(r"[-_]+", stem) if w]
    if len(words) >= 5 and len(stem) >= 25:
        return True
    if extension in _ARTICLE_EXTENSIONS and query:
        # Portal pages such as "/Pages/tin-tuc.aspx?ItemID=1234".
        return any(
            _ID_PARAM.search(name) and value.isdigit() and len(value) >= 2
            for name, value in parse_qsl(query)
        )
    return False


def extract_listing_links(html: str, base_url: str) -> list[str]:
    """Article links of a news listing or category page, in page order, each once.

    Kept: links on the same site (or a subdomain of it) whose path looks like an article
    (a long hyphenated slug, a numeric id, or a portal page with an id parameter). Dropped:
    navigation menus, tags, categories, search, login, author pages, media and documents.
    """
    collector = _LinkCollector()
    collector.feed(html)
    collector.close()
    base = urljoin(base_url, collector.base) if collector.base else base_url
    base_parts = urlsplit(base_url)
    base_host = base_parts.hostname or ""
    page = urlunsplit((base_parts.scheme, base_parts.netloc, base_parts.path, "", ""))
    links: list[str] = []
    seen: set[str] = {page}
    for href in collector.hrefs:
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        parts = urlsplit(urljoin(base, href))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            continue
        if not _same_site(parts.hostname, base_host):
            continue
        query = urlencode(
            [
                (k, v)
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
                if not _TRACKING.match(k)
            ]
        )
        if not _looks_like_article(parts.path, query):
            continue
        url = urlunsplit((parts.scheme, parts.netloc.lower(), parts.path, query, ""))
        if url not in seen:
            seen.add(url)
            links.append(url)
    return links
