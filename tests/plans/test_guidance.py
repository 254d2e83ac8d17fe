"""Guidance coverage: which of the guidance's priorities does a plan take up?

The texts are written here; the seeds are read at test time when present (001 is the
ministry's guidance letter for 2020, 000 a provincial plan).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from tests.factories import make_org
from tests.plans.test_services import member
from ttdn.accounts.models import Role
from ttdn.directory.services import SYSTEM
from ttdn.plans import services
from ttdn.plans.guidance import guidance_coverage, priorities, similarities, terms
from ttdn.plans.models import Plan, Section, Task

SEEDS = Path("/work/shared/seeds")


def _plan(issuer, kind: str, sections: list[tuple[str, str]], tasks=()) -> Plan:
    plan = Plan.objects.create(
        issuer=issuer, title=f"{kind} 2026", kind=kind, status=Plan.Status.PUBLISHED
    )
    made = {}
    for pos, (number, heading) in enumerate(sections):
        made[number] = Section.objects.create(
            plan=plan, number=number, heading=heading, position=pos
        )
    for pos, (number, summary) in enumerate(tasks):
        Task.objects.create(plan=plan, section=made.get(number), summary=summary, position=pos)
    return plan


@pytest.fixture
def pair(db):
    ministry = make_org("Bộ Văn hóa, Thể thao và Du lịch", "national_agency")
    province = make_org("Tỉnh Thử Nghiệm", "province")
    ubnd = make_org("Ủy ban nhân dân tỉnh Thử Nghiệm", "peoples_committee", parent=province)
    guidance = _plan(
        ministry,
        Plan.Kind.GUIDANCE,
        [
            ("1", "Các nhiệm vụ trọng tâm"),
            ("1.a", "Tuyên truyền về chủ quyền biển, đảo và biên giới quốc gia"),
            ("1.b", "Quảng bá hình ảnh, du lịch và văn hóa của địa phương"),
            ("2", "Đấu tranh phản bác thông tin sai lệch về nhân quyền, tôn giáo"),
        ],
    )
    plan = _plan(
        ubnd,
        Plan.Kind.PLAN,
        [
            ("I", "MỤC ĐÍCH, YÊU CẦU"),
            ("II", "NHIỆM VỤ CỤ THỂ"),
            ("II.1", "Thông tin tuyên truyền bảo vệ chủ quyền biển đảo, biên giới"),
            ("II.2", "Giới thiệu tiềm năng của tỉnh"),
        ],
        [
            ("II.1", "Tổ chức cuộc thi tìm hiểu về biển, đảo Việt Nam"),
            ("II.2", "Sản xuất ấn phẩm song ngữ quảng bá du lịch, văn hóa của tỉnh"),
        ],
    )
    return guidance, plan


def test_terms_fold_diacritics_and_drop_function_words():
    assert terms("Du lịch và Văn hóa") == [
        "du",
        "lich",
        "van",
        "hoa",
        "du_lich",
        "lich_van",
        "van_hoa",
    ]
    assert terms("DU LỊCH") == terms("du lich")


def test_similarity_is_higher_for_the_same_topic():
    [[same, other]] = similarities(
        ["Quảng bá du lịch của tỉnh"],
        ["Ấn phẩm quảng bá du lịch tỉnh", "Đấu tranh phản bác thông tin sai lệch"],
    )
    assert same > 0.3 > other
    assert other == 0.0


def test_priorities_are_the_leaf_sections(pair):
    guidance = pair[0]
    assert [p.number for p in priorities(guidance)] == ["1.a", "1.b", "2"]


def test_coverage_finds_a_covered_and_a_missing_priority(pair):
    guidance, plan = pair
    rows = {r.priority.number: r for r in guidance_coverage(guidance, plan)}
    assert rows["1.a"].covered
    assert rows["1.a"].matches[0][0].heading.startswith("Thông tin tuyên truyền bảo vệ chủ quyền")
    assert rows["1.b"].covered
    best = rows["1.b"].matches[0][0]
    assert isinstance(best, Task) and "du lịch" in best.summary
    assert not rows["2"].covered
    assert rows["2"].score < 0.2


def test_coverage_page_shows_covered_and_missing(pair, db):
    guidance, plan = pair
    user = member(Role.PROVINCIAL_COORDINATOR, plan.issuer.parent)
    client = Client()
    client.force_login(user)
    page = client.get(f"/plans/{plan.pk}/coverage/?guidance={guidance.pk}")
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [r.covered for r in rows] == [True, True, False]
    assert "Đấu tranh phản bác" in page.content.decode()


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared seeds not available")
def test_seed_guidance_against_a_seed_plan(db):
    guidance_file = next(SEEDS.glob("001_*"), None)
    plan_file = next(SEEDS.glob("000_*"), None)
    if guidance_file is None or plan_file is None:
        pytest.skip("seed 000 or 001 missing")
    ministry = make_org("Bộ Thông tin và Truyền thông", "national_agency")
    province = make_org("Tỉnh Tuyên Quang", "province", short_name="Tuyên Quang")
    ubnd = make_org("Ủy ban nhân dân tỉnh Tuyên Quang", "peoples_committee", parent=province)

    def load(path: Path, owner, kind: str) -> Plan:
        pi = services.plan_import_create(
            actor=SYSTEM,
            organisation=owner,
            filename=path.name,
            content=path.read_bytes(),
            kind=kind,
        )
        return services.plan_publish(actor=SYSTEM, plan_import=pi)

    guidance = load(guidance_file, ministry, Plan.Kind.GUIDANCE)
    plan = load(plan_file, ubnd, Plan.Kind.PLAN)
    rows = {r.priority.number: r for r in guidance_coverage(guidance, plan)}
    assert len(rows) >= 8
    # a provincial TTĐN plan always has training and image promotion
    assert rows["4"].covered  # training (tập huấn, bồi dưỡng)
    assert rows["6.b"].covered  # promoting the province's image
