"""A small scheduler: enqueue each daily job once a day on the configured job backend.

Django's tasks API has no periodic jobs. ``ttdn scheduler`` (started by ``ttdn start``;
one per deployment, or run from cron with ``--once``) calls ``tick()`` every minute.
A job is enqueued when its hour has come and no ``ScheduledRun`` row exists for it and the
day: the unique row is claimed first, so two schedulers or a restart never enqueue twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledRun


@dataclass(frozen=True)
class DailyJob:
    name: str
    task_path: str
    hour: int  # local time (Asia/Ho_Chi_Minh)


DAILY_JOBS = [
    DailyJob("reporting.daily", "ttdn.reporting.tasks.daily_reporting", hour=6),
    DailyJob("monitoring.daily", "ttdn.monitoring.tasks.daily_monitoring", hour=7),
]
# Jobs enqueued at every tick (each minute). They must be safe to run concurrently and
# twice: the press tick claims each due source and item with a lease in the database.
MINUTE_JOBS = ["ttdn.monitoring.tasks.monitor_tick"]


def tick_minute_jobs(jobs: list[str] | None = None) -> list[str]:
    """Enqueue the every-minute jobs. Returns their paths."""
    paths = MINUTE_JOBS if jobs is None else jobs
    for path in paths:
        import_string(path).enqueue()
    return list(paths)


def _enqueue(task_path: str, day: str) -> None:
    import_string(task_path).enqueue(day)


def tick(now: dt.datetime | None = None, jobs: list[DailyJob] | None = None) -> list[str]:
    """Enqueue the daily jobs that are due and not yet enqueued today. Returns their names."""
    now = timezone.localtime(now or timezone.now())
    enqueued = []
    for job in jobs or DAILY_JOBS:
        if now.hour < job.hour:
            continue
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(name=job.name, day=now.date())
                transaction.on_commit(partial(_enqueue, job.task_path, now.date().isoformat()))
        except IntegrityError:
            continue
        enqueued.append(job.name)
    return enqueued
