"""Reminders: the right people, at the dated offsets, once; one digest a day, never two."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from tests.factories import make_org, make_user
from ttdn.accounts.models import Role
from ttdn.directory.models import OrganisationFunction
from ttdn.directory.services import SYSTEM, function_assign
from ttdn.plans.models import Plan, Task, TaskAgency
from ttdn.reporting.models import Notification
from ttdn.reporting.notifications import digest_send, occurrences, reminders_run


@pytest.fixture
def setup(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    province = make_org("Tỉnh Nhắc Việc", "province")
    focal = make_org("Sở Văn hóa, Thể thao và Du lịch", parent=province)
    function_assign(
        actor=SYSTEM, org=focal, function=OrganisationFunction.Function.FOCAL_TTDN, scope=province
    )
    lead = make_org("Sở Ngoại vụ", parent=province)
    plan = Plan.objects.create(issuer=province, title="KH", year=2026, status=Plan.Status.PUBLISHED)
    task = Task.objects.create(plan=plan, summary="Đón đoàn phóng viên", due=dt.date(2026, 9, 30))
    TaskAgency.objects.create(
        task=task, role="lead", name_as_written="Sở Ngoại vụ", organisation=lead
    )
    yearly = Task.objects.create(
        plan=plan, summary="Báo cáo kết quả", recurrence="FREQ=YEARLY;BYMONTH=11;BYMONTHDAY=14"
    )
    TaskAgency.objects.create(
        task=yearly, role="lead", name_as_written="Sở Ngoại vụ", organisation=lead
    )
    officer = make_user(Role.AGENCY_OFFICER, lead, email="canbo@example.invalid")
    coordinator = make_user(Role.PROVINCIAL_COORDINATOR, province, email="dp@example.invalid")
    coordinator.organisation = focal
    coordinator.save()
    outsider = make_user(Role.AGENCY_OFFICER, make_org("Sở Khác", parent=province))
    return {
        "task": task,
        "yearly": yearly,
        "officer": officer,
        "coordinator": coordinator,
        "outsider": outsider,
    }


def test_reminder_goes_to_lead_and_focal_department_once(setup):
    created = reminders_run(dt.date(2026, 9, 23), offsets=[-7, 0, 3])
    assert created == 2
    assert setup["officer"].notifications.get().kind == Notification.Kind.DUE_SOON
    assert setup["coordinator"].notifications.count() == 1
    assert not setup["outsider"].notifications.exists()
    assert reminders_run(dt.date(2026, 9, 23), offsets=[-7, 0, 3]) == 0  # a re-run adds none


def test_overdue_reminder_and_done_tasks_are_quiet(setup):
    reminders_run(dt.date(2026, 10, 3), offsets=[-7, 0, 3])
    assert setup["officer"].notifications.filter(kind="overdue").count() == 1
    Task.objects.filter(pk=setup["task"].pk).update(status="done")
    assert reminders_run(dt.date(2026, 9, 30), offsets=[0]) == 0


def test_recurring_deadline_produces_its_occurrences(setup):
    got = list(occurrences(setup["yearly"], dt.date(2026, 1, 1), dt.date(2028, 12, 31)))
    assert got == [dt.date(2026, 11, 14), dt.date(2027, 11, 14), dt.date(2028, 11, 14)]
    assert reminders_run(dt.date(2027, 11, 13), offsets=[-1]) == 2


def test_one_digest_a_day_even_if_the_job_runs_twice(setup):
    reminders_run(dt.date(2026, 9, 23), offsets=[-7])
    assert digest_send(dt.date(2026, 9, 23)) == 2
    assert digest_send(dt.date(2026, 9, 23)) == 0
    assert len(mail.outbox) == 2
    assert "Đón đoàn phóng viên" in mail.outbox[0].body
    reminders_run(dt.date(2026, 9, 30), offsets=[0])
    assert digest_send(dt.date(2026, 9, 30)) == 2  # next day, new items, new digest
    assert len(mail.outbox) == 4
