"""The reporting API: updates, notifications, campaigns, submissions with 409 on a stale
version, KPI values, the dashboard JSON; object-level scope as in the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.reporting.test_views import YEAR, build_world, open_campaign
from ttdn.plans.models import Task
from ttdn.reporting.models import Evidence, KpiDefinition, KpiValue, Notification, TaskUpdate


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_task_update_create_and_list(world):
    c = api(world["foreign_officer"])
    resp = c.post(
        "/api/task-updates/",
        {
            "task": world["task"].pk,
            "organisation": world["foreign"].pk,
            "narrative": "Đã đón đoàn",
            "status": "in_progress",
            "progress": 40,
            "files": [SimpleUploadedFile("anh.jpg", b"jpeg")],
        },
        format="multipart",
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["evidence"][0]["name"] == "anh.jpg"
    assert Evidence.objects.count() == 1
    world["task"].refresh_from_db()
    assert world["task"].status == Task.Status.IN_PROGRESS
    listed = c.get("/api/task-updates/", {"task": world["task"].pk}).json()
    assert listed["count"] == 1
    # coordinating agency: contribution only
    resp = api(world["police_officer"]).post(
        "/api/task-updates/",
        {
            "task": world["task"].pk,
            "organisation": world["police"].pk,
            "narrative": "An ninh",
            "status": "done",
        },
        format="json",
    )
    assert resp.status_code == 201
    world["task"].refresh_from_db()
    assert world["task"].status == Task.Status.IN_PROGRESS


def test_task_update_outsider_is_404(world):
    c = api(world["outsider"])
    assert c.get("/api/task-updates/", {"task": world["task"].pk}).status_code == 404
    resp = c.post(
        "/api/task-updates/",
        {"task": world["task"].pk, "organisation": world["foreign"].pk, "narrative": "x"},
        format="json",
    )
    assert resp.status_code == 404
    assert not TaskUpdate.objects.exists()


def test_notifications_list_and_mark_read(world):
    user = world["foreign_officer"]
    n = Notification.objects.create(user=user, kind="due_soon", key="k1", message="Sắp hạn")
    Notification.objects.create(user=user, kind="due_soon", key="k2", message="Sắp hạn 2")
    other = Notification.objects.create(
        user=world["police_officer"], kind="due_soon", key="k3", message="Không phải của bạn"
    )
    c = api(user)
    assert c.get("/api/notifications/", {"unread": 1}).json()["count"] == 2
    assert c.post(f"/api/notifications/{n.pk}/read/").json()["read_at"]
    assert c.post(f"/api/notifications/{other.pk}/read/").status_code == 404
    assert c.post("/api/notifications/read-all/").json() == {"marked": 1}
    assert c.get("/api/notifications/", {"unread": 1}).json()["count"] == 0


def test_campaign_create_list_retrieve_with_completeness(world):
    c = api(world["coordinator"])
    kpi = KpiDefinition.objects.get(code="trainings")
    resp = c.post(
        "/api/campaigns/",
        {
            "owner": world["committee"].pk,
            "scope": world["province"].pk,
            "title": "Báo cáo năm",
            "year": YEAR,
            "due": f"{YEAR}-11-14",
            "agencies": [world["foreign"].pk, world["police"].pk],
            "kpis": [kpi.pk],
        },
        format="json",
    )
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    assert resp.json()["completeness"]["total"] == 2
    assert c.get("/api/campaigns/").json()["count"] == 1
    assert c.get(f"/api/campaigns/{pk}/").json()["completeness"]["not_started"] == 2
    assert api(world["other_coordinator"]).get(f"/api/campaigns/{pk}/").status_code == 404
    # an agency officer cannot open one
    resp = api(world["foreign_officer"]).post(
        "/api/campaigns/",
        {
            "owner": world["committee"].pk,
            "scope": world["province"].pk,
            "title": "x",
            "year": YEAR,
            "due": f"{YEAR}-11-14",
            "agencies": [world["foreign"].pk],
        },
        format="json",
    )
    assert resp.status_code == 403


def test_submission_patch_stale_version_is_409_and_nothing_overwritten(world):
    campaign = open_campaign(world)
    sub = campaign.submissions.get(agency=world["foreign"])
    c = api(world["foreign_officer"])
    url = f"/api/submissions/{sub.pk}/"
    ok = c.patch(
        url,
        {"version": sub.version, "narrative": "Bản thứ nhất", "kpis": {"press_conferences": 3}},
        format="json",
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["version"] == sub.version + 1
    assert ok.json()["kpi_values"] == {"press_conferences": "3.00"}
    stale = api(world["foreign_officer2"]).patch(
        url, {"version": sub.version, "narrative": "Bản thứ hai"}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["detail"]
    sub.refresh_from_db()
    assert sub.narrative == "Bản thứ nhất"
    # submit, then review by the province
    assert c.post(f"{url}submit/", {"version": sub.version - 1}, format="json").status_code == 409
    assert c.post(f"{url}submit/", {"version": sub.version}, format="json").status_code == 200
    assert c.post(f"{url}review/", {"accept": True}, format="json").status_code == 404
    coord = api(world["coordinator"])
    bad = coord.post(f"{url}review/", {"accept": False, "reason": ""}, format="json")
    assert bad.status_code == 400
    done = coord.post(f"{url}review/", {"accept": True}, format="json")
    assert done.json()["status"] == "accepted"
    assert api(world["outsider"]).get(url).status_code == 404


def test_kpi_definitions_and_values(world):
    c = api(world["foreign_officer"])
    codes = [d["code"] for d in c.get("/api/kpi-definitions/").json()["results"]]
    assert "press_conferences" in codes
    kpi = KpiDefinition.objects.get(code="press_conferences")
    resp = c.post(
        "/api/kpi-values/",
        {"definition": kpi.pk, "organisation": world["foreign"].pk, "year": YEAR, "value": "5"},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    assert resp.json()["province"] == world["province"].pk
    assert c.patch(f"/api/kpi-values/{pk}/", {"value": "6"}, format="json").json()["value"] == (
        "6.00"
    )
    listed = c.get("/api/kpi-values/", {"year": YEAR, "definition": "press_conferences"}).json()
    assert listed["count"] == 1
    # another agency's figures: not writable, not listed
    police = api(world["police_officer"])
    resp = police.post(
        "/api/kpi-values/",
        {"definition": kpi.pk, "organisation": world["foreign"].pk, "year": YEAR, "value": "9"},
        format="json",
    )
    assert resp.status_code == 404
    assert police.get("/api/kpi-values/").json()["count"] == 0
    assert KpiValue.objects.get().value == 6


def test_province_dashboard_json(world):
    Task.objects.filter(pk=world["task"].pk).update(status="done")
    c = api(world["coordinator"])
    data = c.get(f"/api/province-dashboards/{world['province'].pk}/", {"year": YEAR}).json()
    assert data["completion_by_agency"] == [
        {
            "organisation": world["foreign"].pk,
            "name": "Sở Ngoại vụ",
            "total": 2,
            "done": 1,
            "overdue": data["completion_by_agency"][0]["overdue"],
        }
    ]
    assert len(data["overdue_trend"]) == 12
    assert data["status_counts"]["done"] == 1
    assert (
        api(world["outsider"]).get(f"/api/province-dashboards/{world['province'].pk}/").status_code
        == 404
    )
    assert dt.date.today().year == YEAR
