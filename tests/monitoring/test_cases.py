"""Rapid-response cases: the workflow with its timeline and durations against dated
service levels, escalation once per missed step, who may do what, lost-update protection
of the draft, evidence links and their scope."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tests.factories import make_org, make_user
from ttdn.accounts.models import Role
from ttdn.audit.models import AuditEntry
from ttdn.monitoring import cases
from ttdn.monitoring.models import (
    Case,
    CaseEvent,
    Cluster,
    EvidenceLink,
    Item,
    ServiceLevel,
    Source,
)
from ttdn.plans.models import Plan, Task, TaskAgency
from ttdn.reporting.models import Notification, ReportCampaign, ReportSubmission
from ttdn.reporting.services import ConcurrentEditError

_keys = itertools.count(1)
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def make_item(source: Source, title: str, cluster: Cluster | None = None) -> Item:
    n = next(_keys)
    url = f"https://bao.example/{n}"
    return Item.objects.create(
        source=source,
        url=url,
        url_hash=hashlib.sha1(url.encode()).hexdigest(),
        title=title,
        text="Nội dung bài viết",
        published_at=T0 - dt.timedelta(days=1),
        sort_key=1_700_000_000_000_000 + n,
        stage=Item.Stage.DONE,
        cluster=cluster,
    )


def build_world() -> dict[str, Any]:
    """A province with its People's Committee and three agencies, a press source of the
    province with a story, another province; users of every part."""
    province = make_org("Tỉnh Phản Hồi", "province", code="96")
    committee = make_org("Ủy ban nhân dân tỉnh Phản Hồi", "peoples_committee", parent=province)
    foreign = make_org("Sở Ngoại vụ", parent=province)
    culture = make_org("Sở Văn hóa và Thể thao", parent=province)
    police = make_org("Công an tỉnh", parent=province)
    other = make_org("Tỉnh Xa", "province", code="95")
    other_dept = make_org("Sở Ngoại vụ tỉnh Xa", parent=other)
    source = Source.objects.create(name="Báo nước ngoài", owner=province, url="https://bao.example")
    cluster = Cluster.objects.create(
        title="Tin đồn về dự án cảng", first_seen=T0, last_seen=T0, size=2
    )
    item = make_item(source, "Tin đồn sai sự thật về dự án cảng biển", cluster)
    make_item(source, "Bài thứ hai về cảng", cluster)
    other_source = Source.objects.create(name="Báo tỉnh Xa", owner=other, url="https://xa.example")
    other_item = make_item(other_source, "Tin của tỉnh Xa")
    plan = Plan.objects.create(
        issuer=committee, title="Kế hoạch TTĐN 2026", year=2026, status=Plan.Status.PUBLISHED
    )
    task = Task.objects.create(plan=plan, summary="Phản bác thông tin sai", position=1)
    TaskAgency.objects.create(
        task=task, role="lead", name_as_written="Sở Ngoại vụ", organisation=foreign
    )
    other_plan = Plan.objects.create(
        issuer=other, title="Kế hoạch tỉnh Xa", year=2026, status=Plan.Status.PUBLISHED
    )
    other_task = Task.objects.create(plan=other_plan, summary="Việc tỉnh Xa", position=1)
    campaign = ReportCampaign.objects.create(
        owner=committee,
        scope=province,
        title="Báo cáo năm 2026",
        year=2026,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        due=dt.date(2026, 11, 30),
    )
    sub_foreign = ReportSubmission.objects.create(campaign=campaign, agency=foreign)
    sub_police = ReportSubmission.objects.create(campaign=campaign, agency=police)
    coordinator = make_user(Role.PROVINCIAL_COORDINATOR, province, first_name="Điều phối")
    return {
        "province": province,
        "committee": committee,
        "foreign": foreign,
        "culture": culture,
        "police": police,
        "other": other,
        "source": source,
        "cluster": cluster,
        "item": item,
        "other_item": other_item,
        "task": task,
        "other_task": other_task,
        "sub_foreign": sub_foreign,
        "sub_police": sub_police,
        "coordinator": coordinator,
        "coordinator2": make_user(Role.PROVINCIAL_COORDINATOR, province),
        "admin": make_user(Role.ADMINISTRATOR, province),
        "foreign_officer": make_user(Role.AGENCY_OFFICER, foreign, first_name="Cán bộ"),
        "foreign_officer2": make_user(Role.AGENCY_OFFICER, foreign),
        "police_officer": make_user(Role.AGENCY_OFFICER, police),
        "committee_member": make_user(None, committee),
        "outsider": make_user(Role.AGENCY_OFFICER, other_dept),
        "other_coordinator": make_user(Role.PROVINCIAL_COORDINATOR, other),
        "viewer": make_user(Role.NATIONAL_VIEWER, other),
    }


@pytest.fixture
def world(db):
    return build_world()


class Clock:
    """``timezone.now`` under the test's control (auto_now_add fields follow it too)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: dt.datetime = T0) -> None:
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, hours: float) -> dt.datetime:
        self.now += dt.timedelta(hours=hours)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def open_case(w: dict[str, Any], **kw: Any) -> Case:
    args: dict[str, Any] = {
        "owner": w["province"],
        "title": "Tin đồn về dự án cảng",
        "item": w["item"],
        "severity": Case.Severity.HIGH,
        "summary": "Bài viết nói sai về việc thu hồi đất",
    }
    args.update(kw)
    return cases.case_open(w["coordinator"], **args)


