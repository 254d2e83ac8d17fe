"""An agency that stopped existing in the 2025 reorganisation keeps its history readable:
its progress updates, its report and the provincial report that cites it."""

from __future__ import annotations

import datetime as dt
import io

from django.test import Client

from tests.factories import make_org, make_user
from ttdn.accounts.models import Role
from ttdn.directory.services import SYSTEM, organisation_end
from ttdn.plans.models import Plan, Task, TaskAgency
from ttdn.reporting.services import (
    campaign_open,
    submission_save,
    submission_submit,
    task_update_add,
)


def test_an_ended_agency_keeps_its_history(db):
    province = make_org("Tỉnh Lịch Sử", "province")
    old = make_org("Sở Thông tin và Truyền thông", parent=province)
    new = make_org("Sở Văn hóa, Thể thao và Du lịch", parent=province)
    plan = Plan.objects.create(
        issuer=province, title="Kế hoạch 2024", year=2024, status=Plan.Status.PUBLISHED
    )
    task = Task.objects.create(
        plan=plan, summary="Tập huấn người phát ngôn", due=dt.date(2024, 6, 30)
    )
    TaskAgency.objects.create(task=task, role="lead", name_as_written="Sở TT&TT", organisation=old)
    task_update_add(
        actor=SYSTEM,
        task=task,
        organisation=old,
        status="done",
        progress=100,
        narrative="Đã tập huấn 60 người năm 2024",
        happened_on=dt.date(2024, 5, 2),
    )
    campaign = campaign_open(
        actor=SYSTEM,
        owner=old,
        scope=province,
        year=2024,
        title="Báo cáo kết quả công tác TTĐN năm 2024",
        due=dt.date(2024, 11, 14),
        agencies=[old],
    )
    sub = campaign.submissions.get()
    sub = submission_save(
        actor=SYSTEM,
        submission=sub,
        expected_version=sub.version,
        narrative="Kết quả năm 2024 của Sở Thông tin",
    )
    submission_submit(actor=SYSTEM, submission=sub, expected_version=sub.version)

    organisation_end(actor=SYSTEM, org=old, last_day=dt.date(2025, 2, 28), successors=[new])

    viewer = make_user(Role.NATIONAL_VIEWER, province)
    c = Client()
    c.force_login(viewer)
    page = c.get(f"/reporting/tasks/{task.pk}/").content.decode()
    assert "Đã tập huấn 60 người năm 2024" in page
    assert "Sở Thông tin và Truyền thông" in page
    assert (
        "Kết quả năm 2024 của Sở Thông tin"
        in c.get(f"/reporting/submissions/{sub.pk}/").content.decode()
    )
    assert (
        "Sở Thông tin và Truyền thông"
        in c.get(f"/reporting/campaigns/{campaign.pk}/").content.decode()
    )
    coordinator = Client()  # the provincial report is the focal department's document
    coordinator.force_login(make_user(Role.PROVINCIAL_COORDINATOR, province))
    docx = coordinator.get(f"/reporting/campaigns/{campaign.pk}/report.docx")
    assert docx.status_code == 200
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "Sở Thông tin và Truyền thông" in text or "60 người" in text
    # and the directory shows who took over
    org_page = c.get(f"/directory/{old.pk}/").content.decode()
    assert "Sở Văn hóa, Thể thao và Du lịch" in org_page
