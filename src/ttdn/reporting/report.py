"""The provincial report of a campaign, as an administrative document and an XLSX annex.

``build_provincial_report(campaign)`` aggregates the agencies' submitted and accepted
reports into the province's annual report (Decree 30/2020 layout, rendered by
``ttdn.documents``): I. general situation, II. results by agency with the table of task
results, the KPI table and a chart, III. difficulties and proposals. The text of the
document is Vietnamese whatever the interface language: it is an official document.

Queries are a fixed handful, whatever the number of agencies and tasks.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ttdn.core.text import fold
from ttdn.directory.models import Organisation, OrganisationKind
from ttdn.documents.charts import bar_chart_png
from ttdn.documents.model import (
    AdminDocument,
    Block,
    Bullet,
    Chart,
    Heading,
    Paragraph,
    Table,
)
from ttdn.plans.models import Plan, Task, TaskAgency

from .models import KpiValue, ReportCampaign, ReportSubmission
from .selectors import DONE_STATUSES, aggregate_values, task_status_counts

STATUS_VI: dict[str, str] = {
    Task.Status.NOT_STARTED: "Chưa triển khai",
    Task.Status.IN_PROGRESS: "Đang thực hiện",
    Task.Status.DONE: "Hoàn thành",
    Task.Status.OVERDUE: "Quá hạn",
    Task.Status.CANCELLED: "Dừng thực hiện",
}
RECIPIENTS = [
    "Bộ Văn hóa, Thể thao và Du lịch (Cục Thông tin cơ sở và Thông tin đối ngoại)",
    "Thường trực Tỉnh ủy",
    "Chủ tịch, các PCT UBND tỉnh",
    "Lưu: VT",
]
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_PROVINCE_PREFIX = re.compile(r"^(tỉnh|thành phố)\s+", re.IGNORECASE)


@dataclass
class ReportData:
    """Everything the document and the annex need, loaded once."""

    campaign: ReportCampaign
    submissions: list[ReportSubmission]
    n_agencies: int
    n_plans: int
    status_counts: dict[str, int]
    leads: dict[int, list[str]]
    task_rows: list[list[Any]] = field(default_factory=list)
    kpi_rows: list[list[Any]] = field(default_factory=list)
    kpi_by_agency: list[list[Any]] = field(default_factory=list)
    kpi_columns: list[str] = field(default_factory=list)
    done_by_agency: list[tuple[str, int]] = field(default_factory=list)


def _agency_name(org: Organisation) -> str:
    return org.short_name or org.name


def _number(v: Decimal | None) -> int | float | None:
    if v is None:
        return None
    return int(v) if v == v.to_integral_value() else float(v)


def load_report_data(campaign: ReportCampaign) -> ReportData:
    province = campaign.scope
    subs = list(
        campaign.submissions.filter(status__in=DONE_STATUSES)
        .select_related("agency")
        .order_by("agency__name")
    )
    n_agencies = campaign.submissions.count()
    n_plans = Plan.objects.filter(
        issuer__path__startswith=province.path,
        status=Plan.Status.PUBLISHED,
        kind=Plan.Kind.PLAN,
        year=campaign.year,
    ).count()
    task_ids = {int(line["task"]) for s in subs for line in s.task_results if line.get("task")}
    leads: dict[int, list[str]] = defaultdict(list)
    for tid, name, short, written in (
        TaskAgency.objects.filter(task_id__in=task_ids, role=TaskAgency.Role.LEAD)
        .order_by("task_id", "position")
        .values_list("task_id", "organisation__name", "organisation__short_name", "name_as_written")
    ):
        leads[tid].append(short or name or written)
    data = ReportData(
        campaign=campaign,
        submissions=subs,
        n_agencies=n_agencies,
        n_plans=n_plans,
        status_counts=task_status_counts(province, campaign.year),
        leads=leads,
    )
    _task_results(data)
    _kpis(data)
    return data


def _task_results(data: ReportData) -> None:
    """One row per task: the lead's line when the lead reported, otherwise the others'."""
    per_task: dict[int, list[tuple[ReportSubmission, dict[str, Any]]]] = defaultdict(list)
    order: list[int] = []
    done: dict[str, int] = {}
    for s in data.submissions:
        n_done = 0
        for line in s.task_results:
            if not line.get("task"):
                continue
            tid = int(line["task"])
            if tid not in per_task:
                order.append(tid)
            per_task[tid].append((s, line))
            if line.get("status") == Task.Status.DONE:
                n_done += 1
        done[_agency_name(s.agency)] = n_done
    data.done_by_agency = sorted(done.items(), key=lambda kv: (-kv[1], kv[0]))
    for i, tid in enumerate(order, start=1):
        lines = per_task[tid]
        lead_lines = [ln for s, ln in lines if ln.get("role") == TaskAgency.Role.LEAD]
        main = lead_lines[0] if lead_lines else lines[0][1]
        if lead_lines:
            result = str(main.get("result") or "")
        else:
            result = "; ".join(
                f"{_agency_name(s.agency)}: {ln.get('result')}"
                for s, ln in lines
                if ln.get("result")
            )
        data.task_rows.append(
            [
                i,
                str(main.get("summary") or ""),
                ", ".join(data.leads.get(tid, [])),
                STATUS_VI.get(str(main.get("status")), str(main.get("status") or "")),
                result,
            ]
        )


def _kpis(data: ReportData) -> None:
    campaign = data.campaign
    defs = list(campaign.kpis.order_by("position", "code"))
    agency_ids = list(campaign.submissions.values_list("agency_id", flat=True))
    values = list(
        KpiValue.objects.filter(
            definition__in=defs, year=campaign.year, organisation_id__in=agency_ids
        ).select_related("organisation")
    )
    by_def: dict[int, list[KpiValue]] = defaultdict(list)
    by_org: dict[int, dict[int, Decimal]] = defaultdict(dict)
    names: dict[int, str] = {}
    for v in values:
        by_def[v.definition_id].append(v)
        by_org[v.organisation_id][v.definition_id] = v.value
        names[v.organisation_id] = _agency_name(v.organisation)
    expected = len(agency_ids)
    for i, d in enumerate(defs, start=1):
        agg = aggregate_values(d, by_def.get(d.pk, []), expected)
        share = agg.completeness
        completeness = (
            f"{agg.reporters}/{expected} đơn vị ({round(share * 100)}%)"
            if share is not None
            else f"{agg.reporters}/{expected} đơn vị"
        )
        value: Any = _number(agg.value)
        if agg.value is not None and d.aggregation == "share" and agg.value <= 1:
            value = f"{round(float(agg.value) * 100)}%"
        data.kpi_rows.append([i, d.name, d.unit, value, completeness])
    data.kpi_columns = [d.name for d in defs]
    for oid in sorted(by_org, key=lambda o: names[o]):
        data.kpi_by_agency.append([names[oid], *[_number(by_org[oid].get(d.pk)) for d in defs]])


def _place(province: Organisation) -> str:
    return _PROVINCE_PREFIX.sub("", province.name).strip()


def _abbreviation(org: Organisation) -> str:
    """ "Sở Văn hóa, Thể thao và Du lịch" → "SVHTTDL" (the symbol after "BC-")."""
    source = org.short_name if org.short_name and " " not in org.short_name.strip() else org.name
    words = [w for w in re.split(r"[\s,–-]+", fold(source)) if w and w != "va"]
    if len(words) == 1:
        return words[0].upper()[:10]
    return "".join(w[0] for w in words).upper()[:10]


def is_committee_report(campaign: ReportCampaign) -> bool:
    return campaign.owner.kind in (OrganisationKind.PEOPLES_COMMITTEE, OrganisationKind.PROVINCE)


def _doc_title(campaign: ReportCampaign) -> str:
    """The summary line under "BÁO CÁO": the campaign title without its leading kind."""
    title = campaign.title.strip() or (
        f"Báo cáo kết quả công tác thông tin đối ngoại năm {campaign.year}"
    )
    if fold(title).startswith("bao cao "):
        title = title[len("Báo cáo ") :]
        title = title[:1].upper() + title[1:]
    return title


def build_provincial_report(campaign: ReportCampaign) -> AdminDocument:
    data = load_report_data(campaign)
    province = campaign.scope
    place = _place(province)
    committee_line = f"ỦY BAN NHÂN DÂN\n{province.name.upper()}"
    if is_committee_report(campaign):
        issuer_parent: str | None = None
        issuer = committee_line
        symbol = "BC-UBND"
        authority = ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    else:
        issuer_parent = f"UBND {province.name.upper()}"
        issuer = campaign.owner.name.upper()
        symbol = f"BC-{_abbreviation(campaign.owner)}"
        authority = ["GIÁM ĐỐC"]
    return AdminDocument(
        issuer_parent=issuer_parent,
        issuer=issuer,
        number=None,
        symbol=symbol,
        kind="Báo cáo",
        title=_doc_title(campaign),
        place=place,
        date=None,
        year=campaign.year,
        blocks=_blocks(data),
        recipients=list(RECIPIENTS),
        signer_authority=authority,
        signer_name=None,
    )


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text or "") if p.strip()]


def _blocks(data: ReportData) -> list[Block]:
    c = data.campaign
    counts = data.status_counts
    n_tasks = sum(counts.values())
    n_reported = len(data.submissions)
    blocks: list[Block] = [
        Paragraph(
            f"Thực hiện kế hoạch công tác thông tin đối ngoại năm {c.year}, trên cơ sở báo cáo "
            f"của các cơ quan, đơn vị ({n_reported}/{data.n_agencies} đơn vị đã gửi báo cáo), "
            f"{c.owner.name} báo cáo kết quả thực hiện như sau:"
        ),
        Heading("I. TÌNH HÌNH CHUNG", 1),
        Paragraph(
            f"Năm {c.year}, tỉnh đã ban hành {data.n_plans} kế hoạch về công tác thông tin đối "
            f"ngoại với {n_tasks} nhiệm vụ. Đến nay: {counts.get('done', 0)} nhiệm vụ hoàn thành; "
            f"{counts.get('in_progress', 0)} nhiệm vụ đang thực hiện; "
            f"{counts.get('not_started', 0)} nhiệm vụ chưa triển khai; "
            f"{counts.get('overdue', 0)} nhiệm vụ quá hạn; "
            f"{counts.get('cancelled', 0)} nhiệm vụ dừng thực hiện."
        ),
        Heading("II. KẾT QUẢ THỰC HIỆN", 1),
        Heading("1. Kết quả của các cơ quan, đơn vị", 2),
    ]
    if not data.submissions:
        blocks.append(Paragraph("Chưa có cơ quan, đơn vị nào gửi báo cáo."))
    for s in data.submissions:
        paras = _paragraphs(s.narrative)
        first = paras[0] if paras else "(không có nội dung)"
        blocks.append(Paragraph(f"**{s.agency.name}:** {first}"))
        blocks.extend(Paragraph(p) for p in paras[1:])
    blocks.append(Heading("2. Kết quả thực hiện các nhiệm vụ", 2))
    if data.task_rows:
        blocks.append(
            Table(
                columns=["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Tình trạng", "Kết quả"],
                rows=data.task_rows,
                widths_cm=[1.2, 5.5, 3.0, 2.3, 4.5],
                caption="Bảng 1. Kết quả thực hiện nhiệm vụ thông tin đối ngoại",
            )
        )
    else:
        blocks.append(Paragraph("Các báo cáo đã gửi chưa nêu kết quả theo nhiệm vụ."))
    blocks.append(Heading("3. Các chỉ tiêu thông tin đối ngoại", 2))
    if data.kpi_rows:
        blocks.append(
            Table(
                columns=["STT", "Chỉ tiêu", "Đơn vị tính", "Giá trị", "Mức đầy đủ số liệu"],
                rows=data.kpi_rows,
                widths_cm=[1.2, 7.0, 2.3, 2.5, 3.5],
                caption="Bảng 2. Kết quả các chỉ tiêu thông tin đối ngoại",
            )
        )
    else:
        blocks.append(Paragraph("Đợt báo cáo này không yêu cầu số liệu chỉ tiêu."))
    if data.done_by_agency and any(n for _, n in data.done_by_agency):
        top = data.done_by_agency[:25]
        png = bar_chart_png(
            [name for name, _ in top],
            [n for _, n in top],
            "Số nhiệm vụ hoàn thành theo cơ quan, đơn vị",
            horizontal=True,
        )
        blocks.append(Chart(png, "Biểu đồ 1. Số nhiệm vụ hoàn thành theo cơ quan, đơn vị"))
    blocks.append(Heading("III. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ", 1))
    blocks.append(Heading("1. Khó khăn, vướng mắc", 2))
    blocks.extend(_merged(data.submissions, "difficulties", "Không có khó khăn, vướng mắc."))
    blocks.append(Heading("2. Đề xuất, kiến nghị", 2))
    blocks.extend(_merged(data.submissions, "proposals", "Không có đề xuất, kiến nghị."))
    return blocks


def _merged(subs: list[ReportSubmission], attr: str, empty: str) -> list[Block]:
    out: list[Block] = []
    for s in subs:
        for p in _paragraphs(getattr(s, attr)):
            out.append(Bullet(f"{s.agency.name}: {p}"))
    return out or [Paragraph(empty)]


def annex_sheets(campaign: ReportCampaign) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The annex: every agency's task result lines, and the KPI figures by agency."""
    data = load_report_data(campaign)
    lines: list[list[Any]] = []
    for s in data.submissions:
        for line in s.task_results:
            if not line.get("task"):
                continue
            lines.append(
                [
                    len(lines) + 1,
                    s.agency.name,
                    str(line.get("summary") or ""),
                    "Chủ trì" if line.get("role") == TaskAgency.Role.LEAD else "Phối hợp",
                    ", ".join(data.leads.get(int(line["task"]), [])),
                    STATUS_VI.get(str(line.get("status")), str(line.get("status") or "")),
                    int(line.get("progress") or 0),
                    str(line.get("result") or ""),
                ]
            )
    return [
        (
            "Kết quả nhiệm vụ",
            [
                "STT",
                "Cơ quan, đơn vị",
                "Nhiệm vụ",
                "Vai trò",
                "Cơ quan chủ trì",
                "Tình trạng",
                "Tiến độ (%)",
                "Kết quả",
            ],
            lines,
        ),
        ("Chỉ tiêu theo đơn vị", ["Cơ quan, đơn vị", *data.kpi_columns], data.kpi_by_agency),
    ]


def render_report_docx(campaign: ReportCampaign) -> bytes:
    from ttdn.documents.docx import render_docx

    return render_docx(build_provincial_report(campaign))


def render_report_xlsx(campaign: ReportCampaign) -> bytes:
    from ttdn.documents.xlsx import render_xlsx_annex

    title = f"Phụ lục: {campaign.title}"
    return render_xlsx_annex(title, annex_sheets(campaign))


def report_filename(campaign: ReportCampaign, ext: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(campaign.scope.name)).strip("-") or "tinh"
    return f"bao-cao-ttdn-{slug}-{campaign.year}.{ext}"