def assigned_case(w: dict[str, Any]) -> Case:
    return cases.case_assign(w["coordinator"], open_case(w), agency=w["foreign"])


def reviewed_case(w: dict[str, Any]) -> Case:
    case = assigned_case(w)
    case = cases.case_save_draft(
        w["foreign_officer"], case, draft="Thông tin chính thức", version=case.version
    )
    return cases.case_submit(w["foreign_officer"], case)


# --- the workflow ------------------------------------------------------------------------------


def test_whole_workflow_records_each_step_with_its_duration_and_service_level(world, clock):
    w = world
    case = open_case(w)
    assert case.status == Case.Status.OPEN
    assert case.cluster == w["cluster"]  # taken from the item
    assert case.step_due_at == T0 + dt.timedelta(hours=4)

    clock.advance(2)
    case = cases.case_assign(w["coordinator"], case, agency=w["foreign"], note="Gấp")
    clock.advance(30)  # the agency takes longer than its 24 h
    case = cases.case_save_draft(
        w["foreign_officer"], case, draft="Bản nháp 1", version=case.version
    )
    case = cases.case_submit(w["foreign_officer"], case)
    clock.advance(3)
    case = cases.case_return(w["coordinator"], case, "Bổ sung số liệu")
    assert case.status == Case.Status.ASSIGNED
    clock.advance(5)
    case = cases.case_save_draft(
        w["foreign_officer"], case, draft="Bản nháp 2 có số liệu", version=case.version
    )
    case = cases.case_submit(w["foreign_officer"], case)
    clock.advance(1)
    case = cases.case_approve(w["coordinator"], case, note="Đồng ý")
    assert case.approved_by == w["coordinator"]
    clock.advance(6)
    case = cases.case_publish(
        w["foreign_officer"], case, url="https://cong-thong-tin.example/bai-viet", note="Cổng TTĐT"
    )
    clock.advance(48)
    case = cases.case_close(w["coordinator"], case, outcome=Case.Outcome.REFUTED, note="Đã gỡ")

    assert case.status == Case.Status.CLOSED
    assert case.closed_at == clock.now
    assert case.step_due_at is None
    assert case.outcome == "refuted"
    steps = [
        (e.kind, e.from_status, e.to_status, e.step_hours, e.sla_hours)
        for e in CaseEvent.objects.filter(case=case).exclude(kind="draft")
    ]
    assert steps == [
        ("opened", "", "open", None, None),
        ("assigned", "open", "assigned", 2.0, 4.0),
        ("submitted", "assigned", "in_review", 30.0, 24.0),
        ("returned", "in_review", "assigned", 3.0, 8.0),
        ("submitted", "assigned", "in_review", 5.0, 24.0),
        ("approved", "in_review", "approved", 1.0, 8.0),
        ("published", "approved", "published", 6.0, 8.0),
        ("closed", "published", "closed", 48.0, 72.0),
    ]
    assert CaseEvent.objects.filter(case=case, kind="draft").count() == 2
    returned = CaseEvent.objects.get(case=case, kind="returned")
    assert returned.note == "Bổ sung số liệu"
    assert returned.actor == w["coordinator"]
    # every write is audited
    assert (
        AuditEntry.objects.filter(object_type="monitoring.case", object_id=str(case.pk)).count()
        >= 9
    )


def test_dated_service_level_applies_from_its_date(world, clock):
    ServiceLevel.objects.filter(step="open").delete()
    assert cases.service_level("open", dt.date(2026, 3, 2)) == 4.0  # the fallback
    ServiceLevel.objects.create(step="open", hours=2, valid_from=dt.date(2026, 1, 1))
    ServiceLevel.objects.create(
        step="open", hours=1, valid_from=dt.date(2026, 4, 1), note="Quy chế mới"
    )
    assert cases.service_level("open", dt.date(2026, 3, 2)) == 2.0
    assert cases.service_level("open", dt.date(2026, 4, 2)) == 1.0
    case = open_case(world)
    assert case.step_due_at == T0 + dt.timedelta(hours=2)


