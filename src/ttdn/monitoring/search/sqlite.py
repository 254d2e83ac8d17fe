"""The search index on SQLite: FTS5 over a table of folded text, keyed by ``sort_key``.

``monitoring_search_doc`` holds what is indexed (folded title and body, exact words,
facet tokens) with ``sort_key`` as its row id; ``monitoring_search_fts`` is an
external-content FTS5 table over it, kept in step by triggers, so that deleting an item
(its row cascades) or re-indexing one always removes exactly what was indexed. The FTS5
row id is the ``sort_key``: reading matches in row-id order is newest first, and a date
range is a row-id range that FTS5 applies while it reads the index.
"""

# All SQL here is built from constants; user input only ever travels as a bound
# parameter (and inside FTS5 strings, where it is tokenized, never parsed).
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from .terms import ALL, Plan, Term

DOC = "monitoring_search_doc"
FTS = "monitoring_search_fts"
# Item ids come from ``monitoring_item``'s unique ``sort_key`` index (a covering lookup in
# a small B-tree), not from the doc table, whose ~2 KB rows cost a page read each.
ITEM = "monitoring_item"
# bm25 column weights: title, body, exact, facets. Exact words and facets only filter.
_BM25 = f"bm25({FTS}, 4.0, 1.0, 0.0, 0.0)"
_CHUNK = 500
# Ranking is cheap (bm25 from the index): rank more candidates than PostgreSQL does.
RANK_CANDIDATES = 5_000


@contextmanager
def reading(using: str) -> Iterator[None]:
    """Nothing to set up (no transaction either: a read must not take the write lock)."""
    yield


# Tables, triggers and indexes: migrations/0002_search_index.py.


# --- the MATCH expression ----------------------------------------------------------------


def _s(text: str) -> str:
    """An FTS5 string: whatever is inside is only ever tokenized, never parsed."""
    return '"' + text.replace('"', '""') + '"'


def _term(t: Term) -> str:
    expr = "{title body} : " + _s(" ".join(t.tokens))
    for written, folded in t.marked:
        expr += f" AND exact : ({_s(written)} OR {_s(folded)})"
    return f"({expr})" if t.marked else expr


def match_expression(plan: Plan) -> str:
    parts = ["(" + " OR ".join(_term(t) for t in g) + ")" for g in plan.text.groups]
    parts += ["facets : (" + " OR ".join(_s(f) for f in g) + ")" for g in plan.facets]
    if not parts:
        parts = [f"facets : {_s(ALL)}"]
    expr = " AND ".join(parts)
    if plan.text.exclude:
        expr = f"({expr}) NOT ({' OR '.join(_term(t) for t in plan.text.exclude)})"
    return expr


def _where(plan: Plan, key: str) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if plan.needs_match:
        clauses.append(f"{FTS} MATCH %s")
        params.append(match_expression(plan))
    if plan.lo is not None:
        clauses.append(f"{key} >= %s")
        params.append(plan.lo)
    if plan.hi is not None:
        clauses.append(f"{key} <= %s")
        params.append(plan.hi)
    return clauses, params


def _source(plan: Plan) -> tuple[str, str, list[Any]]:
    """FROM and WHERE for the matches: the FTS table, or the doc table without a query."""
    if plan.needs_match:
        clauses, params = _where(plan, "rowid")
        return FTS, " WHERE " + " AND ".join(clauses), params
    clauses, params = _where(plan, "sort_key")
    return DOC, (" WHERE " + " AND ".join(clauses)) if clauses else "", params


# --- reads ---------------------------------------------------------------------------------


def _count(cursor: Any, plan: Plan, cap: int) -> int:
    table, where, params = _source(plan)
    cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table}{where} LIMIT %s)", [*params, cap])
    return int(cursor.fetchone()[0])


def newest(cursor: Any, plan: Plan, offset: int, limit: int, *, cap: int) -> tuple[int, list[int]]:
    """(matches up to ``cap``, item ids of the page, newest first)."""
    n = _count(cursor, plan, cap)
    if not n or (n < cap and offset >= n):
        return n, []
    table, where, params = _source(plan)
    key = "rowid" if table == FTS else "sort_key"
    cursor.execute(
        f"SELECT i.id FROM (SELECT {key} AS k FROM {table}{where} "
        f"ORDER BY {key} DESC LIMIT %s OFFSET %s) AS m "
        f"JOIN {ITEM} AS i ON i.sort_key = m.k ORDER BY m.k DESC",
        [*params, limit, offset],
    )
    return n, [r[0] for r in cursor.fetchall()]


def ranked(
    cursor: Any, plan: Plan, offset: int, limit: int, *, cap: int, candidates: int
) -> tuple[int, list[int]]:
    """(matches up to ``cap``, item ids of the page by bm25 among the newest
    ``candidates`` matches — all of them when fewer)."""
    n = _count(cursor, plan, cap)
    if not n or not limit:
        return n, []
    if n > candidates:
        # the oldest of the candidates: the ranked query reads a row-id range
        _table, where, params = _source(plan)
        cursor.execute(
            f"SELECT rowid FROM {FTS}{where} ORDER BY rowid DESC LIMIT 1 OFFSET %s",
            [*params, candidates - 1],
        )
        row = cursor.fetchone()
        if row is not None:
            plan = replace(plan, lo=row[0])  # the cut-off respected plan.lo already
    _table, where, params = _source(plan)
    cursor.execute(
        f"SELECT i.id FROM (SELECT rowid AS k, {_BM25} AS r FROM {FTS}{where} "
        f"ORDER BY r, rowid DESC LIMIT %s OFFSET %s) AS m "
        f"JOIN {ITEM} AS i ON i.sort_key = m.k ORDER BY m.r, m.k DESC",
        [*params, limit, offset],
    )
    return n, [r[0] for r in cursor.fetchall()]


# --- writes --------------------------------------------------------------------------------


def _delete(cursor: Any, column: str, values: Sequence[int]) -> int:
    n = 0
    for i in range(0, len(values), _CHUNK):
        chunk = list(values[i : i + _CHUNK])
        exact = ", ".join(["%s"] * len(chunk))
        cursor.execute(f"DELETE FROM {DOC} WHERE {column} IN ({exact})", chunk)
        n += max(cursor.rowcount, 0)
    return n


def index(cursor: Any, rows: Sequence[tuple[int, int, str, str, str, list[str]]]) -> int:
    """Insert or replace ``(sort_key, item_id, title, body, exact, facets)`` rows."""
    _delete(cursor, "item_id", [r[1] for r in rows])
    _delete(cursor, "sort_key", [r[0] for r in rows])  # a key reused by another item
    # One statement per chunk, not executemany: FTS5 writes its pending terms out at the
    # end of each statement, so one statement per row is 2-3 times slower.
    for i in range(0, len(rows), _CHUNK):
        chunk = rows[i : i + _CHUNK]
        cursor.execute(
            f"INSERT INTO {DOC} (sort_key, item_id, title, body, exact, facets) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk)),
            [v for k, item, t, b, x, f in chunk for v in (k, item, t, b, x, " ".join(f))],
        )
    return len(rows)


def unindex(cursor: Any, item_ids: Sequence[int]) -> int:
    return _delete(cursor, "item_id", item_ids)


def optimize(cursor: Any) -> None:
    """Merge the index into one segment (after a bulk load; not needed otherwise)."""
    cursor.execute(f"INSERT INTO {FTS} ({FTS}) VALUES ('optimize')")
