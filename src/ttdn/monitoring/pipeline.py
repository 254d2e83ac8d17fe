"""The press pipeline, one stage after another, each a plain function.

    discover(source)      feed / sitemap / listing page / imported file → Item rows (QUEUED)
    download_batch()      article pages → Item.html                       (QUEUED → FETCHED)
    process_batch()       extract → language → places and terms → topics → sentiment
                          → duplicates and stories → search index → alerts (FETCHED → DONE)

The stage lives on the row. A batch is claimed with a lease (``lease_token``,
``lease_until``) and written back in one transaction that checks the lease, so a worker
killed at any point leaves its items in their stage; when the lease runs out another run
takes them again. Items are unique by URL, so collecting a feed twice adds nothing and
nothing is indexed twice (the index replaces a row by its key).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Cluster, FetchRun, Item, ItemProvince, ItemTopic, Source

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# failures that another attempt will not cure
PERMANENT = {"too_large", "unsafe_url", "robots", "hostile_xml", "malformed", "encoding"}
STORY_WINDOW = dt.timedelta(days=3)
FAILING_AFTER = 1  # consecutive failed collections before a source shows as failing


# --- stage timing -----------------------------------------------------------------------


@dataclass
class StageStats:
    """Seconds and items per stage; jobs return them and the benchmark adds them up."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    items: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, stage: str, seconds: float, items: int = 1) -> None:
        self.seconds[stage] += seconds
        self.items[stage] += items

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {"seconds": dict(self.seconds), "items": dict(self.items)}


class _timer:
    def __init__(self, stats: StageStats | None, stage: str, items: int = 1) -> None:
        self.stats, self.stage, self.items = stats, stage, items

    def __enter__(self) -> _timer:
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.stats is not None:
            self.stats.add(self.stage, time.perf_counter() - self.t0, self.items)


# --- helpers ------------------------------------------------------------------------------


def url_hash(url: str) -> str:
    return hashlib.sha1(url.strip().encode("utf-8"), usedforsecurity=False).hexdigest()


def sort_key_for(when: dt.datetime) -> int:
    """Microseconds since the epoch: newest-first order and the search index's row id."""
    return int(when.timestamp() * 1_000_000)


def allowed_hosts() -> list[str]:
    from .models import AllowedHost

    return list(AllowedHost.objects.values_list("host", flat=True))


_fetcher_lock = threading.Lock()
_fetcher: Any = None
_fetcher_hosts: tuple[str, ...] = ()


def host_intervals() -> dict[str, float]:
    """Seconds between two requests to a host: the strictest of its sources' limits."""
    from urllib.parse import urlsplit

    out: dict[str, float] = {}
    for url, per_minute in Source.objects.exclude(url="").values_list("url", "requests_per_minute"):
        host = (urlsplit(url).hostname or "").lower()
        if host and per_minute:
            out[host] = max(out.get(host, 0.0), 60.0 / per_minute)
    return out


def get_fetcher() -> Any:
    """One polite HTTP client per process (it keeps the per-host clocks and robots.txt).

    It is rebuilt when an administrator changes the allowed private hosts; the per-host
    intervals follow the sources' settings (``TTDN_FETCHER_OPTIONS`` overrides both).
    """
    global _fetcher, _fetcher_hosts
    from django.conf import settings

    options = dict(getattr(settings, "TTDN_FETCHER_OPTIONS", {}) or {})
    hosts = tuple(sorted(set(allowed_hosts()) | set(options.pop("allowed_hosts", ()))))
    intervals = host_intervals()
    intervals.update(options.pop("host_intervals", {}) or {})
    with _fetcher_lock:
        if _fetcher is None or hosts != _fetcher_hosts:
            from .fetch.http import Fetcher

            if _fetcher is not None:
                _fetcher.close()
            _fetcher = Fetcher(allowed_hosts=hosts, **options)
            _fetcher_hosts = hosts
        _fetcher.host_intervals.update({k.lower(): v for k, v in intervals.items()})
        return _fetcher


def reset_fetcher() -> None:
    global _fetcher
    with _fetcher_lock:
        if _fetcher is not None:
            _fetcher.close()
        _fetcher = None


@dataclass
class NewItem:
    url: str
    title: str = ""
    text: str = ""
    published: dt.datetime | None = None
    author: str = ""
    kind: str = Item.Kind.ARTICLE
    external_id: str = ""


