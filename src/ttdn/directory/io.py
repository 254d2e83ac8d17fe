"""Import and export of the organisation directory as CSV or XLSX.

An import is all or nothing: every row is checked first, and if any row is wrong the
report lists each problem (row, column, reason, in the user's language) and nothing is
written. A correct file is applied in one transaction and reports how many rows were
inserted, updated and unchanged, so running the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ttdn.core.text import fold, squash

from .models import Organisation, OrganisationAlias, OrganisationKind
from .services import _check_write, alias_add, organisation_create, organisation_update

COLUMNS = [
    "id",
    "name",
    "short_name",
    "kind",
    "parent_id",
    "parent_name",
    "code",
    "valid_from",
    "valid_to",
    "aliases",
    "website",
    "email",
    "phone",
    "address",
]
REQUIRED = ("name", "kind")
MAX_ROWS = 50_000
KIND_BY_LABEL = {fold(str(label)): value for value, label in OrganisationKind.choices}


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, header)."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportReport:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [e.as_dict() for e in self.errors],
            "dry_run": self.dry_run,
        }


# --- reading -------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-16" and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
            continue
        return text
    raise ImportFileError(
        _(
            "The file is not in UTF-8. Save it as “CSV UTF-8” (in Excel: Save As → CSV UTF-8) "
            "and try again."
        )
    )


def read_rows(data: bytes, filename: str) -> list[dict[str, str]]:
    """Rows of a CSV or XLSX file as dicts keyed by the lower-case column names."""
    name = filename.lower()
    if not data:
        raise ImportFileError(_("The file is empty."))
    if name.endswith(".xlsx"):
        rows = list(_read_xlsx(data))
    elif name.endswith((".csv", ".txt")):
        text = _decode(data)
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = [
            {(k or "").strip().lower(): (v or "") for k, v in r.items()}
            for r in csv.DictReader(io.StringIO(text), dialect=dialect)
        ]
    else:
        raise ImportFileError(_("Only CSV and XLSX files can be imported."))
    if not rows:
        raise ImportFileError(_("The file has a header but no rows."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("The file has more than %(n)d rows; split it.") % {"n": MAX_ROWS})
    missing = [c for c in REQUIRED if c not in rows[0]]
    if missing:
        raise ImportFileError(
            _("Missing column(s): %(cols)s. The first row must name the columns: %(all)s.")
            % {"cols": ", ".join(missing), "all": ", ".join(COLUMNS)}
        )
    return rows


def _read_xlsx(data: bytes) -> Iterator[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(_("This is not a readable XLSX file.")) from exc
    ws = wb.worksheets[0]
    header: list[str] | None = None
    for values in ws.iter_rows(values_only=True):
        if header is None:
            header = [str(v or "").strip().lower() for v in values]
            continue
        if all(v in (None, "") for v in values):
            continue
        row: dict[str, str] = {}
        for key, value in zip(header, values, strict=False):
            if isinstance(value, dt.datetime):
                value = value.date()
            row[key] = (
                value.isoformat()
                if isinstance(value, dt.date)
                else ("" if value is None else str(value))
            )
        yield row
    wb.close()


# --- checking and applying ---------------------------------------------------------------


def _parse_date(value: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


@dataclass
class _Planned:
    row: int
    existing: Organisation | None
    values: dict[str, Any]
    parent_ref: str  # id, name, or "" for top level
    aliases: list[str]


def _plan(rows: list[dict[str, str]], actor: Any) -> tuple[list[_Planned], list[RowError]]:
    errors: list[RowError] = []
    planned: list[_Planned] = []
    names_in_file = {fold(squash(r.get("name", ""))) for r in rows}
    for i, raw in enumerate(rows, start=2):  # row 1 is the header
        r = {k: squash(str(v)) for k, v in raw.items()}
        name = r.get("name", "")
        if not name:
            errors.append(RowError(i, "name", _("The name is empty.")))
            continue
        kind_raw = r.get("kind", "")
        kind = (
            kind_raw if kind_raw in OrganisationKind.values else KIND_BY_LABEL.get(fold(kind_raw))
        )
        if not kind:
            errors.append(
                RowError(
                    i,
                    "kind",
                    _("Unknown kind “%(kind)s”; use one of: %(all)s.")
                    % {"kind": kind_raw, "all": ", ".join(OrganisationKind.values)},
                )
            )
        values: dict[str, Any] = {"name": name, "kind": kind}
        for col in ("short_name", "code", "website", "email", "phone", "address"):
            if col in r:
                values[col] = r[col]
        for col in ("valid_from", "valid_to"):
            try:
                values[col] = _parse_date(r.get(col, ""))
            except ValueError:
                errors.append(
                    RowError(
                        i,
                        col,
                        _("“%(v)s” is not a date (use YYYY-MM-DD or DD/MM/YYYY).")
                        % {"v": r.get(col)},
                    )
                )
        if (
            values.get("valid_from")
            and values.get("valid_to")
            and (values["valid_to"] < values["valid_from"])
        ):
            errors.append(RowError(i, "valid_to", _("The end date is before the start date.")))
        if values.get("email") and "@" not in values["email"]:
            errors.append(
                RowError(
                    i, "email", _("“%(v)s” is not an e-mail address.") % {"v": values["email"]}
                )
            )
        existing: Organisation | None = None
        if r.get("id"):
            try:
                existing = Organisation.objects.get(pk=int(r["id"]))
            except (ValueError, Organisation.DoesNotExist):
                errors.append(
                    RowError(i, "id", _("No organisation has the id %(v)s.") % {"v": r["id"]})
                )
        parent_ref = r.get("parent_id", "") or r.get("parent_name", "")
        if r.get("parent_id"):
            pid = r["parent_id"]
            if not (pid.isdigit() and Organisation.objects.filter(pk=int(pid)).exists()):
                errors.append(
                    RowError(
                        i,
                        "parent_id",
                        _("No organisation has the id %(v)s.") % {"v": r["parent_id"]},
                    )
                )
        elif r.get("parent_name"):
            key = fold(r["parent_name"])
            if (
                key not in names_in_file
                and not Organisation.objects.filter(search_key=key).exists()
            ):
                errors.append(
                    RowError(
                        i,
                        "parent_name",
                        _("No organisation is called “%(v)s”.") % {"v": r["parent_name"]},
                    )
                )
        if existing is None and not errors:
            existing = Organisation.objects.filter(
                search_key=fold(name)[:255], kind=kind, valid_from=values.get("valid_from")
            ).first()
        aliases = [a.strip() for a in r.get("aliases", "").split(";") if a.strip()]
        planned.append(_Planned(i, existing, values, parent_ref, aliases))
    return planned, errors


def _resolve_parent(ref: str, created: dict[str, Organisation]) -> Organisation | None:
    if not ref:
        return None
    if ref.isdigit():
        return Organisation.objects.get(pk=int(ref))
    key = fold(ref)
    return created.get(key) or Organisation.objects.filter(search_key=key).order_by("pk").first()


def import_organisations(
    data: bytes, filename: str, *, actor: Any, dry_run: bool = False
) -> ImportReport:
    """Check every row, then apply all of them in one transaction (or none)."""
    report = ImportReport(dry_run=dry_run)
    try:
        rows = read_rows(data, filename)
    except ImportFileError as exc:
        report.errors.append(RowError(0, "", str(exc)))
        return report
    planned, errors = _plan(rows, actor)
    if errors:
        report.errors = errors
        return report
    try:
        with transaction.atomic():
            created: dict[str, Organisation] = {}
            for p in planned:
                parent = _resolve_parent(p.parent_ref, created)
                _check_write(actor, parent if p.existing is None else p.existing)
                if p.existing is None:
                    org = organisation_create(actor=actor, parent=parent, **p.values)
                    report.inserted += 1
                else:
                    changes = {
                        k: v
                        for k, v in {**p.values, "parent": parent}.items()
                        if getattr(p.existing, k) != v
                    }
                    if changes:
                        org = organisation_update(actor=actor, org=p.existing, **changes)
                        report.updated += 1
                    else:
                        org = p.existing
                        report.unchanged += 1
                created[fold(org.name)] = org
                for alias in p.aliases:
                    if not OrganisationAlias.objects.filter(organisation=org, name=alias).exists():
                        alias_add(actor=actor, org=org, name=alias)
            if dry_run:
                transaction.set_rollback(True)
    except Exception as exc:  # report, never half-write: the transaction is rolled back
        from django.core.exceptions import PermissionDenied, ValidationError

        if isinstance(exc, PermissionDenied | ValidationError):
            report.inserted = report.updated = report.unchanged = 0
            report.errors.append(RowError(0, "", " ".join(getattr(exc, "messages", [str(exc)]))))
            return report
        raise
    return report


# --- export ----------------------------------------------------------------------------------


def export_rows(orgs: Iterable[Organisation]) -> Iterator[list[str]]:
    yield COLUMNS
    for org in orgs:
        yield [
            str(org.pk),
            org.name,
            org.short_name,
            org.kind,
            str(org.parent_id or ""),
            org.parent.name if org.parent else "",
            org.code,
            org.valid_from.isoformat() if org.valid_from else "",
            org.valid_to.isoformat() if org.valid_to else "",
            "; ".join(a.name for a in org.aliases.all()),
            org.website,
            org.email,
            org.phone,
            org.address,
        ]


def export_csv(orgs: Iterable[Organisation]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in export_rows(orgs):
        writer.writerow(row)
    return buf.getvalue().encode("utf-8-sig")  # BOM: Excel opens Vietnamese text correctly


def export_xlsx(orgs: Iterable[Organisation]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=False)
    ws = wb.active
    assert ws is not None
    ws.title = "Tổ chức"
    for row in export_rows(orgs):
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
