"""The response-case API: the workflow, 403/404/409 answers, evidence, the OpenAPI
document. The endpoints are mounted here through ``case_api.register`` on a router of the
test's own URLconf (the project's router calls the same function)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import include, path
from rest_framework.routers import DefaultRouter
from rest_framework.test import APIClient

from tests.monitoring.test_cases import assigned_case, build_world, open_case, reviewed_case
from ttdn.monitoring import case_api
from ttdn.monitoring.models import Case, EvidenceLink
from ttdn.urls import urlpatterns as project_urlpatterns

_router = DefaultRouter()
case_api.register(_router)
urlpatterns = [*project_urlpatterns, path("api/", include(_router.urls))]

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def world(db):
    return build_world()


def api(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_workflow_over_the_api(world):
    w = world
    coord = api(w["coordinator"])
    officer = api(w["foreign_officer"])
    resp = coord.post(
        "/api/press-cases/",
        {"title": "Tin sai về cảng", "item": w["item"].pk, "severity": "urgent"},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    data = resp.json()
    pk = data["id"]
    assert data["owner"] == w["province"].pk  # the caller's province by default
    assert data["cluster"] == w["cluster"].pk
    assert [e["kind"] for e in data["events"]] == ["opened"]
    assert "assign" in data["allowed_actions"]
    base = f"/api/press-cases/{pk}"
    resp = coord.post(f"{base}/assign/", {"agency": w["foreign"].pk}, format="json")
    assert resp.status_code == 200, resp.content
    version = resp.json()["version"]
    resp = officer.post(f"{base}/draft/", {"draft": "Bản 1", "version": version}, format="json")
    assert resp.status_code == 200
    assert officer.post(f"{base}/submit/").status_code == 200
    resp = coord.post(f"{base}/return/", {"reason": "Thêm số liệu"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "assigned"
    version = resp.json()["version"]
    officer.post(f"{base}/draft/", {"draft": "Bản 2", "version": version}, format="json")
    officer.post(f"{base}/submit/")
    resp = coord.post(f"{base}/approve/", {"note": "Đồng ý"}, format="json")
    assert resp.json()["status"] == "approved"
    resp = officer.post(f"{base}/publish/", {"url": "https://cong.example/a"}, format="json")
    assert resp.json()["status"] == "published"
    resp = coord.post(f"{base}/comment/", {"note": "Theo dõi"}, format="json")
    assert resp.status_code == 200
    resp = coord.post(f"{base}/close/", {"outcome": "refuted"}, format="json")
    data = resp.json()
    assert data["status"] == "closed" and data["outcome"] == "refuted"
    steps = [(e["kind"], e["step_hours"] is not None) for e in data["events"]]
    assert steps[0] == ("opened", False)
    assert ("closed", True) in steps
    assert data["allowed_actions"] == ["comment"]
    listed = coord.get("/api/press-cases/", {"status": "closed"}).json()
    assert [c["id"] for c in listed["results"]] == [pk]
    assert coord.get("/api/press-cases/", {"q": "cang"}).json()["count"] == 1


def test_api_answers_404_403_409_and_400(world):
    w = world
    case = reviewed_case(w)
    base = f"/api/press-cases/{case.pk}"
    assert api(w["outsider"]).get(f"{base}/").status_code == 404
    assert api(w["police_officer"]).post(f"{base}/approve/", {}).status_code == 404
    assert api(w["foreign_officer"]).post(f"{base}/approve/", {}, format="json").status_code == 403
    # not possible in this status
    resp = api(w["coordinator"]).post(f"{base}/assign/", {"agency": w["police"].pk}, format="json")
    assert resp.status_code == 409
    assert api(w["coordinator"]).post(f"{base}/return/", {}, format="json").status_code == 400
    # unreadable item on create
    resp = api(w["coordinator"]).post(
        "/api/press-cases/", {"title": "x", "item": w["other_item"].pk}, format="json"
    )
    assert resp.status_code == 404
    # no organisation to open cases for
    assert (
        api(w["viewer"]).post("/api/press-cases/", {"title": "x"}, format="json").status_code == 403
    )
    assert api(w["outsider"]).get("/api/press-cases/").json()["count"] == 0


def test_stale_draft_version_is_409_and_keeps_the_saved_text(world):
    w = world
    case = assigned_case(w)
    base = f"/api/press-cases/{case.pk}"
    first = api(w["foreign_officer"]).post(
        f"{base}/draft/", {"draft": "Bản của A", "version": case.version}, format="json"
    )
    assert first.status_code == 200
    resp = api(w["foreign_officer2"]).post(
        f"{base}/draft/", {"draft": "Bản của B", "version": case.version}, format="json"
    )
    assert resp.status_code == 409
    case.refresh_from_db()
    assert case.draft == "Bản của A"


def test_attach_case_and_item_as_evidence(world):
    w = world
    case = assigned_case(w)
    officer = api(w["foreign_officer"])
    resp = officer.post(
        f"/api/press-cases/{case.pk}/attach/", {"task": w["task"].pk}, format="json"
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["task"] == w["task"].pk
    resp = officer.post(
        f"/api/press-cases/{case.pk}/attach/", {"submission": w["sub_police"].pk}, format="json"
    )
    assert resp.status_code == 403
    resp = officer.post(f"/api/press-cases/{case.pk}/attach/", {}, format="json")
    assert resp.status_code == 400
    coord = api(w["coordinator"])
    resp = coord.post(
        "/api/press-evidence/", {"item": w["item"].pk, "task": w["task"].pk}, format="json"
    )
    assert resp.status_code == 201
    resp = coord.post(
        "/api/press-evidence/", {"item": w["other_item"].pk, "task": w["task"].pk}, format="json"
    )
    assert resp.status_code == 404
    assert coord.get("/api/press-evidence/", {"item": w["item"].pk}).json()["count"] == 1
    assert coord.get("/api/press-evidence/", {"case": case.pk}).json()["count"] == 1
    assert EvidenceLink.objects.count() == 2


def test_openapi_document_lists_the_case_endpoints(world):
    open_case(world)
    resp = api(world["coordinator"]).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert resp.status_code == 200
    paths = json.loads(resp.content)["paths"]
    for expected in (
        "/api/press-cases/",
        "/api/press-cases/{id}/",
        "/api/press-cases/{id}/assign/",
        "/api/press-cases/{id}/draft/",
        "/api/press-cases/{id}/submit/",
        "/api/press-cases/{id}/approve/",
        "/api/press-cases/{id}/return/",
        "/api/press-cases/{id}/publish/",
        "/api/press-cases/{id}/close/",
        "/api/press-cases/{id}/comment/",
        "/api/press-cases/{id}/attach/",
        "/api/press-evidence/",
    ):
        assert expected in paths, expected
    assert "409" in paths["/api/press-cases/{id}/draft/"]["post"]["responses"]
    assert Case.objects.count() == 1
