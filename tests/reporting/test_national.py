"""The national view: who may see it, the figures it shows, its exports."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_org, make_user
from ttdn.accounts.models import Role
from ttdn.plans.models import Plan, Task, TaskAgency
from ttdn.reporting.models import (
    KpiDefinition,
    KpiValue,
    ReportCampaign,
    ReportSubmission,
    TaskUpdate,
)
from ttdn.reporting.national import national_table, stats_refresh

TODAY = dt.date.today()
YEAR = TODAY.year
PAST = max(dt.date(YEAR, 1, 1), TODAY - dt.timedelta(days=5))
FUTURE = TODAY + dt.timedelta(days=30)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # province pages are cached for a minute; ids repeat between tests
    yield
    cache.clear()


@pytest.fixture
def world(db):
    north = make_org("Tỉnh Bắc Thử", "province", code="91", short_name="Bắc Thử")
    south = make_org("Tỉnh Nam Thử", "province", code="92", short_name="Nam Thử")
    ubnd = make_org("Ủy ban nhân dân tỉnh Bắc Thử", "peoples_committee", parent=north)
    culture = make_org("Sở Văn hóa, Thể thao và Du lịch", parent=north)
    foreign = make_org("Sở Ngoại vụ", parent=north)
    south_dept = make_org("Sở Ngoại vụ", parent=south)
    plan = Plan.objects.create(
        issuer=ubnd,
        title="Kế hoạch TTĐN",
        number="12/KH-UBND",
        year=YEAR,
        issued_date=dt.date(YEAR, 1, 15),
        status=Plan.Status.PUBLISHED,
    )
    # one done, one open past its due date (overdue), one not started with a future due
    for i, (status, due) in enumerate(
        [("done", PAST), ("in_progress", PAST), ("not_started", FUTURE)]
    ):
        task = Task.objects.create(plan=plan, summary=f"Nhiệm vụ {i}", due=due, status=status)
        TaskAgency.objects.create(
            task=task, role="lead", name_as_written=culture.name, organisation=culture
        )
        TaskUpdate.objects.create(task=task, organisation=culture, narrative="Đã làm.")
    draft = Plan.objects.create(issuer=ubnd, title="Bản nháp", year=YEAR)
    Task.objects.create(plan=draft, summary="Không tính", due=PAST)
    campaign = ReportCampaign.objects.create(
        owner=culture,
        scope=north,
        title="Báo cáo năm",
        year=YEAR,
        period_start=dt.date(YEAR, 1, 1),
        period_end=PAST,
        due=PAST,
    )
    ReportSubmission.objects.create(
        campaign=campaign,
        agency=culture,
        status="submitted",
        submitted_at=timezone.make_aware(
            dt.datetime.combine(PAST - dt.timedelta(days=1), dt.time(9))
        ),
    )
    ReportSubmission.objects.create(campaign=campaign, agency=foreign, status="draft")
    reg = KpiDefinition.objects.get(code="regulation_issued")
    KpiValue.objects.create(
        definition=reg, organisation=north, province=north, year=YEAR, value=Decimal(1)
    )
    KpiValue.objects.create(
        definition=reg, organisation=south, province=south, year=YEAR, value=Decimal(0)
    )
    press = KpiDefinition.objects.get(code="press_conferences")
    KpiValue.objects.create(
        definition=press, organisation=culture, province=north, year=YEAR, value=Decimal(4)
    )
    return {
        "north": north,
        "south": south,
        "culture": culture,
        "south_dept": south_dept,
        "national": make_user(Role.NATIONAL_VIEWER, north),
        "admin": make_user(superuser=True),
        "coordinator": make_user(Role.PROVINCIAL_COORDINATOR, north),
        "officer": make_user(Role.AGENCY_OFFICER, culture),
        "south_officer": make_user(Role.AGENCY_OFFICER, south_dept),
    }


NATIONAL_MATRIX = [
    (None, 302),
    ("officer", 403),
    ("coordinator", 403),
    ("national", 200),
    ("admin", 200),
]


@pytest.mark.parametrize(("who", "expected"), NATIONAL_MATRIX)
@pytest.mark.parametrize("name", ["national:index", "national:xlsx"])
def test_national_pages_permission_matrix(client, world, who, expected, name):
    if who:
        client.force_login(world[who])
    assert client.get(reverse(name)).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("officer", 404), ("south_officer", 404), ("coordinator", 200), ("national", 200)],
)
def test_province_page_is_for_who_may_read_the_province(client, world, who, expected):
    client.force_login(world[who])
    url = reverse("national:province", args=[world["north"].pk])
    assert client.get(url).status_code == expected


def test_table_shows_the_right_counts(world):
    stats_refresh(years=[YEAR])
    table = national_table(year=YEAR)
    rows = {r.province.pk: r for r in table.rows}
    north = rows[world["north"].pk].stats
    assert (north.tasks, north.done, north.overdue, north.not_started) == (3, 1, 1, 1)
    assert north.updates == 3
    assert north.plan_number == "12/KH-UBND"
    assert (north.reports_expected, north.reports_done, north.reports_late) == (2, 1, 1)
    south = rows[world["south"].pk].stats
    assert (south.tasks, south.plan_issued_date, south.reports_expected) == (0, None, 0)
    assert (table.issued_regulation, table.regulation_reporters) == (1, 2)


def test_page_renders_the_table_and_the_regulation_chart(client, world):
    client.force_login(world["national"])
    resp = client.get(reverse("national:index"), {"year": YEAR, "sort": "tasks", "dir": "desc"})
    html = resp.content.decode()
    assert "12/KH-UBND" in html and "Nam Thử" in html
    assert html.index("Bắc Thử") < html.index("Nam Thử")  # sorted by tasks, descending
    assert "<svg" in html and 'style="' not in html
    assert "1/2" in html  # reports submitted / expected
    partial = client.get(
        reverse("national:index"), {"sort": "name"}, headers={"HX-Request": "true"}
    )
    assert b"<html" not in partial.content and b"national-table" in partial.content


def test_missing_summary_rows_are_computed_on_read(world):
    table = national_table(year=YEAR)  # no stats_refresh: computed for the missing provinces
    north = next(r for r in table.rows if r.province.pk == world["north"].pk)
    assert north.stats.tasks == 3


def test_province_page_shows_tasks_campaign_and_kpis(client, world):
    client.force_login(world["national"])
    resp = client.get(reverse("national:province", args=[world["north"].pk]), {"year": YEAR})
    html = resp.content.decode()
    assert "Báo cáo năm" in html and "Sở Ngoại vụ" in html
    assert "12/KH-UBND" in html
    assert html.count('<div class="stat">1</div>') == 2  # done and overdue


def test_xlsx_export_opens(client, world):
    from openpyxl import load_workbook

    client.force_login(world["national"])
    resp = client.get(reverse("national:xlsx"), {"year": YEAR})
    wb = load_workbook(io.BytesIO(resp.content))
    ws = wb.active
    assert ws is not None
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert len(values) == 1 + 2
    north = next(r for r in values if r[0] == "Bắc Thử")
    assert north[1] == "12/KH-UBND" and north[3] == 3


@pytest.mark.skipif(
    importlib.util.find_spec("ttdn.documents") is None,
    reason="ttdn.documents (the DOCX renderer) is not installed in this tree",
)
@pytest.mark.parametrize("national", [True, False])
def test_docx_downloads(client, world, national):
    client.force_login(world["national"])
    url = (
        reverse("national:docx")
        if national
        else reverse("national:province_docx", args=[world["north"].pk])
    )
    resp = client.get(url, {"year": YEAR})
    assert resp.status_code == 200
    assert resp["Content-Type"].endswith("wordprocessingml.document")
    with zipfile.ZipFile(io.BytesIO(resp.content)) as z:
        body = z.read("word/document.xml").decode()
    assert "THÔNG TIN ĐỐI NGOẠI" in body.upper()
