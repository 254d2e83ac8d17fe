"""Security headers and CSRF on every page."""

from __future__ import annotations

from django.test import Client


def test_pages_carry_a_strict_content_security_policy(db):
    resp = Client().get("/accounts/login/")
    csp = resp["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert resp["X-Frame-Options"] == "DENY"
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in resp.content.decode()  # no inline scripts to allow


def test_forms_refuse_posts_without_the_csrf_token(db):
    c = Client(enforce_csrf_checks=True)
    resp = c.post("/accounts/login/", {"username": "x", "password": "y"})
    assert resp.status_code == 403


def test_health_check_answers(db):
    assert Client().get("/health/").json() == {"status": "ok"}
