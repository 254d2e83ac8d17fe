"""Sentiment towards the province or the country, from weighted phrase lexicons.

``data/sentiment.json`` holds, per language, positive and negative phrases with weights,
negators ("không", "not", "不" …: the phrase after them counts half, the other way),
dampeners ("phòng chống", "prevention" …: what follows is prevention, not an event) and
neutral cues (plans, trainings, notices). Phrases in the title count double. The score
is (positive − negative) / (positive + negative + damping), in −1..1; the damping grows
with neutral cues, so a plan that mentions "hiệu quả" stays neutral.

The genre's rules (LABELS.md): incidents, corruption, protests, persecution reports,
criticism by foreign media and fake-news episodes are negative even when the item
reports the authorities' rebuttal — "bác bỏ thông tin sai sự thật" is negative.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .lexicon import Hit, Lexicon
from .text import Doc

POSITIVE_AT = 0.22
NEGATIVE_AT = -0.18
TITLE_WEIGHT = 2.0
SCOPE = 7  # a negator or dampener reaches this many words ahead, within its clause
BASE_DAMPING = 2.0
NEUTRAL_DAMPING = 0.7  # per unit of neutral cues in the text (up to six)
TITLE_NEUTRAL_DAMPING = 2.0  # per unit of neutral cues in the title (up to three)
_CLAUSE_END = re.compile(r"[,.;:!?()\[\]\n，。；：！？、]")


@cache
def _lexicons() -> dict[str, Any]:
    path = Path(str(resources.files("ttdn.monitoring") / "data" / "sentiment.json"))
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def sentiment_entries(lang: str) -> list[tuple[str, Any, Any]]:
    """Lexicon entries for one language: (phrase, group, payload)."""
    data = _lexicons().get(lang) or _lexicons()["en"]
    entries: list[tuple[str, Any, Any]] = []
    for phrase, weight in data.get("positive", {}).items():
        entries.append((phrase, "s", float(weight)))
    for phrase, weight in data.get("negative", {}).items():
        entries.append((phrase, "s", -float(weight)))
    entries += [(p, "s-not", None) for p in data.get("negators", [])]
    entries += [(p, "s-damp", None) for p in data.get("dampeners", [])]
    neutral = data.get("neutral", {})
    if isinstance(neutral, list):
        neutral = dict.fromkeys(neutral, 1.0)
    entries += [(p, "s-neutral", float(w)) for p, w in neutral.items()]
    return entries


@cache
def _sentiment_lexicon(lang: str) -> Lexicon:
    return Lexicon(sentiment_entries(lang))


def _field_score(hits: Sequence[Hit], text: str) -> tuple[float, float, float]:
    """(positive, negative, neutral cues' weight) of one field's hits."""
    negators = [h for h in hits if h.group == "s-not"]
    dampeners = [h for h in hits if h.group == "s-damp"]
    neutral = sum(float(h.payload) for h in hits if h.group == "s-neutral")
    pos = neg = 0.0
    for h in hits:
        if h.group != "s":
            continue
        w = float(h.payload)
        if _in_scope(h, dampeners, text):
            neutral += 0.5  # prevention, drills, risks: talk about an event, not one
            continue
        if _in_scope(h, negators, text):
            w = -0.5 * w
        if w >= 0:
            pos += w
        else:
            neg -= w
    return pos, neg, neutral


def _in_scope(h: Hit, cues: Sequence[Hit], text: str) -> bool:
    """Whether a cue comes shortly before the hit, in the same clause."""
    for c in cues:
        if c.start <= h.start and c.end >= h.end:
            return True  # the cue covers the phrase ("hạn chế mức thấp nhất")
        if c.end > h.start:
            continue
        near = h.tok - c.tok <= SCOPE if h.tok >= 0 and c.tok >= 0 else h.start - c.end <= 2
        if near and not _CLAUSE_END.search(text, c.end, h.start):
            return True
    return False


def score_sentiment(
    title_hits: Sequence[Hit], text_hits: Sequence[Hit], title: str, text: str
) -> tuple[str, float]:
    """Label and score from the lexicon hits of the title and the text (NFC strings)."""
    tp, tn, tu = _field_score(title_hits, title)
    xp, xn, xu = _field_score(text_hits, text)
    pos = TITLE_WEIGHT * tp + xp
    neg = TITLE_WEIGHT * tn + xn
    damping = BASE_DAMPING + NEUTRAL_DAMPING * min(xu, 6.0) + TITLE_NEUTRAL_DAMPING * min(tu, 3.0)
    score = (pos - neg) / (pos + neg + damping)
    if score >= POSITIVE_AT:
        label = "positive"
    elif score <= NEGATIVE_AT:
        label = "negative"
    else:
        label = "neutral"
    return label, round(max(-1.0, min(1.0, score)), 3)


def classify_sentiment(
    title: str, text: str, lang: str, provinces: Sequence[str] = ()
) -> tuple[str, float]:
    """(positive|neutral|negative, score in −1..1) towards the province or the country.

    ``provinces`` (the places found) is accepted so that callers can pass it; the
    lexicon score does not need it today.
    """
    from .topics import keyword_lang

    lex = _sentiment_lexicon(keyword_lang(lang))
    tdoc, xdoc = Doc.of(title), Doc.of(text)
    return score_sentiment(lex.find(tdoc), lex.find(xdoc), tdoc.nfc, xdoc.nfc)
