"""The national dataset generator on a tiny scale: consistent data, counts as asked, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from ttdn.audit.models import AuditEntry
from ttdn.directory.models import Organisation, OrganisationKind
from ttdn.plans.models import Plan, Task, TaskAgency
from ttdn.reporting.generate import (
    GENERATED_MARK,
    AlreadyGenerated,
    Options,
    generate_national,
    reset_generated,
)
from ttdn.reporting.models import (
    KpiValue,
    ProvinceYearStats,
    ReportCampaign,
    ReportSubmission,
    TaskUpdate,
)

TODAY = dt.date(2026, 11, 23)
TINY = Options(provinces=2, agencies=3, tasks=5, years=1, first_year=2026, today=TODAY, seed=7)


@pytest.fixture
def generated(db):
    return generate_national(TINY)


def _generated_tasks():
    return Task.objects.filter(plan__source_text__startswith=GENERATED_MARK)


def test_counts_are_as_asked(generated):
    assert generated.counts["provinces"] == 2
    assert Plan.objects.filter(source_text__startswith=GENERATED_MARK).count() == 2
    assert _generated_tasks().count() == 2 * 3 * 5
    assert ReportCampaign.objects.filter(instructions__startswith=GENERATED_MARK).count() == 2
    assert ReportSubmission.objects.count() == 2 * 3
    assert generated.counts["tasks"] == 30
    assert generated.counts["task_updates"] == TaskUpdate.objects.count()


def test_every_task_has_exactly_one_lead_from_its_province(generated):
    for task in _generated_tasks().select_related("plan__issuer"):
        leads = [a for a in task.agencies.all() if a.role == TaskAgency.Role.LEAD]
        assert len(leads) == 1
        assert leads[0].organisation is not None
        province_path = "/" + task.plan.issuer.path.strip("/").split("/")[0] + "/"
        assert leads[0].organisation.path.startswith(province_path)


def test_statuses_are_consistent_with_dates(generated):
    for task in _generated_tasks():
        assert task.due is not None
        if task.due >= TODAY:
            assert task.status != Task.Status.OVERDUE
        else:
            assert task.status in {Task.Status.DONE, Task.Status.OVERDUE, Task.Status.CANCELLED}
        updates = list(task.updates.order_by("happened_on", "id"))
        if task.status == Task.Status.NOT_STARTED:
            assert updates == []
            continue
        assert len(updates) == TINY.updates_per_task
        assert all(u.happened_on <= TODAY for u in updates)
        lead_updates = [u for u in updates if u.is_lead]
        assert lead_updates and lead_updates[-1].status == task.status
        if task.status == Task.Status.DONE:
            assert lead_updates[-1].progress == 100


def test_agencies_are_topped_up_to_the_requested_number(db):
    result = generate_national(
        Options(provinces=1, agencies=45, tasks=1, years=1, first_year=2026, today=TODAY)
    )
    assert result.counts["agencies"] == 45
    assert result.counts["agencies_generated"] > 0
    assert (
        Organisation.objects.filter(notes=GENERATED_MARK).count()
        == (result.counts["agencies_generated"])
    )


def test_province_kpis_and_stats_are_written(generated):
    provinces = Organisation.objects.filter(kind=OrganisationKind.PROVINCE, valid_to=None)
    reg = KpiValue.objects.filter(definition__code="regulation_issued", year=2026)
    assert reg.count() == 2
    assert set(reg.values_list("province_id", flat=True)) <= set(
        provinces.values_list("pk", flat=True)
    )
    with_plan = ProvinceYearStats.objects.filter(year=2026).exclude(plan=None)
    assert with_plan.count() == 2
    assert sum(s.tasks for s in with_plan) == 30


def test_one_summary_audit_row_for_the_load(generated):
    rows = AuditEntry.objects.filter(object_type="plans.plan", action="import")
    assert rows.count() == 1
    assert rows.get().changes["tasks"] == 30


def test_second_run_is_refused_without_reset(generated):
    with pytest.raises(AlreadyGenerated):
        generate_national(TINY)
    with pytest.raises(CommandError):
        call_command("demo_national", "--provinces=2", "--agencies=3", "--tasks=5", "--years=1")


def test_reset_deletes_generated_data_only(generated, province):
    mine = Plan.objects.create(issuer=province, title="Kế hoạch của người dùng", year=2026)
    deleted = reset_generated()
    assert deleted["tasks"] == 30
    assert not Plan.objects.filter(source_text__startswith=GENERATED_MARK).exists()
    assert not TaskUpdate.objects.exists()
    assert not ReportCampaign.objects.exists()
    assert Plan.objects.filter(pk=mine.pk).exists()
    call_command(
        "demo_national",
        "--provinces=2",
        "--agencies=3",
        "--tasks=5",
        "--years=1",
        "--first-year=2026",
        "--today=2026-11-23",
        "--reset",
    )
    assert _generated_tasks().count() == 30
