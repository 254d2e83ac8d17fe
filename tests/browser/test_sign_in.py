"""A person signs in with a demo login and sees the dashboard in Vietnamese."""

from __future__ import annotations

import pytest

from ttdn.core.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    return load_demo(progress=lambda _m: None)


def test_demo_coordinator_signs_in_and_sees_the_vietnamese_dashboard(demo, live_server, page):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Đăng nhập"
    page.get_by_label("Tên đăng nhập").fill("dieuphoi")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/home/")
    assert page.locator("h1").inner_text() == "Bảng điều khiển"
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    assert nav.get_by_role("link", name="Danh bạ").is_visible()
    # the province's focal department after 2025 is shown, from the dated function data
    assert "Sở Văn hóa, Thể thao và Du lịch" in page.content()
    assert page.console_errors == []  # no CSP violations, no script errors


def test_wrong_password_shows_a_vietnamese_error(demo, live_server, page):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("dieuphoi")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    assert page.get_by_role("alert").first.inner_text().count("không đúng") == 1


def test_directory_search_without_accents_on_a_phone(demo, live_server, browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 800})
    pg = context.new_page()
    pg.goto(live_server.url + "/accounts/login/")
    pg.get_by_label("Tên đăng nhập").fill("canbo")
    pg.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    pg.get_by_role("button", name="Đăng nhập").click()
    pg.wait_for_url("**/home/")
    pg.goto(live_server.url + "/directory/?q=so+ngoai+vu")
    rows = pg.locator("#org-rows tbody tr")
    assert rows.count() >= 1
    assert "Sở Ngoại vụ" in rows.first.inner_text()
    context.close()