def create_items(source: Source, entries: Sequence[NewItem], *, stage: str) -> int:
    """Insert the entries not yet known (by URL). Returns how many are new.

    ``sort_key`` must be unique as well: keys are spread by the URL's hash and a clash
    (two items of the same microsecond) is retried with the next key.
    """
    now = timezone.now()
    by_hash: dict[str, NewItem] = {}
    for e in entries:
        if e.url:
            by_hash.setdefault(url_hash(e.url), e)
    if not by_hash:
        return 0
    known = set(Item.objects.filter(url_hash__in=list(by_hash)).values_list("url_hash", flat=True))
    rows = []
    for h, e in by_hash.items():
        if h in known:
            continue
        when = e.published if e.published and e.published <= now else now
        rows.append(
            Item(
                source=source,
                url=e.url[:2000],
                url_hash=h,
                title=(e.title or "")[:1000],
                text=e.text,
                author=(e.author or "")[:300],
                published_at=e.published,
                sort_key=sort_key_for(when) + int(h[:4], 16) % 997,
                kind=e.kind,
                external_id=e.external_id[:200],
                stage=stage,
            )
        )
    if not rows:
        return 0
    # One INSERT for the batch. A clash (the URL collected meanwhile, or the sort key
    # taken) skips the row; the rows that did not land are retried one by one.
    with transaction.atomic():
        Item.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    landed = set(
        Item.objects.filter(url_hash__in=[r.url_hash for r in rows]).values_list(
            "url_hash", "sort_key"
        )
    )
    created = 0
    for row in rows:
        if (row.url_hash, row.sort_key) in landed:
            created += 1
            continue
        for _attempt in range(50):
            if Item.objects.filter(url_hash=row.url_hash).exists():
                break  # another worker collected it meanwhile
            try:
                with transaction.atomic():
                    row.pk = None
                    row.sort_key += 1
                    row.save(force_insert=True)
                created += 1
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - 50 items in the same microsecond range
            log.error("no free sort key for %s", row.url)
    return created


def sources_due(now: dt.datetime | None = None) -> list[int]:
    """Claim the sources whose collection is due: each claimed by one tick only."""
    now = now or timezone.now()
    claimed = []
    for pk, interval, due in Source.objects.filter(active=True, next_fetch_at__lte=now).values_list(
        "pk", "interval_minutes", "next_fetch_at"
    )[:500]:
        n = Source.objects.filter(pk=pk, next_fetch_at=due).update(
            next_fetch_at=now + dt.timedelta(minutes=max(1, interval))
        )
        if n:
            claimed.append(pk)
    return claimed


# --- stage 1: discover ---------------------------------------------------------------------


def _record_failure(source: Source, run: FetchRun, code: str, message: str) -> None:
    run.outcome = FetchRun.Outcome.FAILED
    run.error_code, run.error = code[:32], message[:500]
    source.consecutive_failures += 1
    source.last_error, source.last_error_code = message[:500], code[:32]
    if source.consecutive_failures >= FAILING_AFTER:
        source.health = Source.Health.FAILING


