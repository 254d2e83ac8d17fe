"""Sign-in: Vietnamese by default, clear errors, lock-out after repeated failures."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_org, make_user
from ttdn.accounts.models import Role
from ttdn.audit.models import AuditEntry


@pytest.fixture
def officer(db):
    return make_user(Role.AGENCY_OFFICER, make_org("Sở Ngoại vụ", "department"), username="canbo1")


def test_root_redirects_to_vietnamese_sign_in_page(db):
    resp = Client().get("/", follow=True)
    assert resp.redirect_chain[-1][0].startswith("/accounts/login/")
    body = resp.content.decode()
    assert "Đăng nhập" in body
    assert 'lang="vi"' in body


def test_vietnamese_even_when_the_browser_asks_for_english(db):
    resp = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Đăng nhập" in resp.content.decode()


def test_english_is_available(db):
    c = Client()
    c.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert "Sign in" in c.get("/accounts/login/").content.decode()


def test_wrong_password_gets_a_clear_vietnamese_message(officer):
    resp = Client().post("/accounts/login/", {"username": "canbo1", "password": "sai-mat-khau"})
    assert resp.status_code == 200
    assert "không đúng" in resp.content.decode()
    assert AuditEntry.objects.filter(action="login_failed", object_repr="canbo1").exists()


def test_repeated_failures_lock_the_account_even_for_the_right_password(officer, settings):
    c = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        c.post("/accounts/login/", {"username": "canbo1", "password": "sai-mat-khau"})
    resp = c.post("/accounts/login/", {"username": "canbo1", "password": PASSWORD})
    assert resp.status_code in (403, 429)
    assert "khóa" in resp.content.decode() or "khoá" in resp.content.decode()
    assert c.get("/home/").status_code == 302  # not signed in


def test_successful_sign_in_is_audited(officer):
    c = Client()
    resp = c.post("/accounts/login/", {"username": "canbo1", "password": PASSWORD})
    assert resp.status_code == 302
    assert AuditEntry.objects.filter(action="login", actor=officer).exists()


def test_weak_password_is_refused_by_the_rules(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("12345678")
    validate_password("mot-mat-khau-du-dai-2026")
