"""The plans API: upload → patch → publish, task filters and status, exports, scope."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from tests.plans.test_services import (
    PLAN_TEXT,
    SECRET_TEXT,
    build_world,
    publish,
    upload,
)
from ttdn.plans import services
from ttdn.plans.models import Plan, PlanImport, Task


@pytest.fixture
def world(db):
    return build_world()


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_upload_patch_publish_through_the_api(world):
    client = api(world["coordinator"])
    resp = client.post(
        "/api/plan-imports/",
        {"file": SimpleUploadedFile("kh.txt", PLAN_TEXT.encode()), "kind": "plan"},
        format="multipart",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["data"]["number"] == "12/KH-UBND" and body["issuer"] == world["ubnd"].pk
    pk = body["id"]
    resp = client.patch(
        f"/api/plan-imports/{pk}/",
        {"agency_choices": {"Sở Hư Cấu": world["finance"].pk}},
        format="json",
    )
    assert resp.status_code == 200 and resp.json()["agency_choices"] == {
        "Sở Hư Cấu": world["finance"].pk
    }
    resp = client.post(f"/api/plan-imports/{pk}/publish/")
    assert resp.status_code == 201
    plan = Plan.objects.get(pk=resp.json()["id"])
    assert plan.tasks.filter(agencies__organisation=world["finance"]).count() == 1
    assert client.get(f"/api/plans/{plan.pk}/versions/").json()[0]["number"] == 1


def test_secret_upload_is_a_400_and_stores_nothing(world):
    resp = api(world["coordinator"]).post(
        "/api/plan-imports/",
        {"file": SimpleUploadedFile("mat.txt", SECRET_TEXT.encode())},
        format="multipart",
    )
    assert resp.status_code == 400 and "mật" in resp.json()["file"][0]
    assert not PlanImport.objects.exists()


def test_import_of_another_province_is_not_found(world):
    pi = upload(world["coordinator"])
    other = api(world["other_coordinator"])
    assert other.get(f"/api/plan-imports/{pi.pk}/").status_code == 404
    assert other.patch(f"/api/plan-imports/{pi.pk}/", {}, format="json").status_code == 404
    assert other.post(f"/api/plan-imports/{pi.pk}/publish/").status_code == 404
    assert other.get("/api/plan-imports/").json()["count"] == 0
    assert api(world["coordinator"]).get("/api/plan-imports/").json()["count"] == 1


def test_task_filters_and_status_patch(world):
    plan = publish(world["coordinator"])
    first, second = plan.tasks.order_by("position")
    officer = api(world["officer"])
    ids = [t["id"] for t in officer.get("/api/tasks/?mine=1").json()["results"]]
    assert ids == [first.pk, second.pk]
    ids = [
        t["id"]
        for t in officer.get(f"/api/tasks/?organisation={world['culture'].pk}").json()["results"]
    ]
    assert ids == [first.pk]
    ids = [
        t["id"]
        for t in officer.get("/api/tasks/?section=II.2&due_after=2025-07-01").json()["results"]
    ]
    assert ids == [second.pk]
    assert officer.get("/api/tasks/?due_after=nonsense").status_code == 400
    resp = officer.patch(f"/api/tasks/{second.pk}/", {"status": "done"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "done"
    # coordinating only: may read, may not change
    assert officer.get(f"/api/tasks/{first.pk}/").status_code == 200
    assert (
        officer.patch(f"/api/tasks/{first.pk}/", {"status": "done"}, format="json").status_code
        == 404
    )
    other = api(world["other_officer"])
    assert (
        other.patch(f"/api/tasks/{second.pk}/", {"status": "cancelled"}, format="json").status_code
        == 404
    )
    assert (
        officer.patch(f"/api/tasks/{second.pk}/", {"status": "nope"}, format="json").status_code
        == 400
    )
    first.refresh_from_db()
    assert first.status == Task.Status.NOT_STARTED


def test_sections_and_plan_filters(world):
    plan = publish(world["coordinator"])
    client = api(world["officer"])
    numbers = [s["number"] for s in client.get(f"/api/sections/?plan={plan.pk}").json()["results"]]
    assert numbers == ["I", "II", "II.1", "II.2", "III"]
    assert client.get("/api/plans/?year=2025").json()["count"] == 1
    assert client.get("/api/plans/?year=2024").json()["count"] == 0
    assert (
        client.get(f"/api/plans/?issuer={world['ubnd'].pk}&status=published").json()["count"] == 1
    )


def test_draft_plan_and_its_tasks_are_hidden_outside_the_issuer_scope(world):
    plan = publish(world["coordinator"])
    draft = services.plan_copy_to_year(actor=world["coordinator"], plan=plan, year=2026)
    task = draft.tasks.first()
    other = api(world["other_officer"])
    assert other.get(f"/api/plans/{draft.pk}/").status_code == 404
    assert other.get(f"/api/tasks/{task.pk}/").status_code == 404
    assert other.get(f"/api/sections/?plan={draft.pk}").json()["count"] == 0
    assert other.post(f"/api/plans/{draft.pk}/publish/").status_code == 404
    assert api(world["coordinator"]).post(f"/api/plans/{draft.pk}/publish/").status_code == 200


def test_export_endpoints(world):
    plan = publish(world["coordinator"])
    client = api(world["officer"])
    data = client.get(f"/api/plans/{plan.pk}/export-json/").json()
    assert data["number"] == "12/KH-UBND" and len(data["tasks"]) == 2
    resp = client.get(f"/api/plans/{plan.pk}/export-xlsx/")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    assert ws.max_row == 3
