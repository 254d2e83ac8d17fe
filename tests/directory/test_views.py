"""The directory in the interface: browse, search without accents, edit in scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.factories import make_org, make_user
from ttdn.accounts.models import Role
from ttdn.audit.models import AuditEntry
from ttdn.directory.models import Organisation, OrganisationAlias, OrganisationFunction
from ttdn.directory.services import function_holder


@pytest.fixture
def tree(db):
    province = make_org("Tỉnh Giao Diện", "province")
    dept = make_org("Sở Thông tin và Truyền thông", parent=province)
    culture = make_org("Sở Văn hóa, Thể thao và Du lịch", parent=province)
    coordinator = make_user(Role.PROVINCIAL_COORDINATOR, province)
    officer = make_user(Role.AGENCY_OFFICER, culture)
    return {
        "province": province,
        "dept": dept,
        "culture": culture,
        "coordinator": coordinator,
        "officer": officer,
    }


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_search_ignores_accents_and_finds_aliases(tree):
    OrganisationAlias.objects.create(
        organisation=tree["dept"], name="Sở TT&TT", search_key="so tt&tt"
    )
    c = _client(tree["officer"])
    assert "Sở Thông tin và Truyền thông" in c.get("/directory/?q=thong+tin").content.decode()
    assert "Sở Thông tin và Truyền thông" in c.get("/directory/?q=tt%26tt").content.decode()
    empty = c.get("/directory/?q=khong+co+gi").content.decode()
    assert "Không có tổ chức nào" in empty


def test_coordinator_adds_and_removes_a_name(tree):
    c = _client(tree["coordinator"])
    org = tree["dept"]
    assert (
        c.post(
            f"/directory/{org.pk}/aliases/new/", {"name": "STTTT", "kind": "abbreviation"}
        ).status_code
        == 302
    )
    alias = OrganisationAlias.objects.get(organisation=org, name="STTTT")
    assert c.post(f"/directory/aliases/{alias.pk}/delete/").status_code == 302
    assert not OrganisationAlias.objects.filter(pk=alias.pk).exists()
    assert AuditEntry.objects.filter(
        object_type="directory.organisationalias", action="delete"
    ).exists()


def test_the_focal_function_moves_with_dates(tree):
    c = _client(tree["coordinator"])
    p = tree["province"]
    c.post(
        f"/directory/{tree['dept'].pk}/functions/new/",
        {
            "function": OrganisationFunction.Function.FOCAL_TTDN,
            "scope": p.pk,
            "valid_to": "2025-02-28",
        },
    )
    c.post(
        f"/directory/{tree['culture'].pk}/functions/new/",
        {
            "function": OrganisationFunction.Function.FOCAL_TTDN,
            "scope": p.pk,
            "valid_from": "2025-03-01",
            "legal_basis": "Thông tư 10/2025/TT-BVHTTDL",
        },
    )
    focal = OrganisationFunction.Function.FOCAL_TTDN
    assert function_holder(focal, p, dt.date(2022, 1, 1)) == tree["dept"]
    assert function_holder(focal, p, dt.date(2026, 1, 1)) == tree["culture"]


def test_recording_the_end_keeps_history_and_links_the_successor(tree):
    c = _client(tree["coordinator"])
    resp = c.post(
        f"/directory/{tree['dept'].pk}/end/",
        {"last_day": "2025-02-28", "successors": [tree["culture"].pk]},
    )
    assert resp.status_code == 302
    dept = Organisation.objects.get(pk=tree["dept"].pk)
    assert dept.valid_to == dt.date(2025, 2, 28)
    assert list(dept.successors.all()) == [tree["culture"]]
    page = c.get(f"/directory/{dept.pk}/").content.decode()
    assert "Sở Văn hóa, Thể thao và Du lịch" in page


def test_officer_cannot_edit_another_agency(tree):
    c = _client(tree["officer"])
    dept = tree["dept"]
    assert (
        c.post(f"/directory/{dept.pk}/aliases/new/", {"name": "X", "kind": "variant"}).status_code
        == 403
    )
    assert c.post(f"/directory/{dept.pk}/end/", {"last_day": "2025-01-01"}).status_code == 403
    assert c.post(f"/directory/{dept.pk}/edit/", {"name": "Y"}).status_code == 403
    assert not OrganisationAlias.objects.filter(organisation=dept).exists()


def test_create_form_reports_errors_in_vietnamese(tree):
    c = _client(tree["coordinator"])
    resp = c.post(
        "/directory/new/", {"name": "", "kind": "department", "parent": tree["province"].pk}
    )
    assert resp.status_code == 200
    assert "bắt buộc" in resp.content.decode()
    resp = c.post(
        "/directory/new/", {"name": "Sở Mới", "kind": "department", "parent": tree["province"].pk}
    )
    assert resp.status_code == 302
    assert Organisation.objects.get(name="Sở Mới").parent == tree["province"]


def test_create_form_can_be_prefilled_from_a_name_as_written(tree):
    c = _client(tree["coordinator"])
    page = c.get("/directory/new/?name=S%E1%BB%9F%20Du%20l%E1%BB%8Bch&kind=department")
    assert 'value="Sở Du lịch"' in page.content.decode()
