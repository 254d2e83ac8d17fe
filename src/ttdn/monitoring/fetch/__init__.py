"""The collection layer of press monitoring: fetching pages and feeds safely, and reading
feeds, sitemaps, listing pages and social-media exports into plain dataclasses.

No database access here: the pipeline stores what these functions return. Every failure is
a :class:`FetchError` whose ``code`` is a stable slug and whose ``message`` is a plain
sentence for the officer.
"""

from .decode import decode_html
from .errors import (
    BadStatus,
    ConnectionFailed,
    EncodingError,
    FetchError,
    FetchTimeout,
    HostileXML,
    MalformedContent,
    RobotsDisallowed,
    TooLarge,
    UnsafeURLError,
)
from .feeds import FeedEntry, SitemapUrl, extract_listing_links, parse_feed, parse_sitemap
from .http import USER_AGENT, Fetcher, FetchResult
from .social import (
    SocialExport,
    SocialImportError,
    SocialPost,
    SocialRowError,
    parse_social_export,
    read_social_export,
)
from .urls import check_address, is_public_address, validate_source_url

__all__ = [
    "USER_AGENT",
    "BadStatus",
    "ConnectionFailed",
    "EncodingError",
    "FeedEntry",
    "FetchError",
    "FetchResult",
    "FetchTimeout",
    "Fetcher",
    "HostileXML",
    "MalformedContent",
    "RobotsDisallowed",
    "SitemapUrl",
    "SocialExport",
    "SocialImportError",
    "SocialPost",
    "SocialRowError",
    "TooLarge",
    "UnsafeURLError",
    "check_address",
    "decode_html",
    "extract_listing_links",
    "is_public_address",
    "parse_feed",
    "parse_sitemap",
    "parse_social_export",
    "read_social_export",
    "validate_source_url",
]
