"""Jobs of the press pipeline on the job backend (embedded database queue or Redis).

The jobs only carry ids and start stages; the state is in the database (``Item.stage``
and its lease), so a job lost with a killed worker is made good by the next tick, which
``ttdn scheduler`` enqueues every minute.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from .models import Item, Source

BATCH = 50
# how long one job keeps taking batches before it hands over to a fresh job
BUDGET_S = 120.0


@task()
def monitor_tick() -> dict[str, int]:
    """Start the collections that are due and make sure pending items get processed."""
    from . import cases
    from .alerts import check_spikes
    from .pipeline import pending_counts, sources_due

    due = sources_due()
    for pk in due:
        fetch_source.enqueue(pk)
    pending = pending_counts()
    if pending[Item.Stage.QUEUED] and not due:
        download_pending.enqueue()
    if pending[Item.Stage.FETCHED]:
        process_pending.enqueue()
    return {
        "sources": len(due),
        **pending,
        "spikes": check_spikes(),
        "escalated": cases.escalate_overdue(),
    }


@task()
def fetch_source(source_id: int) -> dict[str, Any]:
    from .pipeline import discover

    source = Source.objects.select_related("owner").filter(pk=source_id, active=True).first()
    if source is None:
        return {"skipped": source_id}
    run = discover(source)
    if run.new_items or Item.objects.filter(stage=Item.Stage.QUEUED).exists():
        download_pending.enqueue()
    return {"source": source_id, "outcome": run.outcome, "new": run.new_items}


@task()
def download_pending() -> dict[str, Any]:
    import time

    from .pipeline import StageStats, download_batch

    stats = StageStats()
    t0, n, started = time.monotonic(), 0, False
    while time.monotonic() - t0 < BUDGET_S:
        got = download_batch(BATCH, stats=stats)
        n += got
        if not got:
            break
        if not started:  # let another worker analyse while this one downloads
            process_pending.enqueue()
            started = True
    else:
        download_pending.enqueue()
    if Item.objects.filter(stage=Item.Stage.FETCHED).exists():
        process_pending.enqueue()
    return {"downloaded": n, "stats": stats.as_dict()}


@task()
def process_pending() -> dict[str, Any]:
    import time

    from .pipeline import StageStats, process_batch

    stats = StageStats()
    t0, n = time.monotonic(), 0
    while time.monotonic() - t0 < BUDGET_S:
        got = process_batch(BATCH, stats=stats)
        n += got
        if not got:
            break
    else:
        process_pending.enqueue()
    return {"processed": n, "stats": stats.as_dict(), "at": timezone.now().isoformat()}


@task()
def send_alert_email(alert_id: int) -> bool:
    from .alerts import send_alert_email as send

    return send(alert_id)


@task()
def daily_monitoring(day: str | None = None) -> dict[str, int]:
    """The daily press digest, and on Mondays the weekly one."""
    import datetime as dt

    from .alerts import digest_send

    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    result = {"daily": digest_send("daily", today)}
    if today.weekday() == 0:
        result["weekly"] = digest_send("weekly", today)
    return result