def test_assignment_notifies_the_agency_and_submission_the_approvers(world, clock):
    w = world
    case = assigned_case(w)
    notified = set(
        Notification.objects.filter(kind=Notification.Kind.CASE).values_list("user_id", flat=True)
    )
    assert {w["foreign_officer"].pk, w["foreign_officer2"].pk} <= notified
    assert w["police_officer"].pk not in notified
    case = cases.case_save_draft(w["foreign_officer"], case, draft="Văn bản", version=case.version)
    cases.case_submit(w["foreign_officer"], case)
    approvers = set(
        Notification.objects.filter(key__contains=":submitted:").values_list("user_id", flat=True)
    )
    assert approvers == {w["coordinator"].pk, w["coordinator2"].pk, w["admin"].pk}


def test_reassigning_restarts_the_step_for_the_new_agency(world, clock):
    w = world
    case = assigned_case(w)
    clock.advance(10)
    case = cases.case_assign(w["coordinator"], case, agency=w["police"])
    assert case.assigned_to == w["police"]
    assert case.step_due_at == clock.now + dt.timedelta(hours=24)
    last = CaseEvent.objects.filter(case=case).last()
    assert (last.from_status, last.to_status, last.step_hours) == ("assigned", "assigned", 10.0)


def test_agency_outside_the_owners_province_cannot_be_assigned(world):
    case = open_case(world)
    with pytest.raises(ValidationError):
        cases.case_assign(world["coordinator"], case, agency=world["other"])


def test_submit_needs_a_draft_and_publish_needs_a_link_or_note(world):
    w = world
    case = assigned_case(w)
    with pytest.raises(ValidationError):
        cases.case_submit(w["foreign_officer"], case)
    case = cases.case_save_draft(w["foreign_officer"], case, draft="Văn bản", version=case.version)
    case = cases.case_submit(w["foreign_officer"], case)
    case = cases.case_approve(w["coordinator"], case)
    with pytest.raises(ValidationError):
        cases.case_publish(w["foreign_officer"], case)
    with pytest.raises(ValidationError):
        cases.case_publish(w["foreign_officer"], case, url="javascript:alert(1)")
    case = cases.case_publish(w["foreign_officer"], case, note="Họp báo thường kỳ quý I")
    assert case.published_note == "Họp báo thường kỳ quý I"


def test_refuted_outcome_needs_a_publication_but_no_action_closes_early(world):
    w = world
    case = open_case(w)
    with pytest.raises(ValidationError):
        cases.case_close(w["coordinator"], case, outcome=Case.Outcome.REFUTED)
    case = cases.case_close(w["coordinator"], case, outcome=Case.Outcome.NO_ACTION, note="Tin cũ")
    assert case.status == Case.Status.CLOSED
    with pytest.raises(cases.CaseStateError):
        cases.case_close(w["coordinator"], case, outcome=Case.Outcome.NO_ACTION)


def test_a_step_out_of_order_is_a_state_error(world):
    w = world
    case = open_case(w)
    with pytest.raises(cases.CaseStateError):
        cases.case_approve(w["coordinator"], case)
    case = reviewed_case(w)
    with pytest.raises(cases.CaseStateError):
        cases.case_save_draft(w["foreign_officer"], case, draft="muộn", version=case.version)


def test_comment_changes_nothing_but_the_timeline(world):
    w = world
    case = assigned_case(w)
    version = case.version
    cases.case_comment(w["foreign_officer"], case, "Đang xin ý kiến lãnh đạo sở")
    case.refresh_from_db()
    assert case.version == version
    assert CaseEvent.objects.filter(case=case, kind="comment").count() == 1
    with pytest.raises(ValidationError):
        cases.case_comment(w["foreign_officer"], case, "  ")


# --- who may do what ---------------------------------------------------------------------------


def test_rules_table_for_each_part(world):
    w = world
    case = reviewed_case(w)
    assert cases.allowed_actions(w["coordinator"], case) == [
        "approve",
        "return",
        "close",
        "comment",
    ]
    assert cases.allowed_actions(w["foreign_officer"], case) == ["comment"]
    assert cases.allowed_actions(w["police_officer"], case) == []
    assert cases.allowed_actions(w["viewer"], case) == []
    case = cases.case_approve(w["admin"], case)
    assert cases.allowed_actions(w["foreign_officer"], case) == ["publish", "comment"]


