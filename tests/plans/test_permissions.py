"""Who may read and change plan imports, draft plans and tasks: one matrix per resource,
every role from anonymous to superuser, through the pages and the API."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_user
from tests.plans.test_services import build_world, member, publish, upload
from ttdn.accounts.models import Role
from ttdn.plans import services


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def setup(world):
    plan = publish(world["coordinator"])
    draft = services.plan_copy_to_year(actor=world["coordinator"], plan=plan, year=2026)
    people = {
        "anonymous": None,
        "officer": world["officer"],  # Sở Ngoại vụ: leads task 2 of the plan
        "culture_officer": world["culture_officer"],  # leads task 1
        "coordinator": world["coordinator"],
        "other_coordinator": world["other_coordinator"],
        "other_officer": world["other_officer"],
        "national": member(Role.NATIONAL_VIEWER, world["other"]),
        "editor": member(Role.EDITOR, world["province"]),
        "superuser": make_user(superuser=True),
    }
    tasks = list(plan.tasks.order_by("position"))
    return {
        "world": world,
        "plan": plan,
        "draft": draft,
        "import": upload(world["coordinator"]),
        "lead_task": tasks[1],
        "people": people,
    }


def _web(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _api(user) -> APIClient:
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


# who → (read the import under review, read the draft plan, PATCH the task Sở Ngoại vụ leads)
MATRIX = [
    ("anonymous", 302, 302, 401),
    ("officer", 404, 404, 200),
    ("culture_officer", 200, 404, 404),  # the import belongs to Sở Văn hóa (the uploader's)
    ("coordinator", 200, 200, 200),
    ("other_coordinator", 404, 404, 404),
    ("other_officer", 404, 404, 404),
    ("national", 200, 200, 404),
    ("editor", 200, 200, 404),
    ("superuser", 200, 200, 200),
]


@pytest.mark.parametrize(("who", "read_import", "read_draft", "patch_task"), MATRIX)
def test_plan_permission_matrix(setup, who, read_import, read_draft, patch_task):
    user = setup["people"][who]
    web = _web(user)
    assert web.get(f"/plans/imports/{setup['import'].pk}/").status_code == read_import
    assert web.get(f"/plans/{setup['draft'].pk}/").status_code == read_draft
    resp = _api(user).patch(
        f"/api/tasks/{setup['lead_task'].pk}/", {"status": "in_progress"}, format="json"
    )
    assert resp.status_code == patch_task


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("officer", False),
        ("culture_officer", True),
        ("coordinator", True),
        ("editor", False),
        ("other_coordinator", False),
        ("national", False),
    ],
)
def test_only_writers_of_the_owner_may_publish_an_import(setup, who, allowed):
    user = setup["people"][who]
    resp = _api(user).post(f"/api/plan-imports/{setup['import'].pk}/publish/")
    if not allowed:
        assert resp.status_code == 404
        return
    # the culture officer may publish only for an issuer inside their own scope
    expected = 201 if who == "coordinator" else 400
    assert resp.status_code == expected, resp.content


def test_publishing_a_draft_needs_write_scope_on_the_issuer(setup):
    draft = setup["draft"]
    assert _web(setup["people"]["officer"]).post(f"/plans/{draft.pk}/publish/").status_code == 404
    assert _web(setup["people"]["national"]).post(f"/plans/{draft.pk}/publish/").status_code == 404
    resp = _web(setup["people"]["coordinator"]).post(f"/plans/{draft.pk}/publish/")
    assert resp.status_code == 302
