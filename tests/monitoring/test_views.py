"""Press pages: the item stream and search (with highlights, htmx partial, saved
searches), the item and story pages, the navigation; every page in scope only and free of
inline scripts and styles (strict CSP)."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_org, make_user
from ttdn.accounts.models import Role
from ttdn.monitoring import views
from ttdn.monitoring.models import (
    AlertRule,
    Cluster,
    Item,
    ItemProvince,
    ItemTopic,
    SavedSearch,
    Source,
    Topic,
    WatchTerm,
)
from ttdn.monitoring.pipeline import refresh_clusters, sort_key_for

_seq = itertools.count(1)


# --- builders (also used by test_views_manage.py and test_dashboard.py) -----------------------


def ago(days: float = 0, hours: float = 0) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days, hours=hours)


def make_topic(code: str, name_vi: str, **fields: Any) -> Topic:
    topic, _created = Topic.objects.update_or_create(
        code=code, defaults={"name_vi": name_vi, **fields}
    )
    return topic


def make_source(owner: Any, name: str, *, kind: str = "feed", **fields: Any) -> Source:
    n = next(_seq)
    return Source.objects.create(
        name=name,
        kind=kind,
        # a public address literal: the services check addresses without a name lookup
        url="" if kind == "file" else f"https://93.184.216.34/bao{n}/rss",
        owner=owner,
        **fields,
    )


def make_item(
    source: Source,
    title: str,
    *,
    when: dt.datetime | None = None,
    text: str = "",
    lang: str = "vi",
    topics: tuple[str, ...] = (),
    provinces: tuple[str, ...] = (),
    sentiment: str = "neutral",
    cluster: Cluster | None = None,
    mentions: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Item:
    """An analysed item with its topic and province rows, as the pipeline leaves it."""
    when = when or ago(hours=2)
    n = next(_seq)
    url = f"https://tin.example/{n}"
    item = Item.objects.create(
        source=source,
        url=url,
        url_hash=hashlib.sha1(url.encode()).hexdigest(),
        title=title,
        text=text,
        published_at=when,
        sort_key=sort_key_for(when) + n,
        lang=lang,
        provinces=list(provinces),
        topics=list(topics),
        sentiment=sentiment,
        mentions=mentions or [],
        cluster=cluster,
        stage=Item.Stage.DONE,
        **fields,
    )
    day = timezone.localdate(when)
    ItemTopic.objects.bulk_create([ItemTopic(item=item, code=c, day=day) for c in topics])
    ItemProvince.objects.bulk_create(
        [ItemProvince(item=item, province=p, day=day) for p in provinces]
    )
    if cluster is not None:
        refresh_clusters([cluster.pk])
    return item


def make_cluster(title: str) -> Cluster:
    now = timezone.now()
    return Cluster.objects.create(title=title, first_seen=now, last_seen=now)


FLOOD_TEXT = "Mưa lớn gây lũ tại Hà Nội.\nNgười dân Hà Nội sơ tán <script>alert(1)</script>."


def build_world() -> dict[str, Any]:
    """Two provinces, each with sources and items; a story in the first across two outlets
    and two languages; users of each province and a superuser."""
    province = make_org("Tỉnh Thử Báo Chí", "province", code="96")
    dept = make_org("Sở Văn hóa Thử", parent=province)
    other = make_org("Tỉnh Khác Báo Chí", "province", code="95")
    flood = make_topic("test_thien_tai", "Thiên tai thử", name_en="Disasters (test)")
    invest = make_topic("test_dau_tu", "Đầu tư thử")
    source = make_source(province, "Báo Thử")
    foreign = make_source(province, "Foreign Times", is_foreign=True)
    social = make_source(dept, "Trang mạng xã hội", kind="file")
    other_source = make_source(other, "Báo Tỉnh Khác")
    story = make_cluster("Lũ lớn ở Hà Nội")
    start = FLOOD_TEXT.index("Hà Nội")
    flood_vi = make_item(
        source,
        "Lũ lớn ở Hà Nội",
        text=FLOOD_TEXT,
        topics=(flood.code,),
        provinces=("Tỉnh Thử Báo Chí",),
        sentiment="negative",
        cluster=story,
        mentions=[
            {"kind": "place", "key": "Hà Nội", "field": "text", "start": start, "end": start + 6},
            {"kind": "place", "key": "Hà Nội", "field": "title", "start": 9, "end": 15},
        ],
        when=ago(hours=3),
    )
    flood_en = make_item(
        foreign,
        "Floods hit Hanoi",
        text="Heavy rain flooded Hanoi.",
        lang="en",
        topics=(flood.code,),
        sentiment="negative",
        cluster=story,
        when=ago(hours=2),
    )
    duplicate = make_item(
        source,
        "Lũ lớn ở Hà Nội (đăng lại)",
        text=FLOOD_TEXT,
        topics=(flood.code,),
        sentiment="negative",
        cluster=story,
        duplicate_of=flood_vi,
        when=ago(hours=1),
    )
    invest_item = make_item(
        source,
        "Đầu tư mới vào khu công nghiệp",
        text="Nhà đầu tư Nhật Bản mở nhà máy.",
        topics=(invest.code,),
        provinces=("Tỉnh Thử Báo Chí",),
        sentiment="positive",
        when=ago(days=1),
    )
    other_item = make_item(
        other_source, "Tin của tỉnh khác", cluster=story, sentiment="neutral", when=ago(hours=4)
    )
    other_story = make_cluster("Chuyện tỉnh khác")
    other_only = make_item(other_source, "Chỉ tỉnh khác", cluster=other_story)
    return {
        "province": province,
        "dept": dept,
        "other": other,
        "flood": flood,
        "invest": invest,
        "source": source,
        "foreign": foreign,
        "social": social,
        "other_source": other_source,
        "story": story,
        "other_story": other_story,
        "flood_vi": flood_vi,
        "flood_en": flood_en,
        "duplicate": duplicate,
        "invest_item": invest_item,
        "other_item": other_item,
        "other_only": other_only,
        "coordinator": make_user(Role.PROVINCIAL_COORDINATOR, province),
        "officer": make_user(Role.AGENCY_OFFICER, dept),
        "outsider": make_user(Role.PROVINCIAL_COORDINATOR, other),
        "admin": make_user(superuser=True),
        "nobody": make_user(),
    }


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def assert_csp_safe(html: str) -> None:
    """No inline script, style attribute or event handler: the CSP would block them."""
    assert not _INLINE_SCRIPT.search(html), _INLINE_SCRIPT.search(html)
    assert " style=" not in html
    assert "<style" not in html
    assert not _HANDLER.search(html), _HANDLER.search(html)


@dataclass
class FakePage:
    item_ids: list[int]
    total: int
    total_is_estimate: bool = False
    page: int = 1
    per_page: int = 20
    has_next: bool = False


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def fake_search(monkeypatch):
    """The stream's call of the search replaced by a plain scoped query; records the
    values it was called with."""
    calls: list[dict[str, Any]] = []

    def fake(cd: dict[str, Any], page: int, user: Any) -> tuple[Any, list[Item], list[str]]:
        from ttdn.core.text import fold
        from ttdn.monitoring import selectors

        calls.append({**cd, "page": page})
        qs = selectors.readable_items(user).order_by("-sort_key")
        if cd.get("cluster"):
            qs = qs.filter(cluster_id=cd["cluster"])
        items = list(qs)
        q = fold(cd.get("q") or "")
        if q:
            items = [i for i in items if q in fold(f"{i.title} {i.text}")]
        return (
            FakePage([i.pk for i in items], len(items), total_is_estimate=page > 1, page=page),
            items,
            [q] if q else [],
        )

    monkeypatch.setattr(views, "_search", fake)
    return calls


# --- every page, in scope and out -------------------------------------------------------------


def test_every_press_page_renders_for_the_coordinator_without_inline_code(world, fake_search):
    c = client_for(world["coordinator"])
    rule = AlertRule.objects.create(
        owner=world["province"], name="Lũ", kind="topic", topic=world["flood"].code
    )
    pages = [
        reverse("monitoring:dashboard"),
        reverse("monitoring:dashboard") + "?period=30",
        reverse("monitoring:items"),
        reverse("monitoring:items") + "?q=ha+noi&topic=" + world["flood"].code,
        reverse("monitoring:item", args=[world["flood_vi"].pk]) + "?q=ha+noi",
        reverse("monitoring:story", args=[world["story"].pk]),
        reverse("monitoring:sources"),
        reverse("monitoring:source_add"),
        reverse("monitoring:source", args=[world["source"].pk]),
        reverse("monitoring:source", args=[world["social"].pk]),
        reverse("monitoring:source_edit", args=[world["source"].pk]),
        reverse("monitoring:topics"),
        reverse("monitoring:topic_edit", args=[world["flood"].pk]),
        reverse("monitoring:terms"),
        reverse("monitoring:rules"),
        reverse("monitoring:rule_add"),
        reverse("monitoring:rule_edit", args=[rule.pk]),
        reverse("monitoring:alerts"),
    ]
    for url in pages:
        resp = c.get(url)
        assert resp.status_code == 200, url
        assert_csp_safe(resp.content.decode())


def test_required_url_names_and_paths():
    assert reverse("monitoring:dashboard") == "/monitoring/"
    assert reverse("monitoring:items") == "/monitoring/items/"
    assert reverse("monitoring:item", args=[7]) == "/monitoring/items/7/"
    assert reverse("monitoring:story", args=[7]) == "/monitoring/stories/7/"
    assert reverse("monitoring:source", args=[7]) == "/monitoring/sources/7/"
    for name in ("sources", "topics", "rules", "alerts", "hosts"):
        assert reverse(f"monitoring:{name}").startswith("/monitoring/")


def test_another_provinces_objects_are_not_found(world):
    c = client_for(world["outsider"])
    rule = AlertRule.objects.create(owner=world["province"], name="R", kind="sentiment")
    term = WatchTerm.objects.create(owner=world["province"], term="cảng biển")
    gets = [
        reverse("monitoring:item", args=[world["flood_vi"].pk]),
        reverse("monitoring:story", args=[world["other_story"].pk + 1000]),
        reverse("monitoring:source", args=[world["source"].pk]),
        reverse("monitoring:source_edit", args=[world["source"].pk]),
        reverse("monitoring:rule_edit", args=[rule.pk]),
    ]
    for url in gets:
        assert c.get(url).status_code == 404, url
    posts = [
        reverse("monitoring:source_pause", args=[world["source"].pk]),
        reverse("monitoring:source_fetch", args=[world["source"].pk]),
        reverse("monitoring:source_delete", args=[world["source"].pk]),
        reverse("monitoring:source_import", args=[world["social"].pk]),
        reverse("monitoring:rule_delete", args=[rule.pk]),
        reverse("monitoring:term_delete", args=[term.pk]),
    ]
    for url in posts:
        assert c.post(url, {"active": "0"}).status_code == 404, url
    assert Source.objects.filter(pk=world["source"].pk, active=True).exists()
    assert AlertRule.objects.filter(pk=rule.pk).exists()
    assert WatchTerm.objects.filter(pk=term.pk).exists()


def test_a_story_is_visible_through_the_items_one_may_read(world):
    # the shared story holds an item of the other province: the outsider sees the story
    # but only their own item in it
    c = client_for(world["outsider"])
    resp = c.get(reverse("monitoring:story", args=[world["story"].pk]))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert f'data-item="{world["other_item"].pk}"' in html
    assert f'data-item="{world["flood_vi"].pk}"' not in html
    own = client_for(world["coordinator"])
    assert own.get(reverse("monitoring:story", args=[world["other_story"].pk])).status_code == 404


def test_press_pages_need_a_sign_in(world):
    resp = Client().get(reverse("monitoring:items"))
    assert resp.status_code == 302 and "login" in resp["Location"]


def test_allowed_hosts_are_for_superusers_only(world):
    assert client_for(world["coordinator"]).get(reverse("monitoring:hosts")).status_code == 403
    resp = client_for(world["admin"]).get(reverse("monitoring:hosts"))
    assert resp.status_code == 200
    assert_csp_safe(resp.content.decode())


# --- the stream -------------------------------------------------------------------------------


def test_stream_shows_highlights_badges_dates_topics_and_story_size(world, fake_search):
    resp = client_for(world["coordinator"]).get(reverse("monitoring:items"), {"q": "Ha Noi"})
    assert resp.status_code == 200
    html = resp.content.decode()
    item = world["flood_vi"]
    assert f'data-item="{item.pk}"' in html
    assert f'data-item="{world["other_item"].pk}"' not in html  # another province
    assert '<mark class="hl hl-place hl-query">Hà Nội</mark>' in html  # title and snippet
    assert reverse("monitoring:item", args=[item.pk]) + "?q=Ha+Noi" in html
    assert timezone.localtime(item.published_at).strftime("%d/%m/%Y %H:%M") in html
    assert 'class="badge lang"' in html and 'class="badge sentiment-negative"' in html
    assert "Thiên tai thử" in html  # topic chip, the name from the Topic table
    assert f'data-story="{world["story"].pk}"' in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert 'data-total="2"' in html  # the original and its repost, not the English
    assert fake_search[0]["q"] == "Ha Noi" and fake_search[0]["order"] == "newest"


def test_stream_passes_the_filters_and_says_about_when_estimated(world, fake_search):
    c = client_for(world["coordinator"])
    resp = c.get(
        reverse("monitoring:items"),
        {
            "q": "lu",
            "date_from": "2025-03-01",
            "date_to": "10/03/2025",
            "source": world["source"].pk,
            "lang": "vi",
            "topic": world["flood"].code,
            "sentiment": "negative",
            "province": "Tỉnh Thử Báo Chí",
            "cluster": world["story"].pk,
            "kind": "article",
            "order": "relevance",
            "page": "2",
        },
    )
    assert resp.status_code == 200
    call = fake_search[-1]
    assert call["date_from"] == dt.date(2025, 3, 1) and call["date_to"] == dt.date(2025, 3, 10)
    assert call["source"] == world["source"].pk and call["cluster"] == world["story"].pk
    assert (call["lang"], call["topic"], call["sentiment"]) == ("vi", "test_thien_tai", "negative")
    assert call["province"] == "Tỉnh Thử Báo Chí" and call["order"] == "relevance"
    assert call["page"] == 2
    assert "data-estimate" in resp.content.decode()


def test_stream_refuses_bad_filters_with_400_not_500(world, fake_search):
    c = client_for(world["coordinator"])
    assert c.get(reverse("monitoring:items"), {"date_from": "hôm qua"}).status_code == 400
    assert c.get(reverse("monitoring:items"), {"source": "x"}).status_code == 400
    resp = c.get(reverse("monitoring:items"), {"date_from": "2025-03-10", "date_to": "2025-03-01"})
    assert resp.status_code == 400
    # another province's source is not a choice
    assert (
        c.get(reverse("monitoring:items"), {"source": world["other_source"].pk}).status_code == 400
    )
    assert fake_search == []


def test_stream_htmx_request_gets_only_the_results(world, fake_search):
    c = client_for(world["coordinator"])
    resp = c.get(
        reverse("monitoring:items"),
        {"q": "ha noi"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="results",
    )
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "<html" not in html and 'class="stream"' in html
    assert "HX-Request" in resp["Vary"]
    full = c.get(reverse("monitoring:items"), {"q": "ha noi"}).content.decode()
    assert "<html" in full and 'hx-target="#results"' in full and 'hx-push-url="true"' in full


def test_saved_search_round_trip(world, fake_search):
    c = client_for(world["coordinator"])
    resp = c.post(
        reverse("monitoring:saved_search_save"),
        {
            "name": "Lũ ở tỉnh",
            "q": "lũ lụt",
            "topic": world["flood"].code,
            "sentiment": "negative",
            "order": "newest",
        },
    )
    saved = SavedSearch.objects.get(user=world["coordinator"])
    assert saved.query == "lũ lụt"
    assert saved.filters == {"topic": world["flood"].code, "sentiment": "negative"}
    assert resp.status_code == 302
    assert resp["Location"].startswith(reverse("monitoring:items") + "?")
    assert "topic=test_thien_tai" in resp["Location"] and "sentiment=negative" in resp["Location"]
    listing = c.get(reverse("monitoring:items")).content.decode()
    assert f'data-saved-search="{saved.pk}"' in listing and "data-confirm=" in listing
    # following the link runs the same search
    c.get(resp["Location"])
    assert fake_search[-1]["q"] == "lũ lụt" and fake_search[-1]["topic"] == world["flood"].code
    # nobody else sees or deletes it
    other = client_for(world["officer"])
    assert (
        f'data-saved-search="{saved.pk}"'
        not in other.get(reverse("monitoring:items")).content.decode()
    )
    url = reverse("monitoring:saved_search_delete", args=[saved.pk])
    assert other.post(url).status_code == 404
    assert c.get(url).status_code == 405
    assert c.post(url).status_code == 302
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()


def test_saving_a_search_without_a_name_saves_nothing(world, fake_search):
    c = client_for(world["coordinator"])
    resp = c.post(reverse("monitoring:saved_search_save"), {"name": " ", "q": "lũ"})
    assert resp.status_code == 302 and not SavedSearch.objects.exists()


def test_real_search_finds_items_without_diacritics_in_scope_only(world):
    """The stream over the real search module and its index."""
    from ttdn.monitoring import search

    search.index_items(
        [world["flood_vi"], world["flood_en"], world["invest_item"], world["other_item"]]
    )
    c = client_for(world["coordinator"])
    resp = c.get(reverse("monitoring:items"), {"q": "lu lon ha noi"})
    html = resp.content.decode()
    assert resp.status_code == 200
    assert f'data-item="{world["flood_vi"].pk}"' in html
    assert f'data-item="{world["invest_item"].pk}"' not in html
    assert '<mark class="hl hl-query">Lũ lớn</mark>' in html
    # a phrase, a filter and the relevance order go through as well
    resp = c.get(
        reverse("monitoring:items"),
        {"q": '"nha dau tu"', "topic": world["invest"].code, "order": "relevance"},
    )
    assert f'data-item="{world["invest_item"].pk}"' in resp.content.decode()
    # the other province's item is not found by its own words
    resp = c.get(reverse("monitoring:items"), {"q": "tinh khac"})
    assert f'data-item="{world["other_item"].pk}"' not in resp.content.decode()
    resp = client_for(world["outsider"]).get(reverse("monitoring:items"), {"q": "tinh khac"})
    assert f'data-item="{world["other_item"].pk}"' in resp.content.decode()


# --- item and story ---------------------------------------------------------------------------


def test_item_page_shows_highlighted_text_story_duplicates_and_case_links(world):
    item = world["flood_vi"]
    c = client_for(world["coordinator"])
    resp = c.get(reverse("monitoring:item", args=[item.pk]), {"q": "nguoi dan"})
    html = resp.content.decode()
    assert resp.status_code == 200
    assert '<mark class="hl hl-place">Hà Nội</mark>' in html
    assert '<mark class="hl hl-query">Người dân</mark>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'href="{item.url}" rel="noopener noreferrer"' in html
    assert reverse("monitoring:story", args=[world["story"].pk]) in html
    assert reverse("monitoring:item", args=[world["flood_en"].pk]) in html  # same story
    assert reverse("monitoring:item", args=[world["duplicate"].pk]) in html  # a duplicate
    assert reverse("monitoring:item", args=[world["other_item"].pk]) not in html  # not in scope
    assert f"?item={item.pk}" in html and f"?cluster={world['story'].pk}" in html
    assert_csp_safe(html)


def test_the_duplicate_links_back_to_its_original(world):
    c = client_for(world["coordinator"])
    html = c.get(reverse("monitoring:item", args=[world["duplicate"].pk])).content.decode()
    assert reverse("monitoring:item", args=[world["flood_vi"].pk]) in html


def test_story_page_lists_the_items_across_outlets_and_languages(world):
    story = world["story"]
    c = client_for(world["coordinator"])
    resp = c.get(reverse("monitoring:story", args=[story.pk]))
    html = resp.content.decode()
    assert resp.status_code == 200
    order = [int(pk) for pk in re.findall(r'<li data-item="(\d+)"', html)]
    assert order == [world["flood_vi"].pk, world["flood_en"].pk, world["duplicate"].pk]
    assert '<div class="stat" data-figure="outlets">2</div>' in html
    assert ">en<" in html and ">vi<" in html
    assert f"?cluster={story.pk}" in html
    assert_csp_safe(html)


# --- CSRF and navigation ----------------------------------------------------------------------


def test_posts_are_csrf_protected_and_work_with_the_token(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world["coordinator"])
    url = reverse("monitoring:source_pause", args=[world["source"].pk])
    assert c.post(url, {"active": "0"}).status_code == 403
    page = c.get(reverse("monitoring:source", args=[world["source"].pk]))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    resp = c.post(url, {"active": "0", "csrfmiddlewaretoken": token.group(1)})
    assert resp.status_code == 302
    world["source"].refresh_from_db()
    assert world["source"].active is False and world["source"].health == Source.Health.PAUSED


def test_navigation_has_press_and_cases_for_users_with_a_role(world):
    html = client_for(world["officer"]).get(reverse("core:home")).content.decode()
    assert f'href="{reverse("monitoring:dashboard")}"' in html
    from django.urls import NoReverseMatch

    try:
        cases = reverse("monitoring:case_list")
    except NoReverseMatch:  # pragma: no cover - cases not installed
        cases = None
    if cases:
        assert f'href="{cases}"' in html
    page = client_for(world["officer"]).get(reverse("monitoring:items"))
    assert 'aria-current="page">' in page.content.decode()
    nobody = client_for(world["nobody"]).get(reverse("core:home")).content.decode()
    assert f'href="{reverse("monitoring:dashboard")}"' not in nobody
