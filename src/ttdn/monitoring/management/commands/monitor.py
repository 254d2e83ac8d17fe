"""``ttdn monitor ACTION``: the press-monitoring scripting surface.

Actions are argparse subcommands; each has an ``add_<action>_arguments`` builder and a
``handle_<action>`` method, so a new action is two small methods and one line in
``ACTIONS``.

``ttdn monitor classify PATH.jsonl`` (contract: ``shared/contracts/monitor-classify.md``)
reads one press item per line and writes one JSON object per line, in the same order,
with the analysis the ingestion pipeline applies (``analysis.analyse``). It needs no
database, so it runs before ``migrate``; the analysis code is imported only when the
action runs, to keep other commands' start-up light.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

if TYPE_CHECKING:
    from ttdn.monitoring.analysis import Taxonomy

ACTIONS = {
    "classify": "Analyse press items (JSON lines) and print language, provinces, topics, sentiment",
    "run": "Collect the sources that are due (or --all) and process everything pending, here",
    "tick": "Enqueue the press tick on the job backend (what the scheduler does each minute)",
    "import": "Import a social-media export (CSV/JSONL) into a file source: SOURCE_ID PATH",
}


def _taxonomy() -> Taxonomy:
    """The topic taxonomy ``classify`` uses: the one the pipeline uses (the database's
    topics as users edited them; the shipped defaults before ``migrate``)."""
    from ttdn.monitoring.pipeline import current_taxonomy

    return current_taxonomy()


def _lines(path: str) -> Iterator[bytes]:
    if path == "-":
        yield from sys.stdin.buffer
        return
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below, generator keeps it open
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
    with fh:
        yield from fh


class Command(BaseCommand):
    help = "Press monitoring. Actions: " + "; ".join(f"{k}: {v}" for k, v in ACTIONS.items())
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        for name, summary in ACTIONS.items():
            sub = actions.add_parser(name, help=summary, description=summary)
            getattr(self, f"add_{name}_arguments")(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options.get("action")
        if action not in ACTIONS:
            raise CommandError(f"Unknown action {action!r}; choose from {', '.join(ACTIONS)}")
        getattr(self, f"handle_{action}")(**options)

    # --- classify -------------------------------------------------------------------

    def add_classify_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="JSON lines file of items ('-' reads standard input)")

    def handle_classify(self, *, path: str, **_: Any) -> None:
        from ttdn.monitoring.analysis import analyse

        self._utf8_stdout()
        taxonomy = _taxonomy()
        try:
            for number, raw in enumerate(_lines(path), start=1):
                out = self._classify_line(
                    raw, number, first=number == 1, analyse=analyse, taxonomy=taxonomy
                )
                self.stdout.write(json.dumps(out, ensure_ascii=False))
        except BrokenPipeError:  # the reader stopped (``| head``): stop quietly
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaces the closed pipe

    def _classify_line(
        self, raw: bytes, number: int, *, first: bool, analyse: Any, taxonomy: Taxonomy
    ) -> dict[str, Any]:
        try:
            line = raw.decode("utf-8-sig" if first else "utf-8")
        except UnicodeDecodeError:
            return {"id": None, "error": f"line {number}: not UTF-8 text"}
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            return {"id": None, "error": f"line {number}: invalid JSON ({exc.msg})"}
        except (ValueError, RecursionError):
            return {"id": None, "error": f"line {number}: invalid JSON"}
        if not isinstance(item, dict):
            return {"id": None, "error": f"line {number}: not a JSON object"}
        if item.get("id") is None:
            return {"id": None, "error": f"line {number}: no id"}
        hint = item.get("lang")
        try:
            a = analyse(
                _as_text(item.get("title")),
                _as_text(item.get("text")),
                lang=hint if isinstance(hint, str) else None,
                taxonomy=taxonomy,
            )
        except Exception as exc:
            self.stderr.write(f"line {number}: analysis failed: {exc!r}")
            return {"id": item["id"], "error": f"line {number}: analysis failed"}
        return {
            "id": item["id"],
            "lang": a.lang,
            "provinces": a.provinces,
            "topics": a.topics,
            "sentiment": a.sentiment,
        }

    # --- run, tick, import ------------------------------------------------------------

    def add_run_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="collect every active source now")

    def handle_run(self, *, all: bool = False, **_: Any) -> None:
        from django.utils import timezone

        from ttdn.monitoring.models import Source
        from ttdn.monitoring.pipeline import StageStats, discover, run_until_idle, sources_due

        if all:
            Source.objects.filter(active=True).update(next_fetch_at=timezone.now())
        stats = StageStats()
        for source in Source.objects.filter(pk__in=sources_due()).select_related("owner"):
            run = discover(source, stats=stats)
            self.stdout.write(
                f"{source.name}: {run.get_outcome_display()}, {run.new_items} new"
                + (f" — {run.error}" if run.error else "")
            )
        totals = run_until_idle(stats=stats)
        self.stdout.write(
            f"downloaded {totals['downloaded']}, processed {totals['processed']}; "
            + ", ".join(f"{k} {v:.1f}s" for k, v in stats.seconds.items())
        )

    def add_tick_arguments(self, parser: CommandParser) -> None:
        pass

    def handle_tick(self, **_: Any) -> None:
        from ttdn.monitoring.tasks import monitor_tick

        result = monitor_tick.enqueue()
        self.stdout.write(f"enqueued {result.id}")

    def add_import_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=int, help="id of a source of kind 'file'")
        parser.add_argument("path", help="CSV or JSONL export")

    def handle_import(self, *, source: int, path: str, **_: Any) -> None:
        from pathlib import Path

        from ttdn.monitoring.fetch import FetchError
        from ttdn.monitoring.models import Source
        from ttdn.monitoring.pipeline import import_file
        from ttdn.monitoring.tasks import process_pending

        row = Source.objects.filter(pk=source, kind=Source.Kind.FILE).first()
        if row is None:
            raise CommandError(f"No file source with id {source}.")
        try:
            content = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        try:
            new, skipped = import_file(row, content, Path(path).name)
        except FetchError as exc:
            raise CommandError(exc.message) from exc
        process_pending.enqueue()
        self.stdout.write(f"{new} new items, {skipped} already known")

    def _utf8_stdout(self) -> None:
        """Write UTF-8 whatever the locale says (the contract's output encoding)."""
        out = getattr(self.stdout, "_out", None)
        stdout = sys.stdout
        if stdout is None or out is not stdout:
            return
        if (getattr(stdout, "encoding", "") or "").lower().replace("-", "") != "utf8":
            reconfigure = getattr(stdout, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(encoding="utf-8")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)
