"""Plan writes: upload → review → publish, copies, replacements, versions, task status.

The plan document is written here (not taken from the seeds); the directory is a small
province built with the factories. Other plan test modules import ``world`` and the
helpers from this one.
"""

from __future__ import annotations

import datetime as dt
import tempfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_org, make_user
from ttdn.accounts.models import Role
from ttdn.audit.models import AuditEntry
from ttdn.directory.services import SYSTEM
from ttdn.plans import services
from ttdn.plans.models import Plan, PlanImport, PlanVersion, Task, TaskAgency
from ttdn.plans.parsing import DocumentTooLarge, SecretDocumentError, UnsupportedFormat

PLAN_TEXT = """ỦY BAN NHÂN DÂN
TỈNH THỬ NGHIỆM
Số: 12/KH-UBND
Thử Nghiệm, ngày 10 tháng 01 năm 2025

KẾ HOẠCH
Công tác thông tin đối ngoại năm 2025

Căn cứ Nghị định số 72/2015/NĐ-CP ngày 07/9/2015 của Chính phủ;

I. MỤC ĐÍCH, YÊU CẦU
Nâng cao hiệu quả công tác thông tin đối ngoại.

II. NHIỆM VỤ CỤ THỂ
1. Tập huấn nghiệp vụ thông tin đối ngoại
- Tổ chức hội nghị tập huấn cho cán bộ làm công tác thông tin đối ngoại.
Cơ quan chủ trì: Sở Văn hóa, Thể thao và Du lịch.
Cơ quan phối hợp: Sở Ngoại vụ; Sở Hư Cấu.
Thời gian thực hiện: Quý II năm 2025.

2. Quảng bá hình ảnh du lịch của tỉnh
- Sản xuất ấn phẩm song ngữ giới thiệu du lịch.
Cơ quan chủ trì: Sở Ngoại vụ.
Cơ quan phối hợp: Các sở, ban, ngành.
Thời gian thực hiện: Trong năm 2025.

III. TỔ CHỨC THỰC HIỆN
Các cơ quan báo cáo kết quả trước ngày 15/11 hằng năm.
"""

SECRET_TEXT = "MẬT\n\n" + PLAN_TEXT


def member(role: str, scope, *, home=None):
    """A user holding ``role`` over ``scope`` whose own organisation is ``home``."""
    user = make_user(role, scope)
    if home is not None:
        user.organisation = home
        user.save()
    return user


def build_world() -> dict:
    """Two provinces with a People's Committee and departments, and users of each role."""
    province = make_org("Tỉnh Thử Nghiệm", "province", short_name="Thử Nghiệm")
    ubnd = make_org("Ủy ban nhân dân tỉnh Thử Nghiệm", "peoples_committee", parent=province)
    culture = make_org("Sở Văn hóa, Thể thao và Du lịch", parent=province)
    foreign = make_org("Sở Ngoại vụ", parent=province)
    finance = make_org("Sở Tài chính", parent=province)
    other = make_org("Tỉnh Bên Cạnh", "province", short_name="Bên Cạnh")
    other_ubnd = make_org("Ủy ban nhân dân tỉnh Bên Cạnh", "peoples_committee", parent=other)
    other_foreign = make_org("Sở Ngoại vụ", parent=other)
    return {
        "province": province,
        "ubnd": ubnd,
        "culture": culture,
        "foreign": foreign,
        "finance": finance,
        "other": other,
        "other_ubnd": other_ubnd,
        "other_foreign": other_foreign,
        "coordinator": member(Role.PROVINCIAL_COORDINATOR, province, home=culture),
        "officer": member(Role.AGENCY_OFFICER, foreign),
        "culture_officer": member(Role.AGENCY_OFFICER, culture),
        "other_coordinator": member(Role.PROVINCIAL_COORDINATOR, other, home=other_ubnd),
        "other_officer": member(Role.AGENCY_OFFICER, other_foreign),
    }


@pytest.fixture
def world(db):
    return build_world()


def upload(user, text: str = PLAN_TEXT, name: str = "ke-hoach.txt", **kw) -> PlanImport:
    return services.plan_import_create(
        actor=user, filename=name, content=text.encode("utf-8"), **kw
    )


def publish(user, text: str = PLAN_TEXT, **kw) -> Plan:
    return services.plan_publish(actor=user, plan_import=upload(user, text, **kw))


def links(task: Task, role: str) -> dict[str, TaskAgency]:
    return {a.name_as_written: a for a in task.agencies.filter(role=role)}


# --- Upload ---------------------------------------------------------------------------


