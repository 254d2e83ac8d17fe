"""Exports: the XLSX task table and the contract JSON rebuilt from the stored plan."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from tests.plans.test_services import build_world, publish, upload
from ttdn.plans import services
from ttdn.plans.export import plan_data, plan_xlsx


@pytest.fixture
def world(db):
    return build_world()


def test_xlsx_has_a_bold_frozen_header_and_one_row_per_task(world):
    plan = publish(world["coordinator"])
    with translation.override("en"):
        content = plan_xlsx(plan)
    ws = load_workbook(io.BytesIO(content)).active
    header = [c.value for c in ws[1]]
    assert header == ["No.", "Section", "Task", "Lead", "Coordinating", "Deadline", "Due", "Status"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 1 + plan.tasks.count()
    row = [c.value for c in ws[2]]
    assert row[0] == 1
    assert row[1].startswith("II.1.")
    assert row[3] == "Sở Văn hóa, Thể thao và Du lịch"
    assert row[4] == "Sở Ngoại vụ\nSở Hư Cấu"
    assert row[5] == "Quý II năm 2025"
    assert row[6].date() == dt.date(2025, 6, 30)
    assert row[7] == "Not started"
    assert ws.column_dimensions["C"].width == 60


def test_json_export_round_trips_the_parsed_structure(world):
    pi = upload(world["coordinator"])
    parsed = pi.data
    plan = services.plan_publish(actor=world["coordinator"], plan_import=pi)
    data = plan_data(plan)
    for key in ("title", "number", "issued_date", "year", "legal_bases", "report_deadline"):
        assert data[key] == parsed[key], key
    assert data["issuer"] == world["ubnd"].name
    assert data["sections"] == parsed["sections"]
    for mine, theirs in zip(data["tasks"], parsed["tasks"], strict=True):
        for key in ("section", "summary", "lead", "coordinating", "deadline", "due", "recurrence"):
            assert mine[key] == theirs[key], key


def test_export_views(world):
    plan = publish(world["coordinator"])
    client = Client()
    client.force_login(world["other_officer"])  # published: everyone signed in reads it
    resp = client.get(f"/plans/{plan.pk}/export.xlsx")
    assert resp.status_code == 200
    assert resp["Content-Disposition"] == 'attachment; filename="12-KH-UBND.xlsx"'
    assert load_workbook(io.BytesIO(resp.content)).active.max_row == 3
    assert client.get(f"/plans/{plan.pk}/export.json").json()["number"] == "12/KH-UBND"
    assert client.get(f"/plans/{plan.pk}/export.csv").status_code == 404
