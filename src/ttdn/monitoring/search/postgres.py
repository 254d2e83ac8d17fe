"""The search index on PostgreSQL: a tsvector per item, keyed by ``sort_key``, with GIN.

``monitoring_search_doc(sort_key, item_id, doc)``: ``doc`` holds the folded title (weight
A) and body (B) with positions, the exact words (``x_đồng``), the pairs of adjacent words
(``'dong nai'``) and the facet tokens. The text is folded in Python (``terms.analyse``),
the same function as on SQLite, so ``unaccent`` is not needed; ``to_tsvector('simple',
...)`` only splits the prepared tokens.

Why pairs: GIN holds no positions, so a phrase is checked row by row, reading each
candidate's tsvector (about 15 µs each); "dong nai" has hundreds of thousands of candidates
(every item with both syllables). A pair lexeme answers two-word phrases — most Vietnamese
words, and Chinese words, which are split into characters — from GIN alone; longer phrases
are checked only on the rows that have all their pairs.

GIN finds matches but cannot return them in time order, and the planner guesses the share
of matching rows from statistics that know nothing of how words and facets go together.
So the count comes first (it is needed anyway) and the access path follows from it: few
matches (≤ the exact-count limit) are collected through GIN and sorted; many are read
newest first along the primary key, checking each row, which stops after a page. A
sequential scan is never right here (it reads every tsvector), so searches run with
``enable_seqscan`` and ``jit`` off, restored afterwards.
"""

# All SQL here is built from constants; user input only ever travels as a bound
# parameter, or as a quoted lexeme of a tsquery literal (tokens: letters, digits, "_").
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connections, transaction

from .terms import ALL, Plan, Term, pairs

DOC = "monitoring_search_doc"
_CHUNK = 500
# Ranking reads each candidate's tsvector: fewer candidates than on SQLite.
RANK_CANDIDATES = 2_000

# Tables, triggers and indexes: migrations/0002_search_index.py.

# The tsvector of one item from its prepared parts (see ``index``).
DOC_SQL = (
    "setweight(to_tsvector('simple'::regconfig, %s), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, %s), 'B') || %s::tsvector"
)
# Exact words share the tsvector with the folded ones, so they get a prefix of their own
# (a folded word never has ``_``; a pair has a space).
EXACT = "x_"
# The month of ``sort_key`` (UTC), ``d_202611``: a date range adds its months to the
# tsquery, so that GIN starts from them instead of reading every posting of a frequent
# word or facet (``cua``, ``l_vi``); the exact bounds stay a ``sort_key`` range. Only for
# ranges up to this many months (beyond, the months are not selective).
MAX_BUCKET_MONTHS = 6


def month_bucket(sort_key: int) -> str:
    day = dt.datetime.fromtimestamp(sort_key / 1_000_000, dt.UTC)
    return f"d_{day.year:04d}{day.month:02d}"


def _buckets(lo: int, hi: int) -> list[str]:
    first = dt.datetime.fromtimestamp(lo / 1_000_000, dt.UTC)
    last = dt.datetime.fromtimestamp(hi / 1_000_000, dt.UTC)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months > MAX_BUCKET_MONTHS:
        return []
    out = []
    for k in range(months):
        year, month = divmod(first.month - 1 + k, 12)
        out.append(f"d_{first.year + year:04d}{month + 1:02d}")
    return out


