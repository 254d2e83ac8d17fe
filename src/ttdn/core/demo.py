"""The demo: Tuyên Quang after the 2025 reorganisation, with its history, users of every
role and a small plan written by the project (core/data/demo_plan_2026.md).

Every step is idempotent: running ``ttdn demo`` twice leaves the same data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from django.db import transaction

from ttdn.accounts.models import Role, RoleAssignment, User
from ttdn.audit.services import audit_record
from ttdn.directory import reference
from ttdn.directory.models import (
    Country,
    Organisation,
    OrganisationFunction,
    OrganisationKind,
    PartnerLocality,
    Person,
)
from ttdn.directory.resolver import clear_cache, resolve
from ttdn.directory.services import SYSTEM, function_holder, person_create
from ttdn.plans.models import Plan

DEMO_PASSWORD = "demo-ttdn-2026"
DEMO_PROVINCE = "Tuyên Quang"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    organisation: str
    full_name: str


Progress = Callable[[str], None]


def _province(name: str, on: dt.date) -> Organisation:
    for org in Organisation.objects.filter(kind=OrganisationKind.PROVINCE, name__endswith=name):
        if org.is_valid_on(on):
            return org
    raise LookupError(f"province {name} not loaded")


def _pick(name: str, province: Organisation, on: dt.date) -> Organisation:
    """The organisation ``name`` means in ``province`` on ``on``; the demo needs a hit."""
    result = resolve(name, province=province, on=on)
    if not result.matches:
        raise LookupError(f"demo: cannot resolve {name!r} in {province}")
    return Organisation.objects.get(pk=result.matches[0].organisation_id)


def demo_plan_text() -> str:
    return (resources.files("ttdn.core") / "data" / "demo_plan_2026.md").read_text("utf-8")


def _load_plan(province: Organisation, on: dt.date) -> Plan:
    """Import the demo plan like any uploaded document: parse, review, publish."""
    from ttdn.plans.services import plan_import_create, plan_publish

    issuer = _pick("Ủy ban nhân dân tỉnh", province, on)
    existing = Plan.objects.filter(issuer=issuer, number="901/KH-UBND").first()
    if existing is not None:
        return existing
    pending = plan_import_create(
        actor=SYSTEM,
        organisation=issuer,
        filename="demo_plan_2026.md",
        content=demo_plan_text().encode("utf-8"),
    )
    return plan_publish(actor=SYSTEM, plan_import=pending)


def demo_logins() -> list[DemoLogin]:
    return [
        DemoLogin(
            "quantri", Role.ADMINISTRATOR, "Sở Văn hóa, Thể thao và Du lịch", "Quản trị Trình Diễn"
        ),
        DemoLogin(
            "dieuphoi",
            Role.PROVINCIAL_COORDINATOR,
            "Sở Văn hóa, Thể thao và Du lịch",
            "Điều Phối Trình Diễn",
        ),
        DemoLogin("canbo", Role.AGENCY_OFFICER, "Sở Ngoại vụ", "Cán Bộ Trình Diễn"),
        DemoLogin("bientap", Role.EDITOR, "Cổng Thông tin điện tử tỉnh", "Biên Tập Trình Diễn"),
        DemoLogin("trunguong", Role.NATIONAL_VIEWER, "", "Chuyên Viên Trung Ương"),
    ]


def _ensure_user(login: DemoLogin, org: Organisation, scope_org: Organisation) -> None:
    last, _, first = login.full_name.rpartition(" ")
    user, created = User.objects.get_or_create(
        username=login.username,
        defaults={
            "first_name": first,
            "last_name": last,
            "organisation": org,
            "email": f"{login.username}@demo.invalid",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        audit_record(actor=SYSTEM, action="create", obj=user, changes={"demo": [None, True]})
    RoleAssignment.objects.get_or_create(user=user, role=login.role, organisation=scope_org)


def load_demo(progress: Progress = print) -> list[DemoLogin]:
    """Load everything the demo needs; returns the demo logins."""
    today = dt.date.today()
    progress("Cơ quan trung ương / national agencies …")
    reference.load_national_agencies()
    progress("63 tỉnh cũ, 34 tỉnh mới / provinces before and after 1 July 2025 …")
    reference.load_admin_units()
    progress("Quốc gia đối tác / partner countries …")
    reference.load_countries()
    clear_cache()
    province = _province(DEMO_PROVINCE, today)
    with transaction.atomic():
        progress(f"Cơ cấu tổ chức tỉnh {DEMO_PROVINCE} …")
        reference.create_province_structure(province)
        # The former Hà Giang province is part of Tuyên Quang's history: give it its own
        # (ended) structure so 2022-era documents resolve.
        for old in province.predecessors.all():
            reference.create_province_structure(old, on=dt.date(2024, 1, 1))
        clear_cache()
        _partner_localities(province)
        progress("Người dùng trình diễn / demo users …")
        national = function_holder(OrganisationFunction.Function.NATIONAL_SUPERVISOR, None, today)
        for login in demo_logins():
            if login.role == Role.NATIONAL_VIEWER:
                org = national or province
                _ensure_user(login, org, org if national is None else _top(org))
                continue
            org = _pick(login.organisation, province, today)
            scope_org = org if login.role == Role.AGENCY_OFFICER else province
            _ensure_user(login, org, scope_org)
        _spokesperson(province, today)
        progress("Kế hoạch trình diễn / demo plan …")
        plan = _load_plan(province, today)
        progress("Tiến độ và đợt báo cáo / progress and a report campaign …")
        _execution(province, plan, today)
    return demo_logins()


# (a word of the task's summary, what was done, status, %, figures)
DEMO_PROGRESS = [
    (
        "phát ngôn",
        "Đã tổ chức 01 lớp bồi dưỡng cho 45 người phát ngôn (dữ liệu trình diễn).",
        "done",
        100,
        {"trainings": 1, "trainees": 45},
    ),
    (
        "ảnh",
        "Đã chụp 120 ảnh, đang biên tập chú thích tiếng Anh (dữ liệu trình diễn).",
        "in_progress",
        60,
        {},
    ),
    (
        "phóng viên",
        "Đã đón 01 đoàn 8 phóng viên nước ngoài (dữ liệu trình diễn).",
        "done",
        100,
        {"foreign_reporters": 1},
    ),
]


def _execution(province: Organisation, plan: Plan, today: dt.date) -> None:
    """Some progress on the demo plan and this year's report campaign, once."""
    from ttdn.reporting.models import KpiDefinition, ReportCampaign
    from ttdn.reporting.services import (
        campaign_open,
        kpi_compute,
        submission_save,
        submission_submit,
        task_update_add,
    )

    year = plan.year or today.year
    if ReportCampaign.objects.filter(scope=province, year=year).exists():
        return
    tasks = list(plan.tasks.prefetch_related("agencies__organisation").order_by("position"))
    for word, text, status, pct, figures in DEMO_PROGRESS:
        task = next((t for t in tasks if word in t.summary.lower()), None)
        if task is None:
            continue
        lead = next(
            (
                a.organisation
                for a in task.agencies.all()
                if a.role == "lead" and a.organisation is not None
            ),
            None,
        )
        if lead is not None:
            task_update_add(
                actor=SYSTEM,
                task=task,
                organisation=lead,
                narrative=text,
                status=status,
                progress=pct,
                figures=figures,
            )
    agencies = {
        a.organisation
        for t in tasks
        for a in t.agencies.all()
        if a.organisation is not None and a.organisation.kind != "province"
    }
    focal = _pick("Sở Văn hóa, Thể thao và Du lịch", province, today)
    campaign = campaign_open(
        actor=SYSTEM,
        owner=focal,
        scope=province,
        title=f"Báo cáo kết quả công tác thông tin đối ngoại năm {year}",
        year=year,
        due=dt.date(year, 11, 14),
        agencies=sorted(agencies, key=lambda o: o.name),
        kpis=KpiDefinition.objects.filter(level="agency"),
    )
    first = campaign.submissions.order_by("agency__name").first()
    if first is not None:
        first = submission_save(
            actor=SYSTEM,
            submission=first,
            expected_version=first.version,
            narrative="Hoàn thành các nhiệm vụ được giao (dữ liệu trình diễn).",
        )
        submission_submit(actor=SYSTEM, submission=first, expected_version=first.version)
    kpi_compute(year=year, province=province)


