"""Topic taxonomy and the multi-label topic classifier.

The taxonomy is data: the records users edit in the ``Topic`` table, or the shipped
``data/topics.json``. A record carries everything the classifier needs::

    {"code": "bien_dao", "name_vi": "…", "name_en": "…",
     "keywords": {"vi": [...], "en": [...], "zh": [...], "fr": [...]},   # weight 1
     "strong_keywords": {...},    # weight 3: enough on their own in a short item
     "weak_keywords": {...},      # weight 0.4: context words
     "negative_keywords": {...},  # weight -2: uses of the words that are not the topic
     "min_score": 3.0,            # needed in a short item; long items need more
     "fallback": false}           # true for the topic given when nothing else passes

An item is labelled with a topic when it is *substantively* about it: keyword weights
are summed (repeats count with diminishing returns, words in the title count more),
and a topic passes when its score reaches its ``min_score`` scaled by the text's length
and a share of the best topic's score.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .lexicon import Hit, Lexicon
from .text import Doc

WEIGHTS = {"strong_keywords": 3.0, "keywords": 1.0, "weak_keywords": 0.4, "negative_keywords": -2.0}
KEYWORD_LANGS = ("vi", "en", "zh", "fr")
TITLE_BONUS = 1.5  # a keyword in the title adds this many times its weight
REPEAT_BONUS = 0.25  # each further use of a keyword in the text (up to four)
RELATIVE = 0.35  # a topic needs this share of the best topic's score
DEFAULT_MIN_SCORE = 3.0


@dataclass(frozen=True)
class TopicSpec:
    code: str
    name_vi: str
    name_en: str
    phrases: tuple[tuple[str, str, float], ...]  # (lang, phrase, weight)
    min_score: float = DEFAULT_MIN_SCORE
    fallback: bool = False


def _phrases(record: Mapping[str, Any]) -> tuple[tuple[str, str, float], ...]:
    out: list[tuple[str, str, float]] = []
    for fieldname, weight in WEIGHTS.items():
        by_lang = record.get(fieldname) or {}
        if isinstance(by_lang, list):  # a plain list: any language
            by_lang = {"*": by_lang}
        if not isinstance(by_lang, Mapping):
            continue
        for lang, phrases in by_lang.items():
            if isinstance(phrases, str):
                phrases = [phrases]
            for phrase in phrases or ():
                if isinstance(phrase, str) and phrase.strip():
                    out.append((str(lang), phrase.strip(), weight))
    return tuple(out)


@dataclass
class Taxonomy:
    """Topics with their keywords; build with :meth:`from_records`."""

    topics: tuple[TopicSpec, ...]
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> Taxonomy:
        """A taxonomy from topic records (the ``Topic`` rows' ``as_record()``). The same
        records give the same (cached) taxonomy, whose compiled lexicons are then reused
        from one batch to the next."""
        records = list(records)
        try:
            key = json.dumps(records, sort_keys=True, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            return cls._build(records)
        return _taxonomy_for(key)

    @classmethod
    def _build(cls, records: Iterable[Mapping[str, Any]]) -> Taxonomy:
        specs = []
        for r in records:
            code = str(r.get("code") or "").strip()
            if not code:
                continue
            try:
                min_score = float(r.get("min_score") or DEFAULT_MIN_SCORE)
            except (TypeError, ValueError):
                min_score = DEFAULT_MIN_SCORE
            specs.append(
                TopicSpec(
                    code=code,
                    name_vi=str(r.get("name_vi") or code),
                    name_en=str(r.get("name_en") or ""),
                    phrases=_phrases(r),
                    min_score=min_score,
                    fallback=bool(r.get("fallback")) or code == "khac",
                )
            )
        return cls(tuple(specs))

    @property
    def codes(self) -> list[str]:
        return [t.code for t in self.topics]

    @property
    def fallback(self) -> str | None:
        return next((t.code for t in self.topics if t.fallback), None)

    def lexicon(self, lang: str) -> Lexicon:
        """Topic phrases for a language, with the sentiment and concept phrases, so that
        one pass over the text finds all three."""
        key = keyword_lang(lang)
        lex = self._cache.get(key)
        if lex is None:
            from .fingerprint import concept_entries
            from .sentiment import sentiment_entries

            entries: list[tuple[str, Any, Any]] = []
            for idx, topic in enumerate(self.topics):
                for plang, phrase, weight in topic.phrases:
                    if plang in (key, "*"):
                        entries.append((phrase, ("t", idx), (phrase, weight)))
            entries += sentiment_entries(key)
            entries += concept_entries(key)
            lex = Lexicon(entries)
            self._cache[key] = lex
        return lex


@lru_cache(maxsize=8)
def _taxonomy_for(key: str) -> Taxonomy:
    return Taxonomy._build(json.loads(key))


def keyword_lang(lang: str) -> str:
    """The keyword list used for a text language (Latin-script others use English)."""
    lang = (lang or "").lower()[:2]
    if lang in KEYWORD_LANGS:
        return lang
    return "zh" if lang in {"ja", "ko"} else "en"


def _data_file(name: str) -> Path:
    return Path(str(resources.files("ttdn.monitoring") / "data" / name))


@cache
def default_records() -> tuple[dict[str, Any], ...]:
    with _data_file("topics.json").open(encoding="utf-8") as fh:
        return tuple(json.load(fh)["topics"])


@cache
def default_taxonomy() -> Taxonomy:
    """The shipped taxonomy (``data/topics.json``)."""
    return Taxonomy.from_records(default_records())


def text_length(doc: Doc) -> int:
    """Length in words (Han characters count as ~1.5 per word)."""
    if doc.cjk:
        cjk = sum(len(t) for t in doc.toks if not t.isascii())
        return int(cjk / 1.5) + sum(1 for t in doc.toks if t.isascii())
    return len(doc.toks)


def score_topics(
    taxonomy: Taxonomy, title_hits: Sequence[Hit], text_hits: Sequence[Hit], length: int
) -> dict[str, float]:
    """Score of every topic with any keyword."""
    counts: dict[int, dict[str, list[Any]]] = defaultdict(dict)  # topic → phrase → [w, n, title]
    for hits, in_title in ((title_hits, True), (text_hits, False)):
        for h in hits:
            if not (isinstance(h.group, tuple) and h.group[0] == "t"):
                continue
            phrase, weight = h.payload
            slot = counts[h.group[1]].setdefault(phrase, [weight, 0, False])
            if in_title:
                slot[2] = True
            else:
                slot[1] += 1
    scores: dict[str, float] = {}
    for idx, phrases in counts.items():
        s = 0.0
        for weight, n, in_title in phrases.values():
            if weight < 0:
                s += weight * (n + (1 if in_title else 0))
                continue
            if n:
                s += weight * (1 + REPEAT_BONUS * min(n - 1, 4))
            if in_title:
                s += weight * TITLE_BONUS
        scores[taxonomy.topics[idx].code] = s
    return scores


def length_factor(length: int) -> float:
    """How much more evidence a long text needs (1 for a lead, about 2 for 3 KB)."""
    return min(2.2, max(1.0, (length / 120) ** 0.4))


def choose_topics(taxonomy: Taxonomy, scores: Mapping[str, float], length: int) -> list[str]:
    factor = length_factor(length)
    best = max(scores.values(), default=0.0)
    chosen = []
    for topic in taxonomy.topics:
        if topic.fallback:
            continue
        s = scores.get(topic.code, 0.0)
        if s >= topic.min_score * factor and s >= RELATIVE * best and s > 0:
            chosen.append(topic.code)
    if not chosen and taxonomy.fallback:
        chosen = [taxonomy.fallback]
    return chosen


def classify_topics_docs(title: Doc, text: Doc, lang: str, taxonomy: Taxonomy) -> list[str]:
    lex = taxonomy.lexicon(lang)
    length = text_length(title) + text_length(text)
    scores = score_topics(taxonomy, lex.find(title), lex.find(text), length)
    return choose_topics(taxonomy, scores, length)


def classify_topics(title: str, text: str, lang: str, taxonomy: Taxonomy) -> list[str]:
    """Topic codes the item is substantively about (the fallback code when none)."""
    return classify_topics_docs(Doc.of(title), Doc.of(text), lang, taxonomy)
