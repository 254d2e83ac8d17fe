"""Full-text search of press items: one interface over SQLite FTS5 and PostgreSQL.

The index holds, per analysed item, its folded title and text, its words written with
diacritics, and *facet tokens* for every filter and for the organisations that may read it
(``terms.item_facets``). Its row key is ``Item.sort_key`` (time of publication in
microseconds, unique), so newest first is index order and a date range is a key range.
Every filter and the user's scope are part of the one full-text match; display text comes
from the ``Item`` rows, never from the index. Design and measurements:
docs/adr/0007-press-search.md; benchmark: bench/monitor_search.py.

Readers call ``search_items(query, user)`` (or ``search`` with explicit organisation ids);
the pipeline calls ``index_items`` after analysing items and whenever a facet changes
(an item joins or leaves a story, its topics change: ``reindex_items``). Deleting items
removes them from the index by itself (a cascade on SQLite, a trigger on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from types import ModuleType
from typing import Any, Literal

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections, transaction
from django.utils import timezone

from . import postgres, sqlite
from .terms import (
    ParsedQuery,
    Plan,
    Term,
    analyse,
    facet,
    highlight_terms,
    item_facets,
    org_ids_of_path,
    parse_query,
)

__all__ = [
    "COUNT_LIMIT",
    "ParsedQuery",
    "SearchPage",
    "SearchQuery",
    "Term",
    "highlight_terms",
    "index_items",
    "parse_query",
    "reindex_items",
    "search",
    "search_items",
    "unindex_items",
]

# Counts are exact up to this many matches; above, ``total_is_estimate`` is set and
# ``total`` is this number: "more than 10 000".
COUNT_LIMIT = 10_000
# Relevance order ranks the newest ``RANK_CANDIDATES`` matches of the engine (all of
# them when there are fewer): ranking every match of a common word costs 0.4 s on SQLite
# and 2 s on PostgreSQL at a million items (see the ADR).
MAX_PER_PAGE = 100
_BATCH = 500


@dataclass
class SearchQuery:
    """What a user asked for. Filter lists combine as "any of" within a list and "all
    of" across lists; empty lists do not filter."""

    text: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sources: list[int] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    sentiments: list[str] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)
    clusters: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    order: Literal["newest", "relevance"] = "newest"
    page: int = 1
    per_page: int = 20


@dataclass
class SearchPage:
    """One page of results. ``total`` is exact unless ``total_is_estimate``: then there
    are more than ``total`` matches."""

    item_ids: list[int]
    total: int
    total_is_estimate: bool
    page: int
    per_page: int
    has_next: bool


def _engine(using: str) -> ModuleType:
    vendor = connections[using].vendor
    if vendor == "sqlite":
        return sqlite
    if vendor == "postgresql":
        return postgres
    raise NotSupportedError(f"press search supports SQLite and PostgreSQL, not {vendor}")


def _key(day: dt.date) -> int:
    """The ``sort_key`` of the first microsecond of ``day`` in the platform's time zone."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())
    return int(start.timestamp() * 1_000_000)


def _values(values: Iterable[Any] | None) -> list[Any]:
    return [v for v in values or () if v is not None and str(v).strip() != ""]


def build_plan(query: SearchQuery, scope_org_ids: Collection[int] | None) -> Plan | None:
    """The engines' form of a query; ``None`` when nothing can match."""
    groups: list[tuple[str, ...]] = []
    if scope_org_ids is not None:
        if not scope_org_ids:
            return None
        groups.append(tuple(facet("o", int(i)) for i in sorted(set(scope_org_ids))))
    for prefix, values in (
        ("l", query.langs),
        ("t", query.topics),
        ("p", query.provinces),
        ("m", query.sentiments),
        ("k", query.kinds),
        ("s", query.sources),
        ("c", query.clusters),
    ):
        vals = _values(values)
        if vals:
            groups.append(tuple(dict.fromkeys(facet(prefix, v) for v in vals)))
    lo = _key(query.date_from) if query.date_from else None
    hi = _key(query.date_to + dt.timedelta(days=1)) - 1 if query.date_to else None
    if lo is not None and hi is not None and lo > hi:
        return None
    return Plan(parse_query(query.text), tuple(groups), lo, hi)


