"""Plan pages: upload → review → publish through the browser forms, lists and filters."""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.plans.test_services import (
    PLAN_TEXT,
    SECRET_TEXT,
    build_world,
    links,
    publish,
    upload,
)
from ttdn.plans import services
from ttdn.plans.forms import TaskForm
from ttdn.plans.models import Plan, PlanImport, Task


@pytest.fixture
def world(db):
    return build_world()


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def review_post(pi: PlanImport, **extra: Any) -> dict[str, Any]:
    """The review form as the browser would send it, unchanged, plus ``extra``."""
    data = pi.data
    post: dict[str, Any] = {
        "h-title": data["title"],
        "h-number": data.get("number") or "",
        "h-kind": pi.kind,
        "h-issuer": pi.issuer_id,
        "h-issued_date": data.get("issued_date") or "",
        "h-year": data.get("year") or "",
        "h-report_deadline": data.get("report_deadline") or "",
        "h-legal_bases": "\n".join(data.get("legal_bases") or []),
        "s-TOTAL_FORMS": len(data["sections"]),
        "s-INITIAL_FORMS": len(data["sections"]),
        "t-TOTAL_FORMS": len(data["tasks"]),
        "t-INITIAL_FORMS": len(data["tasks"]),
    }
    for i, s in enumerate(data["sections"]):
        post[f"s-{i}-number"] = s["number"]
        post[f"s-{i}-heading"] = s["heading"]
    for i, t in enumerate(data["tasks"]):
        for key, value in TaskForm.initial_from(t).items():
            post[f"t-{i}-{key}"] = value or ""
    post.update(extra)
    return post


def test_upload_review_publish_in_the_browser(world):
    client = web(world["coordinator"])
    resp = client.post(
        "/plans/upload/",
        {"file": SimpleUploadedFile("kh.txt", PLAN_TEXT.encode()), "kind": "plan"},
    )
    pi = PlanImport.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/plans/imports/{pi.pk}/"

    page = client.get(f"/plans/imports/{pi.pk}/")
    html = page.content.decode()
    assert "Quảng bá hình ảnh du lịch của tỉnh" in html  # a section heading
    assert "Cơ quan chủ trì: Sở Văn hóa" in html  # the source text beside it
    review = {link.name: link for link in page.context["links"]}
    assert review["Sở Hư Cấu"].status == "unresolved" and review["Sở Hư Cấu"].needs_review
    assert review["Sở Ngoại vụ"].organisation_id == world["foreign"].pk
    assert review["Các sở, ban, ngành"].status == "collective"
    assert 'class="unresolved"' in html and "Sở Hư Cấu" in html
    # the tree nests II.1 under II, with its task
    tree = {n["number"]: n for n in page.context["tree"]}
    assert [c["number"] for c in tree["II"]["children"]] == ["II.1", "II.2"]
    assert len(tree["II"]["children"][0]["tasks"]) == 1

    names = [link.name for link in page.context["links"]]
    choice = {
        f"agency-{names.index('Sở Hư Cấu')}-name": "Sở Hư Cấu",
        f"agency-{names.index('Sở Hư Cấu')}": world["finance"].pk,
        "t-0-summary": "Hội nghị tập huấn thông tin đối ngoại",
        "publish": "1",
    }
    resp = client.post(f"/plans/imports/{pi.pk}/", review_post(pi, **choice))
    plan = Plan.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/plans/{plan.pk}/"
    first = plan.tasks.order_by("position").first()
    assert first.summary == "Hội nghị tập huấn thông tin đối ngoại"
    assert links(first, "coordinating")["Sở Hư Cấu"].organisation == world["finance"]
    assert links(first, "coordinating")["Sở Ngoại vụ"].organisation == world["foreign"]
    detail = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "II.1. Tập huấn nghiệp vụ thông tin đối ngoại" in detail
    assert "Hội nghị tập huấn thông tin đối ngoại" in detail


def test_saving_the_review_keeps_edits_and_highlights_doubtful_deadlines(world):
    pi = upload(world["coordinator"])
    client = web(world["coordinator"])
    post = review_post(pi, **{"t-1-due": "", "t-1-deadline": "Khi có yêu cầu", "save": "1"})
    post["s-TOTAL_FORMS"] += 1
    post[f"s-{len(pi.data['sections'])}-number"] = "IV"
    post[f"s-{len(pi.data['sections'])}-heading"] = "KINH PHÍ"
    assert client.post(f"/plans/imports/{pi.pk}/", post).status_code == 302
    pi.refresh_from_db()
    assert (
        pi.data["tasks"][1]["deadline"] == "Khi có yêu cầu" and pi.data["tasks"][1]["due"] is None
    )
    assert pi.data["sections"][-1] == {"number": "IV", "heading": "KINH PHÍ"}
    page = client.get(f"/plans/imports/{pi.pk}/")
    assert "Kiểm tra thời hạn" in page.content.decode()  # the doubtful deadline is flagged
    assert pi.status == PlanImport.Status.REVIEW and not Plan.objects.exists()


def test_secret_upload_shows_the_message_and_stores_nothing(world, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    resp = web(world["coordinator"]).post(
        "/plans/upload/", {"file": SimpleUploadedFile("mat.txt", SECRET_TEXT.encode())}
    )
    assert resp.status_code == 200
    from ttdn.plans.parsing import SecretDocumentError

    assert SecretDocumentError.default_message in resp.content.decode()  # the refusal itself
    assert PlanImport.objects.count() == 0
    assert list(tmp_path.iterdir()) == []


def test_oversized_upload_is_refused(world, monkeypatch):
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 100)
    resp = web(world["coordinator"]).post(
        "/plans/upload/", {"file": SimpleUploadedFile("kh.txt", PLAN_TEXT.encode())}
    )
    assert resp.status_code == 200 and "20 MB" in resp.content.decode()
    assert PlanImport.objects.count() == 0


