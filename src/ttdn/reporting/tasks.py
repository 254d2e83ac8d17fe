"""Daily jobs of the reporting app, enqueued once a day by ``ttdn scheduler``."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from .notifications import digest_send, reminders_run


@task()
def daily_reporting(day: str | None = None) -> dict[str, int]:
    """Reminders, digests, computed KPIs and the national summary. Safe to run twice."""
    from .national import stats_refresh
    from .services import kpi_compute

    today = dt.date.fromisoformat(day) if day else dt.date.today()
    result = {"reminders": reminders_run(today), "digests": digest_send(today)}
    result.update(kpi_compute(year=today.year))
    result["stats_rows"] = stats_refresh(years=[today.year], today=today)
    return result
