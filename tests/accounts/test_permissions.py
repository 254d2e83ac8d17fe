"""Roles are scoped to organisation subtrees, in views and in the API alike.

One matrix per resource (taiga-style): each role against the expected outcome.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD, make_org, make_user
from ttdn.accounts.models import Role
from ttdn.audit.models import AuditEntry
from ttdn.directory.models import Person
from ttdn.directory.services import SYSTEM, person_create
from ttdn.plans.models import Plan


@pytest.fixture
def world(db):
    province = make_org("Tỉnh Thử Nghiệm", "province")
    other_province = make_org("Tỉnh Bên Cạnh", "province")
    foreign_affairs = make_org("Sở Ngoại vụ", parent=province)
    culture = make_org("Sở Văn hóa, Thể thao và Du lịch", parent=province)
    contact = person_create(
        actor=SYSTEM,
        organisation=culture,
        full_name="Nguyễn Văn Liên Hệ",
        role=Person.Role.CONTACT,
        work_phone="0200 000 001",
    )
    spokesperson = person_create(
        actor=SYSTEM,
        organisation=culture,
        full_name="Trần Thị Phát Ngôn",
        role=Person.Role.SPOKESPERSON,
        is_public=True,
    )
    own_contact = person_create(
        actor=SYSTEM, organisation=foreign_affairs, full_name="Lê Văn Nội Bộ"
    )
    draft = Plan.objects.create(issuer=culture, title="Dự thảo kế hoạch nội bộ", year=2026)
    users = {
        "officer": make_user(Role.AGENCY_OFFICER, foreign_affairs),
        "coordinator": make_user(Role.PROVINCIAL_COORDINATOR, province),
        "other_coordinator": make_user(Role.PROVINCIAL_COORDINATOR, other_province),
        "national": make_user(Role.NATIONAL_VIEWER, other_province),
        "editor": make_user(Role.EDITOR, province),
    }
    return {
        "province": province,
        "culture": culture,
        "foreign_affairs": foreign_affairs,
        "contact": contact,
        "spokesperson": spokesperson,
        "own_contact": own_contact,
        "draft": draft,
        **users,
    }


def _web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


# who → may read another agency's non-public contact?
READ_MATRIX = [
    ("officer", False),
    ("coordinator", True),
    ("other_coordinator", False),
    ("national", True),
    ("editor", True),
]


@pytest.mark.parametrize(("who", "allowed"), READ_MATRIX)
def test_contact_person_read_matrix_in_api(world, who, allowed):
    pk = world["contact"].pk
    resp = _api(world[who]).get(f"/api/people/{pk}/")
    assert resp.status_code == (200 if allowed else 404)
    listed = {p["id"] for p in _api(world[who]).get("/api/people/").json()["results"]}
    assert (pk in listed) is allowed


def test_officer_cannot_read_other_agency_contact_in_views(world):
    client = _web(world["officer"])
    page = client.get(f"/directory/{world['culture'].pk}/")
    assert page.status_code == 200  # the directory itself is public
    body = page.content.decode()
    assert world["contact"].full_name not in body
    assert world["spokesperson"].full_name in body  # public spokesperson stays visible
    assert client.get(f"/directory/people/{world['contact'].pk}/edit/").status_code == 404
    assert client.get(f"/directory/people/{world['contact'].pk}/export/").status_code == 404


def test_officer_cannot_change_other_agency_records(world):
    officer = world["officer"]
    api = _api(officer)
    resp = api.patch(f"/api/people/{world['contact'].pk}/", {"position": "Giám đốc"}, format="json")
    assert resp.status_code == 404
    # even the public spokesperson: readable, not writable
    resp = api.patch(f"/api/people/{world['spokesperson'].pk}/", {"position": "X"}, format="json")
    assert resp.status_code == 404
    resp = api.patch(f"/api/organisations/{world['culture'].pk}/", {"phone": "1"}, format="json")
    assert resp.status_code == 403
    web = _web(officer)
    assert web.post(f"/directory/people/{world['contact'].pk}/erase/").status_code == 404
    assert web.get(f"/directory/{world['culture'].pk}/edit/").status_code == 403
    assert Person.objects.filter(pk=world["contact"].pk).exists()
    world["contact"].refresh_from_db()
    assert world["contact"].position == ""


def test_officer_can_change_own_agency_records_and_it_is_audited(world):
    officer = world["officer"]
    resp = _api(officer).patch(
        f"/api/people/{world['own_contact'].pk}/", {"position": "Chuyên viên"}, format="json"
    )
    assert resp.status_code == 200
    entry = AuditEntry.objects.filter(
        object_type="directory.person", object_id=str(world["own_contact"].pk), action="update"
    ).get()
    assert entry.actor == officer
    assert entry.changes["position"] == ["", "Chuyên viên"]


def test_draft_plan_is_private_to_the_issuer_scope(world):
    pk = world["draft"].pk
    assert _api(world["officer"]).get(f"/api/plans/{pk}/").status_code == 404
    assert _web(world["officer"]).get(f"/plans/{pk}/").status_code == 404
    assert _api(world["coordinator"]).get(f"/api/plans/{pk}/").status_code == 200
    world["draft"].status = Plan.Status.PUBLISHED
    world["draft"].save()
    assert _api(world["officer"]).get(f"/api/plans/{pk}/").status_code == 200


def test_coordinator_cannot_create_outside_province(world):
    resp = _api(world["coordinator"]).post(
        "/api/organisations/",
        {"name": "Sở Mới", "kind": "department", "parent": world["culture"].pk},
        format="json",
    )
    assert resp.status_code == 201
    other = _api(world["other_coordinator"]).post(
        "/api/organisations/",
        {"name": "Sở Lạ", "kind": "department", "parent": world["culture"].pk},
        format="json",
    )
    assert other.status_code == 403


def test_audit_log_is_for_administrators_only(world):
    assert _web(world["officer"]).get("/audit/").status_code == 403
    assert _api(world["coordinator"]).get("/api/audit/").status_code == 403
    admin = make_user(Role.ADMINISTRATOR, world["province"])
    make_user(Role.AGENCY_OFFICER, world["culture"], username="someone")
    assert _web(admin).get("/audit/").status_code == 200


def test_anonymous_gets_sign_in_page_and_api_refuses(world):
    resp = Client().get("/home/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    assert APIClient().get("/api/people/").status_code in (401, 403)


def test_password_sign_in_with_real_credentials(world):
    c = Client()
    resp = c.post(
        "/accounts/login/",
        {"username": world["officer"].username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
    )
    assert resp.status_code == 302
    assert c.get("/home/").status_code == 200
