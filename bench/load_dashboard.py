"""Load run: gunicorn (2 workers, threads) against the generated dataset, driven by wrk.

Usage:

    TTDN_DATA_DIR=/tmp/ttdn_nat_sqlite python bench/load_dashboard.py \
        [--duration 120] [--floor-duration 30] [--connections 50] [--path /national/province/ID/]

Signs a national viewer in (a session row written through Django), starts gunicorn on
127.0.0.1 (2 workers × ``--threads`` threads, gthread), checks the pages answer 200 with the
session cookie, then runs ``wrk`` with 50 connections against ``/health/`` (the floor) and
against the province page (default: the busiest province's page) and, with ``--national``,
the national table. Reports req/s, p50/p95/p99 latency and errors (socket errors and non-2xx
answers) and the ratio to the floor. Everything is bounded in time; gunicorn is stopped at the
end whatever happens. Needs ``wrk`` (apt-get install -y wrk). Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ttdn.settings")
os.environ.setdefault("TTDN_DEBUG", "0")

LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "JSON {\\"requests\\": %d, \\"duration_s\\": %.3f, \\"p50_ms\\": %.2f, \\"p95_ms\\": %.2f, "
    .. "\\"p99_ms\\": %.2f, \\"max_ms\\": %.2f, \\"socket_errors\\": %d, \\"non_2xx\\": %d}\\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def session_cookie() -> tuple[str, str]:
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from ttdn.accounts.models import Role, RoleAssignment, User
    from ttdn.directory.models import Organisation, OrganisationKind
    from ttdn.reporting.models import ProvinceYearStats

    user, _ = User.objects.get_or_create(username="bench_national")
    province = Organisation.objects.filter(kind=OrganisationKind.PROVINCE).first()
    assert province is not None, "load the dataset first"
    RoleAssignment.objects.get_or_create(
        user=user, role=Role.NATIONAL_VIEWER, organisation=province
    )
    client = Client()
    client.force_login(user)
    stats = ProvinceYearStats.objects.exclude(plan=None).order_by("-year", "-tasks").first()
    assert stats is not None, "no generated data"
    path = f"/national/province/{stats.province_id}/?year={stats.year}"
    return (
        f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
        path,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout:.0f} s")


def check(url: str, cookie: str) -> None:
    req = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(req, timeout=30) as r:
        if r.status != 200 or r.url != url:
            raise SystemExit(f"{url}: HTTP {r.status} (redirected to {r.url})")


def run_wrk(url: str, cookie: str, seconds: int, connections: int, script: str) -> dict[str, float]:
    cmd = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        script,
        "-H",
        f"Cookie: {cookie}",
        url,
    ]
    out = subprocess.run(
        cmd, capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("JSON "))
    fig = json.loads(line[5:])
    fig["req_per_s"] = round(fig["requests"] / fig["duration_s"], 1)
    return fig


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=120)
    ap.add_argument("--floor-duration", type=int, default=30)
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    ap.add_argument("--path", default=None, help="page to load (default: a province page)")
    ap.add_argument("--national", action="store_true", help="also load the national table")
    args = ap.parse_args()

    cookie, default_path = session_cookie()
    path = args.path or default_path
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "ttdn.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "-k",
            "gthread",
            "--threads",
            str(args.threads),
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
    )
    results: dict[str, object] = {
        "connections": args.connections,
        "workers": 2,
        "threads": args.threads,
        "path": path,
    }
    try:
        wait_up(f"{base}/health/")
        targets = {"floor_health": "/health/", "province_page": path}
        if args.national:
            targets["national_view"] = "/national/"
        for url in targets.values():
            check(base + url, cookie)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
            fh.write(LUA)
            script = fh.name
        for name, url in targets.items():
            seconds = args.floor_duration if name == "floor_health" else args.duration
            fig = run_wrk(base + url, cookie, seconds, args.connections, script)
            results[name] = fig
            print(
                f"{name:16} {fig['req_per_s']:8.1f} req/s  p50 {fig['p50_ms']:7.1f} ms  "
                f"p95 {fig['p95_ms']:7.1f} ms  p99 {fig['p99_ms']:7.1f} ms  "
                f"errors {fig['socket_errors'] + fig['non_2xx']}"
            )
        os.unlink(script)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    floor = results["floor_health"]
    assert isinstance(floor, dict)
    for name in ("province_page", "national_view"):
        page = results.get(name)
        if isinstance(page, dict):
            fig = page
            fig["p95_ratio_to_floor"] = round(fig["p95_ms"] / max(floor["p95_ms"], 0.01), 1)
            fig["throughput_ratio_to_floor"] = round(floor["req_per_s"] / fig["req_per_s"], 1)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