def discover(source: Source, *, fetcher: Any = None, stats: StageStats | None = None) -> FetchRun:
    """Collect a source's list of articles (not the articles themselves) and record health.

    Never raises for a bad source: the failure is the source's health and last error.
    """
    from .fetch import FetchError
    from .fetch.feeds import extract_listing_links, parse_feed, parse_sitemap

    fetcher = fetcher or get_fetcher()
    run = FetchRun(source=source, started_at=timezone.now(), outcome=FetchRun.Outcome.OK)
    entries: list[NewItem] = []
    t0 = time.perf_counter()
    try:
        from .fetch.urls import validate_source_url

        validate_source_url(source.url, allowed_hosts=allowed_hosts())
        result = fetcher.fetch(
            source.url,
            etag=source.etag or None,
            last_modified=source.last_modified or None,
        )
        if result.not_modified:
            run.outcome = FetchRun.Outcome.NOT_MODIFIED
        elif source.kind == Source.Kind.FEED:
            for e in parse_feed(result.content, result.final_url):
                entries.append(
                    NewItem(
                        url=e.url,
                        title=e.title or "",
                        published=e.published,
                        author=e.author or "",
                    )
                )
        elif source.kind == Source.Kind.SITEMAP:
            urls, children = parse_sitemap(result.content, result.final_url)
            for child in children[:20]:
                sub = fetcher.fetch(child)
                more, _children = parse_sitemap(sub.content, sub.final_url)
                urls.extend(more)
            entries = [NewItem(url=u.url, published=u.lastmod) for u in urls]
        elif source.kind == Source.Kind.LISTING:
            from .fetch.decode import decode_html

            html = decode_html(result.content, result.charset)
            entries = [NewItem(url=u) for u in extract_listing_links(html, result.final_url)]
        if not result.not_modified:
            source.etag = (result.etag or "")[:255]
            source.last_modified = (result.last_modified or "")[:64]
        run.found = len(entries)
        run.new_items = create_items(source, entries, stage=Item.Stage.QUEUED)
        source.consecutive_failures = 0
        source.health = Source.Health.OK
        source.last_error = source.last_error_code = ""
        source.last_ok_at = timezone.now()
    except FetchError as exc:
        _record_failure(source, run, exc.code, exc.message)
    except Exception as exc:  # a bug or an unforeseen answer must not stop the other sources
        log.exception("source %s", source.pk)
        _record_failure(
            source, run, "error", _("Unexpected error while collecting: %(e)s") % {"e": exc}
        )
    run.finished_at = timezone.now()
    source.last_fetched_at = run.finished_at
    run.save()
    Source.objects.filter(pk=source.pk).update(
        etag=source.etag,
        last_modified=source.last_modified,
        consecutive_failures=source.consecutive_failures,
        health=source.health if source.health != Source.Health.PAUSED else Source.Health.PAUSED,
        last_error=source.last_error,
        last_error_code=source.last_error_code,
        last_ok_at=source.last_ok_at,
        last_fetched_at=source.last_fetched_at,
    )
    if stats is not None:
        stats.add("discover", time.perf_counter() - t0, max(run.new_items, 0))
    return run


def import_file(source: Source, content: bytes, filename: str) -> tuple[int, int]:
    """Items from a social-media export (CSV/JSONL). Returns (new, skipped)."""
    from .fetch.social import parse_social_export

    posts = parse_social_export(content, filename)
    entries = [
        NewItem(
            url=p.url or f"urn:ttdn:{source.pk}:{p.external_id or url_hash(p.text)}",
            title=p.title or "",
            text=p.text,
            published=p.published,
            author=p.author or "",
            kind=Item.Kind.COMMENT if p.kind == "comment" else Item.Kind.POST,
            external_id=p.external_id or "",
        )
        for p in posts
    ]
    new = create_items(source, entries, stage=Item.Stage.FETCHED)
    return new, len(entries) - new


# --- leases -------------------------------------------------------------------------------


def lease() -> dt.timedelta:
    from django.conf import settings

    return dt.timedelta(seconds=settings.TTDN_MONITOR_LEASE_SECONDS)


def claim(stage: str, limit: int) -> tuple[str, list[Item]]:
    """Lease up to ``limit`` items of a stage to this run."""
    now = timezone.now()
    token = uuid.uuid4().hex
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    ids = list(
        Item.objects.filter(free, stage=stage).order_by("pk").values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return token, []
    Item.objects.filter(free, pk__in=ids, stage=stage).update(
        lease_token=token, lease_until=now + lease()
    )
    items = list(
        Item.objects.filter(lease_token=token, stage=stage).select_related("source__owner")
    )
    return token, items


def pending_counts() -> dict[str, int]:
    return {
        stage: Item.objects.filter(stage=stage).count()
        for stage in (Item.Stage.QUEUED, Item.Stage.FETCHED)
    }


# --- stage 2: download ---------------------------------------------------------------------


def download_batch(
    limit: int = 50, *, fetcher: Any = None, threads: int = 8, stats: StageStats | None = None
) -> int:
    """Download the pages of up to ``limit`` queued items. Returns how many were handled."""
    from .fetch import FetchError

    fetcher = fetcher or get_fetcher()
    token, items = claim(Item.Stage.QUEUED, limit)
    if not items:
        return 0
    hosts = allowed_hosts()

    def one(item: Item) -> tuple[Item, Any, Any]:
        from .fetch.urls import validate_source_url

        try:
            validate_source_url(item.url, allowed_hosts=hosts)
            return item, fetcher.fetch(item.url), None
        except FetchError as exc:
            return item, None, exc
        except Exception as exc:
            return item, None, exc

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, min(threads, len(items)))) as pool:
        results = list(pool.map(one, items))
    if stats is not None:
        stats.add("fetch", time.perf_counter() - t0, len(items))
    fetched = [
        (bytes(result.content), (result.charset or "")[:40], item.pk)
        for item, result, _exc in results
        if result is not None
    ]
    with transaction.atomic():
        _store_pages(fetched, token)
        for item, result, exc in results:
            if result is not None:
                continue
            mine = Item.objects.filter(pk=item.pk, lease_token=token, stage=Item.Stage.QUEUED)
            code = getattr(exc, "code", "error")
            message = getattr(exc, "message", str(exc))
            attempts = item.attempts + 1
            status = getattr(exc, "status", None) or 0
            gone = 400 <= status < 500 and status not in (408, 429)  # another try won't help
            failed = attempts >= MAX_ATTEMPTS or code in PERMANENT or gone
            mine.update(
                attempts=attempts,
                error=str(message)[:500],
                stage=Item.Stage.FAILED if failed else Item.Stage.QUEUED,
                lease_until=None if failed else timezone.now() + dt.timedelta(minutes=attempts),
            )
    return len(items)


