"""Daily jobs of the reporting app (run by a scheduler calling ``ttdn reporting daily``)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from .notifications import digest_send, reminders_run


@task()
def daily_reminders(day: str | None = None) -> dict[str, int]:
    """Create today's reminders, then send the digests. Safe to run more than once."""
    today = dt.date.fromisoformat(day) if day else dt.date.today()
    return {"reminders": reminders_run(today), "digests": digest_send(today)}
