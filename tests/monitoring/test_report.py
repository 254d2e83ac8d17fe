"""The leaders' press report: the .docx in the Decree 30 layout with the province and the
period in its title, figures equal to the items of the period, charts, the negative items,
the response cases; the form and the download, scoped to the user's provinces."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from tests.factories import make_user
from tests.monitoring.test_api import build_press_world, make_cluster, make_item
from ttdn.accounts.models import Role
from ttdn.directory.models import OrganisationFunction
from ttdn.documents.docx import render_docx
from ttdn.monitoring.models import Case
from ttdn.monitoring.report import DOCX_CONTENT_TYPE, load_press_data, press_report

START, END = dt.date(2025, 3, 1), dt.date(2025, 3, 31)
PLACE = ("Thử Báo",)


def at(day: int, month: int = 3, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2025, month, day, hour, 0))


@pytest.fixture
def world(db):
    w = build_press_world()
    story = make_cluster("Lễ hội Thành Tuyên 2025", at(5))
    w["story"] = story
    w["items"] = [
        make_item(
            w["source"],
            "Khai mạc Lễ hội Thành Tuyên",
            when=at(5),
            topics=("du_lich_van_hoa",),
            provinces=PLACE,
            sentiment="positive",
            cluster=story,
        ),
        make_item(
            w["foreign_source"],
            "Thanh Tuyen lantern festival",
            when=at(6),
            lang="en",
            topics=("du_lich_van_hoa", "dau_tu_kinh_te"),
            provinces=PLACE,
            sentiment="positive",
            cluster=story,
        ),
        make_item(
            w["source"],
            "Khởi công khu công nghiệp",
            when=at(12),
            topics=("dau_tu_kinh_te",),
            provinces=PLACE,
        ),
        make_item(
            w["source"],
            "Sạt lở đất gây thiệt hại",
            when=at(20),
            topics=("su_co_tieu_cuc", "du_lich_van_hoa"),
            provinces=PLACE,
            sentiment="negative",
        ),
        make_item(w["source"], "Tin chưa phân loại", when=at(31, hour=20), provinces=PLACE),
    ]
    # not counted: before the period (the previous period), about another province, and
    # from a source of another province the coordinator does not read
    make_item(w["source"], "Tin tháng Hai", when=at(20, month=2), provinces=PLACE)
    make_item(w["source"], "Tin về tỉnh khác", when=at(8), provinces=("Khác Báo",))
    make_item(
        w["other_source"], "Tin của tỉnh khác", when=at(8), provinces=PLACE, sentiment="negative"
    )
    return w


def docx_text(body: bytes) -> tuple[Any, str]:
    doc = Document(io.BytesIO(body))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return doc, "\n".join(parts)


def table_with(doc: Any, header: list[str]) -> list[list[str]]:
    for table in doc.tables:
        rows = [[c.text.strip() for c in row.cells] for row in table.rows]
        if rows and rows[0] == header:
            return rows[1:]
    raise AssertionError(f"no table {header}")


def render(user, start=START, end=END, owner=None) -> tuple[Any, str]:
    return docx_text(render_docx(press_report(user, start, end, owner=owner)))


def test_report_title_issuer_and_overview(world):
    _doc, text = render(world["coordinator"], owner=world["province"])
    assert (
        "Tổng hợp dư luận báo chí trong nước và nước ngoài về tỉnh Thử Báo, "
        "từ ngày 01/03/2025 đến ngày 31/03/2025"
    ) in text
    # issued by the focal department under the People's Committee
    assert "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH" in text
    assert "/BC-SVHTTDL" in text
    assert "Thử Báo, ngày" in text
    assert "**" not in text
    assert "5 tin, bài" in text
    assert "Báo chí trong nước: 4 tin, bài (80%)" in text
    assert "Báo chí nước ngoài: 1 tin, bài (20%)" in text
    assert "tiếng Việt: 4; tiếng Anh: 1" in text
    # previous period of the same length (29/01–28/02): one item, so +400%
    assert "So với kỳ trước (từ ngày 29/01/2025 đến ngày 28/02/2025: 1 tin, bài): tăng 400%" in text
    assert "Nơi nhận" in text
    assert "VI. ĐỀ XUẤT, KIẾN NGHỊ" in text


def test_topic_table_equals_the_items_of_the_period(world):
    doc, _text = render(world["coordinator"], owner=world["province"])
    rows = table_with(doc, ["STT", "Chủ đề", "Số tin, bài", "Tỷ lệ"])
    from ttdn.monitoring.models import Topic

    name = dict(Topic.objects.values_list("code", "name_vi"))  # the taxonomy is data
    counts = {n: int(c) for _i, n, c, _pct in rows}
    items = world["items"]
    expected = {
        name["du_lich_van_hoa"]: sum("du_lich_van_hoa" in i.topics for i in items),
        name["dau_tu_kinh_te"]: sum("dau_tu_kinh_te" in i.topics for i in items),
        name["su_co_tieu_cuc"]: sum("su_co_tieu_cuc" in i.topics for i in items),
        "Chưa phân loại": sum(not i.topics for i in items),
    }
    assert counts == expected
    assert sorted(expected.values()) == [1, 1, 2, 3]
    assert [r[0] for r in rows] == ["1", "2", "3", "4"]


def test_sentiment_table_negative_items_and_charts(world):
    doc, _text = render(world["coordinator"], owner=world["province"])
    sentiment = table_with(doc, ["STT", "Xu hướng", "Số tin, bài", "Tỷ lệ"])
    assert [(r[1], r[2]) for r in sentiment] == [
        ("Tích cực", "2"),
        ("Trung lập", "2"),
        ("Tiêu cực", "1"),
    ]
    negative = table_with(doc, ["STT", "Tiêu đề", "Cơ quan báo chí", "Ngày đăng", "Đường dẫn"])
    neg_item = world["items"][3]
    assert negative == [["1", neg_item.title, "Báo Thử Báo", "20/03/2025", neg_item.url]]
    # volume per day, topics and sentiment charts
    assert len(doc.inline_shapes) >= 3


def test_top_stories_list_outlets_and_languages(world):
    doc, _text = render(world["coordinator"], owner=world["province"])
    stories = table_with(
        doc, ["STT", "Sự kiện, vấn đề", "Số tin, bài", "Cơ quan báo chí", "Ngôn ngữ"]
    )
    assert stories[0] == [
        "1",
        "Lễ hội Thành Tuyên 2025",
        "2",
        "Báo Thử Báo, Xinhua",
        "tiếng Anh, tiếng Việt",
    ]


def test_response_cases_of_the_period(world):
    case = Case.objects.create(
        title="Tin sai về sạt lở",
        owner=world["focal"],
        item=world["items"][3],
        status=Case.Status.CLOSED,
        outcome=Case.Outcome.REFUTED,
    )
    Case.objects.filter(pk=case.pk).update(opened_at=at(20, hour=10), closed_at=at(21, hour=4))
    Case.objects.create(title="Vụ việc của tỉnh khác", owner=world["other_dept"])
    doc, text = render(world["coordinator"], owner=world["province"])
    rows = table_with(
        doc, ["STT", "Vụ việc", "Ngày tiếp nhận", "Tình trạng", "Kết quả", "Thời gian xử lý"]
    )
    assert rows == [
        ["1", "Tin sai về sạt lở", "20/03/2025", "Đã kết thúc", "Đã phản bác", "18 giờ"]
    ]
    assert "Vụ việc của tỉnh khác" not in text


def test_empty_period_says_so_instead_of_empty_tables(world):
    start, end = dt.date(2024, 1, 1), dt.date(2024, 1, 31)
    doc, text = render(world["coordinator"], start, end, owner=world["province"])
    assert "không ghi nhận tin, bài nào về tỉnh Thử Báo" in text
    assert "từ ngày 01/01/2024 đến ngày 31/01/2024" in text
    headers = [[c.text.strip() for c in t.rows[0].cells] for t in doc.tables]
    assert not any("Chủ đề" in h or "Xu hướng" in h for h in headers)
    assert len(doc.inline_shapes) == 0


def test_items_are_those_the_user_reads(world):
    # the national viewer also reads the other province's source: one more item, negative
    data = load_press_data(world["national"], world["province"], START, END)
    assert data.total == 6
    assert data.sentiment["negative"] == 2
    assert load_press_data(world["coordinator"], world["province"], START, END).total == 5


def test_without_focal_department_the_committee_issues(world):
    OrganisationFunction.objects.all().delete()
    _doc, text = render(world["coordinator"], owner=world["province"])
    assert "ỦY BAN NHÂN DÂN" in text
    assert "/BC-UBND" in text


def test_owner_none_is_the_users_province(world):
    _doc, text = render(world["focal_officer"], owner=None)
    assert "về tỉnh Thử Báo" in text


# --- the pages ----------------------------------------------------------------------------


def browser(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


CUSTOM = {"period": "custom", "date_from": "2025-03-01", "date_to": "2025-03-31"}


def test_form_shows_the_figures_and_the_download_link(world):
    c = browser(world["coordinator"])
    resp = c.get(reverse("monitoring:report"))
    assert resp.status_code == 200
    resp = c.get(reverse("monitoring:report"), {**CUSTOM, "owner": world["province"].pk})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'data-report-total="5"' in html
    assert 'data-topic="du_lich_van_hoa"' in html
    assert reverse("monitoring:report_docx") in html
    resp = c.get(
        reverse("monitoring:report"), {**CUSTOM, "date_from": "2024-01-01", "date_to": "2024-01-02"}
    )
    assert "data-empty-period" in resp.content.decode()


def test_download_streams_the_docx_with_a_vietnamese_file_name(world):
    resp = browser(world["coordinator"]).get(
        reverse("monitoring:report_docx"), {**CUSTOM, "owner": world["province"].pk}
    )
    assert resp.status_code == 200
    assert resp["Content-Type"] == DOCX_CONTENT_TYPE
    disposition = resp["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "Báo cáo dư luận báo chí Thử Báo 01-03-2025 đến 31-03-2025.docx"
    assert disposition.split('"')[1].isascii()
    _doc, text = docx_text(resp.content)
    assert "từ ngày 01/03/2025 đến ngày 31/03/2025" in text


def test_focal_department_officer_may_report_on_its_province(world):
    c = browser(world["focal_officer"])
    resp = c.get(reverse("monitoring:report_docx"), {**CUSTOM, "owner": world["province"].pk})
    assert resp.status_code == 200


def test_out_of_scope_province_is_not_found(world):
    c = browser(world["other_coordinator"])
    for name in ("monitoring:report", "monitoring:report_docx"):
        resp = c.get(reverse(name), {**CUSTOM, "owner": world["province"].pk})
        assert resp.status_code == 404
        assert c.get(reverse(name), {**CUSTOM, "owner": "abc"}).status_code == 404
    # a user with no province at all
    nobody = browser(make_user(Role.AGENCY_OFFICER, world["ministry"]))
    assert nobody.get(reverse("monitoring:report")).status_code == 404


def test_bad_period_is_a_form_error(world):
    c = browser(world["coordinator"])
    bad = {"period": "custom", "date_from": "2025-03-31", "date_to": "2025-03-01"}
    resp = c.get(reverse("monitoring:report_docx"), {**bad, "owner": world["province"].pk})
    assert resp.status_code == 400
    resp = c.get(reverse("monitoring:report"), {"period": "custom", "owner": world["province"].pk})
    assert resp.status_code == 200
    assert 'class="error"' in resp.content.decode()


def test_this_month_and_last_month(world):
    from ttdn.monitoring.report_views import month_bounds

    assert month_bounds(dt.date(2025, 3, 15)) == (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert month_bounds(dt.date(2025, 3, 15), back=1) == (dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    assert month_bounds(dt.date(2025, 1, 5), back=1) == (
        dt.date(2024, 12, 1),
        dt.date(2024, 12, 31),
    )
    resp = browser(world["coordinator"]).get(
        reverse("monitoring:report_docx"), {"period": "last_month"}
    )
    assert resp.status_code == 200