def _store_pages(rows: list[tuple[bytes, str, int]], token: str) -> None:
    """Store downloaded pages ``(content, charset, item id)`` on the items this run still
    holds, with one prepared statement (a queryset update per item costs more than the
    write, and the batch holds the database's write lock meanwhile)."""
    fetched, queued = Item.Stage.FETCHED.value, Item.Stage.QUEUED.value
    _execute_update(
        Item,
        ("html", "charset", "stage", "lease_until", "error"),
        ("id", "lease_token", "stage"),
        [(content, cs, fetched, None, "", pk, token, queued) for content, cs, pk in rows],
    )


# --- stage 3: analyse, deduplicate, cluster, index, alert ---------------------------------


class RecentIndex:
    """Recent items' fingerprints and stories, per process, to find duplicates and stories.

    Loaded from the database incrementally (items done since the last look, whoever did
    them), so several workers see each other's work; entries older than the story window
    are dropped. A story made by the batch in hand has a temporary negative id until its
    row is written (:meth:`rename_cluster`).
    """

    def __init__(self) -> None:
        from .analysis import NEAR_DUP_BITS

        # k differing bits leave at least one of k + 1 bands equal (pigeonhole)
        n = NEAR_DUP_BITS + 1
        widths = [64 // n + (1 if i < 64 % n else 0) for i in range(n)]
        self.band_spans = [(sum(widths[:i]), widths[i]) for i in range(n)]
        self.max_pk = 0
        self.loaded_at = 0.0
        self.hashes: dict[str, int] = {}
        self.bands: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        self.item_cluster: dict[int, int] = {}
        self.features: dict[str, set[int]] = defaultdict(set)
        self.clusters: dict[int, tuple[frozenset[str], dt.datetime]] = {}

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]

    def _bands(self, h: int) -> list[tuple[int, int]]:
        u = h & 0xFFFFFFFFFFFFFFFF
        return [
            (i, (u >> start) & ((1 << width) - 1))
            for i, (start, width) in enumerate(self.band_spans)
        ]

    def add_item(self, pk: int, content_hash: str, simhash: int | None, cluster_id: int | None):
        if content_hash:
            self.hashes.setdefault(content_hash, pk)
        if simhash is not None:
            for b in self._bands(simhash):
                self.bands[b].append((pk, simhash))
        if cluster_id:
            self.item_cluster[pk] = cluster_id
        self.max_pk = max(self.max_pk, pk)

    def add_cluster(self, cluster_id: int, signature: frozenset[str], last_seen: dt.datetime):
        old = self.clusters.get(cluster_id)
        if old:
            for f in old[0]:
                self.features[f].discard(cluster_id)
        self.clusters[cluster_id] = (signature, last_seen)
        for f in signature:
            self.features[f].add(cluster_id)

    def rename_cluster(self, old: int, new: int, item_pks: Iterable[int]) -> None:
        """A story of the batch got its row: replace its temporary id by the real one."""
        entry = self.clusters.pop(old, None)
        if entry is not None:
            for f in entry[0]:
                self.features[f].discard(old)
            self.add_cluster(new, *entry)
        for pk in item_pks:
            self.item_cluster[pk] = new

    def refresh(self) -> None:
        since = timezone.now() - STORY_WINDOW
        if self.loaded_at and time.monotonic() - self.loaded_at > 3600:
            self.reset()
        rows = (
            Item.objects.filter(stage=Item.Stage.DONE, pk__gt=self.max_pk, collected_at__gte=since)
            .order_by("pk")
            .values_list("pk", "content_hash", "simhash", "cluster_id")
        )
        cluster_ids = set()
        for pk, ch, sh, cid in rows.iterator(chunk_size=2000):
            self.add_item(pk, ch, sh, cid)
            if cid:
                cluster_ids.add(cid)
        cluster_ids -= set(self.clusters)
        for c in Cluster.objects.filter(pk__in=cluster_ids, last_seen__gte=since):
            self.add_cluster(c.pk, frozenset(c.signature), c.last_seen)
        self.loaded_at = self.loaded_at or time.monotonic()

    def duplicate_of(self, content_hash: str, simhash: int) -> tuple[int | None, int | None]:
        """(item it duplicates, that item's cluster) or (None, None)."""
        from .analysis import near_duplicate

        pk = self.hashes.get(content_hash)
        if pk is not None:
            return pk, self.item_cluster.get(pk)
        seen: set[int] = set()
        for band in self._bands(simhash):
            for other, sh in self.bands.get(band, ()):
                if other in seen:
                    continue
                seen.add(other)
                if near_duplicate(simhash, sh):
                    return other, self.item_cluster.get(other)
        return None, None

    def story_of(self, signature: frozenset[str], when: dt.datetime) -> int | None:
        from .analysis import SAME_STORY, story_similarity

        counts: dict[int, int] = defaultdict(int)
        for f in signature:
            for cid in self.features.get(f, ()):
                counts[cid] += 1
        best, best_sim = None, 0.0
        for cid, shared in counts.items():
            if shared < 2:
                continue
            sig, last_seen = self.clusters[cid]
            if abs(when - last_seen) > STORY_WINDOW:
                continue
            sim = story_similarity(signature, sig)
            if sim > best_sim:
                best, best_sim = cid, sim
        return best if best_sim >= SAME_STORY else None


