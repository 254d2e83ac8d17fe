"""The press-monitoring demo: the recorded corpus, served locally, through the whole pipeline."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils.html import escape

from ttdn.audit.models import AuditEntry
from ttdn.core.demo import load_demo
from ttdn.monitoring.demo import (
    DEMO_HOST,
    FALSE_STORY,
    build_site,
    load_demo_monitoring,
    read_corpus,
    social_export,
)
from ttdn.monitoring.models import (
    Alert,
    AlertRule,
    AllowedHost,
    Case,
    Cluster,
    Item,
    SavedSearch,
    Source,
    WatchTerm,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_province():
    load_demo(progress=lambda _m: None)


def _demo_items():
    return Item.objects.filter(source__name__endswith="(trình diễn)")


def _counts() -> dict[str, int]:
    return {
        "sources": Source.objects.count(),
        "items": Item.objects.count(),
        "clusters": Cluster.objects.count(),
        "alerts": Alert.objects.count(),
        "rules": AlertRule.objects.count(),
        "terms": WatchTerm.objects.count(),
        "saved": SavedSearch.objects.count(),
        "hosts": AllowedHost.objects.count(),
        "cases": Case.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def test_corpus_has_forty_articles_in_three_languages_dated_over_the_last_month():
    corpus = read_corpus("http://127.0.0.1:1")
    assert len(corpus.articles) == 40
    assert {a.lang for a in corpus.articles} == {"vi", "en", "zh"}
    days = sorted((corpus.now.at - a.pub.at).days for a in corpus.articles)
    assert days[0] >= 0 and days[-1] <= 30
    assert any(a.repost_of for a in corpus.articles)


def test_every_feed_link_is_served_and_pages_are_full_news_pages():
    corpus = build_site("http://127.0.0.1:1")
    for a in corpus.articles:
        body, ctype = corpus.pages[a.path]
        assert ctype.startswith("text/html")
        page = body.decode()
        assert "<nav" in page and "footer" in page and escape(a.title) in page
    for outlet in corpus.outlets.values():
        feed, _ctype = corpus.pages[outlet.feed_path]
        for a in corpus.by_outlet(outlet.key):
            assert a.url.encode() in feed


def test_social_export_fills_in_dates_and_links():
    text = social_export("http://127.0.0.1:1").decode()
    assert "{{" not in text
    assert "http://127.0.0.1:1/blog-vungcao/" in text


def test_demo_populates_the_press_dashboard(demo_province):
    out = io.StringIO()
    figures = load_demo_monitoring(stdout=out)
    assert figures["seconds"] < 60
    items = _demo_items()
    assert items.count() == figures["items"] >= 50  # 40 articles and 12 posts/comments
    assert not items.exclude(stage=Item.Stage.DONE).exists()
    about = [i for i in items if "Tuyên Quang" in (i.provinces or [])]
    assert len(about) >= 35
    multilingual = [
        c for c in Cluster.objects.filter(items__in=items).distinct() if len(c.languages) >= 2
    ]
    assert multilingual
    false_story = items.get(url__endswith=f"/{FALSE_STORY}.html")
    assert false_story.sentiment == Item.Sentiment.NEGATIVE
    assert Item.objects.filter(duplicate_of__isnull=False, source__in=items.values("source"))
    assert Alert.objects.filter(item=false_story).exists()
    case = Case.objects.get(item=false_story)
    assert case.status == Case.Status.ASSIGNED and case.assigned_to is not None
    sources = Source.objects.filter(name__endswith="(trình diễn)")
    assert sources.count() == 7
    assert not sources.filter(active=True).exists()
    assert set(sources.exclude(kind=Source.Kind.FILE).values_list("health", flat=True)) == {
        Source.Health.OK
    }
    assert AllowedHost.objects.filter(host=DEMO_HOST).exists()
    assert SavedSearch.objects.filter(user__username="dieuphoi").exists()
    assert out.getvalue()


def test_running_the_demo_twice_adds_nothing(demo_province):
    call_command("demo", "monitor", stdout=io.StringIO())
    before = _counts()
    load_demo_monitoring()
    assert _counts() == before