def test_upload_keeps_the_parsed_structure_for_review(world):
    pi = upload(world["coordinator"])
    assert pi.status == PlanImport.Status.REVIEW
    assert pi.organisation == world["culture"]  # the uploader's organisation owns it
    assert pi.issuer == world["ubnd"]  # the parsed issuer, found in the directory
    assert [s["number"] for s in pi.data["sections"]] == ["I", "II", "II.1", "II.2", "III"]
    assert pi.data["tasks"][0]["coordinating"] == ["Sở Ngoại vụ", "Sở Hư Cấu"]
    assert "Cơ quan chủ trì" in pi.source_text
    assert AuditEntry.objects.filter(object_type="plans.planimport", action="create").count() == 1


def test_secret_document_is_refused_and_nothing_is_stored(world, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(SecretDocumentError):
        upload(world["coordinator"], SECRET_TEXT)
    assert PlanImport.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="plans.planimport").exists()
    assert list(tmp_path.iterdir()) == []  # the temporary copy is gone too


def test_oversized_document_is_refused_before_parsing(world, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    big = (b"x" * 1024 * 1024 for _ in range(21))
    with pytest.raises(DocumentTooLarge):
        services.plan_import_create(actor=world["coordinator"], filename="a.txt", content=big)
    assert PlanImport.objects.count() == 0
    assert list(tmp_path.iterdir()) == []


def test_unsupported_format_is_refused(world):
    with pytest.raises(UnsupportedFormat):
        upload(world["coordinator"], name="ke-hoach.exe")
    assert PlanImport.objects.count() == 0


def test_issuer_defaults_to_the_province_peoples_committee(world):
    text = PLAN_TEXT.replace("ỦY BAN NHÂN DÂN\nTỈNH THỬ NGHIỆM\n", "")
    pi = upload(world["coordinator"], text)
    assert pi.issuer == world["ubnd"]


def test_officer_without_write_on_the_committee_gets_own_agency_as_issuer(world):
    pi = upload(world["officer"])
    assert pi.issuer == world["foreign"]
    with pytest.raises(ValidationError):
        services.plan_import_update(actor=world["officer"], plan_import=pi, issuer=world["ubnd"])


# --- Publish ----------------------------------------------------------------------------


def test_publish_links_agencies_to_the_issuer_province(world):
    plan = publish(world["coordinator"])
    assert plan.status == Plan.Status.PUBLISHED
    assert plan.issuer == world["ubnd"]
    assert plan.number == "12/KH-UBND"
    assert plan.issued_date == dt.date(2025, 1, 10)
    assert plan.sections.count() == 5
    first, second = plan.tasks.order_by("position")
    assert first.section.number == "II.1"
    assert first.due == dt.date(2025, 6, 30)
    assert links(first, "lead")["Sở Văn hóa, Thể thao và Du lịch"].organisation == world["culture"]
    coord = links(first, "coordinating")
    assert coord["Sở Ngoại vụ"].organisation == world["foreign"]  # not Bên Cạnh's
    assert coord["Sở Hư Cấu"].organisation is None
    group = links(second, "coordinating")["Các sở, ban, ngành"]
    assert group.is_collective and group.organisation is None
    version = plan.versions.get()
    assert version.number == 1 and version.created_by == world["coordinator"]
    assert len(version.data["tasks"]) == 2
    assert AuditEntry.objects.filter(object_type="plans.plan", object_id=str(plan.pk)).exists()
    assert PlanImport.objects.get().status == PlanImport.Status.PUBLISHED


def test_reviewer_choices_override_the_resolver(world):
    pi = upload(world["coordinator"])
    data = dict(pi.data)
    data["tasks"][1]["summary"] = "Sản xuất ấn phẩm song ngữ"
    services.plan_import_update(
        actor=world["coordinator"],
        plan_import=pi,
        data=data,
        agency_choices={"Sở Hư Cấu": world["finance"].pk, "Sở Ngoại vụ": 0},
    )
    plan = services.plan_publish(actor=world["coordinator"], plan_import=pi)
    first, second = plan.tasks.order_by("position")
    assert links(first, "coordinating")["Sở Hư Cấu"].organisation == world["finance"]
    assert links(first, "coordinating")["Sở Ngoại vụ"].organisation is None  # left unlinked
    assert second.summary == "Sản xuất ấn phẩm song ngữ"


def test_an_import_is_published_once(world):
    pi = upload(world["coordinator"])
    services.plan_publish(actor=world["coordinator"], plan_import=pi)
    with pytest.raises(ValidationError):
        services.plan_publish(actor=world["coordinator"], plan_import=pi)
    assert Plan.objects.count() == 1


def test_officer_of_another_province_cannot_edit_or_publish_the_import(world):
    pi = upload(world["coordinator"])
    with pytest.raises(PermissionDenied):
        services.plan_publish(actor=world["other_coordinator"], plan_import=pi)
    with pytest.raises(PermissionDenied):
        services.plan_import_update(actor=world["other_officer"], plan_import=pi, data={})
    assert Plan.objects.count() == 0


# --- Copy, replace, versions ------------------------------------------------------------


def test_copy_to_next_year_shifts_dates_and_resets_status(world):
    plan = publish(world["coordinator"])
    task = plan.tasks.order_by("position").first()
    services.task_set_status(actor=world["coordinator"], task=task, status=Task.Status.DONE)
    copy = services.plan_copy_to_year(actor=world["coordinator"], plan=plan, year=2026)
    assert copy.status == Plan.Status.DRAFT and copy.year == 2026
    assert copy.title.endswith("2026") and copy.number == ""
    assert copy.sections.count() == plan.sections.count()
    first, second = copy.tasks.order_by("position")
    assert first.due == dt.date(2026, 6, 30)
    assert first.deadline_text == "Quý II năm 2026"
    assert second.deadline_text == "Trong năm 2026"
    assert first.status == Task.Status.NOT_STARTED
    assert first.section.plan == copy and first.section.number == "II.1"
    assert links(first, "lead")["Sở Văn hóa, Thể thao và Du lịch"].organisation == world["culture"]
    assert copy.versions.count() == 1
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PUBLISHED  # the original is untouched


def test_shift_year_handles_29_february_and_keeps_other_numbers():
    assert services.shift_year(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert services.replace_year("trước ngày 15/11/2025", 2025, 2026) == "trước ngày 15/11/2026"
    assert services.replace_year("120250 và 2025", 2025, 2026) == "120250 và 2026"


def test_copy_published_replaces_links_both_and_versions_increment(world):
    old = publish(world["coordinator"])
    copy = services.plan_copy_to_year(actor=world["coordinator"], plan=old, year=2026)
    services.plan_replace(actor=world["coordinator"], plan=copy, old=old)
    old.refresh_from_db()
    assert old.status == Plan.Status.PUBLISHED  # a draft does not replace anything yet
    services.plan_publish_draft(actor=world["coordinator"], plan=copy)
    old.refresh_from_db()
    copy.refresh_from_db()
    assert copy.replaces == old and list(old.replaced_by.all()) == [copy]
    assert old.status == Plan.Status.REPLACED
    assert list(copy.versions.values_list("number", flat=True)) == [3, 2, 1]
    assert list(old.versions.values_list("number", flat=True)) == [2, 1]


def test_plan_update_adds_a_version_and_an_audit_row(world):
    plan = publish(world["coordinator"])
    services.plan_update(actor=world["coordinator"], plan=plan, title="Kế hoạch đã sửa")
    assert plan.versions.count() == 2
    assert PlanVersion.objects.filter(plan=plan, number=2).get().data["title"] == "Kế hoạch đã sửa"
    entry = AuditEntry.objects.get(
        object_type="plans.plan", object_id=str(plan.pk), action="update"
    )
    assert entry.changes["title"][1] == "Kế hoạch đã sửa"


def test_a_draft_copy_can_be_edited_in_review_and_published_in_place(world):
    plan = publish(world["coordinator"])
    copy = services.plan_copy_to_year(actor=world["coordinator"], plan=plan, year=2026)
    pi = services.plan_import_from_plan(actor=world["coordinator"], plan=copy)
    assert pi.agency_choices["Sở Ngoại vụ"] == world["foreign"].pk
    data = dict(pi.data)
    data["tasks"] = data["tasks"][:1]
    services.plan_import_update(actor=world["coordinator"], plan_import=pi, data=data)
    published = services.plan_publish(actor=world["coordinator"], plan_import=pi)
    assert published.pk == copy.pk and published.status == Plan.Status.PUBLISHED
    assert published.tasks.count() == 1
    assert Plan.objects.count() == 2


# --- Tasks ------------------------------------------------------------------------------


def test_lead_agency_officer_may_change_status_others_may_not(world):
    plan = publish(world["coordinator"])
    second = plan.tasks.order_by("position")[1]  # led by Sở Ngoại vụ
    services.task_set_status(actor=world["officer"], task=second, status=Task.Status.IN_PROGRESS)
    second.refresh_from_db()
    assert second.status == Task.Status.IN_PROGRESS
    first = plan.tasks.order_by("position")[0]  # Sở Ngoại vụ only coordinates
    with pytest.raises(PermissionDenied):
        services.task_set_status(actor=world["officer"], task=first, status=Task.Status.DONE)
    with pytest.raises(PermissionDenied):
        services.task_set_status(actor=world["other_officer"], task=second, status=Task.Status.DONE)
    entry = AuditEntry.objects.get(object_type="plans.task", action="update")
    assert entry.actor == world["officer"]


def test_system_can_publish_for_the_demo(world):
    pi = services.plan_import_create(
        actor=SYSTEM,
        organisation=world["ubnd"],
        filename="demo.md",
        content=PLAN_TEXT.encode(),
    )
    plan = services.plan_publish(actor=SYSTEM, plan_import=pi)
    assert plan.issuer == world["ubnd"] and plan.versions.get().created_by is None
