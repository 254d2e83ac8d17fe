"""Does a province's plan cover the priorities of the year's guidance?

A guidance document (``Plan.kind == "guidance"``, e.g. the ministry's letter to the
provinces) is imported like a plan; its numbered leaf sections are the *priorities*. Each
priority is compared with the plan's sections and tasks by TF-IDF cosine similarity over
Vietnamese text folded to plain ASCII (``ttdn.core.text.fold``), using syllables and
syllable pairs (Vietnamese words are mostly two syllables: "du lịch", "báo chí") minus a
short list of function words. TF-IDF lets the words every TTĐN text shares ("thông tin
đối ngoại") weigh little, so the match rests on what a priority is about.

The method is deliberately small and explainable; ``COVERED_AT`` was set on hand-written
examples (tests/plans/test_guidance.py) and the seeds.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from ttdn.core.text import fold

from .models import Plan, Section, Task, TaskAgency

COVERED_AT = 0.2
TOP_MATCHES = 3

STOP_WORDS = frozenset(
    {
        "va",
        "cua",
        "cac",
        "cho",
        "voi",
        "trong",
        "tren",
        "tai",
        "theo",
        "ve",
        "de",
        "la",
        "co",
        "duoc",
        "nhung",
        "mot",
        "nay",
        "do",
        "khi",
        "tu",
        "den",
        "nam",
        "thang",
        "ngay",
        "nhu",
        "cung",
        "hoac",
        "ra",
        "vao",
        "bang",
        "tung",
        "moi",
        "nhieu",
        "hon",
        "viec",
        "",
    }
)
# Words of the field itself: every TTĐN text has them, so they say nothing about a topic.
DOMAIN_WORDS = frozenset(
    {
        "thong", "tin", "doi", "ngoai", "cong", "tac", "trien", "khai", "hoat", "dong",
        "thuc", "hien", "tinh", "thanh", "pho", "dia", "ban",
    }
)  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+")


def terms(text: str) -> list[str]:
    """Folded syllables and adjacent pairs, without function words."""
    words = [
        w
        for w in _WORD.findall(fold(text))
        if w not in STOP_WORDS and w not in DOMAIN_WORDS and len(w) > 1
    ]
    return words + [f"{a}_{b}" for a, b in itertools.pairwise(words)]


def _vectors(texts: Sequence[str]) -> list[dict[str, float]]:
    docs = [Counter(terms(t)) for t in texts]
    n = len(docs)
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    out = []
    for d in docs:
        vec = {t: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in d.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out.append({t: v / norm for t, v in vec.items()})
    return out


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def similarities(queries: Sequence[str], candidates: Sequence[str]) -> list[list[float]]:
    """Cosine similarity of every query with every candidate (one shared IDF)."""
    vecs = _vectors([*queries, *candidates])
    qv, cv = vecs[: len(queries)], vecs[len(queries) :]
    return [[round(_cosine(q, c), 4) for c in cv] for q in qv]


class Coverage(NamedTuple):
    priority: Section
    matches: list[tuple[Section | Task, float]]  # best first
    score: float
    covered: bool


def priorities(guidance: Plan) -> list[Section]:
    """The guidance's numbered leaf sections (no subsection below them); a priority is
    compared by its heading."""
    sections = list(guidance.sections.all())
    numbers = [s.number for s in sections]
    return [s for s in sections if not any(n.startswith(f"{s.number}.") for n in numbers)]


def _key(text: str) -> str:
    return fold(text).strip(" .:;")


def _item_text(item: Section | Task) -> str:
    return item.heading if isinstance(item, Section) else item.summary


def guidance_coverage(
    guidance: Plan, plan: Plan, *, threshold: float = COVERED_AT
) -> list[Coverage]:
    """For each guidance priority: the plan's best matching sections or tasks, the best
    score, and whether it reaches ``threshold``."""
    prios = priorities(guidance)
    # Items of the implementation section are headed by their agency ("Sở Ngoại vụ"):
    # they name who, not what, and would match any priority sharing a word with them.
    agencies = {
        _key(name)
        for name in TaskAgency.objects.filter(task__plan=plan).values_list(
            "name_as_written", flat=True
        )
    }
    items: list[Section | Task] = [*plan.sections.all(), *plan.tasks.all()]
    items = [i for i in items if _item_text(i).strip() and _key(_item_text(i)) not in agencies]
    if not prios:
        return []
    scores = similarities([p.heading for p in prios], [_item_text(i) for i in items])
    out = []
    for prio, row in zip(prios, scores, strict=True):
        ranked = sorted(zip(items, row, strict=True), key=lambda pair: -pair[1])
        matches = [(item, s) for item, s in ranked[:TOP_MATCHES] if s > 0]
        best = matches[0][1] if matches else 0.0
        out.append(Coverage(prio, matches, best, best >= threshold))
    return out


def coverage_summary(rows: Iterable[Coverage]) -> dict[str, Any]:
    rows = list(rows)
    covered = sum(1 for r in rows if r.covered)
    return {"total": len(rows), "covered": covered, "missing": len(rows) - covered}
