"""The press-monitoring demo: a recorded corpus, served from 127.0.0.1, through the pipeline.

``load_demo_monitoring`` serves the corpus in ``data/demo_corpus`` (six invented outlets,
forty articles about Tuyên Quang in Vietnamese, English and Chinese, RSS and Atom feeds, a
sitemap, a listing page and a Facebook-style CSV export) from a small threaded HTTP server
on a free local port, creates the sources, watched terms, alert rules and a saved search
of the demo province's focal department, and runs collection and analysis in-process, not
through the job queue, so a new user sees a populated press dashboard within seconds. It
then opens a response case on the false story, stops the server and leaves the demo
sources paused (their health kept), so the scheduler does not fetch a port that is gone.

Dates are computed on the day of the load, so the dashboard always shows the last month.
Running it again adds nothing: once the demo's items are analysed, the collection is
skipped, and every other row is looked up before it is created.

``serve_pages`` is also what ``bench/monitor.py`` serves its generated corpus with.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import threading
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

CORPUS_DIR = Path(__file__).resolve().parent / "data" / "demo_corpus"
DEMO_HOST = "127.0.0.1"
DEMO_HOST_NOTE = (
    "Máy chủ trình diễn của `ttdn demo` (kho báo chí ghi sẵn) / the demo's recorded press corpus"
)
FOCAL_DEPARTMENT = "Sở Văn hóa, Thể thao và Du lịch"
ANSWERING_AGENCY = "Sở Nông nghiệp và Môi trường"
COORDINATOR = "dieuphoi"
SOURCE_SUFFIX = " (trình diễn)"
SOCIAL_SOURCE = "Trang Facebook “Hội Yêu Cao Nguyên Đá” – tệp xuất (trình diễn)"
SOCIAL_FILE = "social/facebook_export.csv"
FALSE_STORY = "su-that-dau-long-deo-ma-pi-leng-da-bi-ban-cho-nuoc-ngoai"

WATCH_TERMS = [
    "Mã Pí Lèng",
    "Đồng Văn",
    "Mèo Vạc",
    "Na Hang",
    "cửa khẩu Thanh Thủy",
    "Xiêng Khoảng",
    "Oita",
    "resort",
]
# (name, kind, keyword, province, spike factor, spike minimum)
ALERT_RULES = [
    ("Tin tiêu cực về tỉnh Tuyên Quang", "sentiment", "", "Tuyên Quang", 3.0, 5),
    ("Tin đồn “resort” trên đèo Mã Pí Lèng", "keyword", "resort", "Tuyên Quang", 3.0, 5),
    ("Tin về Tuyên Quang tăng đột biến", "spike", "", "Tuyên Quang", 3.0, 5),
]
SAVED_SEARCHES = [
    ("Đèo Mã Pí Lèng", "Mã Pí Lèng", {"province": "Tuyên Quang"}),
    ("Tin tiêu cực về tỉnh", "", {"province": "Tuyên Quang", "sentiment": "negative"}),
]
CASE_TITLE = "Tin sai sự thật: đèo Mã Pí Lèng bị “bán” cho nước ngoài xây resort"
CASE_SUMMARY = (
    "Blog “Sự Thật Vùng Cao” và một trang Facebook lan truyền tin tỉnh giao 300 ha đất dọc "
    "đèo Mã Pí Lèng cho doanh nghiệp nước ngoài thuê 70 năm, người dân Mèo Vạc bị cưỡng chế, "
    "du khách phải nộp phí qua đèo. Ảnh minh họa là công trường khắc phục sạt lở quốc lộ 4C. "
    "(Dữ liệu trình diễn.)"
)
CASE_NOTE = (
    "Đề nghị Sở cung cấp thông tin về hiện trạng sử dụng đất khu vực đèo Mã Pí Lèng để "
    "soạn nội dung phản bác (dữ liệu trình diễn)."
)

Say = Callable[[str], None]


# --- dates --------------------------------------------------------------------------------

WEEKDAYS_VI = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class When:
    """A local moment in the formats the pages, feeds and templates write."""

    at: dt.datetime  # aware, local time

    @property
    def iso(self) -> str:
        return self.at.isoformat(timespec="seconds")

    @property
    def rfc822(self) -> str:
        return email.utils.format_datetime(self.at)

    @property
    def dmy(self) -> str:
        return f"{self.at:%d/%m/%Y}"

    @property
    def ymd(self) -> str:
        return f"{self.at:%Y-%m-%d}"

    @property
    def hm(self) -> str:
        return f"{self.at:%H:%M}"

    @property
    def en(self) -> str:
        return f"{self.at.day} {MONTHS_EN[self.at.month - 1]}"

    @property
    def en_long(self) -> str:
        return f"{self.en} {self.at.year}, {self.at:%H:%M}"

    @property
    def zh(self) -> str:
        return f"{self.at.month}月{self.at.day}日"

    @property
    def weekday_vi(self) -> str:
        return WEEKDAYS_VI[self.at.weekday()]

    @property
    def weekday_cap_vi(self) -> str:
        day = self.weekday_vi
        return day[:1].upper() + day[1:]


def _local_tz() -> dt.tzinfo:
    from django.utils import timezone

    return timezone.get_current_timezone()


def _moment(today: dt.date, days_ago: int, hhmm: str, now: dt.datetime) -> When:
    hour, minute = (int(x) for x in hhmm.split(":"))
    at = dt.datetime.combine(
        today - dt.timedelta(days=days_ago), dt.time(hour, minute), tzinfo=_local_tz()
    )
    # never in the future: a page "published" later today would be odd
    return When(min(at, now - dt.timedelta(minutes=5)))


# --- the corpus -----------------------------------------------------------------------------


@dataclass
class Outlet:
    key: str
    name: str
    tagline: str
    lang: str
    source: str  # "feed", "sitemap" or "listing"
    feed: str  # "rss", "atom" or ""
    feed_path: str
    is_foreign: bool
    sections: list[tuple[str, str]]
    prefix: str
    home_url: str = ""
    feed_url: str = ""


@dataclass
class Article:
    outlet: str
    slug: str
    section: str
    section_name: str
    title: str
    summary: str
    author: str
    tags: list[str]
    lang: str
    pub: When
    path: str
    url: str = ""
    section_url: str = ""
    credit: str = ""
    repost_of: str = ""
    body: str = ""


@dataclass
class Corpus:
    outlets: dict[str, Outlet]
    articles: list[Article]
    now: When
    base: str
    pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def by_outlet(self, key: str) -> list[Article]:
        return sorted(
            (a for a in self.articles if a.outlet == key), key=lambda a: a.pub.at, reverse=True
        )


def read_corpus(base: str, today: dt.date | None = None, now: dt.datetime | None = None) -> Corpus:
    """The corpus with its dates set relative to ``today`` and its links under ``base``."""
    from django.utils import timezone

    now = now or timezone.now()
    today = today or timezone.localdate(now)
    data = tomllib.loads((CORPUS_DIR / "corpus.toml").read_text("utf-8"))
    outlets: dict[str, Outlet] = {}
    for o in data["outlet"]:
        outlet = Outlet(
            key=o["key"],
            name=o["name"],
            tagline=o["tagline"],
            lang=o["lang"],
            source=o["source"],
            feed=o["feed"],
            feed_path=o["feed_path"],
            is_foreign=o["is_foreign"],
            sections=[(k, n) for k, n in o["sections"]],
            prefix=o.get("prefix", f"/{o['key']}"),
        )
        outlet.home_url = f"{base}{outlet.prefix}/"
        outlet.feed_url = f"{base}{outlet.feed_path}"
        outlets[outlet.key] = outlet
    articles = []
    for a in data["article"]:
        outlet = outlets[a["outlet"]]
        sections = dict(outlet.sections)
        path = f"{outlet.prefix}/{a['section']}/{a['slug']}.html"
        articles.append(
            Article(
                outlet=outlet.key,
                slug=a["slug"],
                section=a["section"],
                section_name=sections[a["section"]],
                title=a["title"],
                summary=a["summary"],
                author=a["author"],
                tags=list(a.get("tags", [])),
                lang=a.get("lang") or outlet.lang or "vi",
                pub=_moment(today, int(a["day"]), a["time"], now),
                path=path,
                url=f"{base}{path}",
                section_url=f"{base}{outlet.prefix}/{a['section']}/",
                credit=a.get("credit", ""),
                repost_of=a.get("repost_of", ""),
            )
        )
    return Corpus(
        outlets=outlets, articles=articles, now=When(now.astimezone(_local_tz())), base=base
    )


def _engine() -> Any:
    from django.template import Engine

    return Engine(dirs=[str(CORPUS_DIR)], autoescape=True)


def _nearest(articles: list[Article], a: Article, n: int) -> list[Article]:
    others = [x for x in articles if x is not a]
    return sorted(others, key=lambda x: abs((x.pub.at - a.pub.at).total_seconds()))[:n]


HTML = "text/html; charset=utf-8"


def build_site(base: str, today: dt.date | None = None, now: dt.datetime | None = None) -> Corpus:
    """Render every page, feed and file of the corpus for a server at ``base``."""
    corpus = read_corpus(base, today, now)
    engine = _engine()
    by_slug = {a.slug: a for a in corpus.articles}
    for a in corpus.articles:
        original = by_slug[a.repost_of] if a.repost_of else a
        context = {"pub": original.pub, "prev": When(original.pub.at - dt.timedelta(days=1))}
        tpl = engine.get_template(f"articles/{original.outlet}/{original.slug}.html")
        a.body = tpl.render(_ctx(context))
    pages: dict[str, tuple[bytes, str]] = {
        "/robots.txt": (b"User-agent: *\nAllow: /\n", "text/plain; charset=utf-8")
    }
    for key, outlet in corpus.outlets.items():
        own = corpus.by_outlet(key)
        layout = engine.get_template(f"layouts/{key}.html")
        for a in own:
            html = layout.render(
                _ctx(
                    {
                        "a": a,
                        "body": a.body,
                        "pub": a.pub,
                        "outlet": outlet,
                        "base": base,
                        "today": corpus.now,
                        "related": _nearest(own, a, 4),
                        "latest": [x for x in own if x is not a][:5],
                    }
                )
            )
            pages[a.path] = (html.encode("utf-8"), HTML)
        ctx = {"outlet": outlet, "articles": own, "base": base, "now": corpus.now}
        if outlet.feed == "rss":
            xml = engine.get_template("feeds/rss.xml").render(_ctx(ctx))
            pages[outlet.feed_path] = (xml.encode("utf-8"), "application/rss+xml; charset=utf-8")
        elif outlet.feed == "atom":
            xml = engine.get_template("feeds/atom.xml").render(_ctx(ctx))
            pages[outlet.feed_path] = (xml.encode("utf-8"), "application/atom+xml; charset=utf-8")
        elif outlet.source == "sitemap":
            xml = engine.get_template("feeds/sitemap.xml").render(_ctx(ctx))
            pages[outlet.feed_path] = (xml.encode("utf-8"), "application/xml; charset=utf-8")
        elif outlet.source == "listing":
            html = engine.get_template("feeds/listing.html").render(_ctx(ctx))
            pages[outlet.feed_path] = (html.encode("utf-8"), HTML)
    corpus.pages = pages
    return corpus


def _ctx(values: Mapping[str, Any]) -> Any:
    from django.template import Context

    return Context(dict(values))


_AGO = re.compile(r"\{\{\s*ago:(\d+)\s+(\d\d:\d\d)\s*\}\}")


def social_export(base: str, today: dt.date | None = None, now: dt.datetime | None = None) -> bytes:
    """The CSV export with its dates and links filled in."""
    from django.utils import timezone

    now = now or timezone.now()
    today = today or timezone.localdate(now)
    text = (CORPUS_DIR / SOCIAL_FILE).read_text("utf-8")
    text = _AGO.sub(lambda m: _moment(today, int(m[1]), m[2], now).iso, text)
    return text.replace("{{base}}", base).encode("utf-8")


# --- the local web server ------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the fetcher reuses its connections
    disable_nagle_algorithm = True  # headers and body go out without a delayed-ACK wait
    server: _PageServer

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _answer(self, *, body: bool) -> None:
        hit = self.server.pages.get(urlsplit(self.path).path)
        if hit is None:
            content, ctype, status = b"not found\n", "text/plain; charset=utf-8", 404
        else:
            (content, ctype), status = hit, 200
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if body:
            self.wfile.write(content)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the demo prints its own progress


class _PageServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    pages: Mapping[str, tuple[bytes, str]] = {}


@contextmanager
def serve_pages(
    build: Callable[[str], Mapping[str, tuple[bytes, str]]], host: str = DEMO_HOST
) -> Iterator[str]:
    """Serve ``build(base)`` (path → (body, content type)) on a free port; yields ``base``."""
    server = _PageServer((host, 0), _Handler)
    base = f"http://{host}:{server.server_address[1]}"
    server.pages = build(base)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- loading the demo ------------------------------------------------------------------------


def _org(name: str, province: Any, today: dt.date) -> Any:
    from ttdn.core.demo import _pick

    return _pick(name, province, today)


def _demo_province(today: dt.date) -> Any:
    from ttdn.core.demo import DEMO_PROVINCE, _province

    return _province(DEMO_PROVINCE, today)


def _ensure_allowed_host() -> None:
    from .models import AllowedHost
    from .services import SYSTEM, allowed_host_add

    if not AllowedHost.objects.filter(host=DEMO_HOST).exists():
        allowed_host_add(actor=SYSTEM, host=DEMO_HOST, note=DEMO_HOST_NOTE)


def _source_kind(outlet: Outlet) -> str:
    from .models import Source

    return {
        "feed": Source.Kind.FEED,
        "sitemap": Source.Kind.SITEMAP,
        "listing": Source.Kind.LISTING,
    }[outlet.source]


def _ensure_sources(focal: Any, corpus: Corpus | None) -> dict[str, Any]:
    """The demo's sources by outlet key ("social" for the export), created paused."""
    from .models import Source
    from .services import SYSTEM, source_create, source_update

    outlets = corpus.outlets if corpus is not None else read_corpus("http://127.0.0.1").outlets
    out: dict[str, Any] = {}
    for key, outlet in outlets.items():
        name = outlet.name + SOURCE_SUFFIX
        source = Source.objects.filter(owner=focal, name=name).first()
        if corpus is None:
            if source is not None:
                out[key] = source
            continue
        if source is None:
            source = source_create(
                actor=SYSTEM,
                name=name,
                kind=_source_kind(outlet),
                url=outlet.feed_url,
                owner=focal,
                is_foreign=outlet.is_foreign,
                language=outlet.lang,
                interval_minutes=60,
                requests_per_minute=60,
                active=False,
            )
        elif source.url != outlet.feed_url:  # a run interrupted earlier, on another port
            source = source_update(actor=SYSTEM, source=source, url=outlet.feed_url, active=False)
        out[key] = source
    social = Source.objects.filter(owner=focal, name=SOCIAL_SOURCE).first()
    if social is None and corpus is not None:
        social = source_create(
            actor=SYSTEM,
            name=SOCIAL_SOURCE,
            kind=Source.Kind.FILE,
            url="",
            owner=focal,
            language="vi",
            active=False,
        )
    if social is not None:
        out["social"] = social
    return out


