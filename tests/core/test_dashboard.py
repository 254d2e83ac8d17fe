"""The home dashboard differs by role and is built from the demo's real data."""

from __future__ import annotations

import pytest
from django.test import Client

from ttdn.accounts.models import User
from ttdn.core.demo import load_demo


@pytest.fixture
def demo(db):
    return load_demo(progress=lambda _m: None)


def _home(username: str) -> str:
    c = Client()
    c.force_login(User.objects.get(username=username))
    resp = c.get("/home/")
    assert resp.status_code == 200
    return resp.content.decode()


def test_coordinator_sees_own_agency_tasks_and_the_focal_department(demo):
    body = _home("dieuphoi")
    assert "Bồi dưỡng kỹ năng phát ngôn" in body  # a task led by the coordinator's Sở
    assert "Cơ quan đầu mối" in body and "Sở Văn hóa, Thể thao và Du lịch" in body


def test_agency_officer_sees_only_tasks_of_the_agency(demo):
    body = _home("canbo")  # Sở Ngoại vụ
    assert "đoàn phóng viên nước ngoài" in body
    assert "Bồi dưỡng kỹ năng phát ngôn" not in body


def test_national_viewer_sees_the_34_provinces(demo):
    body = _home("trunguong")
    assert ">34<" in body


def test_demo_is_idempotent(demo):
    from ttdn.directory.models import Organisation
    from ttdn.plans.models import Plan, Task

    counts = (
        Organisation.objects.count(),
        Plan.objects.count(),
        Task.objects.count(),
        User.objects.count(),
    )
    load_demo(progress=lambda _m: None)
    assert counts == (
        Organisation.objects.count(),
        Plan.objects.count(),
        Task.objects.count(),
        User.objects.count(),
    )


PAGES = [
    "/home/",
    "/plans/",
    "/plans/tasks/",
    "/plans/tasks/?mine=on",
    "/directory/",
    "/directory/partners/",
    "/reporting/campaigns/",
    "/reporting/notifications/",
    "/reporting/province/",
    "/api/docs/",
]


@pytest.mark.parametrize("username", ["quantri", "dieuphoi", "canbo", "bientap", "trunguong"])
def test_every_main_page_renders_for_every_demo_role(demo, username):
    from ttdn.plans.models import Plan, Task

    c = Client()
    c.force_login(User.objects.get(username=username))
    plan = Plan.objects.get()
    task = Task.objects.filter(plan=plan).first()
    for url in [*PAGES, f"/plans/{plan.pk}/", f"/reporting/tasks/{task.pk}/"]:
        resp = c.get(url, follow=True)
        assert resp.status_code in (200, 404), (url, resp.status_code)
        if url in PAGES[:7] or url.startswith("/plans/"):
            assert resp.status_code == 200, url
    national = c.get("/national/").status_code
    assert national == (200 if username == "trunguong" else 403) or national == 404
