"""Response-case pages: the list with its filters, opening from an item or a story, the
case page in every status, the step forms through the test client, the concurrent-edit
message, evidence forms, scope (404/403)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.monitoring.test_cases import assigned_case, build_world, open_case, reviewed_case
from ttdn.monitoring import cases
from ttdn.monitoring.models import Case, CaseEvent, EvidenceLink


@pytest.fixture
def world(db):
    return build_world()


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def detail(case: Case) -> str:
    return reverse("monitoring:case_detail", args=[case.pk])


def act(case: Case, action: str) -> str:
    return reverse(f"monitoring:case_{action}", args=[case.pk])


def test_url_names_and_paths():
    assert reverse("monitoring:case_list") == "/monitoring/cases/"
    assert reverse("monitoring:case_open") == "/monitoring/cases/new/"
    assert reverse("monitoring:case_detail", args=[7]) == "/monitoring/cases/7/"
    assert reverse("monitoring:case_approve", args=[7]) == "/monitoring/cases/7/approve/"


def test_list_filters_search_and_empty_state(world):
    w = world
    c = client_for(w["coordinator"])
    resp = c.get(reverse("monitoring:case_list"))
    assert resp.status_code == 200
    assert b'class="empty"' in resp.content
    a = open_case(w, title="Tin đồn về Cảng Liên Chiểu", severity="urgent")
    b = open_case(w, title="Bài viết xuyên tạc")
    cases.case_assign(w["coordinator"], b, agency=w["police"])
    resp = c.get(reverse("monitoring:case_list"))
    assert f'data-case="{a.pk}"'.encode() in resp.content
    assert f'data-case="{b.pk}"'.encode() in resp.content
    resp = c.get(reverse("monitoring:case_list"), {"q": "cang lien"})
    assert f'data-case="{a.pk}"'.encode() in resp.content
    assert f'data-case="{b.pk}"'.encode() not in resp.content
    resp = c.get(reverse("monitoring:case_list"), {"agency": w["police"].pk, "status": "assigned"})
    assert f'data-case="{b.pk}"'.encode() in resp.content
    assert f'data-case="{a.pk}"'.encode() not in resp.content
    resp = c.get(reverse("monitoring:case_list"), {"severity": "high", "overdue": "1"})
    assert b'class="empty"' in resp.content
    # an outsider sees none of them
    resp = client_for(w["outsider"]).get(reverse("monitoring:case_list"))
    assert f'data-case="{a.pk}"'.encode() not in resp.content


def test_list_paginates(world):
    w = world
    for i in range(27):
        cases.case_open(w["coordinator"], owner=w["province"], title=f"Vụ việc {i}")
    c = client_for(w["coordinator"])
    first = c.get(reverse("monitoring:case_list"))
    assert first.content.count(b"data-case=") == 25
    assert b'rel="next"' in first.content
    second = c.get(reverse("monitoring:case_list"), {"page": 2})
    assert second.content.count(b"data-case=") == 2


def test_open_from_item_prefills_and_creates(world):
    w = world
    c = client_for(w["coordinator"])
    item = w["item"]
    resp = c.get(reverse("monitoring:case_open"), {"item": item.pk})
    assert resp.status_code == 200
    assert item.title.encode() in resp.content
    assert f'href="/monitoring/items/{item.pk}/"'.encode() in resp.content
    assert f'value="{w["province"].pk}" selected'.encode() in resp.content
    resp = c.post(
        reverse("monitoring:case_open"),
        {
            "owner": w["province"].pk,
            "title": "Tin sai về cảng",
            "severity": "urgent",
            "summary": "Sai sự thật",
            "item": item.pk,
        },
    )
    case = Case.objects.get()
    assert resp.status_code == 302 and resp["Location"] == detail(case)
    assert case.item == item and case.cluster == w["cluster"]
    assert case.opened_by == w["coordinator"]
    # opening again from the story lists the case already open
    resp = c.get(reverse("monitoring:case_open"), {"cluster": w["cluster"].pk})
    assert f'data-existing-case="{case.pk}"'.encode() in resp.content
    assert w["cluster"].title.encode() in resp.content


def test_open_refuses_unreadable_items_and_users_without_write_scope(world):
    w = world
    c = client_for(w["coordinator"])
    assert c.get(reverse("monitoring:case_open"), {"item": w["other_item"].pk}).status_code == 404
    assert c.get(reverse("monitoring:case_open"), {"cluster": 999999}).status_code == 404
    assert client_for(w["viewer"]).get(reverse("monitoring:case_open")).status_code == 403
    resp = c.post(reverse("monitoring:case_open"), {"owner": w["province"].pk, "title": ""})
    assert resp.status_code == 400
    assert not Case.objects.exists()
    # an owner outside the user's choices
    resp = c.post(reverse("monitoring:case_open"), {"owner": w["other"].pk, "title": "x"})
    assert resp.status_code == 400


def _drive_to(w: dict[str, Any], status: str) -> Case:
    case = open_case(w)
    if status == "open":
        return case
    if status == "closed":
        return cases.case_close(w["coordinator"], case, outcome="no_action")
    case = assigned_case(w)
    if status == "assigned":
        return case
    case = reviewed_case(w)
    if status == "in_review":
        return case
    case = cases.case_approve(w["coordinator"], case)
    if status == "approved":
        return case
    return cases.case_publish(w["foreign_officer"], case, url="https://cong.example/a")


@pytest.mark.parametrize("status", Case.Status.values)
def test_case_page_renders_in_every_status_for_each_part(world, status):
    w = world
    case = _drive_to(w, status)
    assert case.status == status
    users = [w["coordinator"], w["viewer"]]
    if case.assigned_to_id:
        users.append(w["foreign_officer"])
    for user in users:
        resp = client_for(user).get(detail(case))
        assert resp.status_code == 200
        assert f'data-status="{status}"'.encode() in resp.content
        for action in cases.allowed_actions(user, case):
            assert f'data-action="{action}"'.encode() in resp.content
    # the national viewer reads but has no form
    assert b"data-action=" not in client_for(w["viewer"]).get(detail(case)).content


def test_detail_links_the_item_and_story_and_shows_over_sla_steps(world, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    w = world
    case = open_case(w)
    later = timezone.now() + dt.timedelta(hours=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    cases.case_assign(w["coordinator"], case, agency=w["foreign"])
    resp = client_for(w["coordinator"]).get(detail(case))
    assert f'href="/monitoring/items/{w["item"].pk}/"'.encode() in resp.content
    assert f'href="/monitoring/stories/{w["cluster"].pk}/"'.encode() in resp.content
    assert b'data-event="assigned" data-over' in resp.content
    assert b"badge ended" in resp.content


def test_workflow_through_the_pages(world):
    w = world
    coord = client_for(w["coordinator"])
    officer = client_for(w["foreign_officer"])
    case = open_case(w)
    resp = coord.post(act(case, "assign"), {"agency": w["foreign"].pk, "note": "Xử lý gấp"})
    assert resp.status_code == 302 and resp["Location"] == detail(case)
    case.refresh_from_db()
    assert case.status == "assigned"
    page = officer.get(detail(case)).content
    assert f'name="version" value="{case.version}"'.encode() in page
    resp = officer.post(
        act(case, "draft"), {"draft": "Thông tin chính thức", "version": case.version}
    )
    assert resp.status_code == 302
    case.refresh_from_db()
    resp = officer.post(
        act(case, "draft"),
        {"draft": "Thông tin chính thức, bản 2", "version": case.version, "then": "submit"},
    )
    assert resp.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.draft) == ("in_review", "Thông tin chính thức, bản 2")
    assert coord.post(act(case, "return"), {"reason": ""}).status_code == 400
    assert coord.post(act(case, "return"), {"reason": "Thêm số liệu"}).status_code == 302
    case.refresh_from_db()
    officer.post(act(case, "submit"), {})
    case.refresh_from_db()
    assert case.status == "in_review"
    assert coord.post(act(case, "approve"), {"note": ""}).status_code == 302
    assert officer.post(act(case, "publish"), {"url": "", "note": ""}).status_code == 400
    resp = officer.post(act(case, "publish"), {"url": "https://cong.example/bai", "note": ""})
    assert resp.status_code == 302
    assert coord.post(act(case, "comment"), {"note": "Đã theo dõi phản hồi"}).status_code == 302
    assert coord.post(act(case, "close"), {"outcome": "refuted", "note": "Xong"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.published_url == "https://cong.example/bai"
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == [
        "opened",
        "assigned",
        "draft",
        "draft",
        "submitted",
        "returned",
        "submitted",
        "approved",
        "published",
        "comment",
        "closed",
    ]


def test_pages_refuse_steps_by_the_wrong_people(world):
    w = world
    case = reviewed_case(w)
    # the drafting agency's officer may read, not approve
    assert client_for(w["foreign_officer"]).post(act(case, "approve"), {}).status_code == 403
    # another agency of the province cannot even see the case
    assert client_for(w["police_officer"]).get(detail(case)).status_code == 404
    assert client_for(w["police_officer"]).post(act(case, "approve"), {}).status_code == 404
    assert client_for(w["outsider"]).post(act(case, "comment"), {"note": "x"}).status_code == 404
    # a step the status no longer allows: message and back to the case
    resp = client_for(w["coordinator"]).post(act(case, "assign"), {"agency": w["police"].pk})
    assert resp.status_code == 302
    case.refresh_from_db()
    assert case.status == "in_review"
    assert client_for(w["coordinator"]).get(act(case, "approve")).status_code == 405


def test_concurrent_draft_edit_shows_both_texts_and_keeps_the_saved_one(world):
    w = world
    case = assigned_case(w)
    loaded = case.version
    a = client_for(w["foreign_officer"])
    b = client_for(w["foreign_officer2"])
    assert a.post(act(case, "draft"), {"draft": "Bản của A", "version": loaded}).status_code == 302
    resp = b.post(act(case, "draft"), {"draft": "Bản của B", "version": loaded})
    assert resp.status_code == 409
    assert b"data-conflict" in resp.content
    assert "Bản của A".encode() in resp.content  # what is saved
    assert "Bản của B".encode() in resp.content  # what B wrote, still in the editor
    case.refresh_from_db()
    assert case.draft == "Bản của A"
    assert f'name="version" value="{case.version}"'.encode() in resp.content


def test_attach_case_and_item_as_evidence_through_the_pages(world):
    w = world
    case = assigned_case(w)
    officer = client_for(w["foreign_officer"])
    page = officer.get(detail(case)).content
    assert f'value="task:{w["task"].pk}"'.encode() in page
    assert f'value="submission:{w["sub_foreign"].pk}"'.encode() in page
    assert f'value="submission:{w["sub_police"].pk}"'.encode() not in page
    resp = officer.post(
        reverse("monitoring:case_evidence", args=[case.pk]),
        {"target": f"task:{w['task'].pk}", "note": "Phản bác kịp thời"},
    )
    assert resp.status_code == 302
    assert EvidenceLink.objects.filter(case=case, task=w["task"]).exists()
    resp = officer.post(
        reverse("monitoring:case_evidence", args=[case.pk]),
        {"target": f"submission:{w['sub_police'].pk}"},
    )
    assert resp.status_code == 400
    coord = client_for(w["coordinator"])
    url = reverse("monitoring:case_item_evidence", args=[w["item"].pk])
    assert coord.get(url).status_code == 200
    resp = coord.post(url, {"target": f"task:{w['task'].pk}"})
    assert resp.status_code == 302 and resp["Location"] == f"/monitoring/items/{w['item'].pk}/"
    assert EvidenceLink.objects.filter(item=w["item"]).count() == 1
    other = reverse("monitoring:case_item_evidence", args=[w["other_item"].pk])
    assert coord.get(other).status_code == 404


def test_summary_block(world):
    w = world
    open_case(w, severity="urgent")
    resp = client_for(w["coordinator"]).get(reverse("monitoring:case_summary"))
    assert resp.status_code == 200
    assert b"data-open-cases>1<" in resp.content
    assert b"data-urgent-cases>1<" in resp.content
    resp = client_for(w["outsider"]).get(reverse("monitoring:case_summary"))
    assert b"data-open-cases" not in resp.content


def test_save_and_submit_is_all_or_nothing(world):
    w = world
    case = assigned_case(w)
    officer = client_for(w["foreign_officer"])
    resp = officer.post(
        act(case, "draft"), {"draft": "", "version": case.version, "then": "submit"}
    )
    assert resp.status_code == 400
    refreshed = Case.objects.get(pk=case.pk)
    assert (refreshed.status, refreshed.version) == ("assigned", case.version)
    assert not CaseEvent.objects.filter(case=case, kind="draft").exists()
