"""Press search: folding, phrases, operators, filters, scope, order, counts and indexing.

Every test runs on the engine of the test database (SQLite by default; PostgreSQL with
``DATABASE_URL``): the behaviour must be the same on both.
"""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_org, make_user
from ttdn.accounts.models import Role
from ttdn.monitoring import search
from ttdn.monitoring.models import Cluster, Item, Source
from ttdn.monitoring.search import (
    SearchQuery,
    highlight_terms,
    index_items,
    parse_query,
    reindex_items,
    unindex_items,
)

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
_seq = itertools.count(1)


def make_item(
    source: Source,
    title: str,
    text: str = "",
    *,
    day: int,
    hour: int = 12,
    minute: int = 0,
    month: int = 3,
    index: bool = True,
    **fields,
) -> Item:
    when = dt.datetime(2026, month, day, hour, minute, tzinfo=HCM)
    n = next(_seq)
    item = Item.objects.create(
        source=source,
        url=f"https://press.example/{n}",
        url_hash=f"{n:040x}",
        title=title,
        text=text,
        published_at=when,
        sort_key=int(when.timestamp() * 1_000_000) + n,
        stage=Item.Stage.DONE,
        **{"lang": "vi", "sentiment": "neutral", **fields},
    )
    if index:
        index_items([item])
    return item


def ids(page: search.SearchPage) -> list[int]:
    return page.item_ids


def found(text: str = "", scope: list[int] | None = None, **filters) -> set[int]:
    return set(search.search(SearchQuery(text=text, **filters), scope_org_ids=scope).item_ids)


def cluster(title: str) -> Cluster:
    now = dt.datetime(2026, 3, 1, tzinfo=HCM)
    return Cluster.objects.create(title=title, first_seen=now, last_seen=now)


@pytest.fixture
def world(db):
    """Two provinces under a ministry, a source each (and one national), seven items."""
    root = make_org("Bộ Ngoại giao", "national_agency")
    tq = make_org("Tỉnh Tuyên Quang", "province", parent=root)
    tq_dept = make_org("Sở Ngoại vụ Tuyên Quang", "department", parent=tq)
    dn = make_org("Tỉnh Đồng Nai", "province", parent=root)
    src_tq = Source.objects.create(name="Báo Tuyên Quang", owner=tq_dept)
    src_dn = Source.objects.create(name="Báo Đồng Nai", owner=dn)
    src_nat = Source.objects.create(name="Thông tấn", owner=root)
    story, other_story = cluster("Đầu tư"), cluster("Khác")
    w = SimpleNamespace(root=root, tq=tq, tq_dept=tq_dept, dn=dn, story=story)
    w.other_story = other_story
    w.src_tq, w.src_dn, w.src_nat = src_tq, src_dn, src_nat
    w.tq1 = make_item(
        src_tq,
        "Tuyên Quang đẩy mạnh thông tin đối ngoại",
        "Hội nghị tổng kết công tác tại thành phố Tuyên Quang.",
        day=1,
        topics=["doi_ngoai"],
        provinces=["Tuyên Quang"],
        sentiment="positive",
        cluster=story,
    )
    w.tq2 = make_item(
        src_tq,
        "Dòng sông Lô mùa nước nổi",
        "Người dân ven dòng sông chuẩn bị cho mùa lũ.",
        day=3,
        topics=["moi_truong"],
        provinces=["Tuyên Quang"],
    )
    w.dn1 = make_item(
        src_dn,
        "Đồng Nai thu hút đầu tư nước ngoài",
        "Tỉnh Đồng Nai có thêm ba khu công nghiệp mới.",
        day=5,
        topics=["kinh_te"],
        provinces=["Đồng Nai"],
        sentiment="negative",
        cluster=story,
    )
    w.dn2 = make_item(
        src_dn,
        "Dong Nai attracts foreign investment",
        "The province of Dong Nai opened three industrial parks.",
        day=7,
        lang="en",
        topics=["kinh_te"],
        provinces=["Đồng Nai"],
        kind="post",
    )
    w.dn3 = make_item(
        src_dn,
        "Tin nhanh: dong nai mo rong san bay Long Thanh",
        "Cong trinh san bay dang duoc day nhanh.",
        day=9,
        hour=23,
        minute=30,
        provinces=["Đồng Nai"],
    )
    w.zh1 = make_item(
        src_nat,
        "越南同奈省吸引外资",
        "同奈省新增三个工业园区。",
        day=10,
        lang="zh",
        provinces=["Đồng Nai"],
    )
    w.nat1 = make_item(
        src_nat,
        "Con nai trên cánh đồng cỏ",
        "Một con nai xuất hiện giữa đồng cỏ.",
        day=12,
        topics=["moi_truong"],
    )
    w.all = {w.tq1.pk, w.tq2.pk, w.dn1.pk, w.dn2.pk, w.dn3.pk, w.zh1.pk, w.nat1.pk}
    return w


