"""The analysis stage of press monitoring: pure functions from an item's text to facts.

``analyse(title, text)`` gives the language, the provinces named (by their current,
post-2025 names, with the offsets of every mention), the topics, the sentiment towards
the province or the country, and the fingerprints used for duplicates and stories. It
touches no database and no network: the gazetteer comes from the installed
``vietnamadminunits`` package and the lexicons from ``ttdn/monitoring/data``; both are
built once per process.

The same function serves the ingestion pipeline, ``ttdn monitor classify`` and the tests.
"""

from __future__ import annotations

from collections.abc import Sequence

from .fingerprint import (
    NEAR_DUP_BITS,
    SAME_STORY,
    content_hash,
    fingerprints,
    hamming,
    near_duplicate,
    signature,
    simhash,
    story_similarity,
)
from .lang import choose_language, detect_language
from .places import current_provinces, find_places, find_places_docs, provinces_of, to_current
from .results import Analysis, Mention
from .sentiment import classify_sentiment, score_sentiment
from .terms import find_terms, find_terms_docs
from .text import Doc
from .topics import (
    Taxonomy,
    choose_topics,
    classify_topics,
    default_taxonomy,
    score_topics,
    text_length,
)

__all__ = [
    "NEAR_DUP_BITS",
    "SAME_STORY",
    "Analysis",
    "Mention",
    "Taxonomy",
    "analyse",
    "classify_sentiment",
    "classify_topics",
    "content_hash",
    "current_provinces",
    "default_taxonomy",
    "detect_language",
    "find_places",
    "find_terms",
    "hamming",
    "near_duplicate",
    "simhash",
    "story_similarity",
    "to_current",
]


def analyse(
    title: str,
    text: str,
    *,
    lang: str | None = None,
    taxonomy: Taxonomy | None = None,
    watch_terms: Sequence[str] = (),
) -> Analysis:
    """Analyse one item. ``lang`` is a hint (the source's language): detection overrides
    it only when sure; ``taxonomy`` defaults to the shipped topics."""
    title = title or ""
    text = text or ""
    taxonomy = taxonomy or default_taxonomy()
    tdoc, xdoc = Doc.of(title), Doc.of(text)
    language = choose_language(title, text, lang)

    places = find_places_docs(tdoc, xdoc)
    provinces = provinces_of(places)
    terms = find_terms_docs(tdoc, xdoc, watch_terms) if watch_terms else []

    lex = taxonomy.lexicon(language)
    title_hits, text_hits = lex.find(tdoc), lex.find(xdoc)
    length = text_length(tdoc) + text_length(xdoc)
    topics = choose_topics(taxonomy, score_topics(taxonomy, title_hits, text_hits, length), length)
    sentiment, score = score_sentiment(title_hits, text_hits, tdoc.nfc, xdoc.nfc)

    spans = [(m.field, m.start, m.end) for m in places]
    if xdoc.mapping is not None or tdoc.mapping is not None:
        spans = []  # offsets are in the original strings; skip the entity mask then
    sig = signature(tdoc, xdoc, provinces, topics, title_hits + text_hits, spans)
    digest, sim = fingerprints(tdoc, xdoc)
    return Analysis(
        lang=language,
        provinces=provinces,
        mentions=sorted(places + terms, key=lambda m: (m.field != "title", m.start, m.kind, m.end)),
        topics=topics,
        sentiment=sentiment,
        sentiment_score=score,
        content_hash=digest,
        simhash=sim,
        signature=sig,
    )