def test_officer_of_the_drafting_agency_cannot_approve(world):
    w = world
    case = reviewed_case(w)
    with pytest.raises(PermissionDenied):
        cases.case_approve(w["foreign_officer"], case)
    # even when they also coordinate the province: four eyes
    dual = make_user(Role.PROVINCIAL_COORDINATOR, w["province"])
    dual.role_assignments.create(role=Role.AGENCY_OFFICER, organisation=w["foreign"])
    with pytest.raises(PermissionDenied):
        cases.case_approve(dual, case)
    with pytest.raises(PermissionDenied):
        cases.case_return(w["other_coordinator"], case, "không")
    assert cases.case_approve(w["coordinator2"], case).status == Case.Status.APPROVED


def test_other_agencies_cannot_draft_and_outsiders_cannot_read(world):
    w = world
    case = assigned_case(w)
    with pytest.raises(PermissionDenied):
        cases.case_save_draft(w["police_officer"], case, draft="x", version=case.version)
    with pytest.raises(PermissionDenied):
        cases.case_assign(w["foreign_officer"], case, agency=w["police"])
    with pytest.raises(PermissionDenied):
        cases.case_close(w["foreign_officer"], case, outcome="no_action")
    for user in (w["police_officer"], w["outsider"], w["other_coordinator"]):
        with pytest.raises(Http404):
            cases.access_case(user, case.pk)
    assert cases.access_case(w["foreign_officer"], case.pk) == case  # the assigned agency
    assert cases.access_case(w["viewer"], case.pk) == case  # national viewers read


def test_opening_needs_write_scope_on_the_owner_and_a_readable_item(world):
    w = world
    with pytest.raises(PermissionDenied):
        cases.case_open(w["foreign_officer"], owner=w["province"], title="x")
    with pytest.raises(PermissionDenied):
        cases.case_open(w["coordinator"], owner=w["province"], title="x", item=w["other_item"])
    with pytest.raises(ValidationError):
        cases.case_open(w["coordinator"], owner=w["province"], title="  ")
    # an officer opens cases for their own agency
    case = cases.case_open(w["foreign_officer"], owner=w["foreign"], title="Bài sai về sở")
    assert case.owner == w["foreign"]
    assert cases.default_owner(w["coordinator"]) == w["province"]
    assert cases.default_owner(w["foreign_officer"]) == w["foreign"]
    assert cases.default_owner(w["viewer"]) is None


def test_agency_owned_case_is_approved_by_the_provinces_coordinator(world):
    w = world
    case = cases.case_open(w["foreign_officer"], owner=w["foreign"], title="Bài sai về sở")
    case = cases.case_assign(w["foreign_officer"], case, agency=w["foreign"])
    case = cases.case_save_draft(
        w["foreign_officer"], case, draft="Đính chính", version=case.version
    )
    case = cases.case_submit(w["foreign_officer"], case)
    with pytest.raises(PermissionDenied):
        cases.case_approve(w["foreign_officer2"], case)
    assert cases.case_approve(w["coordinator"], case).status == Case.Status.APPROVED


# --- lost updates ------------------------------------------------------------------------------


def test_concurrent_draft_edit_is_refused_and_nothing_is_lost(world, clock):
    w = world
    case = assigned_case(w)
    loaded = case.version  # both officers open the editor
    cases.case_save_draft(w["foreign_officer"], case, draft="Văn bản của A", version=loaded)
    with pytest.raises(ConcurrentEditError) as exc:
        cases.case_save_draft(w["foreign_officer2"], case, draft="Văn bản của B", version=loaded)
    assert "Cán bộ" in exc.value.message  # who saved
    case.refresh_from_db()
    assert case.draft == "Văn bản của A"
    assert case.version == loaded + 1


# --- escalation --------------------------------------------------------------------------------


def test_missed_service_level_escalates_once_and_only_once(world, clock):
    w = world
    case = open_case(w)
    assert cases.escalate_overdue() == 0
    clock.advance(5)  # 4 h to assign
    assert cases.escalate_overdue() == 1
    assert cases.escalate_overdue() == 0
    assert cases.escalate_overdue(clock.now + dt.timedelta(hours=10)) == 0
    event = CaseEvent.objects.get(case=case, kind="escalated")
    assert (event.step_hours, event.sla_hours) == (5.0, 4.0)
    recipients = set(
        Notification.objects.filter(key__contains=":escalated:").values_list("user_id", flat=True)
    )
    assert {w["coordinator"].pk, w["coordinator2"].pk, w["admin"].pk} <= recipients
    assert w["foreign_officer"].pk not in recipients
    assert Notification.objects.filter(key__contains=":escalated:").count() == len(recipients)
    case.refresh_from_db()
    assert case.escalated_at == clock.now

    # the next step has its own level and escalates on its own
    case = cases.case_assign(w["coordinator"], case, agency=w["foreign"])
    assert case.escalated_at is None
    clock.advance(25)
    assert cases.escalate_overdue() == 1
    assert CaseEvent.objects.filter(case=case, kind="escalated").count() == 2
    # closed cases never escalate
    case = cases.case_close(w["coordinator"], case, outcome="no_action")
    clock.advance(500)
    assert cases.escalate_overdue() == 0