def test_editor_without_write_scope_cannot_upload(world, make_account):
    from ttdn.accounts.models import Role

    editor = make_account(Role.EDITOR, world["province"])
    assert web(editor).get("/plans/upload/").status_code == 403


def test_plan_list_filters(world):
    plan = publish(world["coordinator"])
    services.plan_copy_to_year(actor=world["coordinator"], plan=plan, year=2026)
    client = web(world["coordinator"])
    assert len(client.get("/plans/").context["page_obj"].object_list) == 2
    page = client.get("/plans/?year=2026").context["page_obj"]
    assert [p.year for p in page] == [2026]
    page = client.get("/plans/?status=published").context["page_obj"]
    assert [p.pk for p in page] == [plan.pk]
    page = client.get(f"/plans/?issuer={world['ubnd'].pk}").context["page_obj"]
    assert len(page.object_list) == 2
    assert list(client.get("/plans/?kind=guidance").context["page_obj"]) == []
    page = client.get("/plans/?q=12/KH").context["page_obj"]
    assert [p.pk for p in page] == [plan.pk]


def test_task_list_filters_and_my_agency_tab(world):
    plan = publish(world["coordinator"])
    first, second = plan.tasks.order_by("position")
    services.task_set_status(actor=world["coordinator"], task=first, status=Task.Status.DONE)
    officer = web(world["officer"])  # Sở Ngoại vụ: coordinates the first, leads the second

    def ids(client, query: str = "") -> list[int]:
        return [t.pk for t in client.get(f"/plans/tasks/{query}").context["tasks"]]

    assert ids(officer) == [first.pk, second.pk]
    assert ids(officer, f"?organisation={world['culture'].pk}") == [first.pk]
    assert ids(officer, "?section=II.2") == [second.pk]
    assert ids(officer, "?section=II") == [first.pk, second.pk]
    assert ids(officer, "?status=done") == [first.pk]
    assert ids(officer, "?due_before=2025-07-01") == [first.pk]
    assert ids(officer, "?due_after=2025-07-01") == [second.pk]
    assert ids(officer, "?mine=on") == [first.pk, second.pk]
    assert ids(web(world["culture_officer"]), "?mine=on") == [first.pk]
    assert ids(web(world["other_officer"]), "?mine=on") == []
    # overdue: due in the past and not done
    assert ids(officer, "?overdue=on") == ([second.pk] if dt.date.today() > second.due else [])


def test_task_status_form_in_and_out_of_scope(world):
    plan = publish(world["coordinator"])
    first, second = plan.tasks.order_by("position")
    officer = web(world["officer"])
    resp = officer.post(
        f"/plans/tasks/{second.pk}/status/", {"status": "in_progress", "next": "/plans/tasks/"}
    )
    assert resp.status_code == 302
    second.refresh_from_db()
    assert second.status == Task.Status.IN_PROGRESS
    assert officer.post(f"/plans/tasks/{first.pk}/status/", {"status": "done"}).status_code == 404
    other = web(world["other_officer"])
    assert other.post(f"/plans/tasks/{second.pk}/status/", {"status": "done"}).status_code == 404
    first.refresh_from_db()
    assert first.status == Task.Status.NOT_STARTED


def test_copy_replace_and_versions_on_the_detail_page(world):
    plan = publish(world["coordinator"])
    client = web(world["coordinator"])
    resp = client.post(f"/plans/{plan.pk}/copy/", {"year": 2026})
    copy = Plan.objects.exclude(pk=plan.pk).get()
    assert resp["Location"] == f"/plans/{copy.pk}/"
    assert client.get(f"/plans/{copy.pk}/replace/").status_code == 200
    client.post(f"/plans/{copy.pk}/replace/", {"old": plan.pk})
    client.post(f"/plans/{copy.pk}/publish/")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.REPLACED
    old_page = client.get(f"/plans/{plan.pk}/")
    assert copy in list(old_page.context["replaced_by"])
    new_page = client.get(f"/plans/{copy.pk}/").content.decode()
    assert f"/plans/{plan.pk}/" in new_page
    assert [v.number for v in client.get(f"/plans/{copy.pk}/").context["versions"]] == [3, 2, 1]
    version = client.get(f"/plans/{copy.pk}/versions/1/").json()
    assert version["year"] == 2026 and version["status"] == "draft"


def test_discard_asks_for_confirmation_then_deletes(world):
    pi = upload(world["coordinator"])
    client = web(world["coordinator"])
    page = client.get(f"/plans/imports/{pi.pk}/discard/")
    assert page.status_code == 200 and PlanImport.objects.exists()
    client.post(f"/plans/imports/{pi.pk}/discard/")
    assert not PlanImport.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/plans/imports/{pi}/",
        "/plans/imports/{pi}/discard/",
        "/plans/{draft}/",
        "/plans/{draft}/export.xlsx",
    ],
)
def test_other_province_sees_neither_import_nor_draft(world, url):
    pi = upload(world["coordinator"])
    plan = publish(world["coordinator"])
    draft = services.plan_copy_to_year(actor=world["coordinator"], plan=plan, year=2026)
    path = url.format(pi=pi.pk, draft=draft.pk)
    assert web(world["other_officer"]).get(path).status_code == 404
    assert web(world["other_coordinator"]).get(path).status_code == 404
    assert web(world["coordinator"]).get(path).status_code == 200
