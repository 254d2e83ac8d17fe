"""CSV/XLSX import: all rows or none, clear messages per row, idempotent re-runs."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from tests.factories import make_org, make_user
from ttdn.accounts.models import Role
from ttdn.directory.io import export_csv, export_xlsx, import_organisations
from ttdn.directory.models import DirectoryImport, Organisation

GOOD = (
    "name,kind,parent_name,code,valid_from,valid_to,aliases\n"
    "Tỉnh Nhập Thử,province,,98,2025-07-01,,Nhap Thu\n"
    "Sở Ngoại vụ tỉnh Nhập Thử,department,Tỉnh Nhập Thử,,01/07/2025,,Sở NgV; SNV\n"
    "Báo Nhập Thử,press,Tỉnh Nhập Thử,,,,\n"
)


def test_good_file_imports_and_a_second_run_changes_nothing(db):
    report = import_organisations(GOOD.encode(), "to-chuc.csv", actor="system")
    assert report.ok, report.errors
    assert (report.inserted, report.updated, report.unchanged) == (3, 0, 0)
    dept = Organisation.objects.get(name="Sở Ngoại vụ tỉnh Nhập Thử")
    assert dept.parent.name == "Tỉnh Nhập Thử"
    assert {a.name for a in dept.aliases.all()} == {"Sở NgV", "SNV"}
    again = import_organisations(GOOD.encode(), "to-chuc.csv", actor="system")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert Organisation.objects.count() == 3


def test_a_bad_row_writes_nothing_and_says_where(db):
    bad = GOOD + "Sở Lỗi,department,Tỉnh Không Có,,31/02/2025,,\n" + "Sở Sai Loại,bộ lạc,,,,,\n"
    report = import_organisations(bad.encode(), "to-chuc.csv", actor="system")
    assert not report.ok
    assert Organisation.objects.count() == 0
    problems = {(e.row, e.column) for e in report.errors}
    assert (5, "parent_name") in problems
    assert (5, "valid_from") in problems
    assert (6, "kind") in problems


def test_legacy_encoded_csv_gets_a_clear_message(db):
    data = GOOD.encode("cp1258", errors="replace")
    report = import_organisations(data, "to-chuc.csv", actor="system")
    assert not report.ok
    assert "UTF-8" in report.errors[0].message
    assert Organisation.objects.count() == 0


def test_missing_columns_and_wrong_format_are_reported(db):
    assert (
        "name"
        in import_organisations(b"ten,loai\nA,B\n", "x.csv", actor="system").errors[0].message
    )
    assert import_organisations(b"%PDF-1.4", "x.pdf", actor="system").errors
    assert import_organisations(b"not a zip", "x.xlsx", actor="system").errors


def test_xlsx_round_trip(db):
    import_organisations(GOOD.encode(), "to-chuc.csv", actor="system")
    orgs = Organisation.objects.prefetch_related("aliases").select_related("parent")
    xlsx = export_xlsx(orgs)
    for org in Organisation.objects.order_by("-depth"):
        org.delete()
    report = import_organisations(xlsx, "to-chuc.xlsx", actor="system")
    # ids in the export point at deleted rows: every row must be reported, nothing written
    assert not report.ok and Organisation.objects.count() == 0
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx))
    ws = wb.active
    ws.delete_cols(1)  # drop the id column
    ws.delete_cols(4)  # and parent_id (now the 4th column)
    buf = io.BytesIO()
    wb.save(buf)
    report = import_organisations(buf.getvalue(), "to-chuc.xlsx", actor="system")
    assert report.ok, report.errors
    assert report.inserted == 3
    assert Organisation.objects.get(name="Báo Nhập Thử").parent.name == "Tỉnh Nhập Thử"


def test_csv_export_opens_in_excel_with_vietnamese(db):
    import_organisations(GOOD.encode(), "to-chuc.csv", actor="system")
    data = export_csv(Organisation.objects.all())
    assert data.startswith(b"\xef\xbb\xbf")
    assert "Sở Ngoại vụ tỉnh Nhập Thử" in data.decode("utf-8-sig")


def test_officer_cannot_import_outside_scope(db):
    province = make_org("Tỉnh Nhập Thử Khác", "province")
    officer = make_user(Role.AGENCY_OFFICER, make_org("Sở Ngoại vụ", parent=province))
    report = import_organisations(GOOD.encode(), "to-chuc.csv", actor=officer)
    assert not report.ok
    assert Organisation.objects.count() == 2  # only the fixture's two


def test_web_upload_runs_the_import_job_and_shows_the_report(
    db, django_capture_on_commit_callbacks
):
    admin = make_user(superuser=True)
    c = Client()
    c.force_login(admin)
    upload = io.BytesIO(GOOD.encode())
    upload.name = "to-chuc.csv"
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post("/directory/import/", {"file": upload})
    resp = c.get(resp["Location"])
    assert resp.status_code == 200
    job = DirectoryImport.objects.get()
    assert job.status == DirectoryImport.Status.DONE
    assert job.report["inserted"] == 3
    assert "3" in resp.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_upload_queues_no_job(monkeypatch):
    from django.db import transaction

    from ttdn.directory import tasks

    queued = []

    class FakeTask:
        def enqueue(self, *args):
            queued.append(args)

    monkeypatch.setattr(tasks, "run_directory_import", FakeTask())
    with pytest.raises(RuntimeError), transaction.atomic():
        job = DirectoryImport.objects.create(filename="x.csv", content=b"")
        tasks.enqueue_directory_import(job)
        raise RuntimeError
    assert queued == []