def _top(org: Organisation) -> Organisation:
    root_id = int(org.path.strip("/").split("/")[0])
    return Organisation.objects.get(pk=root_id)


def _partner_localities(province: Organisation) -> None:
    wanted = [
        ("LA", "Xiêng Khoảng", "ແຂວງຊຽງຂວາງ", "Hợp tác hữu nghị (dữ liệu trình diễn)"),
        ("JP", "Oita", "大分県", "Giao lưu văn hóa, du lịch (dữ liệu trình diễn)"),
        ("KR", "Anseong", "안성시", "Hợp tác địa phương (dữ liệu trình diễn)"),
    ]
    for iso, name, local, relation in wanted:
        country = Country.objects.filter(iso2=iso).first()
        if country is None:
            continue
        loc, created = PartnerLocality.objects.get_or_create(
            name=name,
            country=country,
            province=province,
            defaults={"name_local": local, "relation": relation},
        )
        if created:
            audit_record(actor=SYSTEM, action="create", obj=loc, changes={"demo": [None, True]})


def _spokesperson(province: Organisation, on: dt.date) -> None:
    org = _pick("Sở Văn hóa, Thể thao và Du lịch", province, on)
    if not Person.objects.filter(organisation=org, role=Person.Role.SPOKESPERSON).exists():
        person_create(
            actor=SYSTEM,
            organisation=org,
            full_name="Người Phát Ngôn Trình Diễn",
            position="Phó Giám đốc Sở",
            role=Person.Role.SPOKESPERSON,
            work_email="phatngon@demo.invalid",
            is_public=True,
        )
