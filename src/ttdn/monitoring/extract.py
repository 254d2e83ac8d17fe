"""Stage 2 of the pipeline: the article's text, title and date out of its HTML page.

trafilatura does the work. ``fast=True`` skips its fallback extractors: on news pages it
loses little and keeps the long tail short (see ``../shared/perf-floors.md``); comments
under the article are not part of the article.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Extracted:
    title: str
    text: str
    published: dt.datetime | None
    author: str
    lang: str


def _options() -> dict[str, object]:
    opts: dict[str, object] = {"fast": True, "include_comments": False, "include_tables": True}
    opts.update(getattr(settings, "TTDN_EXTRACT_OPTIONS", {}) or {})
    return opts


def _date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def extract_article(html: str, url: str = "", *, metadata: bool = True) -> Extracted | None:
    """The article in ``html``, or None when the page holds no article text.

    Reading the page's metadata (title, date, author) costs trafilatura about twice the
    extraction itself; items from feeds already have their title and date, so the
    pipeline asks for it only when they are missing.
    """
    import trafilatura

    if not metadata:
        text = trafilatura.extract(
            html,
            url=url or None,
            with_metadata=False,
            **_options(),  # type: ignore[arg-type]
        )
        text = (text or "").strip()
        if not text:
            return None
        return Extracted(title="", text=text, published=None, author="", lang="")
    doc = trafilatura.bare_extraction(
        html,
        url=url or None,
        with_metadata=True,
        **_options(),  # type: ignore[arg-type]
    )
    if doc is None:
        return None
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = (data.get("text") or "").strip()
    if not text:
        return None
    return Extracted(
        title=(data.get("title") or "").strip(),
        text=text,
        published=_date(data.get("date")),
        author=(data.get("author") or "").strip()[:300],
        lang=(data.get("language") or "")[:8],
    )
