"""Press monitoring in a real browser, in Vietnamese: an officer searches without
diacritics, opens a story, opens a response case from it and sees it on the dashboard."""

from __future__ import annotations

import re

import pytest

from ttdn.core.demo import DEMO_PASSWORD, load_demo
from ttdn.monitoring.demo import load_demo_monitoring
from ttdn.monitoring.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    load_demo(progress=lambda _m: None)
    load_demo_monitoring()


def test_search_story_case_dashboard(demo, live_server, page):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("dieuphoi")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/home/")

    # the press menu, in Vietnamese
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("link", name="Báo chí").click()
    page.wait_for_url("**/monitoring/")

    # search without diacritics: "deo ma pi leng" finds "đèo Mã Pí Lèng"
    page.goto(live_server.url + "/monitoring/items/")
    box = page.get_by_role("searchbox", name="Tìm kiếm")
    box.fill("deo ma pi leng")
    box.press("Enter")
    page.wait_for_function(
        "document.querySelectorAll('ol.stream li[data-item]').length > 0", timeout=15000
    )
    assert "Mã Pí Lèng" in page.locator("ol.stream").inner_text()
    # the searched words are highlighted in the original spelling
    assert page.locator("ol.stream mark").count() > 0

    # open a story that several outlets told
    page.locator('ol.stream a[data-story]:not([data-story-size="1"])').first.click()
    page.wait_for_url(re.compile(r".*/monitoring/stories/\d+/$"))
    story_url = page.url
    assert page.locator("[data-item]").count() >= 2

    # open a response case from the story
    page.locator("a[data-open-case]").click()
    page.wait_for_url(re.compile(r".*/monitoring/cases/new/.*"))
    title = page.locator("input[name=title]").input_value()
    assert title  # prefilled from the story
    page.get_by_role("button", name="Mở vụ việc").click()
    page.wait_for_url(re.compile(r".*/monitoring/cases/\d+/$"))
    case = Case.objects.get(title=title)
    assert case.cluster_id and str(case.cluster_id) in story_url

    # the dashboard shows it, in Vietnamese
    page.goto(live_server.url + "/monitoring/")
    block = page.locator("[data-case-summary]")
    assert block.locator(f"[data-case='{case.pk}']").count() == 1
    assert "Xử lý thông tin" in page.content()
    assert page.locator("svg").count() >= 2  # volume and topic charts
    assert page.evaluate("document.documentElement.lang") == "vi"
    assert page.console_errors == []