_recent = RecentIndex()


def recent_index() -> RecentIndex:
    return _recent


@dataclass
class _Analysed:
    item: Item
    fields: dict[str, Any]
    analysis: Any = None


def _analyse_one(item: Item, taxonomy: Any, terms: Sequence[str], stats: StageStats | None):
    from .analysis import analyse
    from .extract import extract_article

    fields: dict[str, Any] = {}
    title, text = item.title, item.text
    if item.html:
        from .fetch import FetchError
        from .fetch.decode import decode_html

        with _timer(stats, "extract"):
            try:
                html = decode_html(bytes(item.html), item.charset or None)
            except FetchError as exc:
                return _Analysed(item, {"error": exc.message, "stage": Item.Stage.FAILED})
            extracted = extract_article(
                html, item.url, metadata=not (item.title and item.published_at)
            )
        if extracted is None:
            return _Analysed(
                item,
                {"error": _("The page holds no article text."), "stage": Item.Stage.FAILED},
            )
        title = title or extracted.title
        text = extracted.text
        if title and text.startswith(title):
            text = text[len(title) :].lstrip()
        fields.update(title=title[:1000], text=text)
        if not item.published_at and extracted.published:
            fields["published_at"] = extracted.published
        if not item.author and extracted.author:
            fields["author"] = extracted.author
    with _timer(stats, "analyse"):
        lang_hint = item.source.language or None
        a = analyse(title, text, lang=lang_hint, taxonomy=taxonomy, watch_terms=terms)
    fields.update(
        lang=a.lang,
        provinces=a.provinces,
        topics=a.topics,
        sentiment=a.sentiment,
        sentiment_score=a.sentiment_score,
        mentions=[
            {"kind": m.kind, "key": m.key, "field": m.field, "start": m.start, "end": m.end}
            for m in a.mentions
        ],
        content_hash=a.content_hash,
        simhash=a.simhash,
    )
    return _Analysed(item, fields, a)


_taxonomy_cache: tuple[Any, Any] = (None, None)


def current_taxonomy() -> Any:
    """The topics as users edited them in the database; the shipped defaults when empty.

    Compiled once per process and again only when a topic changes (its keyword
    patterns are the costly part of the analysis set-up).
    """
    global _taxonomy_cache
    from django.db.models import Count, Max

    from .analysis import Taxonomy, default_taxonomy
    from .models import Topic

    try:
        stamp = Topic.objects.filter(active=True).aggregate(n=Count("pk"), at=Max("updated_at"))
        key = (stamp["n"], stamp["at"])
        if _taxonomy_cache[0] == key and _taxonomy_cache[1] is not None:
            return _taxonomy_cache[1]
        records = [t.as_record() for t in Topic.objects.filter(active=True)]
    except Exception:  # no database yet (``monitor classify`` before migrate)
        return default_taxonomy()
    taxonomy = Taxonomy.from_records(records) if records else default_taxonomy()
    _taxonomy_cache = (key, taxonomy)
    return taxonomy


