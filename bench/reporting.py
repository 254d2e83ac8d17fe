"""Benchmark the national view, a province page and the DOCX reports on the generated dataset.

Usage (the dataset of ``ttdn demo_national`` must be loaded in the database it points to):

    TTDN_DATA_DIR=/tmp/ttdn_nat_sqlite python bench/reporting.py [--runs 30]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ttdn_bench python bench/reporting.py

Requests go through Django's test client as a signed-in national viewer (a ``bench_national``
account is created if missing). For each page: median and p95 over ``--runs`` requests after
three warm-up requests, and the ratio to the floor measured in the same run (the trivial
``/health/`` view, one ``SELECT 1``; and a bare indexed ORM query). The last line is one JSON
object with all the figures, in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ttdn.settings")
os.environ.setdefault("TTDN_DEBUG", "0")  # no query log: measure what production runs

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from ttdn.accounts.models import Role, RoleAssignment, User  # noqa: E402
from ttdn.directory.models import Organisation, OrganisationKind  # noqa: E402
from ttdn.plans.models import Task  # noqa: E402
from ttdn.reporting.models import ProvinceYearStats  # noqa: E402


def timed(fn: Callable[[], object], runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p95(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]


def superuser() -> User:
    from ttdn.accounts.models import User

    user, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def national_viewer() -> User:
    user, _ = User.objects.get_or_create(username="bench_national")
    province = Organisation.objects.filter(kind=OrganisationKind.PROVINCE).first()
    if province is None:
        sys.exit("no province: load the dataset first (ttdn demo_national)")
    RoleAssignment.objects.get_or_create(
        user=user, role=Role.NATIONAL_VIEWER, organisation=province
    )
    return user


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--docx-runs", type=int, default=5)
    ap.add_argument("--year", type=int, default=None)
    args = ap.parse_args()

    engine = connection.vendor
    stats = ProvinceYearStats.objects.exclude(plan=None).order_by("-year", "-tasks").first()
    if stats is None:
        sys.exit("no generated data (ProvinceYearStats is empty): run ttdn demo_national")
    year = args.year or stats.year
    province_id = stats.province_id
    client = Client()
    client.force_login(national_viewer())

    def get(url: str, **params: str | int) -> Callable[[], object]:
        def call() -> object:
            resp = client.get(url, params)
            if resp.status_code != 200:
                raise SystemExit(f"{url}: HTTP {resp.status_code}")
            return resp

        return call

    task_ids = list(Task.objects.values_list("pk", flat=True)[:1000])
    i = iter(range(10**9))

    def indexed_query() -> object:
        return Task.objects.filter(pk=task_ids[next(i) % len(task_ids)]).first()

    pages: dict[str, tuple[Callable[[], object], int]] = {
        "floor_health": (get("/health/"), args.runs),
        "floor_indexed_query": (indexed_query, args.runs),
        "national_view": (get(reverse("national:index"), year=year), args.runs),
        "national_view_sorted_kpi": (
            get(reverse("national:index"), year=year, sort="press_conferences", dir="desc"),
            args.runs,
        ),
        "province_page": (
            get(reverse("national:province", args=[province_id]), year=year),
            args.runs,
        ),
        "national_xlsx": (get(reverse("national:xlsx"), year=year), args.docx_runs),
    }
    try:
        dashboard = reverse("reporting:province", args=[province_id])
        pages["province_dashboard"] = (get(dashboard), args.runs)
    except NoReverseMatch:
        print("province dashboard (reporting:province) is not wired in urls.py: skipped")
    pages["province_docx"] = (
        get(reverse("national:province_docx", args=[province_id]), year=year),
        args.docx_runs,
    )
    pages["national_docx"] = (get(reverse("national:docx"), year=year), args.docx_runs)
    # The provincial report of the province's campaign (DOCX with the task table and annex
    # figures), downloaded as the province's coordinator would.
    from ttdn.reporting.models import ReportCampaign

    campaign = ReportCampaign.objects.filter(scope_id=province_id, year=year).first()
    if campaign is not None:
        manager = Client()
        manager.force_login(superuser())
        report_url = reverse("reporting:campaign_report", args=[campaign.pk, "docx"])

        def campaign_docx() -> object:
            resp = manager.get(report_url)
            if resp.status_code != 200:
                raise SystemExit(f"{report_url}: HTTP {resp.status_code}")
            return resp

        pages["campaign_report_docx"] = (campaign_docx, args.docx_runs)

    tasks = Task.objects.count()
    print(f"engine {engine}; {tasks:,} tasks; year {year}; province {province_id}")
    result: dict[str, object] = {"engine": engine, "tasks": tasks, "year": year}
    floor = None
    for name, (fn, runs) in pages.items():
        times = timed(fn, runs, warmup=1 if runs <= 5 else 3)
        med, high = statistics.median(times), p95(times)
        if name == "floor_health":
            floor = med
        ratio = med / floor if floor else 1.0
        print(f"{name:28} median {med:8.1f} ms  p95 {high:8.1f} ms  ×{ratio:,.0f} floor")
        result[name] = {
            "median_ms": round(med, 2),
            "p95_ms": round(high, 2),
            "ratio": round(ratio, 1),
        }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
