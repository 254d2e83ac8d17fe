"""The province dashboard: completion by agency, overdue trend, KPIs, campaigns."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_org
from tests.reporting.test_views import YEAR, build_world, client_for, open_campaign
from ttdn.plans.models import Task, TaskAgency
from ttdn.reporting.models import KpiDefinition
from ttdn.reporting.selectors import completion_by_agency, overdue_trend
from ttdn.reporting.services import kpi_set


@pytest.fixture
def world(db):
    w = build_world()
    # Foreign affairs leads two tasks; one is done. Culture leads three, none done.
    Task.objects.filter(pk=w["task"].pk).update(status=Task.Status.DONE)
    for i in range(3):
        t = Task.objects.create(
            plan=w["plan"], summary=f"Quảng bá {i}", due=dt.date(YEAR, 1, 10), position=10 + i
        )
        TaskAgency.objects.create(
            task=t, role="lead", name_as_written="Sở VHTTDL", organisation=w["culture"]
        )
    return w


def test_dashboard_renders_bars_with_the_right_counts(world):
    c = client_for(world["coordinator"])
    resp = c.get(reverse("reporting:province", args=[world["province"].pk]), {"year": YEAR})
    assert resp.status_code == 200
    html = resp.content.decode()
    bars = dict(re.findall(r'class="bar" data-label="([^"]+)" data-value="(\d+)"', html))
    assert bars == {"Sở Ngoại vụ": "1", "Sở Văn hóa, Thể thao và Du lịch": "0"}
    assert ">1/2<" in html and ">0/3<" in html
    assert "<svg" in html and "style=" not in html.split("<main")[1]


def test_my_province_redirects_and_outsider_gets_404(world):
    c = client_for(world["foreign_officer"])
    resp = c.get(reverse("reporting:my_province"))
    assert resp.status_code == 302
    assert resp["Location"].endswith(f"/reporting/province/{world['province'].pk}/")
    assert c.get(resp["Location"]).status_code == 200
    outsider = client_for(world["outsider"])
    assert (
        outsider.get(reverse("reporting:province", args=[world["province"].pk])).status_code == 404
    )


def test_overdue_trend_counts_open_tasks_past_due_by_month(world):
    today = dt.date(YEAR, 12, 15)
    trend = dict(overdue_trend(world["province"], today))
    # task2 (due 30/09, open) and the three culture tasks (due 10/01, open); task is done
    assert trend[dt.date(YEAR, 1, 1)] == 3
    assert trend[dt.date(YEAR, 8, 1)] == 3
    assert trend[dt.date(YEAR, 9, 1)] == 4
    assert trend[dt.date(YEAR, 12, 1)] == 4
    assert len(trend) == 12


def test_completion_is_one_grouped_query(world):
    with CaptureQueriesContext(connection) as ctx:
        rows = completion_by_agency(world["province"], YEAR)
    assert len(ctx.captured_queries) == 1
    assert {r.name: (r.done, r.total) for r in rows} == {
        "Sở Ngoại vụ": (1, 2),
        "Sở Văn hóa, Thể thao và Du lịch": (0, 3),
    }


def test_dashboard_shows_kpis_and_campaign_completeness(world):
    kpi = KpiDefinition.objects.get(code="trainings")
    kpi_set(
        actor=world["coordinator"],
        definition=kpi,
        organisation=world["foreign"],
        year=YEAR,
        value=5,
    )
    kpi_set(
        actor=world["coordinator"],
        definition=kpi,
        organisation=world["culture"],
        year=YEAR,
        value=2,
    )
    campaign = open_campaign(world)
    html = (
        client_for(world["coordinator"])
        .get(reverse("reporting:province", args=[world["province"].pk]), {"year": YEAR})
        .content.decode()
    )
    assert kpi.name in html
    assert "<strong>7</strong>" in html
    assert campaign.title in html and "0/3 (0%)" in html


def test_dashboard_ignores_other_provinces(world):
    other = world["other"]
    dept = make_org("Sở khác", parent=other)
    from ttdn.plans.models import Plan

    plan = Plan.objects.create(issuer=other, title="KH khác", year=YEAR, status="published")
    t = Task.objects.create(plan=plan, summary="x", position=1)
    TaskAgency.objects.create(task=t, role="lead", name_as_written="x", organisation=dept)
    names = {r.name for r in completion_by_agency(world["province"], YEAR)}
    assert "Sở khác" not in names
