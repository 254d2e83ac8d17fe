"""The daily jobs are enqueued once a day, at their hour, whoever ticks."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ttdn.core.models import ScheduledRun
from ttdn.core.scheduler import DailyJob, tick

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def ran(monkeypatch):
    calls: list[str] = []

    class FakeTask:
        def enqueue(self, day):
            calls.append(day)

    monkeypatch.setattr("ttdn.core.scheduler.import_string", lambda _path: FakeTask())
    return calls


def test_daily_job_runs_once_from_its_hour(db, ran, django_capture_on_commit_callbacks):
    job = [DailyJob("x.daily", "unused", hour=6)]
    with django_capture_on_commit_callbacks(execute=True):
        assert tick(dt.datetime(2026, 11, 23, 5, 59, tzinfo=HCM), job) == []
        assert tick(dt.datetime(2026, 11, 23, 6, 0, tzinfo=HCM), job) == ["x.daily"]
        assert tick(dt.datetime(2026, 11, 23, 18, 0, tzinfo=HCM), job) == []
        assert tick(dt.datetime(2026, 11, 24, 6, 30, tzinfo=HCM), job) == ["x.daily"]
    assert ran == ["2026-11-23", "2026-11-24"]
    assert ScheduledRun.objects.count() == 2


def test_the_real_daily_job_runs_end_to_end(db):
    from ttdn.reporting.tasks import daily_reporting

    result = daily_reporting.call("2026-11-23")
    assert set(result) >= {"reminders", "digests", "computed", "stats_rows"}
