"""Stories kept by the pipeline: counts added batch by batch agree with a recount from the
members; stories made before counts were kept are recounted; a batch whose lease was
partly taken by another run writes only its own items."""

from __future__ import annotations

import json

import pytest

from tests.factories import make_org
from ttdn.monitoring import pipeline
from ttdn.monitoring.models import Cluster, Item, Source
from ttdn.monitoring.search import SearchQuery, search
from ttdn.monitoring.services import SYSTEM, source_create

VISIT = (
    "Đoàn đại biểu tỉnh Xiêng Khoảng (Lào) thăm và làm việc tại tỉnh Tuyên Quang ngày 12/11, "
    "bàn hợp tác du lịch và thương mại biên giới, quảng bá cao nguyên đá Đồng Văn. {n}"
)
VISIT_EN = (
    "A delegation from Xieng Khouang province of Laos visited Tuyen Quang province on "
    "November 12 to discuss tourism and border trade, and the Dong Van karst plateau. {n}"
)
FLOOD = (
    "Mưa lũ gây sạt lở nghiêm trọng tại tỉnh Lào Cai ngày 3/11, nhiều tuyến đường bị chia "
    "cắt, hàng trăm hộ dân phải sơ tán khẩn cấp. {n}"
)
SUMMARY = ("size", "first_seen", "last_seen", "languages", "provinces", "topics", "sentiment")


@pytest.fixture(autouse=True)
def fresh_index():
    pipeline.recent_index().reset()
    yield
    pipeline.recent_index().reset()


@pytest.fixture
def source(db):
    province = make_org("Tỉnh Tuyên Quang", "province", code="08")
    return source_create(
        actor=SYSTEM, name="Xuất khẩu", kind=Source.Kind.FILE, url="", owner=province
    )


def posts(rows: list[tuple[str, str]], first: int = 0) -> bytes:
    return "\n".join(
        json.dumps(
            {
                "url": f"https://social.example/p/{first + i}",
                "message": text,
                "created_time": f"2026-11-{day}T08:{i % 60:02d}:00+07:00",
            },
            ensure_ascii=False,
        )
        for i, (day, text) in enumerate(rows)
    ).encode()


def summary(cluster: Cluster) -> dict[str, object]:
    return {name: getattr(cluster, name) for name in SUMMARY}


def test_story_counts_added_batch_by_batch_equal_a_recount(source):
    rows = []
    for n in range(7):
        rows.append(("12", VISIT.format(n=f"Tin số {n}.")))
        rows.append(("13", VISIT_EN.format(n=f"Report {n}.")))
        rows.append(("04", FLOOD.format(n=f"Cập nhật {n}.")))
    assert pipeline.import_file(source, posts(rows), "export.jsonl") == (21, 0)
    while pipeline.process_batch(4):  # many batches, each adding to stories made earlier
        pass
    assert Item.objects.filter(stage=Item.Stage.DONE).count() == 21
    stories = list(Cluster.objects.order_by("pk"))
    assert sum(c.size for c in stories) == 21
    assert any(c.size >= 5 and c.languages == ["en", "vi"] for c in stories)
    kept = {c.pk: summary(c) for c in stories}
    pipeline.refresh_clusters(kept)
    recounted = {c.pk: summary(c) for c in Cluster.objects.order_by("pk")}
    assert kept == recounted


def test_a_story_made_before_counts_were_kept_is_recounted_when_it_grows(source):
    assert pipeline.import_file(source, posts([("12", VISIT.format(n="A."))]), "a.jsonl") == (1, 0)
    pipeline.process_batch(10)
    story = Cluster.objects.get()
    # as a database migrated from before counts were kept: a size and no counts
    Cluster.objects.filter(pk=story.pk).update(counts={}, languages=[], provinces=[])
    more = posts([("12", VISIT.format(n="B.")), ("13", VISIT_EN.format(n="C."))], first=1)
    assert pipeline.import_file(source, more, "b.jsonl") == (2, 0)
    pipeline.process_batch(10)
    story.refresh_from_db()
    assert Item.objects.filter(cluster=story, stage=Item.Stage.DONE).count() == story.size == 3
    assert story.counts["lang"] == {"vi": 2, "en": 1}
    assert story.languages == ["en", "vi"] and "Tuyên Quang" in story.provinces


def test_a_batch_writes_only_the_items_its_lease_still_holds(source, monkeypatch):
    rows = [("12", VISIT.format(n="Một.")), ("04", FLOOD.format(n="Hai."))]
    assert pipeline.import_file(source, posts(rows), "export.jsonl") == (2, 0)
    flood = Item.objects.get(text__contains="Lào Cai")
    real_assign = pipeline._assign_stories

    def assign_while_another_run_takes_the_flood_item(analysed, recent):
        result = real_assign(analysed, recent)
        Item.objects.filter(pk=flood.pk).update(lease_token="another-run")
        return result

    monkeypatch.setattr(pipeline, "_assign_stories", assign_while_another_run_takes_the_flood_item)
    assert pipeline.process_batch(10) == 2
    flood.refresh_from_db()
    visit = Item.objects.get(text__contains="Xiêng Khoảng")
    assert visit.stage == Item.Stage.DONE and visit.cluster_id
    # the other run's item is left as it was: not done, in no story, not indexed
    assert flood.stage == Item.Stage.FETCHED and flood.cluster_id is None
    assert list(Cluster.objects.values_list("pk", flat=True)) == [visit.cluster_id]
    assert search(SearchQuery(text="lao cai"), scope_org_ids=None).total == 0
    # and the worker's recent index forgot what it saw of it
    assert flood.pk not in pipeline.recent_index().item_cluster