def search(
    query: SearchQuery,
    *,
    scope_org_ids: Collection[int] | None,
    using: str = DEFAULT_DB_ALIAS,
) -> SearchPage:
    """Item ids of one page of results, newest first or by relevance.

    ``scope_org_ids``: the organisations whose subtrees the reader may see (``None``:
    everything, for national viewers; empty: nothing).
    """
    per_page = min(max(int(query.per_page or 20), 1), MAX_PER_PAGE)
    page = max(int(query.page or 1), 1)
    plan = build_plan(query, scope_org_ids)
    if plan is None:
        return SearchPage([], 0, False, page, per_page, False)
    engine = _engine(using)
    offset = (page - 1) * per_page
    cap = COUNT_LIMIT + 1
    with engine.reading(using), connections[using].cursor() as cursor:
        if query.order == "relevance" and plan.is_ranked:
            candidates = engine.RANK_CANDIDATES
            limit = max(min(per_page + 1, candidates - offset), 0)
            n, ids = engine.ranked(cursor, plan, offset, limit, cap=cap, candidates=candidates)
        else:
            n, ids = engine.newest(cursor, plan, offset, per_page + 1, cap=cap)
    exact = n < cap
    return SearchPage(
        item_ids=ids[:per_page],
        total=min(n, COUNT_LIMIT),
        total_is_estimate=not exact,
        page=page,
        per_page=per_page,
        has_next=len(ids) > per_page,
    )


def scope_org_ids_for(user: Any) -> list[int] | None:
    """The organisations whose items ``user`` may read (``None``: all of them)."""
    from ttdn.accounts.permissions import get_scope

    if not getattr(user, "is_authenticated", False):
        return []
    scope = get_scope(user)
    if scope.read_all:
        return None
    return sorted({ids[-1] for p in scope.read_paths if (ids := org_ids_of_path(p))})


def search_items(query: SearchQuery, user: Any) -> tuple[SearchPage, list[Any]]:
    """``search`` within what ``user`` may read, with the ``Item`` rows of the page."""
    from ..models import Item

    result = search(query, scope_org_ids=scope_org_ids_for(user))
    rows = Item.objects.select_related("source", "cluster").in_bulk(result.item_ids)
    return result, [rows[i] for i in result.item_ids if i in rows]


# --- indexing ----------------------------------------------------------------------------------


def _batches(items: Iterable[Any]) -> Iterator[list[Any]]:
    it = iter(items.iterator(chunk_size=_BATCH) if hasattr(items, "iterator") else items)
    while batch := list(islice(it, _BATCH)):
        yield batch


def index_texts(items: Iterable[Any]) -> dict[int, tuple[str, str, str]]:
    """What the index holds of each item's text (folded title, body, exact words), by id.

    CPU only: the pipeline computes it before its write transaction and passes it to
    :func:`index_items`, so the write lock is not held while text is folded.
    """
    return {int(i.pk): analyse(i.title or "", i.text or "") for i in items}


def _rows(
    items: list[Any], using: str, texts: dict[int, tuple[str, str, str]] | None = None
) -> list[tuple[int, int, str, str, str, list[str]]]:
    from ..models import Source

    owner_paths = dict(
        Source.objects.using(using)
        .filter(pk__in={i.source_id for i in items})
        .values_list("pk", "owner__path")
    )
    rows = []
    for item in items:
        known = texts.get(int(item.pk)) if texts else None
        title, body, exact = known or analyse(item.title or "", item.text or "")
        facets = item_facets(
            lang=item.lang,
            topics=item.topics,
            provinces=item.provinces,
            sentiment=item.sentiment,
            source_id=item.source_id,
            cluster_id=item.cluster_id,
            kind=item.kind,
            owner_path=owner_paths.get(item.source_id, ""),
        )
        rows.append((int(item.sort_key), int(item.pk), title, body, exact, facets))
    return rows


def index_items(
    items: Iterable[Any],
    *,
    using: str = DEFAULT_DB_ALIAS,
    texts: dict[int, tuple[str, str, str]] | None = None,
) -> int:
    """Add items to the index or replace their entries; returns how many.

    Idempotent: an item is in the index at most once. Call it inside the transaction
    that changed the items (it joins it), after the change. ``texts``: from
    :func:`index_texts`, computed earlier from the same title and text.
    """
    engine = _engine(using)
    n = 0
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for batch in _batches(items):
            batch = [i for i in batch if i.pk is not None]
            if batch:
                n += engine.index(cursor, _rows(batch, using, texts))
    return n


def reindex_items(item_ids: Iterable[int], *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Re-index items by id (after a story merge, an edit of topics, a moved source)."""
    from ..models import Item

    ids = list(dict.fromkeys(int(i) for i in item_ids))
    n = 0
    for i in range(0, len(ids), _BATCH):
        n += index_items(Item.objects.using(using).filter(pk__in=ids[i : i + _BATCH]), using=using)
    return n


def unindex_items(items: Iterable[Any], *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Remove items (``Item`` objects or ids) from the index; returns how many were in it."""
    ids = [int(k) for i in items if (k := getattr(i, "pk", i)) is not None]
    engine = _engine(using)
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        return engine.unindex(cursor, ids)
