from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ttdn.core.scheduler import tick, tick_minute_jobs


class Command(BaseCommand):
    help = (
        "Enqueue the daily jobs (reminders, digests, KPIs, national figures) once a day "
        "and the press-monitoring tick every minute."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="check once and exit (cron)")
        parser.add_argument("--interval", type=int, default=60, help="seconds between checks")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            for name in tick():
                self.stdout.write(f"enqueued {name}")
            tick_minute_jobs()
            if options["once"]:
                return
            time.sleep(options["interval"])
