"""The press dashboard: figures of a period on a small dataset (per day, topic, sentiment,
source, language, province, stories), in the reader's scope, and the page with its charts,
table fallbacks and links to the filtered stream."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_org, make_user
from tests.monitoring.test_views import (
    assert_csp_safe,
    client_for,
    make_cluster,
    make_item,
    make_source,
    make_topic,
)
from ttdn.accounts.models import Role
from ttdn.monitoring import selectors
from ttdn.monitoring.models import Alert, AlertRule


def at(day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2025, 3, day, hour, 0))


START, END = at(8, 0), at(11, 0)  # 8, 9 and 10 March


@pytest.fixture
def data(db) -> dict[str, Any]:
    province = make_org("Tỉnh Số Liệu", "province", code="94")
    other = make_org("Tỉnh Số Liệu Khác", "province", code="93")
    flood = make_topic("test_lu", "Lũ lụt thử")
    tourism = make_topic("test_du_lich", "Du lịch thử")
    paper = make_source(province, "Báo Số Liệu")
    foreign = make_source(province, "Asia Daily", is_foreign=True)
    elsewhere = make_source(other, "Báo Khác")
    story = make_cluster("Lũ ở miền Trung")
    items = [
        make_item(paper, "Lũ 1", when=at(8), topics=("test_lu",), sentiment="negative",
                  provinces=("Tỉnh Số Liệu",), cluster=story),
        make_item(paper, "Lũ 2", when=at(8, 15), topics=("test_lu", "test_du_lich"),
                  sentiment="negative", provinces=("Tỉnh Số Liệu", "Huế"), cluster=story),
        make_item(foreign, "Flood 3", when=at(10), lang="en", topics=("test_lu",),
                  sentiment="neutral", cluster=story),
        make_item(paper, "Du lịch 4", when=at(10, 20), topics=("test_du_lich",),
                  sentiment="positive", cluster=make_cluster("Mùa du lịch")),
        make_item(paper, "Không chủ đề 5", when=at(10, 21), sentiment="neutral"),
    ]  # fmt: skip
    # outside the period, and outside the scope
    make_item(paper, "Cũ", when=at(7, 23), topics=("test_lu",), sentiment="negative")
    make_item(paper, "Sau", when=at(11, 0), topics=("test_lu",), sentiment="negative")
    make_item(elsewhere, "Tỉnh khác", when=at(9), topics=("test_lu",), sentiment="negative")
    rule = AlertRule.objects.create(owner=province, name="Lũ", kind="topic", topic="test_lu")
    alert = Alert.objects.create(rule=rule, key="d1", item=items[0], message="Lũ: Lũ 1")
    Alert.objects.filter(pk=alert.pk).update(created_at=at(9))
    return {
        "province": province,
        "other": other,
        "flood": flood,
        "tourism": tourism,
        "paper": paper,
        "foreign": foreign,
        "story": story,
        "items": items,
        "coordinator": make_user(Role.PROVINCIAL_COORDINATOR, province),
        "outsider": make_user(Role.PROVINCIAL_COORDINATOR, other),
    }


def test_dashboard_figures_on_a_small_dataset(data):
    f = selectors.dashboard(data["coordinator"], START, END)
    assert f["total"] == 5
    assert f["negative"] == 2 and f["negative_share"] == pytest.approx(0.4)
    assert f["stories"] == 2
    assert f["alerts"] == 1
    assert f["per_day"] == [
        (dt.date(2025, 3, 8), 2),
        (dt.date(2025, 3, 9), 0),
        (dt.date(2025, 3, 10), 3),
    ]
    assert f["topics"] == [("test_lu", "Lũ lụt thử", 3), ("test_du_lich", "Du lịch thử", 2)]
    assert [(k, n) for k, _label, n in f["sentiments"]] == [
        ("negative", 2),
        ("neutral", 2),
        ("positive", 1),
    ]
    assert f["sources"] == [
        (data["paper"].pk, "Báo Số Liệu", 4),
        (data["foreign"].pk, "Asia Daily", 1),
    ]
    assert f["languages"] == [("vi", "vi", 4), ("en", "en", 1)]
    assert f["provinces"] == [("Tỉnh Số Liệu", "Tỉnh Số Liệu", 2), ("Huế", "Huế", 1)]
    top = f["top_stories"]
    assert (top[0]["id"], top[0]["n"]) == (data["story"].pk, 3)
    assert len(top) == 2


def test_dashboard_filters_narrow_every_figure(data):
    f = selectors.dashboard(data["coordinator"], START, END, topic="test_du_lich")
    assert f["total"] == 2 and f["negative"] == 1
    assert dict((k, n) for k, _l, n in f["topics"]) == {"test_lu": 1, "test_du_lich": 2}
    f = selectors.dashboard(data["coordinator"], START, END, lang="en", sentiment="neutral")
    assert f["total"] == 1 and f["sources"] == [(data["foreign"].pk, "Asia Daily", 1)]
    f = selectors.dashboard(data["coordinator"], START, END, province="Huế")
    assert f["total"] == 1


def test_dashboard_counts_only_what_the_reader_may_read(data):
    f = selectors.dashboard(data["outsider"], START, END)
    assert f["total"] == 1 and f["alerts"] == 0
    assert f["topics"] == [("test_lu", "Lũ lụt thử", 1)]
    national = make_user(Role.NATIONAL_VIEWER, data["other"])
    assert selectors.dashboard(national, START, END)["total"] == 6


def test_dashboard_page_has_charts_tables_and_links_to_the_filtered_stream(data):
    c = client_for(data["coordinator"])
    resp = c.get(
        reverse("monitoring:dashboard"),
        {"period": "custom", "date_from": "2025-03-08", "date_to": "2025-03-10"},
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert_csp_safe(html)
    assert html.count("<svg") == 6  # volume, topics, sentiment, sources, languages, provinces
    assert html.count('role="img"') == 6 and "<desc" in html
    by_name = {
        name: href.replace("&amp;", "&")
        for href, name in re.findall(r'href="([^"]+)" data-figure="([^"]+)">', html)
    }
    items = reverse("monitoring:items")
    dates = "date_from=2025-03-08&date_to=2025-03-10"
    assert by_name["total"] == f"{items}?{dates}"
    assert by_name["negative"] == f"{items}?{dates}&sentiment=negative"
    assert by_name["topic:test_lu"] == f"{items}?{dates}&topic=test_lu"
    assert by_name[f"source:{data['paper'].pk}"] == f"{items}?{dates}&source={data['paper'].pk}"
    assert by_name["lang:en"] == f"{items}?{dates}&lang=en"
    assert by_name["province:Huế"].startswith(f"{items}?{dates}&province=")
    assert by_name["day:2025-03-09"] == f"{items}?date_from=2025-03-09&date_to=2025-03-09"
    assert by_name[f"story:{data['story'].pk}"] == f"{items}?{dates}&cluster={data['story'].pk}"
    numbers = dict(re.findall(r'data-figure="([^"]+)">([^<]+)<', html))
    assert numbers["total"] == "5" and numbers["negative"] == "40%"
    assert numbers["topic:test_lu"] == "3" and numbers["topic:test_du_lich"] == "2"
    assert numbers["sentiment:negative"] == "2" and numbers["sentiment:positive"] == "1"
    assert numbers["day:2025-03-09"] == "0" and numbers["alerts"] == "1"
    assert "Lũ lụt thử" in html  # topic names from the Topic table
    assert reverse("monitoring:story", args=[data["story"].pk]) in html
    assert "/monitoring/report/" in html


def test_dashboard_shows_the_response_cases_block(data):
    html = client_for(data["coordinator"]).get(reverse("monitoring:dashboard")).content.decode()
    assert "data-case-summary" in html


def test_dashboard_periods(data):
    c = client_for(data["coordinator"])
    for params in ({}, {"period": "7"}, {"period": "30"}, {"period": "90"}):
        resp = c.get(reverse("monitoring:dashboard"), params)
        assert resp.status_code == 200
        assert_csp_safe(resp.content.decode())
    today = timezone.localdate()
    html = c.get(reverse("monitoring:dashboard"), {"period": "90"}).content.decode()
    start = (today - dt.timedelta(days=89)).strftime("%d/%m/%Y")
    assert start in html
    # a chart of 90 points is unreadable: weeks instead, the days stay in the table
    assert html.count('class="point"') == 13
    assert html.count('data-figure="day:') == 90
    # bad dates fall back to the last 7 days instead of failing
    resp = c.get(
        reverse("monitoring:dashboard"),
        {"period": "custom", "date_from": "2025-03-10", "date_to": "2025-03-01"},
    )
    assert resp.status_code == 200
    assert resp.content.decode().count('data-figure="day:') == 7