def _ensure_watch(focal: Any) -> None:
    from .models import AlertRule, WatchTerm
    from .services import SYSTEM, alert_rule_create, watch_term_add

    for term in WATCH_TERMS:
        if not WatchTerm.objects.filter(owner=focal, term=term).exists():
            watch_term_add(actor=SYSTEM, owner=focal, term=term)
    for name, kind, keyword, province, factor, minimum in ALERT_RULES:
        if not AlertRule.objects.filter(owner=focal, name=name).exists():
            alert_rule_create(
                actor=SYSTEM,
                owner=focal,
                name=name,
                kind=kind,
                keyword=keyword,
                province=province,
                spike_factor=factor,
                spike_min_items=minimum,
                email=False,  # the demo's alerts are notifications in the app
            )


def _ensure_saved_searches(user: Any) -> None:
    from .models import SavedSearch
    from .services import saved_search_create

    if user is None:
        return
    for name, query, filters in SAVED_SEARCHES:
        if not SavedSearch.objects.filter(user=user, name=name).exists():
            saved_search_create(actor=user, name=name, query=query, filters=filters)


def _collect(sources: dict[str, Any], corpus: Corpus, base: str, say: Say) -> dict[str, int]:
    """Discover every source, import the export, analyse everything: in this process."""
    from . import pipeline
    from .fetch.http import Fetcher

    fetcher = Fetcher(allowed_hosts=[DEMO_HOST], host_intervals={DEMO_HOST: 0.0})
    # The process's index of recent stories may still hold rows this load has just deleted
    # (an interrupted earlier run, or a test's rolled-back transaction): read it afresh.
    pipeline.recent_index().reset()
    found = 0
    try:
        for key, source in sources.items():
            if key == "social":
                continue
            run = pipeline.discover(source, fetcher=fetcher)
            found += run.new_items
            if run.error:
                say(f"{source.name}: {run.error}")
        new, _skipped = pipeline.import_file(
            sources["social"], social_export(base, now=corpus.now.at), "facebook_export.csv"
        )
        say(f"{found} bài báo, {new} bài đăng và bình luận / articles, posts and comments")
        totals = pipeline.run_until_idle(fetcher=fetcher)
    finally:
        fetcher.close()
    return {"discovered": found, "imported": new, **totals}


