"""The REST API: OpenAPI document, token authentication, clear answers to bad payloads."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, make_org, make_user
from ttdn.accounts.models import Role
from ttdn.directory.models import Organisation


@pytest.fixture
def coordinator(db):
    province = make_org("Tỉnh API", "province")
    return make_user(Role.PROVINCIAL_COORDINATOR, province, username="dieuphoi_api")


def test_openapi_document_lists_the_endpoints(coordinator):
    c = APIClient()
    c.force_authenticate(coordinator)
    resp = c.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert resp.status_code == 200
    import json

    doc = json.loads(resp.content)
    paths = doc["paths"]
    for expected in ("/api/organisations/", "/api/people/{id}/", "/api/plans/", "/api/tasks/"):
        assert expected in paths


def test_token_authentication(coordinator):
    c = APIClient()
    resp = c.post("/api/token/", {"username": "dieuphoi_api", "password": PASSWORD}, format="json")
    assert resp.status_code == 200
    token = resp.json()["token"]
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert c.get("/api/organisations/").status_code == 200
    c.credentials(HTTP_AUTHORIZATION="Token sai")
    assert c.get("/api/organisations/").status_code == 401


def test_malformed_payloads_get_field_errors_and_write_nothing(coordinator):
    c = APIClient()
    c.force_authenticate(coordinator)
    before = Organisation.objects.count()
    resp = c.post("/api/organisations/", {"name": "", "kind": "bộ lạc"}, format="json")
    assert resp.status_code == 400
    assert set(resp.json()) >= {"name", "kind"}
    resp = c.post("/api/organisations/", data="{not json", content_type="application/json")
    assert resp.status_code == 400
    resp = c.post(
        "/api/organisations/",
        {
            "name": "Sở A",
            "kind": "department",
            "parent": coordinator.role_assignments.get().organisation_id,
            "valid_from": "2026-02-30",
        },
        format="json",
    )
    assert resp.status_code == 400 and "valid_from" in resp.json()
    resp = c.post(
        "/api/organisations/",
        {
            "name": "Sở B",
            "kind": "department",
            "parent": coordinator.role_assignments.get().organisation_id,
            "valid_from": "2026-03-01",
            "valid_to": "2026-01-01",
        },
        format="json",
    )
    assert resp.status_code == 400
    assert Organisation.objects.count() == before


def test_api_errors_are_in_vietnamese(coordinator):
    c = APIClient()
    c.force_authenticate(coordinator)
    resp = c.post("/api/organisations/", {"kind": "department"}, format="json")
    assert "bắt buộc" in str(resp.json()["name"]).lower()


def test_organisation_search_ignores_accents(coordinator):
    make_org("Sở Ngoại vụ tỉnh API", parent=coordinator.role_assignments.get().organisation)
    c = APIClient()
    c.force_authenticate(coordinator)
    names = [o["name"] for o in c.get("/api/organisations/?q=so ngoai vu").json()["results"]]
    assert names == ["Sở Ngoại vụ tỉnh API"]