def watched_terms() -> list[str]:
    from .models import WatchTerm

    return sorted(set(WatchTerm.objects.values_list("term", flat=True)))


def _cluster_title(title: str, text: str) -> str:
    return (title or text[:200]).strip()[:500] or "—"


def process_batch(limit: int = 50, *, stats: StageStats | None = None) -> int:
    """Analyse up to ``limit`` downloaded items and index them. Returns how many.

    Everything that only needs the CPU is done before the write transaction: extraction,
    analysis, duplicates and stories (in the worker's :class:`RecentIndex`), the text the
    search index holds, the alert rules' matches. The transaction then only writes rows,
    so on SQLite the workers hold the single write lock for as short a time as possible.
    """
    from . import alerts, search

    token, items = claim(Item.Stage.FETCHED, limit)
    if not items:
        return 0
    taxonomy = current_taxonomy()
    terms = watched_terms()
    analysed = [_analyse_one(item, taxonomy, terms, stats) for item in items]
    recent = recent_index()
    try:
        with _timer(stats, "cluster", 0):  # the items are counted when written
            recent.refresh()
            done, new_stories = _assign_stories(analysed, recent)
        with _timer(stats, "index", 0):
            texts = search.index_texts(done)
        with _timer(stats, "alerts", 0):
            matches = alerts.match_items(done)
        if not _write_batch(token, analysed, done, new_stories, texts, matches, recent, stats):
            recent.reset()  # it saw items that another run took: reload from the database
    except BaseException:
        recent.reset()  # it may hold items or stories that were not written
        raise
    return len(items)


@dataclass
class _NewStory:
    title: str
    when: dt.datetime
    signature: frozenset[str]
    items: list[Item] = field(default_factory=list)


def _assign_stories(
    analysed: list[_Analysed], recent: RecentIndex
) -> tuple[list[Item], dict[int, _NewStory]]:
    """Set the analysed items' fields, duplicates and stories, in memory.

    A story first seen in this batch gets a temporary negative id (its row is made in the
    write transaction). Returns the items done and the new stories by temporary id.
    """
    done: list[Item] = []
    new: dict[int, _NewStory] = {}
    for a in analysed:
        if a.analysis is None:
            continue
        item = a.item
        for k, v in a.fields.items():
            setattr(item, k, v)
        when = item.published_at or item.collected_at
        dup_pk, dup_cluster = recent.duplicate_of(item.content_hash, item.simhash or 0)
        signature = frozenset(a.analysis.signature)
        cluster_id = dup_cluster or recent.story_of(signature, when)
        if cluster_id is None:
            cluster_id = -(len(new) + 1)
            new[cluster_id] = _NewStory(_cluster_title(item.title, item.text), when, signature)
            recent.add_cluster(cluster_id, signature, when)
        if cluster_id < 0:
            new[cluster_id].items.append(item)
        item.duplicate_of_id = dup_pk
        item.cluster_id = cluster_id
        item.stage = Item.Stage.DONE
        item.lease_until = None
        item.error = ""
        item.html = None
        done.append(item)
        recent.add_item(item.pk, item.content_hash, item.simhash, cluster_id)
    return done, new