# --- folding and words ---------------------------------------------------------------------


def test_query_without_diacritics_finds_text_with_them(world):
    assert found("tuyen quang") == {world.tq1.pk}
    assert found("TUYEN QUANG") == {world.tq1.pk}
    assert found("thong tin doi ngoai") == {world.tq1.pk}


def test_query_with_diacritics_finds_text_typed_without_them(world):
    # dn3 was typed without diacritics, dn2 is English: both write "Dong Nai"
    assert found('"Đồng Nai"') == {world.dn1.pk, world.dn2.pk, world.dn3.pk}
    assert found("Sân bay") == {world.dn3.pk}


def test_d_with_stroke_is_folded_to_d(world):
    assert found('"dong nai"') == {world.dn1.pk, world.dn2.pk, world.dn3.pk}
    assert found("dau tu") == {world.dn1.pk}


def test_diacritics_typed_are_respected_but_optional(world):
    # "Đồng" is not "dòng" (river current); "dong" typed without marks finds both
    assert world.tq2.pk not in found("Đồng")
    assert found("Đồng") == {world.dn1.pk, world.dn2.pk, world.dn3.pk, world.nat1.pk}
    # text typed without diacritics may mean either
    assert found("dòng") == {world.tq2.pk, world.dn2.pk, world.dn3.pk}
    assert found("dong") == world.all - {world.tq1.pk, world.zh1.pk}


def test_tone_mark_placement_does_not_matter(world):
    item = make_item(world.src_tq, "Ủy ban nhân dân tỉnh", "Văn hoá và hóa học", day=13)
    assert item.pk in found("Uỷ ban") and item.pk in found("Ủy ban")
    assert item.pk in found("văn hóa") and item.pk in found("hoá học")


def test_phrase_needs_the_words_next_to_each_other_in_order(world):
    words = found("dong nai")
    assert words == {world.dn1.pk, world.dn2.pk, world.dn3.pk, world.nat1.pk}
    assert found('"nai dong"') == set()
    assert found('"con nai"') == {world.nat1.pk}
    assert found('"san bay long thanh"') == {world.dn3.pk}
    assert found('"san bay long nai"') == set()


def test_words_with_inner_punctuation_are_phrases(world):
    item = make_item(world.src_nat, "Covid-19 quay lại", "Số ca covid 19 tăng", day=13)
    other = make_item(world.src_nat, "19 ca covid", "", day=14)
    assert found("covid-19") == {item.pk}
    assert other.pk in found("covid 19")


def test_chinese_words_are_found_inside_sentences(world):
    assert found("同奈") == {world.zh1.pk}
    assert found("工业园区") == {world.zh1.pk}
    assert found("同新") == set()


def test_or_and_exclusion(world):
    assert found("tuyen OR thanh") == {world.tq1.pk, world.dn3.pk}
    assert found("tuyen or thanh") == set()  # lower-case "or" is a word
    assert found('"dong nai" -bay') == {world.dn1.pk, world.dn2.pk}
    assert found('"dong nai" NOT bay') == {world.dn1.pk, world.dn2.pk}
    assert found('"dong nai" -"san bay"') == {world.dn1.pk, world.dn2.pk}
    assert found("-dong") == {world.tq1.pk, world.zh1.pk}
    assert found("-Đồng") == world.all - {world.dn1.pk, world.dn2.pk, world.dn3.pk, world.nat1.pk}


# --- filters and scope -------------------------------------------------------------------------


def test_every_filter(world):
    w = world
    assert found(langs=["en"]) == {w.dn2.pk}
    assert found(langs=["vi", "zh"]) == w.all - {w.dn2.pk}
    assert found(topics=["kinh_te"]) == {w.dn1.pk, w.dn2.pk}
    assert found(topics=["kinh_te", "doi_ngoai"]) == {w.dn1.pk, w.dn2.pk, w.tq1.pk}
    assert found(sentiments=["negative"]) == {w.dn1.pk}
    assert found(provinces=["Tuyên Quang"]) == {w.tq1.pk, w.tq2.pk}
    assert found(provinces=["tuyen quang"]) == {w.tq1.pk, w.tq2.pk}
    assert found(clusters=[w.story.pk]) == {w.tq1.pk, w.dn1.pk}
    assert found(kinds=["post"]) == {w.dn2.pk}
    assert found(sources=[w.src_dn.pk]) == {w.dn1.pk, w.dn2.pk, w.dn3.pk}
    assert found(date_from=dt.date(2026, 3, 4), date_to=dt.date(2026, 3, 9)) == {
        w.dn1.pk,
        w.dn2.pk,
        w.dn3.pk,
    }
    # filters combine: any value within a list, every list
    assert found("dong nai", langs=["vi", "en"], provinces=["Đồng Nai"]) == {
        w.dn1.pk,
        w.dn2.pk,
        w.dn3.pk,
    }
    assert found(langs=["en"], topics=["doi_ngoai"]) == set()


