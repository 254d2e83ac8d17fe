"""Administrators manage accounts of their own organisations only; every change is audited."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_org, make_user
from ttdn.accounts.models import Role, RoleAssignment, User
from ttdn.audit.models import AuditEntry


@pytest.fixture
def setup(db):
    province = make_org("Tỉnh Quản Trị", "province")
    dept = make_org("Sở Ngoại vụ", parent=province)
    other = make_org("Tỉnh Khác", "province")
    admin = make_user(Role.ADMINISTRATOR, province)
    c = Client()
    c.force_login(admin)
    return {"province": province, "dept": dept, "other": other, "admin": admin, "client": c}


def _new_user(setup, org, username="canbo_moi", password="mot-mat-khau-du-dai-2026"):
    return setup["client"].post(
        "/accounts/users/new/",
        {
            "username": username,
            "organisation": org.pk,
            "role": Role.AGENCY_OFFICER,
            "password": password,
            "first_name": "Mới",
            "last_name": "Cán Bộ",
        },
    )


def test_admin_creates_an_account_in_scope_and_it_is_audited(setup):
    resp = _new_user(setup, setup["dept"])
    assert resp.status_code == 302
    user = User.objects.get(username="canbo_moi")
    assert user.check_password("mot-mat-khau-du-dai-2026")
    assert RoleAssignment.objects.get(user=user).organisation == setup["dept"]
    entry = AuditEntry.objects.get(
        action="create", object_type="accounts.user", object_id=str(user.pk)
    )
    assert entry.actor == setup["admin"]
    assert "password" not in entry.changes


def test_admin_cannot_create_accounts_outside_scope(setup):
    resp = _new_user(setup, setup["other"])
    assert resp.status_code == 200  # the form says the choice is not valid
    assert not User.objects.filter(username="canbo_moi").exists()


def test_weak_password_is_refused_with_a_message(setup):
    resp = _new_user(setup, setup["dept"], password="12345678")
    assert resp.status_code == 200
    assert not User.objects.filter(username="canbo_moi").exists()
    assert resp.context["form"].errors


def test_grant_and_withdraw_a_role(setup):
    _new_user(setup, setup["dept"])
    user = User.objects.get(username="canbo_moi")
    c = setup["client"]
    resp = c.post(
        f"/accounts/users/{user.pk}/", {"role": Role.EDITOR, "organisation": setup["province"].pk}
    )
    assert resp.status_code == 302
    ra = RoleAssignment.objects.get(user=user, role=Role.EDITOR)
    assert c.post(f"/accounts/roles/{ra.pk}/revoke/").status_code == 302
    assert not RoleAssignment.objects.filter(pk=ra.pk).exists()
    assert AuditEntry.objects.filter(
        action="delete", object_type="accounts.roleassignment"
    ).exists()


def test_non_admin_cannot_open_user_management(setup):
    officer = make_user(Role.AGENCY_OFFICER, setup["dept"])
    c = Client()
    c.force_login(officer)
    assert c.get("/accounts/users/").status_code == 403
    assert c.get(f"/accounts/users/{officer.pk}/").status_code == 403
