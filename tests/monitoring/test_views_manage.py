"""Management screens of press monitoring: sources (create with the address check, edit,
pause, fetch now, delete, file import), topics and their keywords, watched terms, alert
rules and alerts, allowed private hosts. Writes go through the services and are audited."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from tests.factories import make_user
from tests.monitoring.test_views import assert_csp_safe, build_world, client_for
from ttdn.accounts.models import Role
from ttdn.audit.models import AuditEntry
from ttdn.monitoring.models import (
    Alert,
    AlertRule,
    AllowedHost,
    FetchRun,
    Item,
    Source,
    Topic,
    WatchTerm,
)


class FakeTask:
    """A job whose ``enqueue`` only records its arguments."""

    def __init__(self, calls: list) -> None:
        self.calls = calls

    def enqueue(self, *args: object) -> None:
        self.calls.append(args)


@pytest.fixture
def world(db):
    return build_world()


def source_data(world, **changes):
    data = {
        "name": "Báo Mới Thử",
        "kind": "feed",
        "url": "https://93.184.216.34/moi/rss",
        "owner": world["province"].pk,
        "interval_minutes": 30,
        "requests_per_minute": 20,
        "language": "vi",
        "is_foreign": "",
    }
    data.update(changes)
    return data


# --- sources ----------------------------------------------------------------------------------


def test_source_create_refuses_a_private_address_with_the_plain_message(world):
    from ttdn.monitoring.fetch.urls import validate_source_url

    url = "http://192.168.1.10/rss"
    with pytest.raises(Exception) as refused:
        validate_source_url(url)
    c = client_for(world["coordinator"])
    resp = c.post(reverse("monitoring:source_add"), source_data(world, url=url))
    assert resp.status_code == 400
    html = resp.content.decode()
    assert escape(refused.value.message) in html  # type: ignore[attr-defined]
    assert not Source.objects.filter(name="Báo Mới Thử").exists()
    assert_csp_safe(html)


def test_an_allowed_private_host_may_be_a_source(world):
    AllowedHost.objects.create(host="192.168.1.10")
    c = client_for(world["coordinator"])
    resp = c.post(
        reverse("monitoring:source_add"), source_data(world, url="http://192.168.1.10/rss")
    )
    assert resp.status_code == 302


def test_source_create_edit_and_audit(world):
    c = client_for(world["coordinator"])
    resp = c.post(reverse("monitoring:source_add"), source_data(world))
    source = Source.objects.get(name="Báo Mới Thử")
    assert resp.status_code == 302 and resp["Location"] == reverse(
        "monitoring:source", args=[source.pk]
    )
    assert (source.owner, source.interval_minutes, source.requests_per_minute) == (
        world["province"],
        30,
        20,
    )
    assert source.created_by == world["coordinator"] and source.next_fetch_at is not None
    resp = c.post(
        reverse("monitoring:source_edit", args=[source.pk]),
        source_data(world, name="Báo Mới", requests_per_minute=5),
    )
    assert resp.status_code == 302
    source.refresh_from_db()
    assert (source.name, source.requests_per_minute) == ("Báo Mới", 5)
    actions = set(
        AuditEntry.objects.filter(
            object_type="monitoring.source", object_id=str(source.pk)
        ).values_list("action", flat=True)
    )
    assert {"create", "update"} <= actions


def test_source_form_offers_only_the_users_organisations_and_checks_numbers(world):
    c = client_for(world["officer"])
    html = c.get(reverse("monitoring:source_add")).content.decode()
    assert f'value="{world["dept"].pk}"' in html
    assert f'value="{world["province"].pk}"' not in html  # above the officer's agency
    assert f'value="{world["other"].pk}"' not in html
    resp = c.post(reverse("monitoring:source_add"), source_data(world, owner=world["other"].pk))
    assert resp.status_code == 400
    resp = c.post(
        reverse("monitoring:source_add"),
        source_data(world, owner=world["dept"].pk, requests_per_minute=0, interval_minutes=1),
    )
    assert resp.status_code == 400 and not Source.objects.filter(name="Báo Mới Thử").exists()
    # without any writing role there is no form
    assert client_for(world["nobody"]).get(reverse("monitoring:source_add")).status_code == 403


def test_source_list_shows_health_last_error_and_item_counts(world):
    source = world["source"]
    Source.objects.filter(pk=source.pk).update(
        health=Source.Health.FAILING, last_error="Máy chủ không trả lời sau 30 giây."
    )
    c = client_for(world["coordinator"])
    html = c.get(reverse("monitoring:sources")).content.decode()
    row = re.search(rf'<tr data-source="{source.pk}">.*?</tr>', html, re.S)
    assert row is not None
    assert 'class="badge warn" data-health="failing"' in row.group(0)
    assert "Máy chủ không trả lời sau 30 giây." in row.group(0)
    assert f'?source={source.pk}">3</a>' in row.group(0)  # flood, its repost, investment
    assert f'data-source="{world["other_source"].pk}"' not in html
    failing = c.get(reverse("monitoring:sources"), {"health": "failing"}).content.decode()
    assert f'data-source="{world["foreign"].pk}"' not in failing
    assert_csp_safe(html)


def test_source_page_shows_fetch_history_and_recent_items(world):
    from django.utils import timezone

    source = world["source"]
    FetchRun.objects.create(
        source=source,
        started_at=timezone.now(),
        outcome=FetchRun.Outcome.FAILED,
        error="Không tìm thấy máy chủ.",
    )
    FetchRun.objects.create(
        source=source, started_at=timezone.now(), outcome=FetchRun.Outcome.OK, found=12, new_items=3
    )
    html = client_for(world["coordinator"]).get(reverse("monitoring:source", args=[source.pk]))
    text = html.content.decode()
    assert 'data-run="failed"' in text and "Không tìm thấy máy chủ." in text
    assert 'data-run="ok"' in text
    assert reverse("monitoring:item", args=[world["flood_vi"].pk]) in text
    assert "data-confirm=" in text  # delete asks first
    # a reader without write access sees the page without its buttons
    viewer = client_for(make_user(Role.NATIONAL_VIEWER, world["other"]))
    text = viewer.get(reverse("monitoring:source", args=[source.pk])).content.decode()
    assert 'data-run="failed"' in text and "data-confirm=" not in text
    assert reverse("monitoring:source_fetch", args=[source.pk]) not in text
    # and an agency officer of another agency does not see the source at all
    officer = client_for(world["officer"])
    assert officer.get(reverse("monitoring:source", args=[source.pk])).status_code == 404


def test_pause_resume_fetch_now_and_delete(world, django_capture_on_commit_callbacks, monkeypatch):
    source = world["source"]
    c = client_for(world["coordinator"])
    assert c.get(reverse("monitoring:source_pause", args=[source.pk])).status_code == 405
    c.post(reverse("monitoring:source_pause", args=[source.pk]), {"active": "0"})
    source.refresh_from_db()
    assert not source.active and source.health == Source.Health.PAUSED
    c.post(reverse("monitoring:source_pause", args=[source.pk]), {"active": "1"})
    source.refresh_from_db()
    assert source.active and source.health == Source.Health.UNKNOWN

    from ttdn.monitoring import tasks

    enqueued: list[tuple[object, ...]] = []
    monkeypatch.setattr(tasks, "fetch_source", FakeTask(enqueued))
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post(reverse("monitoring:source_fetch", args=[source.pk]))
    assert resp.status_code == 302 and enqueued == [(source.pk,)]

    resp = c.post(reverse("monitoring:source_delete", args=[source.pk]))
    assert resp.status_code == 302 and resp["Location"] == reverse("monitoring:sources")
    assert not Source.objects.filter(pk=source.pk).exists()
    assert not Item.objects.filter(pk=world["flood_vi"].pk).exists()
    assert AuditEntry.objects.filter(
        object_type="monitoring.source", object_id=str(source.pk), action="delete"
    ).exists()


def test_fetch_now_is_not_offered_for_a_file_source(world, django_capture_on_commit_callbacks):
    c = client_for(world["coordinator"])
    with django_capture_on_commit_callbacks() as callbacks:
        c.post(reverse("monitoring:source_fetch", args=[world["social"].pk]))
    assert callbacks == []


def test_social_media_export_import_reports_new_and_skipped(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    from ttdn.monitoring import tasks

    started: list[tuple[object, ...]] = []
    monkeypatch.setattr(tasks, "process_pending", FakeTask(started))
    social = world["social"]
    csv = (
        "message,permalink,created_time\n"
        "Bài đăng về cảng biển,https://facebook.example/p/1,2025-03-10T09:00:00+07:00\n"
        "Bình luận về du lịch,https://facebook.example/p/2,2025-03-10T10:00:00+07:00\n"
    ).encode()
    c = client_for(world["coordinator"])
    url = reverse("monitoring:source_import", args=[social.pk])
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post(url, {"file": SimpleUploadedFile("export.csv", csv)}, follow=True)
    assert resp.status_code == 200
    assert Item.objects.filter(source=social).count() == 2
    assert started == [()]
    html = resp.content.decode()
    assert re.search(r'class="message message-success">\D*2\D+0\D', html)
    entry = AuditEntry.objects.get(
        object_type="monitoring.source", object_id=str(social.pk), action="import"
    )
    assert entry.actor == world["coordinator"]
    assert (entry.changes["new"], entry.changes["skipped"]) == (2, 0)

    # the same file again: nothing new, nothing started
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post(url, {"file": SimpleUploadedFile("export.csv", csv)}, follow=True)
    assert Item.objects.filter(source=social).count() == 2 and started == [()]
    assert re.search(r'class="message message-success">\D*0\D+2\D', resp.content.decode())


def test_a_bad_export_shows_the_parsers_plain_message(world):
    from ttdn.monitoring.fetch.social import SocialImportError, read_social_export

    content = b"a,b\n1,2\n"
    with pytest.raises(SocialImportError) as refused:
        read_social_export(content, "x.csv")
    c = client_for(world["coordinator"])
    resp = c.post(
        reverse("monitoring:source_import", args=[world["social"].pk]),
        {"file": SimpleUploadedFile("x.csv", content)},
        follow=True,
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "message-error" in html and escape(refused.value.message) in html
    assert not Item.objects.filter(source=world["social"]).exists()
    resp = c.post(
        reverse("monitoring:source_import", args=[world["social"].pk]),
        {"file": SimpleUploadedFile("x.exe", b"MZ")},
        follow=True,
    )
    assert "message-error" in resp.content.decode()
    # only file sources take imports
    resp = c.post(
        reverse("monitoring:source_import", args=[world["source"].pk]),
        {"file": SimpleUploadedFile("x.csv", content)},
    )
    assert resp.status_code == 404


# --- topics and watched terms -----------------------------------------------------------------


def test_topic_keyword_edit_changes_the_topic_and_is_audited(world):
    topic = world["flood"]
    topic.keywords = {"vi": ["lũ lụt"], "zh": ["洪水"]}
    topic.save()
    c = client_for(world["coordinator"])
    page = c.get(reverse("monitoring:topic_edit", args=[topic.pk])).content.decode()
    assert "lũ lụt" in page and "洪水" in page and 'name="kw_zh"' in page
    resp = c.post(
        reverse("monitoring:topic_edit", args=[topic.pk]),
        {
            "name_vi": "Thiên tai",
            "name_en": "Natural disasters",
            "active": "on",
            "kw_vi": "lũ lụt\n  sạt lở đất \n\nlũ lụt",
            "kw_en": "flood\nlandslide",
            "kw_zh": "",
            "new_lang": "ja",
            "new_keywords": "洪水",
        },
    )
    assert resp.status_code == 302
    topic.refresh_from_db()
    assert topic.name_vi == "Thiên tai" and topic.name_en == "Natural disasters"
    assert topic.keywords == {
        "vi": ["lũ lụt", "sạt lở đất"],
        "en": ["flood", "landslide"],
        "ja": ["洪水"],
    }
    entry = AuditEntry.objects.filter(
        object_type="monitoring.topic", object_id=str(topic.pk), action="update"
    ).latest("at")
    assert entry.actor == world["coordinator"]


def test_strong_context_and_exclusion_keywords_are_edited_and_used_by_the_analysis(world):
    from ttdn.monitoring.analysis import analyse
    from ttdn.monitoring.pipeline import current_taxonomy

    topic = world["flood"]
    topic.extra = {"min_score": 3.0, "weak_keywords": {"vi": ["mưa"]}}
    topic.save()
    c = client_for(world["coordinator"])
    page = c.get(reverse("monitoring:topic_edit", args=[topic.pk])).content.decode()
    assert 'name="strong_vi"' in page and 'name="negative_en"' in page
    assert page.index('name="strong_vi"') < page.index('name="strong_en"')  # Vietnamese first
    assert "Từ loại trừ" in page and "Từ khóa mạnh" in page
    item = ("Tin nhanh", "Vỡ đê bao ở xã ven sông, người dân khẩn trương gia cố.")
    assert topic.code not in analyse(*item, taxonomy=current_taxonomy()).topics
    resp = c.post(
        reverse("monitoring:topic_edit", args=[topic.pk]),
        {
            "name_vi": topic.name_vi,
            "active": "on",
            "kw_vi": "lũ lụt",
            "strong_vi": "vỡ đê\n vỡ đê ",
            "weak_vi": "mưa\nnước dâng",
            "negative_vi": "lũ lượt",
            "negative_en": "flood of tourists",
        },
    )
    assert resp.status_code == 302
    topic.refresh_from_db()
    assert topic.strong_keywords == {"vi": ["vỡ đê"]}
    assert topic.weak_keywords == {"vi": ["mưa", "nước dâng"]}
    assert topic.negative_keywords == {"vi": ["lũ lượt"], "en": ["flood of tourists"]}
    assert topic.extra["min_score"] == 3.0  # what the form does not show is kept
    # the pipeline's taxonomy sees the change: one strong keyword is enough now
    assert topic.code in analyse(*item, taxonomy=current_taxonomy()).topics


def test_topics_are_edited_by_coordinators_not_agency_officers(world):
    officer = client_for(world["officer"])
    assert officer.get(reverse("monitoring:topics")).status_code == 200
    url = reverse("monitoring:topic_edit", args=[world["flood"].pk])
    assert officer.get(url).status_code == 403
    assert officer.post(url, {"name_vi": "X"}).status_code == 403
    assert Topic.objects.get(pk=world["flood"].pk).name_vi == "Thiên tai thử"
    html = officer.get(reverse("monitoring:topics")).content.decode()
    assert url not in html


def test_watched_terms_add_and_remove(world):
    c = client_for(world["coordinator"])
    resp = c.post(
        reverse("monitoring:terms"), {"term": "  cao tốc  Bắc Nam ", "owner": world["province"].pk}
    )
    assert resp.status_code == 302
    term = WatchTerm.objects.get(owner=world["province"])
    assert term.term == "cao tốc Bắc Nam"
    html = c.get(reverse("monitoring:terms")).content.decode()
    assert f'data-term="{term.pk}"' in html and "data-confirm=" in html
    assert (
        c.post(
            reverse("monitoring:terms"), {"term": "x", "owner": world["province"].pk}
        ).status_code
        == 400
    )
    # another province neither sees nor removes it
    outsider = client_for(world["outsider"])
    assert (
        f'data-term="{term.pk}"' not in outsider.get(reverse("monitoring:terms")).content.decode()
    )
    assert outsider.post(reverse("monitoring:term_delete", args=[term.pk])).status_code == 404
    assert c.post(reverse("monitoring:term_delete", args=[term.pk])).status_code == 302
    assert not WatchTerm.objects.filter(pk=term.pk).exists()


# --- alert rules and alerts -------------------------------------------------------------------


def test_alert_rules_create_edit_delete(world):
    c = client_for(world["coordinator"])
    data = {
        "name": "Tin tiêu cực về thiên tai",
        "owner": world["province"].pk,
        "kind": "sentiment",
        "topic": world["flood"].code,
        "keyword": "",
        "province": "",
        "spike_factor": "3",
        "spike_min_items": "5",
        "email": "on",
        "active": "on",
    }
    resp = c.post(reverse("monitoring:rule_add"), data)
    assert resp.status_code == 302
    rule = AlertRule.objects.get(name="Tin tiêu cực về thiên tai")
    assert (rule.kind, rule.topic, rule.email, rule.created_by) == (
        "sentiment",
        world["flood"].code,
        True,
        world["coordinator"],
    )
    # a keyword rule needs its keyword: the service's message on the field
    resp = c.post(reverse("monitoring:rule_add"), {**data, "name": "K", "kind": "keyword"})
    assert resp.status_code == 400 and not AlertRule.objects.filter(name="K").exists()
    resp = c.post(
        reverse("monitoring:rule_edit", args=[rule.pk]),
        {**data, "kind": "keyword", "keyword": "vỡ đê", "email": ""},
    )
    assert resp.status_code == 302
    rule.refresh_from_db()
    assert (rule.kind, rule.keyword, rule.email) == ("keyword", "vỡ đê", False)
    html = c.get(reverse("monitoring:rules")).content.decode()
    assert f'data-rule="{rule.pk}"' in html and "data-confirm=" in html
    outsider = client_for(world["outsider"])
    assert (
        f'data-rule="{rule.pk}"' not in outsider.get(reverse("monitoring:rules")).content.decode()
    )
    assert c.post(reverse("monitoring:rule_delete", args=[rule.pk])).status_code == 302
    assert not AlertRule.objects.filter(pk=rule.pk).exists()


def test_alerts_list_links_items_and_stories_in_scope(world):
    rule = AlertRule.objects.create(owner=world["province"], name="Lũ", kind="sentiment")
    alert = Alert.objects.create(
        rule=rule,
        key="t1",
        item=world["flood_vi"],
        cluster=world["story"],
        message="Lũ: Lũ lớn ở Hà Nội",
    )
    other_rule = AlertRule.objects.create(owner=world["other"], name="Khác", kind="sentiment")
    other_alert = Alert.objects.create(rule=other_rule, key="t2", message="Khác")
    html = client_for(world["coordinator"]).get(reverse("monitoring:alerts")).content.decode()
    assert f'data-alert="{alert.pk}"' in html and f'data-alert="{other_alert.pk}"' not in html
    assert reverse("monitoring:item", args=[world["flood_vi"].pk]) in html
    assert reverse("monitoring:story", args=[world["story"].pk]) in html
    filtered = client_for(world["coordinator"]).get(
        reverse("monitoring:alerts"), {"rule": other_rule.pk}
    )
    assert f'data-alert="{alert.pk}"' not in filtered.content.decode()
    assert_csp_safe(html)


# --- allowed hosts ----------------------------------------------------------------------------


def test_superuser_allows_and_removes_a_private_host(world):
    c = client_for(world["admin"])
    resp = c.post(
        reverse("monitoring:hosts"), {"host": " Intranet.Tinh.VN ", "note": "Cổng nội bộ"}
    )
    assert resp.status_code == 302
    host = AllowedHost.objects.get()
    assert host.host == "intranet.tinh.vn"
    assert f'data-host="{host.pk}"' in c.get(reverse("monitoring:hosts")).content.decode()
    coordinator = client_for(world["coordinator"])
    assert coordinator.post(reverse("monitoring:hosts"), {"host": "10.0.0.1"}).status_code == 403
    assert coordinator.post(reverse("monitoring:host_delete", args=[host.pk])).status_code == 403
    assert c.post(reverse("monitoring:host_delete", args=[host.pk])).status_code == 302
    assert not AllowedHost.objects.exists()