@contextmanager
def reading(using: str) -> Iterator[None]:
    """Planner settings for the searches in the block (see the module docstring)."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('jit'), "
            "set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)"
        )
        seqscan, jit, _a, _b = cursor.fetchone()
        try:
            yield
        finally:
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, true), set_config('jit', %s, true)",
                [seqscan, jit],
            )


# --- the tsquery -----------------------------------------------------------------------------


def _lexemes(tokens: Sequence[str]) -> str:
    """Lexemes as tsquery/tsvector literals, quoted (they may hold spaces: pairs)."""
    return " ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in tokens)


def _term(t: Term, params: list[Any]) -> str:
    toks = t.tokens
    if len(toks) == 1:
        # through the parser that split the indexed text: a token PostgreSQL would not
        # index cannot make the query impossible (an empty part is ignored)
        params.append(toks[0])
        sql = "phraseto_tsquery('simple'::regconfig, %s)"
    else:
        params.append(" & ".join(_lexemes([p]) for p in pairs(" ".join(toks))))
        sql = "%s::tsquery"
        if len(toks) > 2:
            params.append(" ".join(toks))
            sql += " && phraseto_tsquery('simple'::regconfig, %s)"
    for written, folded in t.marked:
        params.append(f"{_lexemes([EXACT + written])} | {_lexemes([EXACT + folded])}")
        sql += " && %s::tsquery"
    return f"({sql})" if "&&" in sql else sql


def _text(plan: Plan, params: list[Any]) -> str | None:
    """The positive words only: what ts_rank scores."""
    if not plan.text.groups:
        return None
    return " && ".join(
        "(" + " || ".join(_term(t, params) for t in g) + ")" for g in plan.text.groups
    )


def tsquery(plan: Plan, params: list[Any]) -> str:
    parts: list[str] = []
    text = _text(plan, params)
    if text:
        parts.append(text)
    facets = list(plan.facets)
    if plan.lo is not None:
        # no upper bound: up to now (the pipeline never dates an item in the future)
        hi = plan.hi if plan.hi is not None else int(time.time() * 1_000_000)
        if months := _buckets(plan.lo, max(hi, plan.lo)):
            facets.append(tuple(months))
    if facets:
        params.append(" & ".join("(" + " | ".join(_lexemes([f]) for f in g) + ")" for g in facets))
        parts.append("%s::tsquery")
    if not parts:
        params.append(_lexemes([ALL]))
        parts.append("%s::tsquery")
    if plan.text.exclude:
        parts.append("!!(" + " || ".join(_term(t, params) for t in plan.text.exclude) + ")")
    return "(" + " && ".join(parts) + ")"


def _where(plan: Plan, *, indexed: bool = True) -> tuple[str, list[Any]]:
    """WHERE for the matches; ``indexed=False`` hides the match from GIN (see module)."""
    clauses: list[str] = []
    params: list[Any] = []
    if plan.needs_match:
        q = tsquery(plan, params)
        clauses.append(f"doc @@ {q}" if indexed else f"ts_match_vq(doc, {q})")
    if plan.lo is not None:
        clauses.append("sort_key >= %s")
        params.append(plan.lo)
    if plan.hi is not None:
        clauses.append("sort_key <= %s")
        params.append(plan.hi)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


# --- reads -------------------------------------------------------------------------------------


def _first_pass(
    plan: Plan, cap: int, page_sql: str, page_params: list[Any]
) -> tuple[str, list[Any]]:
    """Up to ``cap`` matches through GIN, their number, and — only when they are all the
    matches (fewer than ``cap``) — ``page_sql`` over them (``m``: sort_key, item_id)."""
    where, params = _where(plan)
    sql = (
        f"WITH m AS MATERIALIZED (SELECT sort_key, item_id FROM {DOC}{where} LIMIT %s), "
        "n AS (SELECT count(*) AS c FROM m) "
        f"SELECT (SELECT c FROM n), CASE WHEN (SELECT c FROM n) < %s THEN ({page_sql}) END"
    )
    return sql, [*params, cap, cap, *page_params]


def newest(cursor: Any, plan: Plan, offset: int, limit: int, *, cap: int) -> tuple[int, list[int]]:
    """(matches up to ``cap``, item ids of the page, newest first)."""
    page = (
        "SELECT array_agg(item_id ORDER BY sort_key DESC) FROM "
        "(SELECT sort_key, item_id FROM m ORDER BY sort_key DESC LIMIT %s OFFSET %s) AS p"
    )
    sql, params = _first_pass(plan, cap, page, [limit, offset])
    cursor.execute(sql, params)
    n, ids = cursor.fetchone()
    if n < cap:
        return n, list(ids or [])
    # many matches: newest first along the primary key until the page is full
    where, params = _where(plan, indexed=False)
    cursor.execute(
        f"SELECT item_id FROM {DOC}{where} ORDER BY sort_key DESC LIMIT %s OFFSET %s",
        [*params, limit, offset],
    )
    return n, [r[0] for r in cursor.fetchall()]


def ranked(
    cursor: Any, plan: Plan, offset: int, limit: int, *, cap: int, candidates: int
) -> tuple[int, list[int]]:
    """(matches up to ``cap``, item ids of the page by ts_rank among the newest
    ``candidates`` matches — all of them when fewer)."""
    rank_params: list[Any] = []
    rank_q = _text(plan, rank_params)
    rank = (
        "SELECT array_agg(item_id ORDER BY r DESC, sort_key DESC) FROM ("
        f"SELECT d.item_id, d.sort_key, ts_rank(d.doc, {rank_q}) AS r FROM (PICK) AS c "
        f"JOIN {DOC} AS d ON d.sort_key = c.sort_key "
        "ORDER BY r DESC, d.sort_key DESC LIMIT %s OFFSET %s) AS z"
    )
    pick = "SELECT sort_key FROM m ORDER BY sort_key DESC LIMIT %s"
    sql, params = _first_pass(
        plan, cap, rank.replace("PICK", pick), [*rank_params, candidates, limit, offset]
    )
    cursor.execute(sql, params)
    n, ids = cursor.fetchone()
    if n < cap or not limit:
        return n, list(ids or [])
    # many matches: the newest candidates along the primary key, then ranked
    where, params = _where(plan, indexed=False)
    pick = f"SELECT sort_key FROM {DOC}{where} ORDER BY sort_key DESC LIMIT %s"
    cursor.execute(
        f"SELECT ({rank.replace('PICK', pick)})", [*rank_params, *params, candidates, limit, offset]
    )
    return n, list(cursor.fetchone()[0] or [])


# --- writes --------------------------------------------------------------------------------------


def lexemes(sort_key: int, title: str, body: str, exact: str, facets: list[str]) -> str:
    """The literal part of an item's tsvector: exact words, pairs, facets, month."""
    return _lexemes(
        [EXACT + w for w in exact.split()] + pairs(title, body) + facets + [month_bucket(sort_key)]
    )


def index(cursor: Any, rows: Sequence[tuple[int, int, str, str, str, list[str]]]) -> int:
    """Insert or replace ``(sort_key, item_id, title, body, exact, facets)`` rows."""
    for i in range(0, len(rows), _CHUNK):
        chunk = rows[i : i + _CHUNK]
        cursor.execute(
            f"DELETE FROM {DOC} WHERE item_id = ANY(%s) OR sort_key = ANY(%s)",
            [[r[1] for r in chunk], [r[0] for r in chunk]],
        )
        cursor.executemany(
            f"INSERT INTO {DOC} (sort_key, item_id, doc) VALUES (%s, %s, {DOC_SQL})",
            [(k, item, t, b, lexemes(k, t, b, x, f)) for k, item, t, b, x, f in chunk],
        )
    return len(rows)


def unindex(cursor: Any, item_ids: Sequence[int]) -> int:
    n = 0
    for i in range(0, len(item_ids), _CHUNK):
        cursor.execute(
            f"DELETE FROM {DOC} WHERE item_id = ANY(%s)", [list(item_ids[i : i + _CHUNK])]
        )
        n += max(cursor.rowcount, 0)
    return n
