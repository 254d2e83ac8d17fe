"""``ttdn directory …``: reference data, province structures, the resolver, import/export."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "The organisation directory: load units, create structures, resolve, import, export."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        lu = sub.add_parser("load-units", help="Load the 63 former and 34 current provinces")
        lu.add_argument("--communes", action="store_true", help="Also the 3,321 communes")
        lu.add_argument(
            "--districts",
            action="store_true",
            help="Also the former districts (before 1 July 2025)",
        )
        sub.add_parser(
            "load-reference", help="Load the national agencies and the partner countries"
        )
        st = sub.add_parser("structure", help="Create a province's usual agencies")
        st.add_argument("province", help='Province name, e.g. "Tuyên Quang"')
        st.add_argument("--on", help="Date (YYYY-MM-DD) the structure is for; default today")
        rs = sub.add_parser("resolve", help="Which organisation(s) a name as written means")
        rs.add_argument("name")
        rs.add_argument("--province")
        rs.add_argument("--on", help="Date of the document (YYYY-MM-DD)")
        im = sub.add_parser("import", help="Import organisations from CSV or XLSX")
        im.add_argument("file")
        im.add_argument("--dry-run", action="store_true", help="Check only; write nothing")
        ex = sub.add_parser("export", help="Export the directory to CSV or XLSX")
        ex.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "do_" + options["action"].replace("-", "_"))(options)

    def _date(self, value: str | None) -> dt.date:
        if not value:
            return dt.date.today()
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"“{value}” không phải ngày dạng YYYY-MM-DD") from None

    def _province(self, name: str, on: dt.date) -> Any:
        from ttdn.core.text import fold
        from ttdn.directory.models import Organisation, OrganisationKind

        key = fold(name)
        for org in Organisation.objects.filter(kind=OrganisationKind.PROVINCE):
            if org.is_valid_on(on) and (
                org.search_key == key or org.search_key.endswith(" " + key)
            ):
                return org
        raise CommandError(
            f"Không tìm thấy tỉnh “{name}” vào ngày {on:%d/%m/%Y}. "
            "Chạy “ttdn directory load-units” trước."
        )

    def _progress(self, stage: str, done: int, total: int) -> None:
        pct = 100 * done // total if total else 100
        bar = "#" * (pct // 5)
        self.stderr.write(f"\r  {stage:<30} [{bar:<20}] {done}/{total}", ending="")
        if done >= total:
            self.stderr.write("")

    def do_load_units(self, o: dict[str, Any]) -> None:
        from ttdn.directory.reference import load_admin_units

        counts = load_admin_units(
            with_communes=o["communes"],
            progress=self._progress,
            **({"with_districts": True} if o["districts"] else {}),
        )
        self.stdout.write(json.dumps(counts, ensure_ascii=False))

    def do_load_reference(self, o: dict[str, Any]) -> None:
        from ttdn.directory.reference import load_countries, load_national_agencies

        counts = {"national_agencies": load_national_agencies(), "countries": load_countries()}
        self.stdout.write(json.dumps(counts, ensure_ascii=False, default=str))

    def do_structure(self, o: dict[str, Any]) -> None:
        from ttdn.directory.reference import create_province_structure

        on = self._date(o["on"])
        counts = create_province_structure(self._province(o["province"], on), on=on)
        self.stdout.write(json.dumps(counts, ensure_ascii=False))

    def do_resolve(self, o: dict[str, Any]) -> None:
        from ttdn.directory.resolver import resolve

        on = self._date(o["on"])
        province = self._province(o["province"], on) if o["province"] else None
        res = resolve(o["name"], province=province, on=on)
        self.stdout.write(f"{res.status}: {res.name}")
        for m in res.matches:
            self.stdout.write(f"  {m.confidence:.2f}  #{m.organisation_id} {m.name}  ({m.reason})")

    def do_import(self, o: dict[str, Any]) -> None:
        from ttdn.directory.io import import_organisations

        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}")
        report = import_organisations(
            path.read_bytes(), path.name, actor="system", dry_run=o["dry_run"]
        )
        for e in report.errors:
            where = f"dòng {e.row}, cột {e.column}: " if e.row else ""
            self.stderr.write(f"  {where}{e.message}")
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        if not report.ok:
            sys.exit(1)

    def do_export(self, o: dict[str, Any]) -> None:
        from ttdn.directory.io import export_csv, export_xlsx
        from ttdn.directory.models import Organisation

        path = Path(o["file"])
        orgs = Organisation.objects.select_related("parent").prefetch_related("aliases")
        data = export_xlsx(orgs) if path.suffix.lower() == ".xlsx" else export_csv(orgs)
        path.write_bytes(data)
        self.stdout.write(f"{orgs.count()} tổ chức → {path}")
