"""A stored plan as data: the contract JSON (shared/contracts/plan-parse.md), the fuller
snapshot kept in plan versions, and the XLSX task table."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .models import Plan, Task, TaskAgency


def _tasks(plan: Plan) -> list[Task]:
    return list(
        plan.tasks.select_related("section").prefetch_related(
            Prefetch("agencies", queryset=TaskAgency.objects.select_related("organisation"))
        )
    )


def _names(task: Task, role: str) -> list[str]:
    return [a.name_as_written for a in task.agencies.all() if a.role == role]


def plan_data(plan: Plan, *, detailed: bool = False) -> dict[str, Any]:
    """The plan in the parse contract's shape; ``detailed`` adds ids, links and statuses."""
    tasks = []
    for t in _tasks(plan):
        row: dict[str, Any] = {
            "section": t.section.number if t.section else None,
            "summary": t.summary,
            "lead": _names(t, TaskAgency.Role.LEAD),
            "coordinating": _names(t, TaskAgency.Role.COORDINATING),
            "deadline": t.deadline_text or None,
            "due": t.due.isoformat() if t.due else None,
            "recurrence": t.recurrence or None,
        }
        if detailed:
            row["id"] = t.pk
            row["status"] = t.status
            row["agencies"] = [
                {
                    "role": a.role,
                    "name": a.name_as_written,
                    "organisation": a.organisation_id,
                    "confidence": a.confidence,
                    "is_collective": a.is_collective,
                }
                for a in t.agencies.all()
            ]
        tasks.append(row)
    data: dict[str, Any] = {
        "title": plan.title,
        "number": plan.number or None,
        "issuer": plan.issuer.name,
        "issued_date": plan.issued_date.isoformat() if plan.issued_date else None,
        "year": plan.year,
        "legal_bases": list(plan.legal_bases or []),
        "sections": [{"number": s.number, "heading": s.heading} for s in plan.sections.all()],
        "tasks": tasks,
        "report_deadline": plan.report_deadline or None,
    }
    if detailed:
        data.update(
            {
                "id": plan.pk,
                "kind": plan.kind,
                "status": plan.status,
                "issuer_id": plan.issuer_id,
                "replaces": plan.replaces_id,
            }
        )
    return data


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plan_xlsx(plan: Plan) -> bytes:
    """The task table: one row per task, bold frozen header, readable column widths."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = (plan.number or str(plan.year or "")).replace("/", "-")[:31] or "plan"
    header = [
        _("No."),
        _("Section"),
        _("Task"),
        _("Lead"),
        _("Coordinating"),
        _("Deadline"),
        _("Due"),
        _("Status"),
    ]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for i, t in enumerate(_tasks(plan), start=1):
        section = ""
        if t.section:
            section = f"{t.section.number}. {t.section.heading}".strip()
        ws.append(
            [
                i,
                section,
                t.summary,
                "\n".join(_names(t, TaskAgency.Role.LEAD)),
                "\n".join(_names(t, TaskAgency.Role.COORDINATING)),
                t.deadline_text,
                t.due,
                str(t.get_status_display()),
            ]
        )
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        ws.cell(row=ws.max_row, column=7).number_format = "DD/MM/YYYY"
    for letter, width in zip("ABCDEFGH", (6, 30, 60, 30, 40, 22, 12, 14), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_filename(plan: Plan, ext: str) -> str:
    stem = (plan.number or f"ke-hoach-{plan.pk}").replace("/", "-")
    return f"{stem}.{ext}"
