"""``ttdn plan parse PATH --json``: the scriptable face of the plan reader
(contract: shared/contracts/plan-parse.md)."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Plan documents: parse one into JSON."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("parse", help="Read a plan document (.txt, .md, .docx, .pdf) into JSON")
        p.add_argument("path")
        p.add_argument("--json", action="store_true", help="Print the structure as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        from ttdn.plans.parsing import DocumentError, parse_file

        try:
            result = parse_file(options["path"])
        except DocumentError as exc:
            sys.stderr.write(exc.message.replace("\n", " ") + "\n")
            sys.exit(2)
        except OSError as exc:
            sys.stderr.write(f"Không đọc được tệp: {exc.strerror or exc}\n")
            sys.exit(2)
        self.stdout.write(
            json.dumps(result, ensure_ascii=False, indent=2 if not options["json"] else None)
        )