def test_escalation_notifies_the_organisation_above_an_agency_owner(world, clock):
    w = world
    province_staff = make_user(None, w["province"])
    cases.case_open(w["foreign_officer"], owner=w["foreign"], title="Bài sai về sở")
    clock.advance(5)
    assert cases.escalate_overdue() == 1
    recipients = set(
        Notification.objects.filter(key__contains=":escalated:").values_list("user_id", flat=True)
    )
    assert province_staff.pk in recipients  # a user of the parent organisation
    assert w["coordinator"].pk in recipients


# --- evidence ---------------------------------------------------------------------------------


def test_case_and_item_attach_as_evidence_within_scope(world):
    w = world
    case = assigned_case(w)
    link = cases.evidence_attach(w["foreign_officer"], case=case, task=w["task"], note="Minh chứng")
    assert link.task == w["task"]
    assert cases.evidence_attach(w["foreign_officer"], case=case, task=w["task"]) == link
    cases.evidence_attach(w["foreign_officer"], case=case, submission=w["sub_foreign"])
    assert EvidenceLink.objects.filter(case=case).count() == 2
    assert CaseEvent.objects.filter(case=case, kind="evidence").count() == 2
    # another agency's report, another province's task: refused
    with pytest.raises(PermissionDenied):
        cases.evidence_attach(w["foreign_officer"], case=case, submission=w["sub_police"])
    with pytest.raises(PermissionDenied):
        cases.evidence_attach(w["foreign_officer"], case=case, task=w["other_task"])
    # a case the actor cannot read
    with pytest.raises(PermissionDenied):
        cases.evidence_attach(w["police_officer"], case=case, submission=w["sub_police"])
    # items: the coordinator reads the province's press and writes for the plan's issuer
    cases.evidence_attach(w["coordinator"], item=w["item"], task=w["task"])
    with pytest.raises(PermissionDenied):
        cases.evidence_attach(w["coordinator"], item=w["other_item"], task=w["task"])
    with pytest.raises(ValidationError):
        cases.evidence_attach(w["coordinator"], case=case, item=w["item"], task=w["task"])


def test_evidence_targets_are_the_users_tasks_and_open_reports(world):
    w = world
    assert list(cases.evidence_tasks(w["foreign_officer"])) == [w["task"]]
    assert list(cases.evidence_submissions(w["foreign_officer"])) == [w["sub_foreign"]]
    assert list(cases.evidence_tasks(w["police_officer"])) == []
    assert set(cases.evidence_submissions(w["coordinator"])) == {w["sub_foreign"], w["sub_police"]}


# --- reads -------------------------------------------------------------------------------------


def test_search_folds_diacritics_and_filters(world, clock):
    w = world
    a = open_case(w, title="Tin đồn về Cảng Liên Chiểu", severity="urgent")
    b = open_case(w, title="Bài viết xuyên tạc lịch sử")
    cases.case_assign(w["coordinator"], b, agency=w["police"])
    user = w["coordinator"]
    assert list(cases.case_search(user, q="cang lien chieu")) == [a]
    assert list(cases.case_search(user, q="XUYÊN TẠC")) == [b]
    assert list(cases.case_search(user, severity="urgent")) == [a]
    assert list(cases.case_search(user, agency=w["police"].pk)) == [b]
    assert list(cases.case_search(user, status="open")) == [a]
    clock.advance(5)
    assert list(cases.case_search(user, overdue=True)) == [a]


def test_case_summary_counts_open_and_overdue(world, clock):
    w = world
    open_case(w, severity="urgent")
    assigned_case(w)
    cases.case_close(w["coordinator"], open_case(w), outcome="no_action")
    clock.advance(5)
    summary = cases.case_summary(w["coordinator"])
    assert summary["open"] == 2
    assert summary["overdue"] == 1
    assert summary["urgent"] == 1
    by_status = {r["status"]: r["n"] for r in summary["by_status"]}
    assert by_status["open"] == 1 and by_status["assigned"] == 1
    assert cases.case_summary(w["outsider"])["open"] == 0
