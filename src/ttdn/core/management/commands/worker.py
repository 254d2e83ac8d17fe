from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background job worker of the configured backend (database or Redis)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--burst", action="store_true", help="Run the jobs waiting now, then stop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS_BACKEND
        if backend == "db":
            extra = ["--batch"] if options["burst"] else []
            call_command("db_worker", *extra, "--queue-name", "*")
        elif backend == "rq":
            extra = ["--burst"] if options["burst"] else []
            call_command("rqworker", "default", "--job-class", "django_tasks_rq.Job", *extra)
        else:
            self.stdout.write("Jobs run in-process (immediate backend): no worker needed.")