def test_dates_are_days_of_the_platform_time_zone(world):
    # dn3 was published at 23:30 on 9 March in Hà Nội (16:30 UTC)
    assert world.dn3.pk in found(date_to=dt.date(2026, 3, 9))
    assert world.dn3.pk not in found(date_from=dt.date(2026, 3, 10))
    assert found(date_from=dt.date(2026, 3, 10), date_to=dt.date(2026, 3, 9)) == set()


def test_date_ranges_across_month_boundaries(world):
    src = world.src_nat
    # 7 hours ahead of UTC: 1 March 00:30 is still February in UTC, 1 April 06:00 is March
    feb = make_item(src, "Tin biên giới", day=28, month=2, hour=23, minute=30)
    march_first = make_item(src, "Tin biên giới", day=1, hour=0, minute=30)
    march_last = make_item(src, "Tin biên giới", day=31, hour=23, minute=59)
    april = make_item(src, "Tin biên giới", day=1, month=4, hour=6)
    march = found("bien gioi", date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
    assert march == {march_first.pk, march_last.pk}
    assert found("bien gioi", date_to=dt.date(2026, 2, 28)) == {feb.pk}
    assert found("bien gioi", date_from=dt.date(2026, 4, 1)) == {april.pk}
    assert found("bien gioi", date_from=dt.date(2025, 6, 1), date_to=dt.date(2026, 6, 1)) == {
        feb.pk,
        march_first.pk,
        march_last.pk,
        april.pk,
    }


def test_filter_values_only_match_their_own_kind(world):
    assert found(topics=["vi"]) == set()
    assert found(langs=["kinh_te"]) == set()
    assert found(sources=["not-a-number"]) == set()
    assert found(topics=["", None]) == world.all  # empty values do not filter


def test_scope_limits_results_to_the_readers_subtrees(world):
    w = world
    assert found(scope=[w.tq.pk]) == {w.tq1.pk, w.tq2.pk}  # the department's source
    assert found(scope=[w.tq_dept.pk]) == {w.tq1.pk, w.tq2.pk}
    assert found(scope=[w.dn.pk]) == {w.dn1.pk, w.dn2.pk, w.dn3.pk}
    assert found(scope=[w.tq.pk, w.dn.pk]) == w.all - {w.zh1.pk, w.nat1.pk}
    assert found(scope=[w.root.pk]) == w.all
    assert found(scope=None) == w.all
    assert found(scope=[]) == set()
    assert found("dong nai", scope=[w.tq.pk]) == set()


def test_users_see_what_their_roles_allow(world):
    w = world
    everything = SearchQuery()

    def seen(user) -> set[int]:
        page, items = search.search_items(everything, user)
        assert [i.pk for i in items] == page.item_ids
        return set(page.item_ids)

    assert seen(make_user(Role.PROVINCIAL_COORDINATOR, w.tq)) == {w.tq1.pk, w.tq2.pk}
    assert seen(make_user(Role.AGENCY_OFFICER, w.dn)) == {w.dn1.pk, w.dn2.pk, w.dn3.pk}
    assert seen(make_user(Role.NATIONAL_VIEWER, w.tq)) == w.all
    assert seen(make_user(superuser=True)) == w.all
    assert seen(make_user()) == set()  # signed in, no role

    from django.contrib.auth.models import AnonymousUser

    assert seen(AnonymousUser()) == set()


def test_search_items_returns_the_items_of_the_page_in_order(world):
    page, items = search.search_items(SearchQuery(text="dong"), make_user(superuser=True))
    assert [i.pk for i in items] == page.item_ids
    assert items[0].title == world.nat1.title  # display text comes from the Item


# --- order, pages, counts ----------------------------------------------------------------------


def test_newest_first_by_default(world):
    page = search.search(SearchQuery(text="dong"), scope_org_ids=None)
    keys = list(Item.objects.filter(pk__in=page.item_ids).values_list("pk", "sort_key"))
    by_key = [pk for pk, _ in sorted(keys, key=lambda r: -r[1])]
    assert page.item_ids == by_key
    assert ids(search.search(SearchQuery(), scope_org_ids=None))[0] == world.nat1.pk


def test_relevance_order_on_request(world):
    src = world.src_nat
    many = make_item(
        src,
        "Sân bay Long Thành",
        "Sân bay Long Thành là sân bay lớn nhất. Sân bay khởi công năm 2021.",
        day=14,
    )
    once = make_item(
        src,
        "Tin tổng hợp trong ngày",
        "Giá lúa tăng, mưa lớn ở miền núi, một hội nghị về sân bay, lễ hội văn hóa.",
        day=20,
    )
    newest = ids(search.search(SearchQuery(text="san bay"), scope_org_ids=None))
    ranked = ids(search.search(SearchQuery(text="san bay", order="relevance"), scope_org_ids=None))
    assert newest.index(once.pk) < newest.index(many.pk)
    assert ranked.index(many.pk) < ranked.index(once.pk)
    assert set(newest) == set(ranked)
    # without words there is nothing to rank: newest first
    no_words = SearchQuery(langs=["vi"], order="relevance")
    assert ids(search.search(no_words, scope_org_ids=None))[0] == once.pk


def test_pages_and_exact_counts(world):
    made = [
        make_item(world.src_tq, f"Hội nghị lần {i}", "Hội nghị báo chí", day=1 + i % 20)
        for i in range(25)
    ]
    all_ids = ids(search.search(SearchQuery(text="hoi nghi", per_page=100), scope_org_ids=None))
    assert set(all_ids) == {i.pk for i in made} | {world.tq1.pk}
    pages = [
        search.search(SearchQuery(text="hoi nghi", page=p, per_page=10), scope_org_ids=None)
        for p in (1, 2, 3, 4)
    ]
    assert [len(p.item_ids) for p in pages] == [10, 10, 6, 0]
    assert [p.has_next for p in pages] == [True, True, False, False]
    assert all(p.total == 26 and not p.total_is_estimate for p in pages)
    assert [i for p in pages for i in p.item_ids] == all_ids
    ranked = [
        search.search(
            SearchQuery(text="hoi nghi", order="relevance", page=p, per_page=10),
            scope_org_ids=None,
        )
        for p in (1, 2, 3)
    ]
    assert sorted(i for p in ranked for i in p.item_ids) == sorted(all_ids)
    assert [p.has_next for p in ranked] == [True, True, False]


def test_counts_above_the_limit_are_an_estimate(world, monkeypatch):
    monkeypatch.setattr(search, "COUNT_LIMIT", 3)
    page = search.search(SearchQuery(text="", per_page=2), scope_org_ids=None)
    assert (page.total, page.total_is_estimate, page.has_next) == (3, True, True)
    page = search.search(SearchQuery(text="tuyen quang"), scope_org_ids=None)
    assert (page.total, page.total_is_estimate) == (1, False)
    far = search.search(SearchQuery(text="", per_page=2, page=4), scope_org_ids=None)
    assert far.item_ids == [world.tq1.pk] and not far.has_next


def test_odd_page_numbers_and_sizes_are_clamped(world):
    page = search.search(SearchQuery(page=0, per_page=0), scope_org_ids=None)
    assert (page.page, page.per_page, len(page.item_ids)) == (1, 20, 7)  # 0: the default
    page = search.search(SearchQuery(page=2, per_page=-5), scope_org_ids=None)
    assert (page.page, page.per_page, len(page.item_ids)) == (2, 1, 1)
    page = search.search(SearchQuery(page=-3, per_page=10_000), scope_org_ids=None)
    assert (page.page, page.per_page) == (1, search.MAX_PER_PAGE)


# --- indexing ------------------------------------------------------------------------------------


def index_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM monitoring_search_doc")
        return cursor.fetchone()[0]


def test_reindex_after_topic_and_cluster_change_does_not_duplicate(world):
    w = world
    before = index_rows()
    w.tq1.topics = ["kinh_te"]
    w.tq1.cluster = w.other_story
    w.tq1.save()
    assert index_items([w.tq1]) == 1
    assert index_items([w.tq1]) == 1
    assert reindex_items([w.tq1.pk, w.tq1.pk]) == 1
    assert index_rows() == before
    assert found("tuyen quang") == {w.tq1.pk}
    assert w.tq1.pk in found(topics=["kinh_te"])
    assert w.tq1.pk not in found(topics=["doi_ngoai"])
    assert found(clusters=[w.story.pk]) == {w.dn1.pk}
    assert found(clusters=[w.other_story.pk]) == {w.tq1.pk}


def test_reindex_follows_new_text_and_a_new_sort_key(world):
    w = world
    w.tq2.title = "Lũ trên sông Gâm"
    w.tq2.sort_key = w.nat1.sort_key + 1
    w.tq2.save()
    index_items(Item.objects.filter(pk=w.tq2.pk))  # a queryset works too
    assert found("gam") == {w.tq2.pk}
    assert w.tq2.pk not in found("dong lo")
    assert ids(search.search(SearchQuery(), scope_org_ids=None))[0] == w.tq2.pk
    assert index_rows() == len(w.all)


def test_unindex_and_deleted_items_leave_the_index(world):
    w = world
    assert unindex_items([w.tq1]) == 1
    assert unindex_items([w.tq1.pk]) == 0
    assert found("tuyen quang") == set()
    w.dn1.delete()  # a cascade (SQLite) or a trigger (PostgreSQL) removes it
    assert w.dn1.pk not in found("dong nai")
    w.src_dn.delete()  # and with its source, the source's items
    assert found(langs=["en"]) == set()
    assert index_rows() == 4 - 1  # tq2, zh1, nat1 (tq1 unindexed)


def test_items_not_indexed_are_not_found(world):
    item = make_item(world.src_tq, "Tuyên Quang mới", "", day=15, index=False)
    assert item.pk not in found("tuyen quang")


# --- hostile input -------------------------------------------------------------------------------

HOSTILE = [
    '"',
    '""',
    '"dong',
    'dong"',
    '"dong" "',
    "*",
    "dong*",
    "NEAR(dong nai)",
    "NEAR(",
    "AND OR",
    "OR",
    "NOT",
    "AND",
    "dong OR",
    "OR dong",
    "dong AND",
    "-",
    "--",
    "- -dong",
    "dong -",
    "^dong",
    "title:dong",
    "{title body}: dong",
    "facets : l_vi",
    "(((",
    ")",
    "'",
    "\\",
    "'; DROP TABLE monitoring_item; --",
    "dong & nai | !x <-> y:*",
    "😀",
    "🇻🇳 Việt Nam 😀",
    "a" * 500,
    "đ " * 300,
    "Đồng " * 200,
    "%",
    "_",
    "\x00",
    "\u0301\u0300",
    "x_dong",
]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("order", ["newest", "relevance"])
def test_hostile_queries_return_results_or_nothing(world, text, order):
    page = search.search(SearchQuery(text=text, order=order), scope_org_ids=None)
    assert set(page.item_ids) <= world.all
    page = search.search(SearchQuery(text=text, langs=["vi"]), scope_org_ids=[world.tq.pk])
    assert set(page.item_ids) <= {world.tq1.pk, world.tq2.pk}


def test_facet_tokens_typed_as_words_match_nothing(world):
    for text in ("a_all", "o_1", f"o_{world.tq.pk}", "l_vi", "t_kinh_te", "x_dong"):
        assert found(text) == set(), text


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=80))
def test_any_text_is_a_valid_query(world, text):
    for order in ("newest", "relevance"):
        search.search(SearchQuery(text=text, order=order), scope_org_ids=[world.dn.pk])


# --- parsing (no database needed) ------------------------------------------------------------


def test_parse_query_structure():
    q = parse_query('"Đồng Nai" tuyen OR quang -spam NOT "xo so" ')
    assert [[t.tokens for t in g] for g in q.groups] == [
        [("dong", "nai")],
        [("tuyen",), ("quang",)],
    ]
    assert [t.tokens for t in q.exclude] == [("spam",), ("xo", "so")]
    assert q.groups[0][0].marked == (("đồng", "dong"),)
    assert parse_query('"unbalanced words').groups == parse_query("unbalanced words").groups
    assert parse_query("  ").is_empty
    assert len(parse_query(" ".join(f"w{i}" for i in range(100))).terms()) == 32


def test_highlight_terms_are_folded_longest_first():
    assert highlight_terms('Đồng Nai "biển đảo" -spam covid-19') == [
        "bien dao",
        "covid-19",
        "dong",
        "nai",
    ]
    assert highlight_terms("*") == []


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_planner_settings_are_restored(world):
    with transaction.atomic(), connection.cursor() as cursor:
        search.search(SearchQuery(text="dong"), scope_org_ids=None)
        cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('jit')")
        assert cursor.fetchone()[0] == "on"
