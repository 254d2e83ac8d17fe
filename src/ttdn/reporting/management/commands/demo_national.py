"""``ttdn demo_national``: generate the national dataset (see ttdn.reporting.generate)."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ttdn.reporting.generate import (
    AlreadyGenerated,
    Options,
    ProgressBar,
    generate_national,
    generated_exists,
    reset_generated,
)


class Command(BaseCommand):
    help = (
        "Generate a national dataset: current provinces, their agencies, yearly plans with "
        "tasks, progress updates, report campaigns and KPI values. Refuses to run twice "
        "unless --reset is given (which deletes only the generated data)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        d = Options()
        parser.add_argument("--provinces", type=int, default=d.provinces)
        parser.add_argument("--years", type=int, default=d.years, help="number of years")
        parser.add_argument("--first-year", type=int, default=d.first_year)
        parser.add_argument("--agencies", type=int, default=d.agencies, help="per province")
        parser.add_argument(
            "--tasks", type=int, default=d.tasks, help="tasks led by each agency per plan"
        )
        parser.add_argument("--updates-per-task", type=int, default=d.updates_per_task)
        parser.add_argument("--seed", type=int, default=d.seed)
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--reset", action="store_true", help="delete the generated data first")
        parser.add_argument(
            "--reset-only", action="store_true", help="delete the generated data and stop"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["reset"] or opts["reset_only"]:
            if generated_exists():
                deleted = reset_generated()
                self.stderr.write(f"Deleted the generated dataset: {deleted}")
            if opts["reset_only"]:
                return
        options = Options(
            provinces=opts["provinces"],
            years=opts["years"],
            first_year=opts["first_year"],
            agencies=opts["agencies"],
            tasks=opts["tasks"],
            updates_per_task=opts["updates_per_task"],
            seed=opts["seed"],
            today=opts["today"],
        )
        try:
            result = generate_national(options, ProgressBar(sys.stderr))
        except AlreadyGenerated as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Generated in {result.seconds:.1f} s:")
        for key, value in result.counts.items():
            self.stdout.write(f"  {key}: {value:,}")
