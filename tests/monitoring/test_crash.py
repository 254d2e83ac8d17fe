"""Kill the job worker (SIGKILL) in the middle of ingestion and start it again: no item is
lost and none is doubled — not in the items, not in the search index, not in the stories.

This runs the real embedded job backend (django-tasks-db) and real ``ttdn worker``
processes on their own SQLite file, against a feed served on 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from email.utils import format_datetime
from pathlib import Path

from django.utils import timezone

from tests.monitoring.httpserver import LocalHTTPServer, Response

N = 240
ROOT = Path(__file__).resolve().parents[2]


def _page(i: int) -> str:
    provinces = ["Tuyên Quang", "Lào Cai", "Hà Giang", "Cao Bằng", "Lạng Sơn", "Điện Biên"]
    where = provinces[i % len(provinces)]
    words = " ".join(f"từkhóa{i}x{j}" for j in range(40))
    body = "".join(
        f"<p>Bài số {i}: tin về tỉnh {where}, đoạn {k}. Nội dung riêng {words}.</p>"
        for k in range(8)
    )
    return (
        f"<html><head><title>Tin {i}</title></head><body><nav><a href='/'>Trang chủ</a></nav>"
        f"<article><h1>Tin số {i} về {where}</h1>{body}</article></body></html>"
    )


def _env(db: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        TTDN_TASKS_BACKEND="db",
        TTDN_ENV="test",
        TTDN_DATA_DIR=str(db.parent),
        TTDN_MONITOR_LEASE_SECONDS="3",
        PYTHONPATH=str(ROOT / "src"),
    )
    return env


def _ttdn(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ttdn.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=check,
        timeout=300,
    )


def _count(db: Path, sql: str) -> int:
    con = sqlite3.connect(db, timeout=30)
    try:
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


SETUP = """
from django.utils import timezone
from tests.factories import make_org
from ttdn.monitoring.models import AllowedHost, Source
from ttdn.monitoring.services import SYSTEM, source_create
from ttdn.monitoring.tasks import fetch_source
AllowedHost.objects.create(host="127.0.0.1")
owner = make_org("Tỉnh Tuyên Quang", "province")
s = source_create(actor=SYSTEM, name="Báo", kind="feed", url="{url}", owner=owner,
                  requests_per_minute=60000)
fetch_source.enqueue(s.pk)
"""

TICK = "from ttdn.monitoring.tasks import monitor_tick; monitor_tick.enqueue()"


def test_sigkill_during_ingestion_loses_nothing_and_doubles_nothing(tmp_path):
    now = timezone.now()
    routes: dict[str, Response] = {}
    entries = []
    for i in range(N):
        path = f"/tin/bai-so-{i}-{i * 7919}.html"
        routes[path] = Response(body=_page(i))
        entries.append(
            f"<item><title>Tin {i}</title><link>{{base}}{path}</link>"
            f"<pubDate>{format_datetime(now)}</pubDate></item>"
        )
    with LocalHTTPServer(routes) as srv:
        base = srv.url("").rstrip("/")
        feed = (
            "<rss version='2.0'><channel><title>x</title>" + "".join(entries) + "</channel></rss>"
        )
        srv.route(
            "/rss.xml",
            Response(body=feed.replace("{base}", base), content_type="application/rss+xml"),
        )
        db = tmp_path / "crash.sqlite3"
        env = _env(db)
        _ttdn(env, "migrate", "--noinput")
        _ttdn(env, "shell", "-c", SETUP.replace("{url}", srv.url("/rss.xml")))

        worker = subprocess.Popen(
            [sys.executable, "-m", "ttdn.cli", "worker"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        done_sql = "select count(*) from monitoring_item where stage='done'"
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                done = _count(db, done_sql) if db.exists() else 0
                if done >= N // 4:
                    break
                time.sleep(0.05)
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        finally:
            if worker.poll() is None:
                worker.kill()
        done_at_kill = _count(db, done_sql)
        assert 0 < done_at_kill < N, (
            "the worker must be killed mid-way for this test to mean anything"
        )

        # restart: the scheduler's tick re-enqueues what the killed jobs held
        worker = subprocess.Popen(
            [sys.executable, "-m", "ttdn.cli", "worker"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                _ttdn(env, "shell", "-c", TICK)
                if _count(db, done_sql) >= N:
                    break
                time.sleep(2)
        finally:
            worker.kill()
            worker.wait(10)

    assert _count(db, "select count(*) from monitoring_item") == N
    assert _count(db, "select count(distinct url) from monitoring_item") == N
    assert _count(db, done_sql) == N
    # every item indexed exactly once, and the index holds nothing else
    out = _ttdn(
        env,
        "shell",
        "-c",
        "from ttdn.monitoring.search import SearchQuery, search;"
        "print(search(SearchQuery(text='tin', per_page=1), scope_org_ids=None).total);"
        "print(search(SearchQuery(text='tukhoa7x3'), scope_org_ids=None).total)",
    )
    total, unique = out.stdout.split()[-2:]
    assert int(total) == N, out.stdout
    assert int(unique) == 1
    # stories count their items once
    assert _count(db, "select coalesce(sum(size), 0) from monitoring_cluster") == N
