"""The press monitoring API: scope as on the pages (another province's records are "not
found" or absent from lists), writes through the services (403 refusals, 400 with field
errors, never a 500), search without diacritics, file import, and the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path
from django.utils import timezone
from rest_framework.routers import SimpleRouter
from rest_framework.test import APIClient

from tests.factories import make_org, make_user
from ttdn import urls as root_urls
from ttdn.accounts.models import Role
from ttdn.directory.models import OrganisationFunction
from ttdn.directory.services import SYSTEM, function_assign
from ttdn.monitoring import api
from ttdn.monitoring.models import (
    Alert,
    AlertRule,
    AllowedHost,
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


def _urlpatterns() -> list[Any]:
    """The project's URLs, plus the press router until ``ttdn/api_urls.py`` registers it."""
    from ttdn.api_urls import router

    if any(prefix == "press-sources" for prefix, *_rest in router.registry):
        return list(root_urls.urlpatterns)
    press = SimpleRouter()
    api.register(press)
    return [path("api/", include(press.urls)), *root_urls.urlpatterns]


urlpatterns = _urlpatterns()
pytestmark = pytest.mark.urls(__name__)

_seq = itertools.count(1)
WHEN = timezone.make_aware(dt.datetime(2025, 3, 10, 9, 0))


# --- builders (also used by the report tests) ------------------------------------------------


def make_topic(code: str, name_vi: str) -> Topic:
    topic, _created = Topic.objects.get_or_create(code=code, defaults={"name_vi": name_vi})
    return topic


def make_source(owner, name: str, *, is_foreign: bool = False, kind: str = "feed") -> Source:
    n = next(_seq)
    return Source.objects.create(
        name=name,
        kind=kind,
        url="" if kind == "file" else f"https://bao{n}.example/rss",
        owner=owner,
        is_foreign=is_foreign,
    )


def make_item(
    source: Source,
    title: str,
    *,
    when: dt.datetime = WHEN,
    text: str = "",
    lang: str = "vi",
    topics: tuple[str, ...] = (),
    provinces: tuple[str, ...] = (),
    sentiment: str = "neutral",
    cluster: Cluster | None = None,
    mentions: list[dict[str, Any]] | None = None,
) -> Item:
    """An analysed item with its topic and province rows, as the pipeline leaves it."""
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
    )
    day = timezone.localdate(when)
    ItemTopic.objects.bulk_create([ItemTopic(item=item, code=c, day=day) for c in topics])
    ItemProvince.objects.bulk_create(
        [ItemProvince(item=item, province=p, day=day) for p in provinces]
    )
    if cluster is not None:
        refresh_clusters([cluster.pk])
    return item


def make_cluster(title: str, when: dt.datetime = WHEN) -> Cluster:
    return Cluster.objects.create(title=title, first_seen=when, last_seen=when, size=0)


def build_press_world() -> dict[str, Any]:
    """Two provinces, each with its sources; a focal department with an officer; users of
    every role that matters here."""
    province = make_org("Tỉnh Thử Báo", "province", code="96")
    committee = make_org("Ủy ban nhân dân tỉnh Thử Báo", "peoples_committee", parent=province)
    focal = make_org("Sở Văn hóa, Thể thao và Du lịch", parent=province)
    function_assign(
        actor=SYSTEM,
        org=focal,
        function=OrganisationFunction.Function.FOCAL_TTDN,
        scope=province,
    )
    other = make_org("Tỉnh Khác Báo", "province", code="95")
    other_dept = make_org("Sở Văn hóa tỉnh Khác Báo", parent=other)
    ministry = make_org("Bộ Ngoại giao", "national_agency")
    make_topic("du_lich_van_hoa", "Du lịch, văn hóa")
    make_topic("dau_tu_kinh_te", "Đầu tư, kinh tế")
    make_topic("su_co_tieu_cuc", "Sự cố, tiêu cực")
    return {
        "province": province,
        "committee": committee,
        "focal": focal,
        "other": other,
        "other_dept": other_dept,
        "ministry": ministry,
        "source": make_source(focal, "Báo Thử Báo"),
        "foreign_source": make_source(focal, "Xinhua", is_foreign=True),
        "other_source": make_source(other_dept, "Báo Khác"),
        "coordinator": make_user(Role.PROVINCIAL_COORDINATOR, province),
        "focal_officer": make_user(Role.AGENCY_OFFICER, focal),
        "other_coordinator": make_user(Role.PROVINCIAL_COORDINATOR, other),
        "national": make_user(Role.NATIONAL_VIEWER, ministry),
    }