def _open_case(focal: Any, province: Any, today: dt.date, sources: dict[str, Any]) -> Any:
    from ttdn.accounts.models import User

    from .models import Case, Item

    user = User.objects.filter(username=COORDINATOR).first()
    blog = sources.get("blog")
    if user is None or blog is None:
        return None
    item = Item.objects.filter(
        source=blog, url__endswith=f"/{FALSE_STORY}.html", stage=Item.Stage.DONE
    ).first()
    if item is None:
        return None
    existing = Case.objects.filter(owner=focal, item=item).first()
    if existing is not None:
        return existing
    try:
        from . import cases
    except ImportError:  # the case workflow is not installed: the demo goes on without it
        return None
    case = cases.case_open(
        user,
        owner=focal,
        title=CASE_TITLE,
        item=item,
        severity=Case.Severity.HIGH,
        summary=CASE_SUMMARY,
    )
    agency = _org(ANSWERING_AGENCY, province, today)
    return cases.case_assign(user, case, agency=agency, note=CASE_NOTE)


def load_demo_monitoring(stdout: TextIO | Any | None = None) -> dict[str, Any]:
    """Load the press-monitoring demo (see the module docstring). Returns figures."""
    from django.utils import timezone

    from ttdn.accounts.models import User

    from . import alerts
    from .models import Alert, Cluster, Item, Topic

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(f"  • {message}\n")

    t0 = time.monotonic()
    now = timezone.now()
    today = timezone.localdate(now)
    province = _demo_province(today)
    focal = _org(FOCAL_DEPARTMENT, province, today)
    coordinator = User.objects.filter(username=COORDINATOR).first()
    say("Giám sát báo chí: nguồn, từ khóa, cảnh báo / press monitoring: sources, terms, rules …")
    _ensure_allowed_host()
    _ensure_watch(focal)
    _ensure_saved_searches(coordinator)
    existing = _ensure_sources(focal, None)
    demo_items = Item.objects.filter(source__in=list(existing.values()))
    collected: dict[str, int] = {}
    if demo_items.filter(stage=Item.Stage.DONE).exists():
        say("Kho báo chí trình diễn đã được nạp / the demo press corpus is already loaded")
    else:
        demo_items.delete()  # left by an interrupted run, with another port in their links
        holder: dict[str, Corpus] = {}

        def build(base: str) -> Mapping[str, tuple[bytes, str]]:
            holder["corpus"] = build_site(base, today, now)
            return holder["corpus"].pages

        with serve_pages(build) as base:
            corpus = holder["corpus"]
            say(
                f"Máy chủ báo chí trình diễn / demo press server {base} "
                f"({len(corpus.articles)} bài / articles)"
            )
            sources = _ensure_sources(focal, corpus)
            collected = _collect(sources, corpus, base, say)
        existing = sources
        alerts.check_spikes()
    case = _open_case(focal, province, today, existing)
    ids = [s.pk for s in existing.values()]
    items = Item.objects.filter(source_id__in=ids)
    figures: dict[str, Any] = {
        "sources": len(ids),
        "items": items.count(),
        "done": items.filter(stage=Item.Stage.DONE).count(),
        "failed": items.filter(stage=Item.Stage.FAILED).count(),
        "clusters": Cluster.objects.filter(items__source_id__in=ids).distinct().count(),
        "alerts": Alert.objects.filter(rule__owner=focal).count(),
        "topics": Topic.objects.count(),
        "case": case.pk if case is not None else None,
        "seconds": round(time.monotonic() - t0, 1),
        **collected,
    }
    say(
        "{done} mục đã phân tích, {clusters} chuỗi tin, {alerts} cảnh báo trong {seconds} giây "
        "/ items analysed, stories, alerts".format(**figures)
    )
    return figures


def province_demo_loaded() -> bool:
    """Whether ``ttdn demo`` has loaded the demo province, its departments and users."""
    from django.utils import timezone

    from ttdn.accounts.models import User

    today = timezone.localdate()
    try:
        _org(FOCAL_DEPARTMENT, _demo_province(today), today)
    except LookupError:
        return False
    return User.objects.filter(username=COORDINATOR).exists()