def _write_batch(
    token: str,
    analysed: list[_Analysed],
    done: list[Item],
    new_stories: dict[int, _NewStory],
    texts: dict[int, tuple[str, str, str]],
    matches: list[tuple[Any, Item]],
    recent: RecentIndex,
    stats: StageStats | None,
) -> bool:
    """Write the batch in one transaction; False when some items were no longer ours."""
    from . import alerts, search

    with transaction.atomic():
        mine = set(
            Item.objects.filter(
                pk__in=[a.item.pk for a in analysed], lease_token=token, stage=Item.Stage.FETCHED
            ).values_list("pk", flat=True)
        )
        whole = len(mine) == len(analysed)
        if not whole:
            # the lease ran out and another run took some items: write only ours
            done = [i for i in done if i.pk in mine]
            matches = [(r, i) for r, i in matches if i.pk in mine]
        t0 = time.perf_counter()
        for a in analysed:
            if a.analysis is None and a.item.pk in mine:
                Item.objects.filter(pk=a.item.pk).update(
                    stage=a.fields["stage"], error=a.fields["error"][:500], lease_until=None
                )
        _create_stories(new_stories, mine, recent)
        _update_rows(done, DONE_FIELDS)
        ItemTopic.objects.filter(item__in=done).delete()
        ItemProvince.objects.filter(item__in=done).delete()
        ItemTopic.objects.bulk_create(
            [
                ItemTopic(item=i, code=c, day=timezone.localdate(i.when))
                for i in done
                for c in i.topics
            ]
        )
        ItemProvince.objects.bulk_create(
            [
                ItemProvince(item=i, province=p, day=timezone.localdate(i.when))
                for i in done
                for p in i.provinces
            ]
        )
        add_to_clusters(done)
        if stats is not None:
            stats.add("cluster", time.perf_counter() - t0, len(done))
        with _timer(stats, "index", len(done)):
            search.index_items(done, texts=texts)
        with _timer(stats, "alerts", len(done)):
            alerts.create_alerts(matches)
    return whole


def _create_stories(new: dict[int, _NewStory], mine: set[int], recent: RecentIndex) -> None:
    """Write the stories first seen in this batch and give their items the real ids."""
    wanted = {k: s for k, s in new.items() if any(i.pk in mine for i in s.items)}
    rows = Cluster.objects.bulk_create(
        [
            Cluster(
                title=s.title,
                first_seen=s.when,
                last_seen=s.when,
                size=0,
                signature=sorted(s.signature),
            )
            for s in wanted.values()
        ]
    )
    for (temp, story), row in zip(wanted.items(), rows, strict=True):
        for item in story.items:
            item.cluster_id = row.pk
        recent.rename_cluster(temp, row.pk, [i.pk for i in story.items])


DONE_FIELDS = (
    "title", "text", "author", "published_at", "lang", "provinces", "topics", "sentiment",
    "sentiment_score", "mentions", "content_hash", "simhash", "duplicate_of", "cluster",
    "stage", "lease_until", "error", "html",
)  # fmt: skip