def client(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def world(db):
    return build_press_world()


# --- items and stories -----------------------------------------------------------------------


def test_items_list_and_detail_are_scoped(world):
    title = "Lễ hội Thành Tuyên ở Thử Báo"
    mine = make_item(
        world["source"],
        title,
        text="Lễ hội thu hút du khách.",
        topics=("du_lich_van_hoa",),
        provinces=("Thử Báo",),
        mentions=[{"kind": "place", "key": "Thử Báo", "field": "title", "start": 22, "end": 29}],
    )
    theirs = make_item(world["other_source"], "Tin tỉnh khác", provinces=("Khác Báo",))
    c = client(world["coordinator"])
    listed = c.get("/api/press-items/").json()
    assert listed["count"] == 1
    assert listed["results"][0]["id"] == mine.pk
    assert listed["results"][0]["mentions"][0]["key"] == "Thử Báo"
    detail = c.get(f"/api/press-items/{mine.pk}/")
    assert detail.status_code == 200
    assert detail.json()["text"] == "Lễ hội thu hút du khách."
    assert detail.json()["source_name"] == "Báo Thử Báo"
    assert c.get(f"/api/press-items/{theirs.pk}/").status_code == 404

    outsider = client(world["other_coordinator"])
    assert outsider.get(f"/api/press-items/{mine.pk}/").status_code == 404
    assert [r["id"] for r in outsider.get("/api/press-items/").json()["results"]] == [theirs.pk]
    # a national viewer reads both
    assert client(world["national"]).get("/api/press-items/").json()["count"] == 2


def test_item_list_filters(world):
    a = make_item(world["source"], "Đầu tư", topics=("dau_tu_kinh_te",), provinces=("Thử Báo",))
    b = make_item(
        world["foreign_source"],
        "Tourism festival",
        lang="en",
        topics=("du_lich_van_hoa",),
        sentiment="positive",
        when=WHEN + dt.timedelta(days=5),
    )
    c = client(world["coordinator"])

    def ids(**params: Any) -> list[int]:
        resp = c.get("/api/press-items/", params)
        assert resp.status_code == 200, resp.content
        return [r["id"] for r in resp.json()["results"]]

    assert ids() == [b.pk, a.pk]  # newest first
    assert ids(topic="dau_tu_kinh_te") == [a.pk]
    assert ids(province="Thử Báo") == [a.pk]
    assert ids(lang="en") == [b.pk]
    assert ids(sentiment="positive") == [b.pk]
    assert ids(is_foreign="true") == [b.pk]
    assert ids(source=world["source"].pk) == [a.pk]
    assert ids(date_from="2025-03-12") == [b.pk]
    assert ids(date_to="2025-03-10") == [a.pk]
    assert c.get("/api/press-items/", {"date_from": "10/03"}).status_code == 400


def test_stories_are_scoped_and_list_their_outlets(world):
    story = make_cluster("Lễ hội Thành Tuyên")
    make_item(world["source"], "Lễ hội Thành Tuyên khai mạc", cluster=story)
    make_item(world["foreign_source"], "Thanh Tuyen festival opens", lang="en", cluster=story)
    other_story = make_cluster("Tin khác")
    make_item(world["other_source"], "Tin khác", cluster=other_story)
    c = client(world["coordinator"])
    listed = c.get("/api/press-stories/").json()
    assert [s["id"] for s in listed["results"]] == [story.pk]
    assert listed["results"][0]["size"] == 2
    detail = c.get(f"/api/press-stories/{story.pk}/").json()
    assert detail["outlets"] == ["Báo Thử Báo", "Xinhua"]
    assert sorted(detail["languages"]) == ["en", "vi"]
    assert len(detail["items"]) == 2
    assert c.get(f"/api/press-stories/{other_story.pk}/").status_code == 404
    assert (
        client(world["other_coordinator"]).get(f"/api/press-stories/{story.pk}/").status_code == 404
    )


# --- search -----------------------------------------------------------------------------------


def test_search_without_diacritics_finds_the_item_in_scope_only(world):
    from ttdn.monitoring import search

    item = make_item(
        world["source"],
        "Lễ hội Thành Tuyên rực rỡ sắc màu",
        text="Hàng vạn du khách về Tuyên Quang dự lễ hội.",
        provinces=("Thử Báo",),
    )
    other = make_item(world["other_source"], "Thành Tuyên ở tỉnh khác", provinces=("Khác Báo",))
    search.index_items([item, other])
    resp = client(world["coordinator"]).get("/api/press-search/", {"q": "thanh tuyen"})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert [r["id"] for r in body["results"]] == [item.pk]
    assert body["total"] == 1
    assert body["total_is_estimate"] in (True, False)
    assert body["page"] == 1
    assert body["terms"] == ["thanh", "tuyen"]
    resp = client(world["other_coordinator"]).get("/api/press-search/", {"q": "thanh tuyen"})
    assert [r["id"] for r in resp.json()["results"]] == [other.pk]
    # filters: repeated values match any of them
    national = client(world["national"])
    both = national.get("/api/press-search/", {"q": "Thành Tuyên", "order": "newest"}).json()
    assert {r["id"] for r in both["results"]} == {item.pk, other.pk}
    one = national.get("/api/press-search/", {"q": "thanh tuyen", "province": "Khác Báo"}).json()
    assert [r["id"] for r in one["results"]] == [other.pk]
    params: dict[str, Any] = {
        "source": [world["source"].pk, world["other_source"].pk],
        "per_page": 1,
    }
    resp = national.get("/api/press-search/", params)
    assert resp.json()["total"] == 2
    assert resp.json()["has_next"] is True


def test_search_rejects_bad_parameters_with_400(world):
    c = client(world["coordinator"])
    assert c.get("/api/press-search/", {"date_from": "hôm qua"}).status_code == 400
    assert c.get("/api/press-search/", {"per_page": 1000}).status_code == 400
    assert c.get("/api/press-search/", {"order": "random"}).status_code == 400
    assert c.get("/api/press-search/", {"sentiment": "angry"}).status_code == 400


# --- sources ----------------------------------------------------------------------------------


def test_source_create_with_a_private_address_is_400_with_the_reason(world):
    from ttdn.monitoring.fetch.errors import FetchError
    from ttdn.monitoring.fetch.urls import validate_source_url

    with pytest.raises(FetchError) as refused:
        validate_source_url("http://127.0.0.1:8080/admin")
    resp = client(world["coordinator"]).post(
        "/api/press-sources/",
        {
            "name": "Router",
            "kind": "feed",
            "url": "http://127.0.0.1:8080/admin",
            "owner": world["focal"].pk,
        },
        format="json",
    )
    assert resp.status_code == 400
    assert resp.json()["url"] == [refused.value.message]
    assert not Source.objects.filter(name="Router").exists()


def test_source_create_update_pause_and_scope(world):
    AllowedHost.objects.create(host="baothubao.example", note="test")
    c = client(world["coordinator"])
    resp = c.post(
        "/api/press-sources/",
        {
            "name": "Báo Thử Báo điện tử",
            "url": "https://baothubao.example/rss",
            "owner": world["focal"].pk,
            "health": "ok",  # read-only: ignored
        },
        format="json",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["health"] == "unknown"
    pk = body["id"]
    resp = c.patch(f"/api/press-sources/{pk}/", {"interval_minutes": 30}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["interval_minutes"] == 30
    resp = c.post(f"/api/press-sources/{pk}/pause/")
    assert resp.json()["active"] is False
    assert resp.json()["health"] == "paused"
    assert c.post(f"/api/press-sources/{pk}/fetch-now/").status_code == 400  # paused
    assert c.post(f"/api/press-sources/{pk}/resume/").json()["active"] is True
    # another province: not found; a reader without write rights: refused
    assert client(world["other_coordinator"]).get(f"/api/press-sources/{pk}/").status_code == 404
    assert (
        client(world["national"])
        .patch(f"/api/press-sources/{pk}/", {"name": "X"}, format="json")
        .status_code
        == 403
    )
    # adding a source for another province's agency is refused
    resp = c.post(
        "/api/press-sources/",
        {"name": "X", "url": "https://baothubao.example/x", "owner": world["other_dept"].pk},
        format="json",
    )
    assert resp.status_code == 403
    assert (
        c.post("/api/press-sources/", {"name": "X", "owner": 0}, format="json").status_code == 400
    )
    listed = c.get("/api/press-sources/", {"kind": "feed"}).json()
    assert {s["name"] for s in listed["results"]} == {
        "Báo Thử Báo",
        "Xinhua",
        "Báo Thử Báo điện tử",
    }
    assert c.delete(f"/api/press-sources/{pk}/").status_code == 204


def test_fetch_now_is_accepted_and_queued_after_commit(world, django_capture_on_commit_callbacks):
    c = client(world["coordinator"])
    source = world["source"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        resp = c.post(f"/api/press-sources/{source.pk}/fetch-now/")
    assert resp.status_code == 202
    assert resp.json() == {"queued": True}
    assert len(callbacks) == 1
    source.refresh_from_db()
    assert source.next_fetch_at is not None
    assert (
        client(world["national"]).post(f"/api/press-sources/{source.pk}/fetch-now/").status_code
        == 403
    )
    other = client(world["other_coordinator"])
    assert other.post(f"/api/press-sources/{source.pk}/fetch-now/").status_code == 404


CSV = (
    "id,message,created_time,permalink_url,from_name\n"
    '1,"Tỉnh Thử Báo đón đoàn khách Lào.",2025-03-05T09:30:00+0000,'
    "https://www.facebook.com/thubao/posts/1,Trang Thử Báo\n"
    '2,"Lễ hội Thành Tuyên rất đẹp.",2025-03-06T10:00:00+0000,'
    "https://www.facebook.com/thubao/posts/2,Trang Thử Báo\n"
).encode()


def test_import_endpoint_creates_items_and_queues_analysis(
    world, django_capture_on_commit_callbacks
):
    source = make_source(world["focal"], "Facebook Thử Báo", kind="file")
    c = client(world["focal_officer"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        resp = c.post(
            f"/api/press-sources/{source.pk}/import/",
            {"file": SimpleUploadedFile("posts.csv", CSV, content_type="text/csv")},
            format="multipart",
        )
    assert resp.status_code == 201, resp.content
    assert resp.json() == {"new": 2, "skipped": 0}
    assert Item.objects.filter(source=source, stage=Item.Stage.FETCHED).count() == 2
    assert callbacks  # process_pending after commit
    # the same file again adds nothing
    resp = c.post(
        f"/api/press-sources/{source.pk}/import/",
        {"file": SimpleUploadedFile("posts.csv", CSV, content_type="text/csv")},
        format="multipart",
    )
    assert resp.json() == {"new": 0, "skipped": 2}


def test_import_refusals(world):
    file_source = make_source(world["focal"], "Facebook", kind="file")
    c = client(world["coordinator"])
    bad = SimpleUploadedFile("posts.csv", b"id,message,created_time\n1,abc,not a date\n")
    resp = c.post(f"/api/press-sources/{file_source.pk}/import/", {"file": bad}, format="multipart")
    assert resp.status_code == 400
    assert resp.json()["file"]
    feed = world["source"]
    resp = c.post(
        f"/api/press-sources/{feed.pk}/import/",
        {"file": SimpleUploadedFile("p.csv", CSV)},
        format="multipart",
    )
    assert resp.status_code == 400
    assert (
        c.post(f"/api/press-sources/{file_source.pk}/import/", {}, format="multipart").status_code
        == 400
    )
    resp = client(world["national"]).post(
        f"/api/press-sources/{file_source.pk}/import/",
        {"file": SimpleUploadedFile("p.csv", CSV)},
        format="multipart",
    )
    assert resp.status_code == 403
    resp = client(world["other_coordinator"]).post(
        f"/api/press-sources/{file_source.pk}/import/",
        {"file": SimpleUploadedFile("p.csv", CSV)},
        format="multipart",
    )
    assert resp.status_code == 404
    assert not Item.objects.filter(source=file_source).exists()


# --- alerts, rules, topics, terms, saved searches ----------------------------------------------


def test_alert_rule_crud_in_scope(world):
    c = client(world["coordinator"])
    resp = c.post(
        "/api/press-alert-rules/",
        {
            "owner": world["focal"].pk,
            "name": "Thành Tuyên",
            "kind": "keyword",
            "keyword": "Thành Tuyên",
        },
        format="json",
    )
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    assert c.get("/api/press-alert-rules/").json()["count"] == 1
    resp = c.patch(f"/api/press-alert-rules/{pk}/", {"name": "Lễ hội"}, format="json")
    assert resp.status_code == 200
    assert resp.json()["name"] == "Lễ hội"
    # the service's field errors come back as 400
    resp = c.post(
        "/api/press-alert-rules/",
        {"owner": world["focal"].pk, "name": "Chủ đề", "kind": "topic", "topic": "khong_co"},
        format="json",
    )
    assert resp.status_code == 400
    assert "topic" in resp.json()
    resp = c.patch(
        f"/api/press-alert-rules/{pk}/", {"kind": "spike", "spike_factor": 0.5}, format="json"
    )
    assert resp.status_code == 400
    assert "spike_factor" in resp.json()
    other = client(world["other_coordinator"])
    assert other.get(f"/api/press-alert-rules/{pk}/").status_code == 404
    assert other.get("/api/press-alert-rules/").json()["count"] == 0
    assert other.delete(f"/api/press-alert-rules/{pk}/").status_code == 404
    resp = client(world["national"]).post(
        "/api/press-alert-rules/",
        {"owner": world["focal"].pk, "name": "X", "kind": "sentiment"},
        format="json",
    )
    assert resp.status_code == 403
    assert c.delete(f"/api/press-alert-rules/{pk}/").status_code == 204
    assert not AlertRule.objects.exists()


def test_alerts_are_listed_for_readable_rules_only(world):
    rule = AlertRule.objects.create(owner=world["focal"], name="Tiêu cực", kind="sentiment")
    item = make_item(world["source"], "Sự cố", sentiment="negative")
    alert = Alert.objects.create(rule=rule, key="k1", item=item, message="Tiêu cực: Sự cố")
    listed = client(world["coordinator"]).get("/api/press-alerts/").json()
    assert [a["id"] for a in listed["results"]] == [alert.pk]
    assert listed["results"][0]["rule_name"] == "Tiêu cực"
    other = client(world["other_coordinator"])
    assert other.get("/api/press-alerts/").json()["count"] == 0
    assert other.get(f"/api/press-alerts/{alert.pk}/").status_code == 404


def test_topic_keyword_edit(world):
    c = client(world["coordinator"])
    resp = c.patch(
        "/api/press-topics/du_lich_van_hoa/",
        {"keywords": {"vi": ["lễ hội", "du lịch", "lễ hội"], "en": ["festival"]}},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    topic = Topic.objects.get(code="du_lich_van_hoa")
    assert topic.keywords == {"vi": ["lễ hội", "du lịch"], "en": ["festival"]}
    assert c.get("/api/press-topics/").json()["count"] >= 3
    # the other keyword groups: a group sent replaces that group only
    resp = c.patch(
        "/api/press-topics/du_lich_van_hoa/",
        {"negative_keywords": {"vi": ["lễ hội tiêu cực"]}, "strong_keywords": {"en": ["tourism"]}},
        format="json",
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["negative_keywords"] == {"vi": ["lễ hội tiêu cực"]}
    assert body["strong_keywords"] == {"en": ["tourism"]}
    assert body["keywords"] == {"vi": ["lễ hội", "du lịch"], "en": ["festival"]}
    assert (
        c.patch(
            "/api/press-topics/du_lich_van_hoa/", {"weak_keywords": ["no language"]}, format="json"
        ).status_code
        == 400
    )
    officer = client(world["focal_officer"])
    resp = officer.patch(
        "/api/press-topics/du_lich_van_hoa/", {"keywords": {"vi": ["x"]}}, format="json"
    )
    assert resp.status_code == 403
    assert (
        c.patch("/api/press-topics/khong_co/", {"name_vi": "X"}, format="json").status_code == 404
    )


def test_watch_terms_and_saved_searches(world):
    c = client(world["coordinator"])
    resp = c.post(
        "/api/press-watch-terms/",
        {"term": "Thành Tuyên", "owner": world["focal"].pk},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    assert (
        c.post(
            "/api/press-watch-terms/", {"term": "x", "owner": world["focal"].pk}, format="json"
        ).status_code
        == 400
    )
    term = WatchTerm.objects.get()
    assert (
        client(world["other_coordinator"]).delete(f"/api/press-watch-terms/{term.pk}/").status_code
        == 404
    )
    assert c.delete(f"/api/press-watch-terms/{term.pk}/").status_code == 204

    resp = c.post(
        "/api/press-saved-searches/",
        {"name": "Lễ hội", "query": "thanh tuyen", "filters": {"lang": "vi"}},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    saved = SavedSearch.objects.get()
    assert c.get("/api/press-saved-searches/").json()["count"] == 1
    other = client(world["focal_officer"])
    assert other.get("/api/press-saved-searches/").json()["count"] == 0
    assert other.delete(f"/api/press-saved-searches/{saved.pk}/").status_code == 404
    assert c.post("/api/press-saved-searches/", {"name": " "}, format="json").status_code == 400
    assert c.delete(f"/api/press-saved-searches/{saved.pk}/").status_code == 204


def test_anonymous_is_refused(world):
    assert APIClient().get("/api/press-items/").status_code in (401, 403)


# --- the OpenAPI document ------------------------------------------------------------------------


def test_schema_documents_the_press_endpoints(world):
    resp = client(world["coordinator"]).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert resp.status_code == 200
    paths = json.loads(resp.content)["paths"]
    for expected in (
        "/api/press-sources/",
        "/api/press-sources/{id}/fetch-now/",
        "/api/press-sources/{id}/import/",
        "/api/press-items/",
        "/api/press-items/{id}/",
        "/api/press-stories/{id}/",
        "/api/press-search/",
        "/api/press-alerts/",
        "/api/press-alert-rules/{id}/",
        "/api/press-topics/{code}/",
        "/api/press-saved-searches/",
    ):
        assert expected in paths, expected
    search_params = {p["name"] for p in paths["/api/press-search/"]["get"]["parameters"]}
    assert {"q", "date_from", "date_to", "source", "lang", "topic", "sentiment"} <= search_params
    assert {"province", "cluster", "kind", "order", "page", "per_page"} <= search_params
    upload = paths["/api/press-sources/{id}/import/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
