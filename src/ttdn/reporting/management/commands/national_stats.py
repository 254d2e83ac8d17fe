"""``ttdn national_stats``: rebuild the national summary table (run from a daily job)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ttdn.reporting.national import stats_refresh


class Command(BaseCommand):
    help = "Rebuild the per-province, per-year figures of the national view."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", help="only these years")

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.monotonic()
        n = stats_refresh(years=opts["year"])
        self.stdout.write(f"{n} rows refreshed in {time.monotonic() - started:.1f} s")
