"""The name resolver: names as plans write them → organisations of the directory."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ttdn.core.text import fold
from ttdn.directory import resolver
from ttdn.directory.models import Organisation
from ttdn.directory.reference import (
    create_province_structure,
    load_admin_units,
    load_national_agencies,
    province_valid_on,
)
from ttdn.directory.resolver import resolve, resolve_many

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
GOLD = SHARED / "eval" / "plans"
D2022 = dt.date(2022, 6, 1)
D2026 = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _fresh_index() -> Iterator[None]:
    # the index lives in memory; each test's database starts empty again
    resolver.clear_cache()
    yield
    resolver.clear_cache()


@pytest.fixture
def directory(db: None) -> dict[str, Organisation]:
    load_national_agencies()
    load_admin_units(with_districts=["08", "19", "24"])
    out = {}
    for short in ("Tuyên Quang", "Thái Nguyên", "Bắc Giang"):
        province = province_valid_on(short, D2022)
        assert province is not None
        create_province_structure(province)
        out[short] = province
    new_tq = province_valid_on("Tuyên Quang", D2026)
    assert new_tq is not None
    out["Tuyên Quang 2026"] = new_tq
    return out


def org(pk: int) -> Organisation:
    return Organisation.objects.get(pk=pk)


# --- Unit tests of the rules ----------------------------------------------------------


def test_abbreviations_are_expanded(directory: dict[str, Organisation]) -> None:
    tq = directory["Tuyên Quang"]
    for written, expected in [
        ("Sở TT&TT", "Sở Thông tin và Truyền thông"),
        ("STTTT", "Sở Thông tin và Truyền thông"),
        ("Sở VH,TT&DL", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Sở VHTTDL tỉnh Tuyên Quang", "Sở Văn hóa, Thể thao và Du lịch"),
        ("UBND tỉnh", "Ủy ban nhân dân tỉnh Tuyên Quang"),
        ("Văn phòng UBND tỉnh", "Văn phòng Ủy ban nhân dân tỉnh Tuyên Quang"),
        ("Đài PT-TH tỉnh", "Đài Phát thanh và Truyền hình Tuyên Quang"),
        ("Ban TG Tỉnh ủy", "Ban Tuyên giáo Tỉnh ủy"),
        ("Ban Tuyên giáo TU", "Ban Tuyên giáo Tỉnh ủy"),
        ("UBMTTQ tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Tuyên Quang"),
        ("Sở KH&ĐT", "Sở Kế hoạch và Đầu tư"),
        ("Sở LĐ-TB&XH", "Sở Lao động - Thương binh và Xã hội"),
        ("HĐND tỉnh", "Hội đồng nhân dân tỉnh Tuyên Quang"),
        ("BCĐ công tác TTĐN tỉnh", "Ban Chỉ đạo công tác thông tin đối ngoại tỉnh Tuyên Quang"),
    ]:
        res = resolve(written, province=tq, on=D2022)
        assert res.status == "resolved", (written, res)
        assert res.best is not None and res.best.name == expected, (written, res)
        assert res.best.confidence >= 0.95
        assert org(res.best.organisation_id).province() == tq


def test_both_tone_placements_and_unaccented_input(directory: dict[str, Organisation]) -> None:
    tq = directory["Tuyên Quang"]
    ids = {
        resolve(name, province=tq, on=D2022).best.organisation_id  # type: ignore[union-attr]
        for name in (
            "Ủy ban nhân dân tỉnh",
            "Uỷ ban nhân dân tỉnh",
            "uy ban nhan dan tinh",
            "ỦY BAN NHÂN DÂN TỈNH TUYÊN QUANG",
            "**Ủy ban nhân dân tỉnh.**",
        )
    }
    assert len(ids) == 1
    a = resolve("Sở Văn hoá, Thể thao và Du lịch", province=tq, on=D2022)
    b = resolve("So Van hoa, The thao va Du lich", province=tq, on=D2022)
    assert a.best is not None and b.best is not None
    assert a.best.organisation_id == b.best.organisation_id
    assert a.best.confidence >= 0.95


def test_leading_request_words_are_dropped(directory: dict[str, Organisation]) -> None:
    res = resolve("Đề nghị Ban Tuyên giáo Tỉnh ủy", province=directory["Thái Nguyên"], on=D2022)
    assert res.status == "resolved"
    assert res.best is not None and res.best.name == "Ban Tuyên giáo Tỉnh ủy"
    assert org(res.best.organisation_id).province() == directory["Thái Nguyên"]


def test_date_decides_between_old_department_and_fallback(
    directory: dict[str, Organisation],
) -> None:
    then = resolve("Sở TT&TT", province=directory["Tuyên Quang"], on=D2022)
    assert then.status == "resolved" and then.best is not None
    assert then.best.confidence >= 0.95
    old = org(then.best.organisation_id)
    assert old.valid_to == dt.date(2025, 2, 28)
    later = resolve("Sở TT&TT", province=directory["Tuyên Quang 2026"], on=D2026)
    assert later.best is not None
    assert later.best.organisation_id == old.pk  # the only one of that name, with a warning
    assert later.best.confidence < 0.8 < then.best.confidence
    assert "2026-06-01" in later.best.reason
    assert "Sở Khoa học và Công nghệ" in later.best.reason  # the successor is named


def test_party_organ_name_follows_the_2025_merger(directory: dict[str, Organisation]) -> None:
    tq = directory["Tuyên Quang"]
    before = resolve("Ban Tuyên giáo Tỉnh ủy", province=tq, on=D2022)
    after = resolve("Ban Tuyên giáo và Dân vận Tỉnh ủy", province=tq, on=dt.date(2025, 5, 1))
    assert before.best is not None and after.best is not None
    assert before.best.organisation_id != after.best.organisation_id
    assert (
        org(before.best.organisation_id).successors.filter(pk=after.best.organisation_id).exists()
    )


def test_unknown_name_is_unresolved(directory: dict[str, Organisation]) -> None:
    for name in (
        "Sở Du hành Vũ trụ",
        "Ban Quản lý Dự án Mặt Trăng",
        "các cơ quan, đơn vị liên quan",
        "",
    ):
        res = resolve(name, province=directory["Tuyên Quang"], on=D2022)
        assert res.status == "unresolved", (name, res)
        assert res.matches == []


def test_same_name_in_several_provinces_without_province_is_ambiguous(
    directory: dict[str, Organisation],
) -> None:
    res = resolve("Sở Ngoại vụ", on=D2022)
    assert res.status == "ambiguous"
    assert len(res.matches) == 3
    assert len({m.confidence for m in res.matches}) == 1
    named = resolve("Sở Ngoại vụ tỉnh Thái Nguyên", on=D2022)
    assert named.status == "resolved" and named.best is not None
    assert org(named.best.organisation_id).province() == directory["Thái Nguyên"]


def test_typo_resolves_with_medium_confidence(directory: dict[str, Organisation]) -> None:
    res = resolve("Sở Thông tin và Truyền thôn", province=directory["Bắc Giang"], on=D2022)
    assert res.status == "resolved" and res.best is not None
    assert res.best.name == "Sở Thông tin và Truyền thông"
    assert 0.5 <= res.best.confidence < 0.95


def test_collectives_list_members_valid_on_the_date(directory: dict[str, Organisation]) -> None:
    tq = directory["Tuyên Quang"]
    deps = resolve("Các sở, ban, ngành", province=tq, on=D2022)
    assert deps.is_collective and deps.status == "resolved"
    names = {m.name for m in deps.matches}
    assert "Sở Thông tin và Truyền thông" in names
    assert "Sở Nông nghiệp và Môi trường" not in names  # created in 2025
    districts = resolve("Ủy ban nhân dân huyện, thành phố", province=tq, on=D2022)
    assert districts.is_collective and districts.collective == "districts"
    assert len(districts.matches) == 7  # Tuyên Quang: 1 city and 6 districts
    assert all(org(m.organisation_id).kind == "district" for m in districts.matches)
    one = resolve("Ủy ban nhân dân huyện Yên Sơn", province=tq, on=D2022)
    assert not one.is_collective
    provinces = resolve(
        "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương", on=dt.date(2020, 1, 1)
    )
    assert provinces.is_collective and len(provinces.matches) == 63
    press = resolve("Các cơ quan báo chí, truyền thông trên địa bàn tỉnh", province=tq, on=D2022)
    assert {m.name for m in press.matches} >= {"Báo Tuyên Quang", "Tạp chí Văn nghệ Tuyên Quang"}


def test_resolving_a_plan_takes_milliseconds(directory: dict[str, Organisation]) -> None:
    names = [
        "Sở Thông tin và Truyền thông",
        "Sở Ngoại vụ",
        "Các sở, ban, ngành",
        "Ủy ban nhân dân huyện, thành phố",
        "Báo Tuyên Quang",
        "Công an tỉnh",
        "Sở Văn hoá, Thể thao và Du lịch",
        "Trung tâm Xúc tiến đầu tư",
    ] * 5
    resolve_many(names, province=directory["Tuyên Quang"], on=D2022)  # builds the index
    started = time.perf_counter()
    out = resolve_many(names, province=directory["Tuyên Quang"], on=D2022)
    elapsed = time.perf_counter() - started
    assert all(r.status == "resolved" for r in out)
    assert elapsed < 0.05, elapsed


def test_index_follows_directory_changes(directory: dict[str, Organisation]) -> None:
    from ttdn.directory.services import SYSTEM, alias_add

    tq = directory["Tuyên Quang"]
    assert resolve("Sở NgV", province=tq, on=D2022).status == "unresolved"
    so_ngv = Organisation.objects.get(path__startswith=tq.path, name="Sở Ngoại vụ")
    alias_add(actor=SYSTEM, org=so_ngv, name="Sở NgV", kind="abbreviation")
    assert resolve("Sở NgV", province=tq, on=D2022).status == "resolved"


# --- The seed documents ---------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """What a name must resolve to: a named organisation of the province or nation, or a
    collective whose members have ``kind``."""

    name: str = ""  # "{P}" = the province's short name
    kind: str = ""
    national: bool = False
    collective: str = ""


EXPECT: dict[str, Expect] = {
    fold(k): v
    for k, v in {
        "Báo {P}": Expect("Báo {P}", "press"),
        "Tạp chí Văn nghệ {P}": Expect("Tạp chí Văn nghệ {P}", "press"),
        "Cổng Thông tin điện tử tỉnh": Expect("Cổng Thông tin điện tử tỉnh {P}", "press"),
        "Đài Phát thanh và Truyền hình tỉnh": Expect("Đài Phát thanh và Truyền hình {P}", "press"),
        "Đài Phát thanh - Truyền hình tỉnh {P}": Expect(
            "Đài Phát thanh và Truyền hình {P}", "press"
        ),
        "Công an tỉnh": Expect("Công an tỉnh {P}", "department"),
        "Bộ Chỉ huy Quân sự tỉnh": Expect("Bộ Chỉ huy Quân sự tỉnh {P}", "department"),
        "Ủy ban nhân dân tỉnh": Expect("Ủy ban nhân dân tỉnh {P}", "peoples_committee"),
        "Văn phòng UBND tỉnh": Expect("Văn phòng Ủy ban nhân dân tỉnh {P}", "department"),
        "Văn phòng Ủy ban nhân dân tỉnh": Expect(
            "Văn phòng Ủy ban nhân dân tỉnh {P}", "department"
        ),
        "Sở Ngoại vụ": Expect("Sở Ngoại vụ", "department"),
        "Sở Thông tin và Truyền thông": Expect("Sở Thông tin và Truyền thông", "department"),
        "Sở Tài chính": Expect("Sở Tài chính", "department"),
        "Sở Nội vụ": Expect("Sở Nội vụ", "department"),
        "Sở Công Thương": Expect("Sở Công Thương", "department"),
        "Sở Kế hoạch và Đầu tư": Expect("Sở Kế hoạch và Đầu tư", "department"),
        "Sở Lao động - Thương binh và Xã hội": Expect(
            "Sở Lao động - Thương binh và Xã hội", "department"
        ),
        "Sở Văn hóa, Thể thao và Du lịch": Expect("Sở Văn hóa, Thể thao và Du lịch", "department"),
        "Ban Quản lý các Khu công nghiệp": Expect(
            "Ban Quản lý các Khu công nghiệp tỉnh {P}", "department"
        ),
        "Trung tâm Xúc tiến đầu tư": Expect("Trung tâm Xúc tiến đầu tư tỉnh {P}", "other"),
        "Liên hiệp các tổ chức hữu nghị tỉnh": Expect(
            "Liên hiệp các tổ chức hữu nghị tỉnh {P}", "mass_organisation"
        ),
        "Ban Tuyên giáo Tỉnh ủy": Expect("Ban Tuyên giáo Tỉnh ủy", "party"),
        "Thường trực Ban Chỉ đạo công tác Nhân quyền của tỉnh": Expect(
            "Ban Chỉ đạo công tác nhân quyền tỉnh {P}", "other"
        ),
        "Viện nghiên cứu quốc tế và đối ngoại Nhân dân": Expect(
            "Viện Nghiên cứu quốc tế và đối ngoại Nhân dân", "other", national=True
        ),
        "Các sở, ban, ngành": Expect(collective="department"),
        "các sở, ban, ngành liên quan": Expect(collective="department"),
        "các sở, ngành, cơ quan, đơn vị liên quan": Expect(collective="department"),
        "Ủy ban nhân dân huyện, thành phố": Expect(collective="district"),
        "UBND các huyện, thành phố, thị xã": Expect(collective="district"),
        "Các cơ quan báo chí, truyền thông trên địa bàn tỉnh": Expect(collective="press"),
        "Các cơ quan báo chí tỉnh": Expect(collective="press"),
        "các cơ quan báo chí Trung ương và địa phương": Expect(collective="press"),
        "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương": Expect(collective="province"),
        "các thành viên Ban Chỉ đạo công tác thông tin đối ngoại": Expect(
            "Ban Chỉ đạo công tác thông tin đối ngoại tỉnh {P}", collective="other"
        ),
    }.items()
}

_HEADS = (
    "Sở",
    "Ban",
    "Bộ",
    "Cục",
    "Ủy ban",
    "UBND",
    "Văn phòng",
    "Đài",
    "Báo",
    "Tạp chí",
    "Cổng",
    "Trang",
    "Trung tâm",
    "Công an",
    "Liên hiệp",
    "Hội",
    "Viện",
    "Thường trực",
    "Thông tấn xã",
)
_SPLIT = re.compile(r"\s*;\s*|,\s*(?=(?:" + "|".join(_HEADS) + r")\b)")


def _heading_names(heading: str) -> list[str]:
    """Agencies of an implementation heading (annotation rule N2)."""
    heading = re.sub(r"^Đề nghị\s+", "", heading)
    return [part.strip() for part in _SPLIT.split(heading) if part.strip()]


def _seed_names() -> list[tuple[str, str, dt.date, str]]:
    """(document, province short name or "", date, name) for every agency name."""
    out = []
    for path in sorted(GOLD.glob("*.gold.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        issuer = gold.get("issuer") or ""
        m = re.search(r"tỉnh (.+)$", issuer)
        short = m.group(1) if m else ""
        if gold.get("issued_date"):
            day = dt.date.fromisoformat(gold["issued_date"])
        elif gold.get("year"):
            day = dt.date(gold["year"], 1, 1)
        else:
            day = dt.date(2024, 6, 1)
        names: dict[str, None] = {}
        for task in gold["tasks"]:
            for name in [*task.get("lead", []), *task.get("coordinating", [])]:
                names[name] = None
        tcth = [
            s["number"]
            for s in gold["sections"]
            if fold(s["heading"]).startswith("to chuc thuc hien")
        ]
        for section in gold["sections"]:
            for top in tcth:
                if section["number"].startswith(top + ".") and section["number"].count(".") == 1:
                    for name in _heading_names(section["heading"]):
                        names[name] = None
        out += [(path.name[:3], short, day, name) for name in names]
    return out


def _expect_for(name: str) -> Expect | None:
    cleaned = fold(re.sub(r"^Đề nghị\s+", "", name))
    for key, expect in EXPECT.items():
        pattern = re.escape(key).replace(re.escape("{p}"), ".+")
        if re.fullmatch(pattern, cleaned) or (expect.collective and cleaned.startswith(key)):
            return expect
    return None


def _is_right(
    name: str, province: Organisation | None, day: dt.date, res: resolver.Resolution
) -> bool:
    expect = _expect_for(name)
    if expect is None or res.status != "resolved" or not res.matches:
        return False
    short = province.short_name if province else ""
    orgs = [org(m.organisation_id) for m in res.matches]
    if expect.collective and expect.collective != "other":
        return res.is_collective and all(
            o.kind == expect.collective
            and o.is_valid_on(day)
            and (
                expect.collective == "province"
                or o.province() == province
                or (o.province() is None and "trung uong" in fold(name))
            )
            for o in orgs
        )
    (o,) = orgs if len(orgs) == 1 else (None,)
    if o is None or not o.is_valid_on(day):
        return False
    if expect.kind and o.kind != expect.kind:
        return False
    where_ok = o.province() is None if expect.national else o.province() == province
    return where_ok and fold(o.name) == fold(expect.name.replace("{P}", short))


@pytest.mark.skipif(not GOLD.is_dir(), reason="shared/eval/plans is not beside the repo")
def test_resolver_on_every_agency_name_of_the_seed_plans(
    directory: dict[str, Organisation],
) -> None:
    items = _seed_names()
    assert len(items) > 60
    ok = 0
    failures = []
    started = time.perf_counter()
    for doc, short, day, name in items:
        province = province_valid_on(short, day) if short else None
        assert short == "" or province is not None
        res = resolve(name, province=province, on=day)
        if _is_right(name, province, day, res):
            ok += 1
        else:
            failures.append((doc, name, res.status, [m.name for m in res.matches][:3]))
    elapsed = time.perf_counter() - started
    total = len(items)
    pct = ok / total
    print(f"resolver: {ok}/{total} = {pct:.1%}")
    print(f"  ({elapsed * 1000:.0f} ms for all names, index build included)")
    for failure in failures:
        print("  not right:", failure)
    assert pct >= 0.95
