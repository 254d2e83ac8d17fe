"""Reference data: administrative units, province structures, agencies and countries."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter

import pytest

from ttdn.audit.models import AuditEntry
from ttdn.core.text import fold
from ttdn.directory.models import Country, Organisation, OrganisationFunction, valid_on
from ttdn.directory.reference import (
    LAST_DAY_BEFORE,
    REORGANISED_ON,
    create_province_structure,
    load_admin_units,
    load_countries,
    load_national_agencies,
    province_valid_on,
)
from ttdn.directory.services import function_holder

pytestmark = pytest.mark.django_db

D2022 = dt.date(2022, 6, 1)
D2026 = dt.date(2026, 6, 1)


def provinces_on(day: dt.date) -> list[Organisation]:
    return list(Organisation.objects.filter(valid_on(day), kind="province"))


def test_admin_units_load_63_old_and_34_new_provinces_with_dates() -> None:
    counts = load_admin_units()
    assert counts["created"] == 63 + 34 - 11  # the 11 unchanged provinces are one row each
    assert len(provinces_on(D2022)) == 63
    assert len(provinces_on(D2026)) == 34
    assert len(provinces_on(LAST_DAY_BEFORE)) == 63
    assert len(provinces_on(REORGANISED_ON)) == 34
    unchanged = Organisation.objects.filter(kind="province", valid_from=None, valid_to=None)
    assert {o.short_name for o in unchanged} >= {"Hà Nội", "Cao Bằng", "Quảng Ninh", "Huế"}
    assert unchanged.count() == 11


def test_admin_units_second_run_creates_nothing() -> None:
    load_admin_units(with_districts=["08"])
    audit_rows = AuditEntry.objects.count()
    again = load_admin_units(with_districts=["08"])
    assert again["created"] == 0
    assert again["updated"] == 0
    assert again["unchanged"] == 86 + Organisation.objects.filter(kind="district").count()
    assert AuditEntry.objects.count() == audit_rows


def test_merged_provinces_end_with_their_successor() -> None:
    load_admin_units()
    ha_giang = province_valid_on("Hà Giang", D2022)
    assert ha_giang is not None
    assert ha_giang.valid_to == LAST_DAY_BEFORE
    assert [s.name for s in ha_giang.successors.all()] == ["Tỉnh Tuyên Quang"]
    assert ha_giang.successors.get().valid_from == REORGANISED_ON
    bac_giang = province_valid_on("Bắc Giang", D2022)
    assert bac_giang is not None
    assert [s.short_name for s in bac_giang.successors.all()] == ["Bắc Ninh"]
    assert province_valid_on("Hà Giang", D2026) is None
    # the ending is audited with its successors (organisation_end)
    assert AuditEntry.objects.filter(
        object_id=str(ha_giang.pk), changes__has_key="successors"
    ).exists()


def test_code_24_means_bac_giang_before_and_bac_ninh_after() -> None:
    load_admin_units()
    by_date = {
        day: Organisation.objects.filter(valid_on(day), kind="province", code="24")
        for day in (D2022, D2026)
    }
    assert [o.short_name for o in by_date[D2022]] == ["Bắc Giang"]
    assert [o.short_name for o in by_date[D2026]] == ["Bắc Ninh"]


def test_province_aliases_include_unaccented_short_name() -> None:
    load_admin_units()
    tq = province_valid_on("Tuyên Quang", D2026)
    assert tq is not None
    names = set(tq.aliases.values_list("name", flat=True))
    assert {"Tuyên Quang", "Tuyen Quang", "Tinh Tuyen Quang"} <= names
    hue = province_valid_on("Huế", D2026)
    assert hue is not None
    assert hue.aliases.filter(name="Tỉnh Thừa Thiên Huế", kind="former").exists()


def test_units_agree_with_vietnam_provinces_package() -> None:
    import vietnam_provinces as vp

    load_admin_units(with_communes=True)

    def bare(name: str) -> str:  # the package writes "Cao Bằng" but "Thành phố Hà Nội"
        return fold(name).removeprefix("tinh ").removeprefix("thanh pho ")

    theirs = {int(p.code): bare(p.name) for p in vp.Province.iter_all()}
    ours = {int(o.code): bare(o.name) for o in provinces_on(D2026)}
    assert len(theirs) == len(ours) == 34
    assert ours == theirs

    # communes: the same names in each province (the packages differ only in apostrophes
    # and dashes, "Ea H’leo" / "Ea H'leo"); their commune codes differ for about 3 %
    def ward_key(name: str) -> str:
        return re.sub(r"[^a-z0-9]+", " ", fold(name)).strip()

    theirs_w = Counter((int(w.province_code), ward_key(w.name)) for w in vp.Ward.iter_all())
    rows = Organisation.objects.filter(valid_on(D2026), kind="commune").select_related("parent")
    ours_w = Counter((int(o.parent.code), ward_key(o.name)) for o in rows)
    assert sum(theirs_w.values()) == sum(ours_w.values()) == 3321
    assert ours_w == theirs_w
    their_codes = {int(w.code) for w in vp.Ward.iter_all()}
    our_codes = {int(o.code) for o in rows}
    shared = len(their_codes & our_codes) / len(their_codes)
    print(f"commune codes shared by both packages: {shared:.1%}")
    assert shared > 0.95
    # every commune hangs below its province
    tq = province_valid_on("Tuyên Quang", D2026)
    assert tq is not None
    assert Organisation.objects.filter(kind="commune", path__startswith=tq.path).exists()


def test_commune_load_is_idempotent_and_audited_in_one_summary_row() -> None:
    started = time.perf_counter()
    first = load_admin_units(with_communes=True)
    elapsed = time.perf_counter() - started
    print(f"load_admin_units(with_communes=True): {elapsed:.2f} s, {first}")
    summary = AuditEntry.objects.filter(action="import", object_type="directory.organisation")
    assert summary.count() == 1
    assert summary.get().changes["created"] == 3321
    second = load_admin_units(with_communes=True)
    assert second["created"] == 0
    assert second["unchanged"] == 86 + 3321


def test_province_structure_gives_dated_focal_department() -> None:
    load_admin_units()
    quang_ninh = province_valid_on("Quảng Ninh", D2026)  # unchanged: spans both periods
    assert quang_ninh is not None
    counts = create_province_structure(quang_ninh)
    assert counts["created"] > 30
    holder_2022 = function_holder(OrganisationFunction.Function.FOCAL_TTDN, quang_ninh, D2022)
    holder_2026 = function_holder(OrganisationFunction.Function.FOCAL_TTDN, quang_ninh, D2026)
    assert holder_2022 is not None and holder_2026 is not None
    assert holder_2022.name == "Sở Thông tin và Truyền thông"
    assert holder_2026.name == "Sở Văn hóa, Thể thao và Du lịch"
    assert holder_2022.valid_to == dt.date(2025, 2, 28)
    assert [s.name for s in holder_2022.successors.all()] == ["Sở Khoa học và Công nghệ"]
    ubnd = Organisation.objects.get(parent=quang_ninh, kind="peoples_committee")
    assert ubnd.name == "Ủy ban nhân dân tỉnh Quảng Ninh"
    bao = Organisation.objects.get(path__startswith=quang_ninh.path, name="Báo Quảng Ninh")
    assert [s.name for s in bao.successors.all()] == ["Báo và Phát thanh, Truyền hình Quảng Ninh"]
    again = create_province_structure(quang_ninh)
    assert again["created"] == 0
    assert again.get("functions", 0) == 0


def test_structure_of_a_merged_province_stops_at_the_merger() -> None:
    load_admin_units()
    ha_giang = province_valid_on("Hà Giang", D2022)
    assert ha_giang is not None
    create_province_structure(ha_giang)
    below = Organisation.objects.filter(path__startswith=ha_giang.path).exclude(pk=ha_giang.pk)
    assert below.exists()
    assert all(o.valid_to is not None and o.valid_to <= LAST_DAY_BEFORE for o in below)
    assert not below.filter(name__startswith="Báo và Phát thanh").exists()
    assert function_holder("focal_ttdn", ha_giang, D2026) is None
    assert function_holder("focal_ttdn", ha_giang, dt.date(2025, 4, 1)).name.startswith(
        "Sở Văn hóa"
    )


def test_national_agencies_hand_over_supervision_on_1_march_2025() -> None:
    first = load_national_agencies()
    assert first["created"] >= 15
    sup = OrganisationFunction.Function.NATIONAL_SUPERVISOR
    assert function_holder(sup, None, dt.date(2024, 1, 1)).name == "Cục Thông tin đối ngoại"
    after = function_holder(sup, None, dt.date(2025, 3, 1))
    assert after is not None
    assert after.name == "Cục Thông tin cơ sở và Thông tin đối ngoại"
    assert after.parent is not None and after.parent.name == "Bộ Văn hóa, Thể thao và Du lịch"
    bo_tttt = Organisation.objects.get(name="Bộ Thông tin và Truyền thông")
    assert [s.name for s in bo_tttt.successors.all()] == ["Bộ Khoa học và Công nghệ"]
    assert bo_tttt.aliases.filter(name="Bộ TT&TT").exists()
    again = load_national_agencies()
    assert again["created"] == 0


def test_countries_load_with_national_days_and_relations() -> None:
    counts = load_countries()
    assert counts["created"] >= 40
    laos = Country.objects.get(iso2="LA")
    assert laos.national_day == dt.date(1975, 12, 2)
    assert laos.relations_established == dt.date(1962, 9, 5)
    assert Country.objects.get(iso2="US").relations_established == dt.date(1995, 7, 12)
    assert AuditEntry.objects.filter(object_type="directory.country", action="import").count() == 1
    again = load_countries()
    assert again["created"] == 0 and again["updated"] == 0
