"""Reporting pages: task execution with evidence, notifications, campaigns and the
submission form with its lost-update protection, review, permissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_org, make_user
from ttdn.accounts.models import Role
from ttdn.plans.models import Plan, Task, TaskAgency
from ttdn.reporting.models import (
    Evidence,
    KpiDefinition,
    KpiValue,
    Notification,
    ReportCampaign,
    ReportSubmission,
    TaskUpdate,
)
from ttdn.reporting.services import campaign_open, task_update_add

YEAR = dt.date.today().year


def build_world() -> dict[str, Any]:
    """A province with a People's Committee, three agencies, a published plan with two
    tasks (lead: foreign affairs; coordinating: police) and users of every role."""
    province = make_org("Tỉnh Báo Cáo", "province", code="98")
    committee = make_org("Ủy ban nhân dân tỉnh Báo Cáo", "peoples_committee", parent=province)
    culture = make_org("Sở Văn hóa, Thể thao và Du lịch", parent=province)
    foreign = make_org("Sở Ngoại vụ", parent=province)
    police = make_org("Công an tỉnh", parent=province)
    other = make_org("Tỉnh Khác", "province", code="97")
    other_dept = make_org("Sở Ngoại vụ tỉnh Khác", parent=other)
    plan = Plan.objects.create(
        issuer=committee,
        title="Kế hoạch TTĐN",
        year=YEAR,
        status=Plan.Status.PUBLISHED,
    )
    task = Task.objects.create(
        plan=plan,
        summary="Đón đoàn phóng viên nước ngoài",
        due=dt.date(YEAR, 6, 30),
        position=1,
    )
    task2 = Task.objects.create(
        plan=plan, summary="Xuất bản ấn phẩm song ngữ", due=dt.date(YEAR, 9, 30), position=2
    )
    for t in (task, task2):
        TaskAgency.objects.create(
            task=t, role="lead", name_as_written="Sở Ngoại vụ", organisation=foreign
        )
        TaskAgency.objects.create(
            task=t, role="coordinating", name_as_written="Công an tỉnh", organisation=police
        )
    return {
        "province": province,
        "committee": committee,
        "culture": culture,
        "foreign": foreign,
        "police": police,
        "other": other,
        "plan": plan,
        "task": task,
        "task2": task2,
        "coordinator": make_user(Role.PROVINCIAL_COORDINATOR, province),
        "foreign_officer": make_user(Role.AGENCY_OFFICER, foreign),
        "foreign_officer2": make_user(Role.AGENCY_OFFICER, foreign),
        "police_officer": make_user(Role.AGENCY_OFFICER, police),
        "culture_officer": make_user(Role.AGENCY_OFFICER, culture),
        "outsider": make_user(Role.AGENCY_OFFICER, other_dept),
        "other_coordinator": make_user(Role.PROVINCIAL_COORDINATOR, other),
    }


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def open_campaign(w: dict[str, Any], **kw: Any) -> ReportCampaign:
    kpi = KpiDefinition.objects.get(code="press_conferences")
    args: dict[str, Any] = {
        "actor": w["coordinator"],
        "owner": w["committee"],
        "scope": w["province"],
        "title": f"Báo cáo kết quả công tác thông tin đối ngoại năm {YEAR}",
        "year": YEAR,
        "due": dt.date(YEAR, 11, 14),
        "kpis": [kpi],
    }
    if "agencies" not in kw:
        args["agencies"] = [w["foreign"], w["police"], w["culture"]]
    args.update(kw)
    return campaign_open(**args)


# --- Task execution -------------------------------------------------------------------------


def test_lead_adds_update_with_evidence_file_and_it_is_listed(world):
    c = client_for(world["foreign_officer"])
    url = reverse("reporting:task", args=[world["task"].pk])
    photo = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
    resp = c.post(
        url,
        {
            "organisation": world["foreign"].pk,
            "narrative": "Đã đón 12 phóng viên Nhật Bản",
            "status": "done",
            "progress": "100",
            "happened_on": f"{YEAR}-06-20",
            "links": "https://baotinh.vn/bai-1\nhttps://baotinh.vn/bai-2",
            "kpi_foreign_reporters": "1",
            "files": [photo],
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    update = TaskUpdate.objects.get(task=world["task"])
    assert update.links == ["https://baotinh.vn/bai-1", "https://baotinh.vn/bai-2"]
    assert update.figures == {"foreign_reporters": 1.0}
    ev = Evidence.objects.get(update=update)
    assert ev.name == "bien-ban.pdf"
    assert ev.file.read() == b"%PDF-1.4 minutes"
    world["task"].refresh_from_db()
    assert world["task"].status == Task.Status.DONE
    page = c.get(url).content.decode()
    assert "Đã đón 12 phóng viên Nhật Bản" in page
    assert "bien-ban.pdf" in page
    download = c.get(reverse("reporting:evidence", args=[ev.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 minutes"


def test_coordinating_agency_update_does_not_change_status(world):
    c = client_for(world["police_officer"])
    url = reverse("reporting:task", args=[world["task"].pk])
    page = c.get(url).content.decode()
    assert 'name="status"' not in page  # the status field is only offered to the lead
    resp = c.post(
        url,
        {
            "organisation": world["police"].pk,
            "narrative": "Bảo đảm an ninh cho đoàn",
            "status": "done",
            "happened_on": f"{YEAR}-06-20",
        },
    )
    assert resp.status_code == 302
    world["task"].refresh_from_db()
    assert world["task"].status == Task.Status.NOT_STARTED
    update = TaskUpdate.objects.get(task=world["task"])
    assert not update.is_lead and update.status == ""


def test_update_errors_are_shown_in_the_form(world):
    c = client_for(world["foreign_officer"])
    resp = c.post(
        reverse("reporting:task", args=[world["task"].pk]),
        {
            "organisation": world["foreign"].pk,
            "narrative": "Đã làm",
            "happened_on": f"{YEAR}-06-20",
            "links": "not a link",
            "progress": "150",
        },
    )
    assert resp.status_code == 400
    page = resp.content.decode()
    assert "not a link" in page
    assert 'class="error"' in page
    assert not TaskUpdate.objects.exists()


def test_outsider_gets_404_on_task_page_and_cannot_post(world):
    c = client_for(world["outsider"])
    url = reverse("reporting:task", args=[world["task"].pk])
    assert c.get(url).status_code == 404
    resp = c.post(url, {"organisation": world["foreign"].pk, "narrative": "x"})
    assert resp.status_code == 404
    assert not TaskUpdate.objects.exists()


def test_unlinked_agency_of_the_same_province_gets_404(world):
    c = client_for(world["culture_officer"])
    assert c.get(reverse("reporting:task", args=[world["task"].pk])).status_code == 404


def test_focal_coordinator_sees_the_task_and_evidence_of_its_province(world):
    update = task_update_add(
        actor=world["foreign_officer"],
        task=world["task"],
        organisation=world["foreign"],
        narrative="Tiến độ 50%",
        progress=50,
    )
    page = client_for(world["coordinator"]).get(reverse("reporting:task", args=[world["task"].pk]))
    assert page.status_code == 200
    assert update.narrative in page.content.decode()


def test_evidence_download_out_of_scope_is_404(world):
    update = task_update_add(
        actor=world["foreign_officer"],
        task=world["task"],
        organisation=world["foreign"],
        narrative="Có ảnh",
    )
    ev = Evidence(update=update, name="a.jpg", size=3)
    ev.file.save("a.jpg", SimpleUploadedFile("a.jpg", b"abc"), save=True)
    resp = client_for(world["outsider"]).get(reverse("reporting:evidence", args=[ev.pk]))
    assert resp.status_code == 404


# --- Notifications --------------------------------------------------------------------------


def _notify(user: Any, key: str) -> Notification:
    return Notification.objects.create(
        user=user, kind=Notification.Kind.DUE_SOON, key=key, message=f"Sắp đến hạn {key}"
    )


def test_notifications_mark_one_and_all_read(world):
    user = world["foreign_officer"]
    a, b, c_ = _notify(user, "a"), _notify(user, "b"), _notify(user, "c")
    theirs = _notify(world["police_officer"], "x")
    c = client_for(user)
    page = c.get(reverse("reporting:notifications"))
    assert page.status_code == 200
    assert "Sắp đến hạn a" in page.content.decode()
    assert "Sắp đến hạn x" not in page.content.decode()
    badge = c.get(reverse("reporting:notifications_badge")).content.decode()
    assert ">3<" in badge
    resp = c.post(reverse("reporting:notification_read", args=[a.pk]), HTTP_HX_REQUEST="true")
    assert resp.status_code == 200
    assert f'id="notification-{a.pk}"' in resp.content.decode()
    a.refresh_from_db()
    assert a.read_at is not None
    # someone else's notification is not found
    assert c.post(reverse("reporting:notification_read", args=[theirs.pk])).status_code == 404
    c.post(reverse("reporting:notifications_read_all"))
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert b.pk and c_.pk


# --- Campaigns and submissions --------------------------------------------------------------


def test_campaign_create_form_defaults_and_creates_submissions(world):
    c = client_for(world["coordinator"])
    form_page = c.get(reverse("reporting:campaign_create"))
    assert form_page.status_code == 200
    html = form_page.content.decode()
    assert f"Báo cáo kết quả công tác thông tin đối ngoại năm {YEAR}" in html
    assert f"{YEAR}-11-14" in html  # the day before "before 15 November"
    assert "Sở Ngoại vụ tỉnh Khác" not in html  # only this province's agencies
    kpi = KpiDefinition.objects.get(code="trainings")
    resp = c.post(
        reverse("reporting:campaign_create"),
        {
            "title": f"Báo cáo kết quả công tác thông tin đối ngoại năm {YEAR}",
            "year": YEAR,
            "issued_by": "committee",
            "due": f"{YEAR}-11-14",
            "agencies": [world["foreign"].pk, world["police"].pk],
            "kpis": [kpi.pk],
        },
    )
    assert resp.status_code == 302
    campaign = ReportCampaign.objects.get()
    assert campaign.owner == world["committee"]
    assert set(campaign.submissions.values_list("agency_id", flat=True)) == {
        world["foreign"].pk,
        world["police"].pk,
    }
    assert list(campaign.kpis.all()) == [kpi]


def test_agency_officer_cannot_open_a_campaign(world):
    c = client_for(world["foreign_officer"])
    assert c.get(reverse("reporting:campaign_create")).status_code == 403


def test_submission_form_is_prefilled_from_task_progress(world):
    task_update_add(
        actor=world["foreign_officer"],
        task=world["task"],
        organisation=world["foreign"],
        narrative="Đã đón 3 đoàn phóng viên",
        status="done",
        progress=100,
    )
    campaign = open_campaign(world)
    sub = campaign.submissions.get(agency=world["foreign"])
    page = client_for(world["foreign_officer"]).get(reverse("reporting:submission", args=[sub.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Đã đón 3 đoàn phóng viên" in html
    assert "Xuất bản ấn phẩm song ngữ" in html
    assert f'name="version" value="{sub.version}"' in html
    assert 'name="t-TOTAL_FORMS" value="2"' in html


def _form_data(sub: ReportSubmission, version: int, narrative: str) -> dict[str, Any]:
    from ttdn.reporting.services import submission_prefill

    lines = submission_prefill(sub)
    data: dict[str, Any] = {
        "version": version,
        "narrative": narrative,
        "difficulties": "Kinh phí hạn chế",
        "proposals": "Bổ sung kinh phí",
        "kpi_press_conferences": "4",
        "t-TOTAL_FORMS": len(lines),
        "t-INITIAL_FORMS": len(lines),
        "t-MIN_NUM_FORMS": 0,
        "t-MAX_NUM_FORMS": 1000,
    }
    for i, line in enumerate(lines):
        data.update(
            {
                f"t-{i}-task": line["task"],
                f"t-{i}-summary": line["summary"],
                f"t-{i}-role": line["role"],
                f"t-{i}-status": "done",
                f"t-{i}-progress": 100,
                f"t-{i}-result": f"Kết quả {i}",
            }
        )
    return data


def test_two_tabs_conflict_keeps_the_second_users_text(world):
    campaign = open_campaign(world)
    sub = campaign.submissions.get(agency=world["foreign"])
    url = reverse("reporting:submission", args=[sub.pk])
    first, second = client_for(world["foreign_officer"]), client_for(world["foreign_officer2"])
    loaded = sub.version  # both tabs opened the same version
    ok = first.post(url, _form_data(sub, loaded, "Văn bản của người thứ nhất"))
    assert ok.status_code == 302
    stale = second.post(url, _form_data(sub, loaded, "Văn bản rất dài của người thứ hai"))
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Văn bản rất dài của người thứ hai" in html  # nothing typed is lost
    assert "Someone else saved this report" in html or "Người khác" in html
    sub.refresh_from_db()
    assert sub.narrative == "Văn bản của người thứ nhất"
    assert KpiValue.objects.get(organisation=world["foreign"]).value == 4


def test_submit_late_is_flagged_on_campaign_page_and_return_reason_reaches_agency(world):
    campaign = open_campaign(world, due=dt.date.today() - dt.timedelta(days=3))
    sub = campaign.submissions.get(agency=world["foreign"])
    url = reverse("reporting:submission", args=[sub.pk])
    agency = client_for(world["foreign_officer"])
    data = _form_data(sub, sub.version, "Kết quả năm")
    data["submit"] = "1"
    resp = agency.post(url, data)
    assert resp.status_code == 302, resp.content.decode()[:3000]
    sub.refresh_from_db()
    assert sub.status == ReportSubmission.Status.SUBMITTED
    assert sub.is_late
    coord = client_for(world["coordinator"])
    page = coord.get(reverse("reporting:campaign", args=[campaign.pk])).content.decode()
    row = page.split(f'id="submission-{sub.pk}"')[1].split("</tr>")[0]
    assert "badge ended late" in row
    other_row = page.split(
        f'id="submission-{campaign.submissions.get(agency=world["police"]).pk}"'
    )[1].split("</tr>")[0]
    assert "badge ended late" in other_row  # not submitted and past due: late too
    # returning needs a reason
    review = reverse("reporting:submission_review", args=[sub.pk])
    assert coord.post(review, {"decision": "return", "reason": ""}).status_code == 400
    resp = coord.post(review, {"decision": "return", "reason": "Thiếu số liệu tập huấn"})
    assert resp.status_code == 302
    sub.refresh_from_db()
    assert sub.status == ReportSubmission.Status.RETURNED
    agency_page = agency.get(url).content.decode()
    assert "Thiếu số liệu tập huấn" in agency_page
    assert Notification.objects.filter(
        user=world["foreign_officer"], kind=Notification.Kind.RETURNED
    ).exists()


def test_agency_cannot_review_and_submitted_report_is_read_only(world):
    campaign = open_campaign(world)
    sub = campaign.submissions.get(agency=world["foreign"])
    agency = client_for(world["foreign_officer"])
    review = reverse("reporting:submission_review", args=[sub.pk])
    assert agency.post(review, {"decision": "accept"}).status_code == 404
    ReportSubmission.objects.filter(pk=sub.pk).update(
        status=ReportSubmission.Status.SUBMITTED, submitted_at=timezone.now()
    )
    page = agency.get(reverse("reporting:submission", args=[sub.pk])).content.decode()
    assert 'name="version"' not in page


def test_close_and_reopen_campaign(world):
    campaign = open_campaign(world)
    coord = client_for(world["coordinator"])
    page = coord.get(reverse("reporting:campaign", args=[campaign.pk])).content.decode()
    assert "data-confirm=" in page
    url = reverse("reporting:campaign_status", args=[campaign.pk])
    coord.post(url, {"status": "closed"})
    campaign.refresh_from_db()
    assert campaign.status == ReportCampaign.Status.CLOSED
    coord.post(url, {"status": "open"})
    campaign.refresh_from_db()
    assert campaign.status == ReportCampaign.Status.OPEN
    # an agency officer cannot close it
    client_for(world["foreign_officer"]).post(url, {"status": "closed"})
    campaign.refresh_from_db()
    assert campaign.status == ReportCampaign.Status.OPEN


@pytest.mark.parametrize(
    ("who", "campaign_page", "own_submission", "report"),
    [
        ("coordinator", 200, 200, 200),
        ("foreign_officer", 200, 200, 404),
        ("culture_officer", 200, 404, 404),  # asked to report, sees own row only
        ("outsider", 404, 404, 404),
        ("other_coordinator", 404, 404, 404),
    ],
)
def test_campaign_permission_matrix(world, who, campaign_page, own_submission, report):
    campaign = open_campaign(world, agencies=[world["foreign"], world["culture"]])
    sub = campaign.submissions.get(agency=world["foreign"])
    c = client_for(world[who])
    assert c.get(reverse("reporting:campaign", args=[campaign.pk])).status_code == campaign_page
    assert c.get(reverse("reporting:submission", args=[sub.pk])).status_code == own_submission
    status = c.get(reverse("reporting:campaign_report", args=[campaign.pk, "xlsx"])).status_code
    assert status == report
    listed = c.get(reverse("reporting:campaigns")).content.decode()
    assert (campaign.title in listed) == (campaign_page == 200)


def test_anonymous_is_sent_to_sign_in(world):
    resp = Client().get(reverse("reporting:campaigns"))
    assert resp.status_code == 302
