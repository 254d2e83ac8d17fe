"""Directory writes: tree paths, validity, history kept, every write audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from tests.factories import make_org, make_user
from ttdn.accounts.models import Role
from ttdn.audit.models import AuditEntry
from ttdn.directory.models import Organisation
from ttdn.directory.services import (
    SYSTEM,
    organisation_delete,
    organisation_end,
    organisation_update,
    person_create,
    person_erase,
    person_export,
)
from ttdn.plans.models import Plan


def test_paths_follow_the_tree_and_moves_update_the_subtree(db):
    a = make_org("Tỉnh A", "province")
    b = make_org("Tỉnh B", "province")
    dept = make_org("Sở X", parent=a)
    unit = make_org("Phòng Y", parent=dept)
    assert unit.path == f"/{a.pk}/{dept.pk}/{unit.pk}/"
    organisation_update(actor=SYSTEM, org=dept, parent=b)
    unit.refresh_from_db()
    assert unit.path == f"/{b.pk}/{dept.pk}/{unit.pk}/"
    assert unit.depth == 2


def test_an_organisation_cannot_move_below_itself(db):
    a = make_org("Tỉnh A", "province")
    dept = make_org("Sở X", parent=a)
    with pytest.raises(ValidationError):
        organisation_update(actor=SYSTEM, org=a, parent=dept)


def test_update_writes_before_and_after(db):
    org = make_org("Sở Ngoại vụ", phone="1")
    user = make_user(superuser=True)
    organisation_update(actor=user, org=org, phone="0207 3822 000")
    entry = AuditEntry.objects.get(action="update", object_id=str(org.pk))
    assert entry.actor == user
    assert entry.changes == {"phone": ["1", "0207 3822 000"]}


def test_an_organisation_referred_to_by_a_plan_cannot_be_deleted_only_ended(db):
    province = make_org("Tỉnh Cũ", "province")
    successor = make_org("Tỉnh Mới", "province")
    Plan.objects.create(issuer=province, title="Kế hoạch 2022", year=2022)
    with translation.override("en"), pytest.raises(ValidationError, match="end date"):
        organisation_delete(actor=SYSTEM, org=province)
    organisation_end(
        actor=SYSTEM, org=province, last_day=dt.date(2025, 6, 30), successors=[successor]
    )
    province.refresh_from_db()
    assert not province.is_valid_on(dt.date(2025, 7, 1))
    assert list(province.successors.all()) == [successor]
    assert Plan.objects.get().issuer == province  # history stays readable


def test_end_date_before_start_is_refused(db):
    with pytest.raises(ValidationError):
        make_org("Sở Z", valid_from=dt.date(2025, 3, 1), valid_to=dt.date(2025, 1, 1))


def test_officer_cannot_write_outside_scope_at_service_level(db):
    a = make_org("Tỉnh A", "province")
    mine = make_org("Sở Ngoại vụ", parent=a)
    theirs = make_org("Sở Tài chính", parent=a)
    officer = make_user(Role.AGENCY_OFFICER, mine)
    with pytest.raises(PermissionDenied):
        organisation_update(actor=officer, org=theirs, phone="x")
    organisation_update(actor=officer, org=mine, phone="y")


def test_personal_data_can_be_exported_and_erased_without_leaving_it_in_the_log(db):
    org = make_org("Sở Ngoại vụ")
    person = person_create(
        actor=SYSTEM,
        organisation=org,
        full_name="Phạm Thị Riêng Tư",
        work_email="rieng.tu@example.invalid",
    )
    data = person_export(actor=SYSTEM, person=person)
    assert data["full_name"] == "Phạm Thị Riêng Tư"
    assert data["work_email"] == "rieng.tu@example.invalid"
    person_erase(actor=SYSTEM, person=person)
    assert not org.people.exists()
    erase = AuditEntry.objects.get(action="erase")
    assert "Riêng Tư" not in erase.object_repr and erase.changes == {}


def test_valid_on_filter(db):
    from ttdn.directory.models import valid_on

    old = make_org("Sở Thông tin và Truyền thông", valid_to=dt.date(2025, 2, 28))
    new = make_org("Sở Văn hóa, Thể thao và Du lịch", valid_from=dt.date(2025, 3, 1))
    in_2022 = set(Organisation.objects.filter(valid_on(dt.date(2022, 5, 1))))
    in_2026 = set(Organisation.objects.filter(valid_on(dt.date(2026, 5, 1))))
    assert old in in_2022 and new not in in_2022
    assert new in in_2026 and old not in in_2026
