"""The press pipeline end to end against real HTTP servers on 127.0.0.1: feeds in, items
analysed, deduplicated, grouped into stories, indexed and alerted on; bad sources marked
unhealthy with a plain reason while the others go on."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime

import pytest
from django.utils import timezone

from tests.factories import make_org
from tests.monitoring.httpserver import LocalHTTPServer, Response, hang, stream
from ttdn.monitoring import pipeline
from ttdn.monitoring.models import (
    Alert,
    AlertRule,
    AllowedHost,
    Cluster,
    FetchRun,
    Item,
    ItemProvince,
    ItemTopic,
    Source,
)
from ttdn.monitoring.search import SearchQuery, search
from ttdn.monitoring.services import SYSTEM, alert_rule_create, source_create

FAST = {
    "min_interval_s": 0,
    "deadline_s": 3,
    "read_timeout_s": 2,
    "connect_timeout_s": 2,
    "max_attempts": 1,
    "backoff_base_s": 0,
    "max_bytes": 2 * 1024 * 1024,
    "host_intervals": {"127.0.0.1": 0},
}


@pytest.fixture(autouse=True)
def fast_fetcher(settings):
    settings.TTDN_FETCHER_OPTIONS = FAST
    pipeline.reset_fetcher()
    pipeline.recent_index().reset()
    yield
    pipeline.reset_fetcher()
    pipeline.recent_index().reset()


@pytest.fixture
def server():
    with LocalHTTPServer() as srv:
        yield srv


@pytest.fixture
def owner(db):
    province = make_org("Tỉnh Tuyên Quang", "province", code="08")
    AllowedHost.objects.create(host="127.0.0.1", note="test server")
    return make_org("Sở Văn hóa, Thể thao và Du lịch", "department", parent=province)


def page(title: str, body: str) -> str:
    nav = "".join(f'<li><a href="/c/{i}">Chuyên mục {i}</a></li>' for i in range(20))
    return (
        f"<html><head><title>{title}</title></head><body><nav><ul>{nav}</ul></nav>"
        f"<article><h1>{title}</h1>"
        + "".join(f"<p>{p}</p>" for p in body.split("\n"))
        + "</article><footer>Bản quyền thuộc về báo thử nghiệm.</footer></body></html>"
    )


def rss(base: str, entries: list[tuple[str, str, dt.datetime]]) -> str:
    items = "".join(
        f"<item><title>{t}</title><link>{base}{path}</link>"
        f"<pubDate>{format_datetime(when)}</pubDate></item>"
        for path, t, when in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Báo thử</title><link>{base}/</link>{items}</channel></rss>"
    )


STORY_VI = (
    "Sáng nay, Ủy ban nhân dân tỉnh Tuyên Quang đón đoàn đại biểu tỉnh Xiêng Khoảng (Lào) "
    "sang thăm và làm việc, bàn hợp tác về du lịch và thương mại biên giới.\n"
    "Hai bên thống nhất đẩy mạnh giao lưu văn hóa, quảng bá cao nguyên đá Đồng Văn "
    "và tổ chức lễ hội chung vào năm 2027. Đoàn sẽ thăm huyện Mèo Vạc và đèo Mã Pí Lèng."
)
STORY_EN = (
    "A delegation from Laos's Xieng Khouang province visited Tuyen Quang province on "
    "Monday to discuss tourism and border trade cooperation.\n"
    "The two sides agreed to promote cultural exchanges and the Dong Van karst plateau, "
    "and to hold a joint festival in 2027."
)
FLOOD_VI = (
    "Mưa lũ lớn gây sạt lở nghiêm trọng tại tỉnh Tuyên Quang, nhiều tuyến đường bị chia cắt, "
    "hàng trăm hộ dân phải sơ tán khẩn cấp.\nChính quyền địa phương đang khắc phục hậu quả."
)


def serve_feed(server: LocalHTTPServer, now: dt.datetime) -> list[str]:
    base = server.url("")
    arts = [
        (
            "/tin/doan-xieng-khoang-tham-tinh-100.html",
            "Đoàn tỉnh Xiêng Khoảng thăm Tuyên Quang",
            STORY_VI,
        ),
        (
            "/tin/repost-doan-xieng-khoang-101.html",
            "Tuyên Quang đón đoàn Xiêng Khoảng (đăng lại)",
            STORY_VI,
        ),
        (
            "/en/xieng-khouang-delegation-visits-tuyen-quang-102.html",
            "Xieng Khouang delegation visits Tuyen Quang",
            STORY_EN,
        ),
        ("/tin/mua-lu-sat-lo-tuyen-quang-103.html", "Mưa lũ gây sạt lở tại Tuyên Quang", FLOOD_VI),
    ]
    for path, title, body in arts:
        server.route(path, Response(body=page(title, body)))
    entries = [(p, t, now - dt.timedelta(hours=i)) for i, (p, t, _b) in enumerate(arts)]
    server.route(
        "/rss.xml",
        Response(body=rss(base, entries), content_type="application/rss+xml; charset=utf-8"),
    )
    return [p for p, _t, _b in arts]


def test_a_feed_is_collected_analysed_grouped_indexed_and_alerted_once(server, owner):
    now = timezone.now()
    serve_feed(server, now)
    source = source_create(
        actor=SYSTEM, name="Báo thử", kind=Source.Kind.FEED, url=server.url("/rss.xml"), owner=owner
    )
    alert_rule_create(
        actor=SYSTEM, owner=owner, name="Tin tiêu cực", kind=AlertRule.Kind.SENTIMENT, email=False
    )

    run = pipeline.discover(source)
    assert run.outcome == FetchRun.Outcome.OK and run.new_items == 4
    totals = pipeline.run_until_idle()
    assert totals["processed"] == 4
    items = {i.url.rsplit("/", 1)[1]: i for i in Item.objects.all()}
    assert all(i.stage == Item.Stage.DONE for i in items.values()), [
        i.error for i in items.values()
    ]
    vi = items["doan-xieng-khoang-tham-tinh-100.html"]
    repost = items["repost-doan-xieng-khoang-101.html"]
    en = items["xieng-khouang-delegation-visits-tuyen-quang-102.html"]
    flood = items["mua-lu-sat-lo-tuyen-quang-103.html"]
    # text extracted from the page, not the navigation
    assert "Xiêng Khoảng" in vi.text and "Chuyên mục" not in vi.text
    assert (vi.lang, en.lang) == ("vi", "en")
    assert "Tuyên Quang" in vi.provinces and "Tuyên Quang" in en.provinces
    # the repost is a duplicate of the first; the English story joins the same story
    assert repost.duplicate_of_id == vi.pk
    assert repost.cluster_id == vi.cluster_id == en.cluster_id
    assert flood.cluster_id != vi.cluster_id
    story = Cluster.objects.get(pk=vi.cluster_id)
    assert story.size == 3 and story.languages == ["en", "vi"]
    assert flood.sentiment == Item.Sentiment.NEGATIVE
    # dashboard rows and the search index
    assert ItemProvince.objects.filter(province="Tuyên Quang").count() == 4
    assert ItemTopic.objects.filter(item=vi).exists()
    page1 = search(SearchQuery(text="xieng khoang"), scope_org_ids=None)
    assert set(page1.item_ids) >= {vi.pk, repost.pk}
    # one alert for the negative item, none for duplicates
    assert list(Alert.objects.values_list("item_id", flat=True)) == [flood.pk]

    # collecting again adds nothing, indexes nothing twice, alerts nothing twice
    again = pipeline.discover(Source.objects.get(pk=source.pk))
    assert again.new_items == 0
    pipeline.run_until_idle()
    assert Item.objects.count() == 4 and Alert.objects.count() == 1
    assert search(SearchQuery(text="tuyen quang"), scope_org_ids=None).total == 4
    source.refresh_from_db()
    assert source.health == Source.Health.OK and source.last_error == ""


def test_a_page_that_fails_fails_its_item_with_a_reason_and_the_others_go_on(server, owner):
    now = timezone.now()
    paths = serve_feed(server, now)
    server.route(paths[3], Response(status=404, body="không có"))
    source = source_create(
        actor=SYSTEM, name="Báo thử", kind=Source.Kind.FEED, url=server.url("/rss.xml"), owner=owner
    )
    pipeline.discover(source)
    pipeline.run_until_idle()
    failed = Item.objects.get(stage=Item.Stage.FAILED)
    assert failed.url.endswith(paths[3]) and "404" in failed.error
    assert Item.objects.filter(stage=Item.Stage.DONE).count() == 3


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<rss><channel><title>&lol3;</title></channel></rss>"
)


@pytest.mark.parametrize(
    ("route", "code"),
    [
        (hang, "timeout"),
        (Response(status=500, body="lỗi máy chủ"), "http_error"),
        (Response(body=BILLION_LAUGHS, content_type="application/xml"), "hostile_xml"),
        (
            Response(body="<rss><channel><item><title>x</titl", content_type="application/xml"),
            "malformed",
        ),
        (stream(100 * 1024 * 1024), "too_large"),
        (Response(status=302, headers={"Location": "http://10.0.0.1/feed"}), "unsafe_url"),
    ],
    ids=["hangs", "500", "entity-expansion", "malformed", "100MB", "redirect-private"],
)
def test_a_bad_source_is_marked_unhealthy_with_a_reason_while_others_go_on(
    server, owner, route, code, settings
):
    from ttdn.monitoring.tasks import monitor_tick

    now = timezone.now()
    serve_feed(server, now)
    server.route("/bad.xml", route)
    good = source_create(
        actor=SYSTEM, name="Tốt", kind=Source.Kind.FEED, url=server.url("/rss.xml"), owner=owner
    )
    bad = source_create(
        actor=SYSTEM, name="Hỏng", kind=Source.Kind.FEED, url=server.url("/bad.xml"), owner=owner
    )
    monitor_tick.call()  # the immediate backend runs the fetch and processing jobs inline
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.health == Source.Health.FAILING
    assert bad.last_error_code == code
    assert len(bad.last_error) > 15 and "Traceback" not in bad.last_error
    assert good.health == Source.Health.OK
    assert Item.objects.filter(source=good, stage=Item.Stage.DONE).count() == 4
    assert not Item.objects.filter(source=bad).exists()


def test_a_non_utf8_page_is_read_in_its_own_encoding(server, owner):
    body = page("Lễ hội hoa tam giác mạch ở Hà Giang", "Du khách đổ về Đồng Văn ngắm hoa. " * 20)
    server.route(
        "/tin/hoa-tam-giac-mach-200.html",
        Response(
            body=body.encode("windows-1258", "xmlcharrefreplace"),
            content_type="text/html; charset=windows-1258",
        ),
    )
    feed = rss(
        server.url(""), [("/tin/hoa-tam-giac-mach-200.html", "Hoa tam giác mạch", timezone.now())]
    )
    server.route(
        "/rss.xml", Response(body=feed.encode("utf-8"), content_type="application/rss+xml")
    )
    source = source_create(
        actor=SYSTEM, name="Báo cũ", kind=Source.Kind.FEED, url=server.url("/rss.xml"), owner=owner
    )
    pipeline.discover(source)
    pipeline.run_until_idle()
    item = Item.objects.get()
    assert item.stage == Item.Stage.DONE
    assert "Du khách đổ về Đồng Văn" in item.text
    assert item.provinces == ["Tuyên Quang"]  # Hà Giang is part of Tuyên Quang since 2025


def test_a_private_source_address_is_refused_unless_allowed(db):
    from django.core.exceptions import ValidationError

    province = make_org("Tỉnh A", "province")
    with pytest.raises(ValidationError) as err:
        source_create(
            actor=SYSTEM,
            name="x",
            kind=Source.Kind.FEED,
            url="http://192.168.1.10/rss",
            owner=province,
        )
    assert "url" in err.value.message_dict
    with pytest.raises(ValidationError):
        source_create(
            actor=SYSTEM, name="x", kind=Source.Kind.FEED, url="file:///etc/passwd", owner=province
        )
    AllowedHost.objects.create(host="192.168.1.10")
    assert source_create(
        actor=SYSTEM, name="x", kind=Source.Kind.FEED, url="http://192.168.1.10/rss", owner=province
    ).pk


def test_social_media_export_items_are_analysed_without_download(owner):
    source = source_create(actor=SYSTEM, name="Fanpage", kind=Source.Kind.FILE, url="", owner=owner)
    csv = (
        "permalink_url,message,created_time,from_name\n"
        "https://facebook.com/p/1,Cảnh đẹp Hà Giang mùa hoa tam giác mạch quá tuyệt vời,"
        "2026-11-20T08:00:00+0700,An\n"
        "https://facebook.com/p/2,Tin đồn thất thiệt về dự án ở Tuyên Quang lan truyền trên mạng,"
        "2026-11-21T09:00:00+0700,Bình\n"
        "https://facebook.com/p/3,,2026-11-21T09:00:00+0700,Trống\n"
    ).encode()
    new, skipped = pipeline.import_file(source, csv, "facebook_posts.csv")
    assert (new, skipped) == (2, 0)
    assert pipeline.import_file(source, csv, "facebook_posts.csv") == (0, 2)
    pipeline.run_until_idle()
    items = list(Item.objects.order_by("published_at"))
    assert [i.stage for i in items] == [Item.Stage.DONE, Item.Stage.DONE]
    assert all(i.kind == Item.Kind.POST for i in items)
    assert items[0].provinces == ["Tuyên Quang"]
