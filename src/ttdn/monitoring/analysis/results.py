"""The analysis stage's output types."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mention:
    """A place or watched term found in a field, with offsets into that field as given."""

    kind: str  # "place" | "term"
    key: str  # current province name (places) or the watched term
    field: str  # "title" | "text"
    start: int
    end: int
    surface: str  # the text as written


@dataclass(frozen=True)
class Analysis:
    """Everything the pipeline stores about one item's text."""

    lang: str
    provinces: list[str]  # current (post-2025) names, in order of first mention
    mentions: list[Mention]
    topics: list[str]
    sentiment: str  # positive | neutral | negative
    sentiment_score: float  # -1..1
    content_hash: str  # hex SHA-1 of the normalised text (exact duplicates)
    simhash: int  # 64-bit simhash as a signed int64
    signature: frozenset[str] = field(default_factory=frozenset)  # story features