def _execute_update(
    model: Any, set_names: Sequence[str], where_names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """``UPDATE model SET set_names… WHERE where_names…`` as one prepared statement run for
    every row of values (already prepared for the database), set values first."""
    from django.db import connection

    if not rows:
        return
    meta = model._meta
    qn = connection.ops.quote_name

    def col(name: str) -> str:
        return qn(meta.get_field(name).column or name)

    # identifiers come from the model's own field names, values are parameters
    sql = (
        f"UPDATE {qn(meta.db_table)} SET "  # noqa: S608
        + ", ".join(f"{col(n)} = %s" for n in set_names)
        + " WHERE "
        + " AND ".join(f"{col(n)} = %s" for n in where_names)
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _update_rows(items: Sequence[Any], names: Sequence[str]) -> None:
    """UPDATE the objects' fields (all of one model) by primary key, with one prepared
    statement run for every row.

    ``bulk_update`` builds a CASE WHEN per field and row and resolves every expression in
    Python: about 9 ms an item for these 18 fields, more than the rest of the write.
    """
    from django.db import connection
    from django.db.models import Field

    if not items:
        return
    meta = type(items[0])._meta
    fields: list[Field[Any, Any]] = []
    for n in names:
        f = meta.get_field(n)
        assert isinstance(f, Field)
        fields.append(f)
    rows = [
        [f.get_db_prep_save(getattr(i, f.attname), connection) for f in fields] + [i.pk]
        for i in items
    ]
    _execute_update(type(items[0]), [f.name for f in fields], [meta.pk.name], rows)


# A story's summary: its languages, its five most named provinces, three main topics and
# the most frequent sentiment, from the counts of its members.
CLUSTER_SUMMARY = ("size", "first_seen", "last_seen", "languages", "provinces", "topics",
                   "sentiment", "counts")  # fmt: skip


def _member_values(item: Item) -> dict[str, list[str]]:
    return {
        "lang": [item.lang] if item.lang else [],
        "province": list(item.provinces or []),
        "topic": list(item.topics or []),
        "sentiment": [item.sentiment] if item.sentiment else [],
    }


def _summarise(cluster: Cluster) -> None:
    counts = cluster.counts

    def top(group: str, k: int) -> list[str]:
        rows = [(n, v) for v, n in counts.get(group, {}).items() if n > 0]
        return [v for _n, v in sorted(rows, key=lambda r: (-r[0], r[1]))[:k]]

    cluster.languages = sorted(v for v, n in counts.get("lang", {}).items() if n > 0)
    cluster.provinces = top("province", 5)
    cluster.topics = top("topic", 3)
    best = top("sentiment", 1)
    cluster.sentiment = best[0] if best else ""


def add_to_clusters(items: Sequence[Item]) -> None:
    """Add newly done items to their stories' size, dates and counts.

    Reads and writes only the stories touched, whatever their size (a story told by
    thousands of items costs as much as a new one). A story made before counts were kept
    is recounted from its members (:func:`refresh_clusters`).
    """
    members: dict[int, list[Item]] = defaultdict(list)
    for i in items:
        if i.cluster_id:
            members[i.cluster_id].append(i)
    if not members:
        return
    changed, stale = [], []
    for cluster in Cluster.objects.filter(pk__in=list(members)):
        if cluster.size and not cluster.counts:
            stale.append(cluster.pk)
            continue
        group = members[cluster.pk]
        counts: dict[str, dict[str, int]] = cluster.counts or {}
        for item in group:
            for name, values in _member_values(item).items():
                bucket = counts.setdefault(name, {})
                for v in values:
                    bucket[v] = bucket.get(v, 0) + 1
        whens = [i.when for i in group]
        if cluster.size:
            whens += [cluster.first_seen, cluster.last_seen]
        cluster.first_seen, cluster.last_seen = min(whens), max(whens)
        cluster.size += len(group)
        cluster.counts = counts
        _summarise(cluster)
        changed.append(cluster)
    _update_rows(changed, CLUSTER_SUMMARY)
    refresh_clusters(stale)


def refresh_clusters(cluster_ids: Iterable[int]) -> None:
    """Recount a story's size, dates, languages, provinces, topics from its members.

    For repairs and stories made before counts were kept; the pipeline adds to the
    counts (:func:`add_to_clusters`). Aggregated in the database: a story of thousands of
    items costs a few grouped queries, not a read of every member.
    """
    from django.db.models import Count, Max, Min
    from django.db.models.functions import Coalesce

    ids = sorted({c for c in cluster_ids if c})
    if not ids:
        return
    members = Item.objects.filter(cluster_id__in=ids, stage=Item.Stage.DONE)
    when = Coalesce("published_at", "collected_at")
    base = {
        r["cluster_id"]: r
        for r in members.values("cluster_id").annotate(n=Count("pk"), a=Min(when), b=Max(when))
    }
    counts: dict[int, dict[str, dict[str, int]]] = defaultdict(
        lambda: {"lang": {}, "province": {}, "topic": {}, "sentiment": {}}
    )
    for field_name, group in (("lang", "lang"), ("sentiment", "sentiment")):
        for r in (
            members.exclude(**{field_name: ""})
            .values("cluster_id", field_name)
            .annotate(n=Count("pk"))
        ):
            counts[r["cluster_id"]][group][r[field_name]] = r["n"]
    for model, column, group in (
        (ItemProvince, "province", "province"),
        (ItemTopic, "code", "topic"),
    ):
        for r in (
            model.objects.filter(item__cluster_id__in=ids, item__stage=Item.Stage.DONE)
            .values("item__cluster_id", column)
            .annotate(n=Count("pk"))
        ):
            counts[r["item__cluster_id"]][group][r[column]] = r["n"]
    changed = []
    for cluster in Cluster.objects.filter(pk__in=ids):
        agg = base.get(cluster.pk)
        if agg is None:
            continue
        cluster.size = agg["n"]
        cluster.first_seen, cluster.last_seen = agg["a"], agg["b"]
        cluster.counts = counts[cluster.pk]
        _summarise(cluster)
        changed.append(cluster)
    _update_rows(changed, CLUSTER_SUMMARY)


def run_until_idle(
    *, fetcher: Any = None, batch: int = 50, stats: StageStats | None = None, budget_s: float = 0
) -> dict[str, int]:
    """Download and process everything pending (the command line and the benchmark)."""
    t0 = time.monotonic()
    totals = {"downloaded": 0, "processed": 0}
    while True:
        d = download_batch(batch, fetcher=fetcher, stats=stats)
        p = process_batch(batch, stats=stats)
        totals["downloaded"] += d
        totals["processed"] += p
        if not d and not p:
            return totals
        if budget_s and time.monotonic() - t0 > budget_s:
            return totals
