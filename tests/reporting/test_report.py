"""The provincial report: DOCX and XLSX downloads, content, and generation time."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from tests.factories import make_org, make_user
from tests.reporting.test_views import YEAR, build_world, client_for, open_campaign
from ttdn.accounts.models import Role
from ttdn.directory.models import OrganisationFunction
from ttdn.plans.models import Plan, Task, TaskAgency
from ttdn.reporting.models import KpiDefinition, KpiValue, ReportSubmission
from ttdn.reporting.report import build_provincial_report
from ttdn.reporting.services import (
    kpi_set,
    submission_prefill,
    submission_save,
    submission_submit,
    task_update_add,
)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


def _submit(w, campaign, agency, officer, narrative, difficulties="", proposals=""):
    sub = campaign.submissions.get(agency=agency)
    sub = submission_save(
        actor=officer,
        submission=sub,
        expected_version=sub.version,
        narrative=narrative,
        difficulties=difficulties,
        proposals=proposals,
        task_results=submission_prefill(sub),
    )
    return submission_submit(actor=officer, submission=sub, expected_version=sub.version)


def test_report_docx_download_has_title_and_kpi_table(world):
    task_update_add(
        actor=world["foreign_officer"],
        task=world["task"],
        organisation=world["foreign"],
        narrative="Đón 3 đoàn phóng viên Nhật Bản, Hàn Quốc",
        status="done",
        progress=100,
    )
    campaign = open_campaign(world)
    kpi = KpiDefinition.objects.get(code="press_conferences")
    kpi_set(
        actor=world["foreign_officer"],
        definition=kpi,
        organisation=world["foreign"],
        year=YEAR,
        value=7,
    )
    _submit(
        world,
        campaign,
        world["foreign"],
        world["foreign_officer"],
        "Sở Ngoại vụ đã hoàn thành các nhiệm vụ.",
        difficulties="Thiếu phiên dịch tiếng Hàn",
        proposals="Tăng biên chế",
    )
    resp = client_for(world["coordinator"]).get(
        reverse("reporting:campaign_report", args=[campaign.pk, "docx"])
    )
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert "attachment" in resp["Content-Disposition"]
    doc = Document(io.BytesIO(resp.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    everything = text + "\n" + "\n".join(cells)
    assert f"công tác thông tin đối ngoại năm {YEAR}" in everything
    assert "BÁO CÁO" in everything.upper()
    assert "Sở Ngoại vụ đã hoàn thành các nhiệm vụ." in everything
    assert "Thiếu phiên dịch tiếng Hàn" in everything
    assert "Thường trực Tỉnh ủy" in everything
    kpi_tables = [
        t for t in doc.tables if t.rows and "Chỉ tiêu" in [c.text for c in t.rows[0].cells]
    ]
    assert kpi_tables, "a KPI table"
    row = [c.text for c in kpi_tables[0].rows[1].cells]
    assert kpi.name in row and "7" in row
    assert any("1/3" in c for c in row)  # completeness: one of three agencies reported
    task_tables = [
        t for t in doc.tables if t.rows and "Nhiệm vụ" in [c.text for c in t.rows[0].cells]
    ]
    assert any("Đón 3 đoàn phóng viên" in c.text for r in task_tables[0].rows for c in r.cells)
    assert doc.inline_shapes, "the chart of tasks done by agency"


def test_report_xlsx_annex_opens_with_openpyxl(world):
    campaign = open_campaign(world)
    _submit(world, campaign, world["foreign"], world["foreign_officer"], "Kết quả")
    resp = client_for(world["coordinator"]).get(
        reverse("reporting:campaign_report", args=[campaign.pk, "xlsx"])
    )
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.content))
    assert len(wb.sheetnames) == 2
    values = [c for row in wb.worksheets[0].iter_rows(values_only=True) for c in row if c]
    assert "Đón đoàn phóng viên nước ngoài" in values
    assert "Xuất bản ấn phẩm song ngữ" in values


def test_focal_department_issues_report_to_the_committee(world):
    focal = world["culture"]
    OrganisationFunction.objects.create(
        organisation=focal,
        function=OrganisationFunction.Function.FOCAL_TTDN,
        scope=world["province"],
    )
    campaign = open_campaign(world, owner=focal)
    doc = build_provincial_report(campaign)
    assert doc.issuer == focal.name.upper()
    assert doc.issuer_parent and "TỈNH BÁO CÁO" in doc.issuer_parent
    assert doc.symbol == "BC-SVHTTDL"
    assert doc.signer_authority == ["GIÁM ĐỐC"]
    committee = build_provincial_report(open_campaign(world))
    assert committee.issuer_parent is None
    assert "ỦY BAN NHÂN DÂN" in committee.issuer
    assert committee.recipients[0].startswith("Bộ Văn hóa, Thể thao và Du lịch")


def test_generation_under_five_seconds_for_40_agencies_and_60_tasks(db):
    """A provincial plan of 60 tasks; each of 40 agencies leads some and coordinates on the
    rest, so every agency's report has 60 result lines (2,400 lines in all)."""
    province = make_org("Tỉnh Lớn", "province", code="96")
    committee = make_org("UBND tỉnh Lớn", "peoples_committee", parent=province)
    coordinator = make_user(Role.PROVINCIAL_COORDINATOR, province)
    agencies = [make_org(f"Sở số {i:02d}", parent=province) for i in range(40)]
    plan = Plan.objects.create(
        issuer=committee, title="KH", year=YEAR, status=Plan.Status.PUBLISHED
    )
    tasks = Task.objects.bulk_create(
        [
            Task(
                plan=plan,
                summary=f"Nhiệm vụ số {i} về thông tin đối ngoại",
                due=dt.date(YEAR, 6, 1),
                position=i,
            )
            for i in range(60)
        ]
    )
    TaskAgency.objects.bulk_create(
        [
            TaskAgency(
                task=t,
                role="lead" if j == i % 40 else "coordinating",
                name_as_written=a.name,
                organisation=a,
            )
            for i, t in enumerate(tasks)
            for j, a in enumerate(agencies)
        ]
    )
    campaign = open_campaign(
        {"coordinator": coordinator, "committee": committee, "province": province},
        agencies=agencies,
    )
    kpi = KpiDefinition.objects.get(code="press_conferences")
    now = timezone.now()
    for sub in campaign.submissions.select_related("agency", "campaign__scope"):
        lines = submission_prefill(sub)
        assert len(lines) == 60
        for ln in lines:
            ln["result"] = "Đã hoàn thành đúng kế hoạch, " * 4
            ln["status"] = "done"
        ReportSubmission.objects.filter(pk=sub.pk).update(
            status="submitted",
            submitted_at=now,
            narrative="Kết quả nổi bật của đơn vị.\nĐoạn thứ hai.",
            difficulties="Khó khăn",
            proposals="Đề xuất",
            task_results=lines,
        )
        KpiValue.objects.create(
            definition=kpi, organisation=sub.agency, province=province, year=YEAR, value=3
        )
    from ttdn.reporting.report import render_report_docx, render_report_xlsx

    start = time.perf_counter()
    body = render_report_docx(campaign)
    elapsed = time.perf_counter() - start
    assert len(body) > 10000
    assert elapsed < 5, f"DOCX took {elapsed:.2f}s"
    start = time.perf_counter()
    render_report_xlsx(campaign)
    assert time.perf_counter() - start < 5
