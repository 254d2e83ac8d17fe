"""Execution and reporting rules: who may report, lost updates refused, late and
reopened campaigns, KPI aggregation with completeness, dated legal parameters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_org, make_user
from ttdn.accounts.models import Role
from ttdn.plans.models import Plan, Task, TaskAgency
from ttdn.reporting.models import KpiDefinition, LegalParameter, ReportSubmission
from ttdn.reporting.selectors import completeness, kpi_by_province, kpi_national
from ttdn.reporting.services import (
    ConcurrentEditError,
    campaign_open,
    campaign_set_status,
    kpi_set,
    legal_parameter,
    submission_review,
    submission_save,
    submission_submit,
    task_update_add,
)


@pytest.fixture
def world(db):
    province = make_org("Tỉnh Báo Cáo", "province")
    culture = make_org("Sở Văn hóa, Thể thao và Du lịch", parent=province)
    foreign = make_org("Sở Ngoại vụ", parent=province)
    police = make_org("Công an tỉnh", parent=province)
    plan = Plan.objects.create(
        issuer=province, title="Kế hoạch 2026", year=2026, status=Plan.Status.PUBLISHED
    )
    task = Task.objects.create(
        plan=plan, summary="Đón đoàn phóng viên nước ngoài", due=dt.date(2026, 9, 30)
    )
    TaskAgency.objects.create(
        task=task, role="lead", name_as_written="Sở Ngoại vụ", organisation=foreign
    )
    TaskAgency.objects.create(
        task=task, role="coordinating", name_as_written="Công an tỉnh", organisation=police
    )
    return {
        "province": province,
        "culture": culture,
        "foreign": foreign,
        "police": police,
        "task": task,
        "coordinator": make_user(Role.PROVINCIAL_COORDINATOR, province),
        "foreign_officer": make_user(Role.AGENCY_OFFICER, foreign),
        "police_officer": make_user(Role.AGENCY_OFFICER, police),
        "culture_officer": make_user(Role.AGENCY_OFFICER, culture),
    }


def test_lead_update_moves_the_status_and_a_contribution_does_not(world):
    task = world["task"]
    task_update_add(
        actor=world["police_officer"],
        task=task,
        organisation=world["police"],
        narrative="Bảo đảm an ninh cho đoàn",
        status="done",
    )
    task.refresh_from_db()
    assert task.status == Task.Status.NOT_STARTED
    task_update_add(
        actor=world["foreign_officer"],
        task=task,
        organisation=world["foreign"],
        narrative="Đã đón đoàn 12 phóng viên",
        status="done",
        progress=100,
        figures={"foreign_reporters": 1},
    )
    task.refresh_from_db()
    assert task.status == Task.Status.DONE


def test_an_agency_not_on_the_task_cannot_report_on_it(world):
    with pytest.raises(PermissionDenied):
        task_update_add(
            actor=world["culture_officer"],
            task=world["task"],
            organisation=world["culture"],
            narrative="x",
        )
    with pytest.raises(PermissionDenied):  # nor report in another agency's name
        task_update_add(
            actor=world["culture_officer"],
            task=world["task"],
            organisation=world["foreign"],
            narrative="x",
        )


def _campaign(world, due=dt.date(2026, 11, 14)):
    return campaign_open(
        actor=world["coordinator"],
        owner=world["culture"],
        scope=world["province"],
        title="Báo cáo kết quả công tác TTĐN năm 2026",
        year=2026,
        due=due,
        agencies=[world["foreign"], world["police"]],
    )


def test_two_people_editing_the_same_report_lose_nothing(world):
    campaign = _campaign(world)
    sub = campaign.submissions.get(agency=world["foreign"])
    first = ReportSubmission.objects.get(pk=sub.pk)
    second = ReportSubmission.objects.get(pk=sub.pk)
    submission_save(
        actor=world["foreign_officer"],
        submission=first,
        expected_version=first.version,
        narrative="Bản của người thứ nhất",
    )
    with pytest.raises(ConcurrentEditError) as err:
        submission_save(
            actor=world["foreign_officer"],
            submission=second,
            expected_version=second.version,
            narrative="Bản của người thứ hai",
        )
    assert "reload" in err.value.message or "tải lại" in err.value.message
    sub.refresh_from_db()
    assert sub.narrative == "Bản của người thứ nhất"


def test_late_submission_is_accepted_but_flagged(world):
    campaign = _campaign(world, due=dt.date(2020, 1, 1))
    sub = campaign.submissions.get(agency=world["foreign"])
    sub = submission_save(
        actor=world["foreign_officer"],
        submission=sub,
        expected_version=sub.version,
        narrative="Kết quả",
    )
    sub = submission_submit(
        actor=world["foreign_officer"], submission=sub, expected_version=sub.version
    )
    assert sub.status == ReportSubmission.Status.SUBMITTED and sub.is_late
    counts = completeness(campaign)
    assert counts["done"] == 1 and counts["total"] == 2 and counts["late"] == 2


def test_closed_campaign_refuses_then_reopened_accepts(world):
    campaign = _campaign(world)
    sub = campaign.submissions.get(agency=world["police"])
    campaign_set_status(actor=world["coordinator"], campaign=campaign, status="closed")
    sub.refresh_from_db()
    with pytest.raises(ValidationError):
        submission_save(
            actor=world["police_officer"],
            submission=sub,
            expected_version=sub.version,
            narrative="Muộn",
        )
    campaign_set_status(actor=world["coordinator"], campaign=campaign, status="open")
    sub.refresh_from_db()
    submission_save(
        actor=world["police_officer"],
        submission=sub,
        expected_version=sub.version,
        narrative="Muộn nhưng có",
    )


def test_returned_report_notifies_and_can_be_resubmitted(world):
    campaign = _campaign(world)
    sub = campaign.submissions.get(agency=world["foreign"])
    sub = submission_save(
        actor=world["foreign_officer"],
        submission=sub,
        expected_version=sub.version,
        narrative="Kết quả sơ bộ",
    )
    sub = submission_submit(
        actor=world["foreign_officer"], submission=sub, expected_version=sub.version
    )
    with pytest.raises(ValidationError):
        submission_review(actor=world["coordinator"], submission=sub, accept=False)
    sub = submission_review(
        actor=world["coordinator"], submission=sub, accept=False, reason="Thiếu số liệu đoàn vào"
    )
    assert world["foreign_officer"].notifications.filter(kind="returned").count() == 1
    sub = submission_save(
        actor=world["foreign_officer"],
        submission=sub,
        expected_version=sub.version,
        narrative="Đã bổ sung số liệu",
    )
    assert sub.status == ReportSubmission.Status.DRAFT


def test_officer_cannot_review_or_write_other_agency_report(world):
    campaign = _campaign(world)
    sub = campaign.submissions.get(agency=world["foreign"])
    with pytest.raises(PermissionDenied):
        submission_save(
            actor=world["police_officer"],
            submission=sub,
            expected_version=sub.version,
            narrative="x",
        )


def test_kpis_aggregate_up_the_tree_with_completeness(world):
    press = KpiDefinition.objects.get(code="press_conferences")
    regulation = KpiDefinition.objects.get(code="regulation_issued")
    other = make_org("Tỉnh Khác", "province")
    kpi_set(actor="system", definition=press, organisation=world["foreign"], year=2026, value=3)
    kpi_set(actor="system", definition=press, organisation=world["police"], year=2026, value=2)
    kpi_set(
        actor="system", definition=regulation, organisation=world["province"], year=2026, value=1
    )
    kpi_set(actor="system", definition=regulation, organisation=other, year=2026, value=0)
    per_province = kpi_by_province(press, 2026)
    assert per_province[world["province"].pk].value == Decimal(5)
    assert per_province[world["province"].pk].reporters == 2
    national = kpi_national(regulation, 2026, provinces=34)
    assert national.value == 1 and national.reporters == 2 and national.expected == 34
    with pytest.raises(ValidationError):
        kpi_set(actor="system", definition=regulation, organisation=other, year=2026, value=7)
    # re-entering replaces, never doubles
    kpi_set(actor="system", definition=press, organisation=world["police"], year=2026, value=4)
    assert kpi_by_province(press, 2026)[world["province"].pk].value == Decimal(7)


def test_legal_parameters_are_dated(db):
    LegalParameter.objects.filter(code="annual_report_due").update(valid_to=dt.date(2026, 12, 31))
    LegalParameter.objects.create(
        code="annual_report_due",
        name="Hạn mới",
        value="11-30",
        valid_from=dt.date(2027, 1, 1),
        legal_basis="Nghị định 148/2026/NĐ-CP (giả định thử)",
    )
    assert legal_parameter("annual_report_due", dt.date(2026, 6, 1)) == "11-15"
    assert legal_parameter("annual_report_due", dt.date(2027, 6, 1)) == "11-30"


def test_kpis_are_computed_from_progress_figures_without_overwriting_entries(world):
    from ttdn.reporting.models import KpiValue
    from ttdn.reporting.services import kpi_compute

    task = world["task"]
    task_update_add(
        actor=world["foreign_officer"],
        task=task,
        organisation=world["foreign"],
        narrative="Đón đoàn thứ nhất",
        figures={"foreign_reporters": 1},
        happened_on=dt.date(2026, 4, 2),
    )
    task_update_add(
        actor=world["foreign_officer"],
        task=task,
        organisation=world["foreign"],
        narrative="Đón đoàn thứ hai",
        figures={"foreign_reporters": 2},
        happened_on=dt.date(2026, 9, 2),
    )
    task_update_add(
        actor=world["foreign_officer"],
        task=task,
        organisation=world["foreign"],
        narrative="Năm khác",
        figures={"foreign_reporters": 5},
        happened_on=dt.date(2025, 9, 2),
    )
    kpi_compute(year=2026)
    value = KpiValue.objects.get(
        definition__code="foreign_reporters", organisation=world["foreign"], year=2026
    )
    assert value.value == 3 and value.source == "computed"
    issued = KpiValue.objects.get(
        definition__code="plan_issued", organisation=world["province"], year=2026
    )
    assert issued.value == 1
    assert kpi_compute(year=2026)["computed"] == 0  # nothing changes on a re-run
    kpi_set(
        actor="system",
        definition=value.definition,
        organisation=world["foreign"],
        year=2026,
        value=4,
    )
    assert kpi_compute(year=2026)["kept_entered"] >= 1
    value.refresh_from_db()
    assert value.value == 4 and value.source == "entered"
