"""The ``ttdn`` command: the platform's scripting surface.

Every subcommand is a Django management command; ``ttdn --help`` lists the ones an
operator needs in plain words, ``ttdn help --all`` lists everything Django offers.
"""

from __future__ import annotations

import os
import sys

COMMANDS: list[tuple[str, str]] = [
    ("start", "Set up the database, load the demo and serve the platform with its job worker"),
    ("demo", "Load the demo province, its agencies, users of every role and a demo plan"),
    (
        "demo national",
        "Generate a national dataset: 34 provinces × 40 agencies × 60 tasks × 5 years",
    ),
    ("demo monitor", "Load the press-monitoring demo (a recorded corpus through the pipeline)"),
    (
        "monitor classify PATH.jsonl",
        "Language, provinces, topics, sentiment of press items (JSON lines)",
    ),
    ("monitor run [--all]", "Collect due press sources and process pending items, here"),
    ("monitor import SOURCE PATH", "Import a social-media export (CSV/JSONL) into a source"),
    ("national_stats", "Refresh the per-province summary figures of the national view"),
    ("worker", "Run the background job worker (embedded database queue or Redis)"),
    ("scheduler", "Enqueue the daily jobs (reminders, digests, KPIs) once a day"),
    ("plan parse PATH --json", "Read a plan document (.txt, .md, .docx, .pdf) into JSON"),
    ("directory load-units", "Load the 63 former and 34 current provinces and their mapping"),
    (
        "directory structure PROVINCE",
        "Create a province's usual departments, press organs, communes",
    ),
    ("directory resolve NAME", "Find the organisation(s) a name written in a document means"),
    ("directory import FILE", "Import organisations from CSV or XLSX (all rows or none)"),
    ("directory export FILE", "Export the directory to CSV or XLSX"),
    ("migrate", "Create or upgrade the database tables"),
    ("createsuperuser", "Create an administrator account"),
    ("check --deploy", "Check the production settings"),
]


def _help() -> str:
    width = max(len(c) for c, _ in COMMANDS)
    lines = [
        "ttdn: nền tảng quản lý công tác thông tin đối ngoại (TTĐN)",
        "",
        "Usage: ttdn COMMAND [options]     (ttdn COMMAND --help for the options of one)",
        "",
        "Commands:",
    ]
    lines += [f"  {c.ljust(width)}  {d}" for c, d in COMMANDS]
    lines += [
        "",
        "Environment: DATABASE_URL, TTDN_ENV, TTDN_SECRET_KEY, TTDN_ALLOWED_HOSTS,",
        "TTDN_REDIS_URL, TTDN_TASKS_BACKEND, TTDN_EMAIL_URL (see docs/deployment.md).",
        "All Django commands: ttdn help --all",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) < 2 or argv[1] in {"-h", "--help"} or argv[1:] == ["help"]:
        print(_help())
        return
    if argv[1] == "help" and argv[2:] == ["--all"]:
        argv = [argv[0], "help"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ttdn.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ttdn", *argv[1:]])


if __name__ == "__main__":
    main()
