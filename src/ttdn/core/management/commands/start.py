"""``ttdn start``: the Quick-start path. Migrates, loads the demo, then serves the site and
runs the embedded job worker side by side until interrupted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from ttdn.core.demo import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "Set up the database, load the demo and serve the platform with its job worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--no-demo", action="store_true")
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write("Chuẩn bị cơ sở dữ liệu / preparing the database …")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_demo"]:
            call_command("demo")
        env = {**os.environ}
        procs: list[subprocess.Popen[bytes]] = []
        if not options["no_worker"] and settings.TASKS_BACKEND != "immediate":
            procs.append(subprocess.Popen([sys.executable, "-m", "ttdn.cli", "worker"], env=env))
            procs.append(subprocess.Popen([sys.executable, "-m", "ttdn.cli", "scheduler"], env=env))
        host, _, port = options["addr"].rpartition(":")
        self.stdout.write(
            self.style.SUCCESS(f"\nTTĐN đang chạy tại / running at http://{options['addr']}/")
        )
        self.stdout.write(f"Đăng nhập bằng / sign in with (mật khẩu / password {DEMO_PASSWORD}):")
        for login in demo_logins():
            self.stdout.write(f"  {login.username:<10} {login.role}")
        self.stdout.flush()
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "ttdn.wsgi:application",
                "--bind",
                f"{host or '127.0.0.1'}:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ],
            env=env,
        )
        procs.append(web)

        def stop(*_: Any) -> None:
            for p in procs:
                if p.poll() is None:
                    p.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            web.wait()
        finally:
            stop()
            for p in procs:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
