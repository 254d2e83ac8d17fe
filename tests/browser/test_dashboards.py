"""Dashboards in a real browser on a phone-sized screen: charts drawn, nothing cut off."""

from __future__ import annotations

import pytest

from ttdn.core.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    return load_demo(progress=lambda _m: None)


def _phone(browser):
    return browser.new_context(
        locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )


def _sign_in(page, url, username):
    page.goto(url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/home/")


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_province_dashboard_on_a_phone(demo, live_server, browser):
    context = _phone(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _sign_in(page, live_server.url, "dieuphoi")
    page.goto(live_server.url + "/reporting/province/")
    assert "Tuyên Quang" in page.locator("h1").inner_text()
    assert page.locator("svg").count() >= 2  # completion by agency and the overdue trend
    assert page.locator("svg rect").count() > 0
    assert "Báo cáo kết quả công tác thông tin đối ngoại" in page.content()
    assert _fits_the_screen(page)
    # the menu folds behind a button on a phone and opens on a tap
    toggle = page.get_by_role("button", name="Menu")
    assert toggle.is_visible()
    toggle.click()
    assert (
        page.get_by_role("navigation", name="Điều hướng chính")
        .get_by_role("link", name="Danh bạ")
        .is_visible()
    )
    assert errors == []
    context.close()


def test_national_view_on_a_phone(demo, live_server, browser):
    context = _phone(browser)
    page = context.new_page()
    _sign_in(page, live_server.url, "trunguong")
    page.goto(live_server.url + "/national/")
    assert page.locator("table tbody tr").count() == 34
    assert "Tuyên Quang" in page.locator("table").inner_text()
    assert page.locator("svg").count() >= 1
    assert _fits_the_screen(page)  # the wide table scrolls inside its box
    context.close()
