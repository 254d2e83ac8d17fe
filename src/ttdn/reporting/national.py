"""The national view: every current province side by side, for the national supervisor.

Selectors compute the figures with GROUP BY queries; the national table reads them from
``ProvinceYearStats`` (a summary table refreshed by ``stats_refresh`` after bulk loads, by
``ttdn national_stats`` from a periodic job, and for a province whose row is missing),
while a province page computes its own year live (one province's year is a few thousand
tasks). KPI figures are always live (they are small). See docs/adr/0006.

Views are thin: a national viewer (or a superuser) reads everything; a province page is
also open to whoever may read that province; anyone else gets 403 (national pages) or
404 (a province they may not see).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ttdn.accounts.permissions import get_scope
from ttdn.directory.models import Organisation, OrganisationKind
from ttdn.plans.models import Plan, Task

from . import charts
from .models import (
    KpiDefinition,
    KpiValue,
    ProvinceYearStats,
    ReportCampaign,
    ReportSubmission,
    TaskUpdate,
)

KEY_KPIS = ("regulation_issued", "plan_issued", "press_conferences", "articles_national_portal")
DONE_SUBMISSION = (ReportSubmission.Status.SUBMITTED, ReportSubmission.Status.ACCEPTED)
OPEN_TASK = (Task.Status.NOT_STARTED, Task.Status.IN_PROGRESS)
STATUS_FIELDS = ("not_started", "in_progress", "done", "overdue", "cancelled")


# --- selectors -------------------------------------------------------------------------


def current_provinces() -> list[Organisation]:
    return list(
        Organisation.objects.filter(kind=OrganisationKind.PROVINCE, valid_to__isnull=True).order_by(
            "short_name", "name"
        )
    )


def province_id_of(path: str) -> int | None:
    """Provinces sit at the top of the tree (reference.py): the first id of the path.

    Workaround for the missing denormalised province on ``plans.Plan``."""
    head = path.strip("/").split("/", 1)[0]
    return int(head) if head.isdigit() else None


def _annual_plans(years: Iterable[int], province_ids: set[int]) -> dict[tuple[int, int], Plan]:
    """(province, year) → the annual plan (issued by the People's Committee if any)."""
    best: dict[tuple[int, int], tuple[tuple[int, dt.date, int], Plan]] = {}
    qs = (
        Plan.objects.filter(kind=Plan.Kind.PLAN, year__in=list(years))
        .exclude(status=Plan.Status.DRAFT)
        .select_related("issuer")
        .only("pk", "number", "year", "issued_date", "status", "issuer__path", "issuer__kind")
    )
    for plan in qs:
        pid = province_id_of(plan.issuer.path)
        if pid is None or pid not in province_ids or plan.year is None:
            continue
        rank = (
            int(plan.issuer.kind == OrganisationKind.PEOPLES_COMMITTEE)
            + int(plan.status == Plan.Status.PUBLISHED),
            plan.issued_date or dt.date.min,
            plan.pk,
        )
        key = (pid, plan.year)
        if key not in best or rank > best[key][0]:
            best[key] = (rank, plan)
    return {k: v[1] for k, v in best.items()}


def _plan_counts(plan_ids: list[int], today: dt.date) -> dict[int, dict[str, int]]:
    """Plan id → tasks by status (overdue includes open tasks past due) and updates."""
    out: dict[int, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys((*STATUS_FIELDS, "tasks", "updates"), 0)
    )
    if not plan_ids:
        return out
    rows = (
        Task.objects.filter(plan_id__in=plan_ids)
        .values("plan_id", "status")
        .annotate(n=Count("id"), past=Count("id", filter=Q(due__lt=today)))
        .order_by()
    )
    for r in rows:
        c = out[r["plan_id"]]
        c["tasks"] += r["n"]
        if r["status"] in OPEN_TASK:
            c["overdue"] += r["past"]
            c[r["status"]] += r["n"] - r["past"]
        elif r["status"] in c:
            c[r["status"]] += r["n"]
    for u in (
        TaskUpdate.objects.filter(task__plan_id__in=plan_ids)
        .values("task__plan_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out[u["task__plan_id"]]["updates"] = u["n"]
    return out


def _latest_campaigns(
    years: Iterable[int], province_ids: set[int]
) -> dict[tuple[int, int], ReportCampaign]:
    out: dict[tuple[int, int], ReportCampaign] = {}
    for c in ReportCampaign.objects.filter(
        year__in=list(years), scope_id__in=province_ids
    ).order_by("due", "id"):
        out[(c.scope_id, c.year)] = c  # the last (latest due) wins
    return out


def _campaign_counts(campaign_ids: list[int], today: dt.date) -> dict[int, dict[str, Any]]:
    done = Q(status__in=DONE_SUBMISSION)
    late = (done & Q(submitted_at__date__gt=F("campaign__due"))) | (
        ~done & Q(campaign__due__lt=today)
    )
    rows = (
        ReportSubmission.objects.filter(campaign_id__in=campaign_ids)
        .values("campaign_id")
        .annotate(total=Count("id"), done=Count("id", filter=done), late=Count("id", filter=late))
        .order_by()
    )
    return {r["campaign_id"]: dict(r) for r in rows}


def stats_compute(
    *, years: Iterable[int], provinces: list[Organisation], today: dt.date
) -> list[ProvinceYearStats]:
    """Unsaved summary rows for ``provinces`` × ``years``, by a handful of GROUP BYs."""
    years = list(years)
    ids = {p.pk for p in provinces}
    plans = _annual_plans(years, ids)
    all_plans: dict[tuple[int, int], list[int]] = defaultdict(list)
    for row in (
        Plan.objects.filter(kind=Plan.Kind.PLAN, year__in=years)
        .exclude(status=Plan.Status.DRAFT)
        .values("pk", "year", "issuer__path")
    ):
        pid = province_id_of(row["issuer__path"])
        if pid is not None and pid in ids and row["year"] is not None:
            all_plans[(pid, row["year"])].append(row["pk"])
    counts = _plan_counts([pk for v in all_plans.values() for pk in v], today)
    campaigns = _latest_campaigns(years, ids)
    reports = _campaign_counts([c.pk for c in campaigns.values()], today)
    now = timezone.now()
    rows = []
    for p in provinces:
        for y in years:
            plan = plans.get((p.pk, y))
            camp = campaigns.get((p.pk, y))
            stat = ProvinceYearStats(
                province=p,
                year=y,
                plan=plan,
                plan_number=plan.number if plan else "",
                plan_issued_date=plan.issued_date if plan else None,
                plans=len(all_plans.get((p.pk, y), [])),
                campaign=camp,
                computed_on=today,
                refreshed_at=now,
            )
            for pk in all_plans.get((p.pk, y), []):
                for f, n in counts[pk].items():
                    setattr(stat, f, getattr(stat, f) + n)
            if camp is not None and camp.pk in reports:
                r = reports[camp.pk]
                stat.reports_expected, stat.reports_done, stat.reports_late = (
                    r["total"],
                    r["done"],
                    r["late"],
                )
            rows.append(stat)
    return rows


def stats_refresh(
    *,
    years: Iterable[int] | None = None,
    provinces: list[Organisation] | None = None,
    today: dt.date | None = None,
) -> int:
    """Rebuild the summary rows (all years with plans or campaigns by default)."""
    today = today or dt.date.today()
    provinces = provinces if provinces is not None else current_provinces()
    if years is None:
        found = set(Plan.objects.exclude(year=None).values_list("year", flat=True).distinct())
        found |= set(ReportCampaign.objects.values_list("year", flat=True).distinct())
        years = sorted(y for y in found if y is not None)
    years = list(years)
    rows = stats_compute(years=years, provinces=provinces, today=today)
    with transaction.atomic():
        ProvinceYearStats.objects.filter(
            year__in=years, province__in=[p.pk for p in provinces]
        ).delete()
        ProvinceYearStats.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@dataclass
class KpiCell:
    value: Decimal | None
    reporters: int
    expected: int | None

    @property
    def completeness(self) -> float | None:
        if not self.expected:
            return None
        return min(1.0, self.reporters / self.expected)


def kpi_cells(
    definitions: list[KpiDefinition], year: int, expected: dict[int, int]
) -> dict[tuple[int, int], KpiCell]:
    """(definition id, province id) → aggregated value, reporters, expected reporters."""
    if not definitions:
        return {}
    rows = (
        KpiValue.objects.filter(definition__in=definitions, year=year)
        .exclude(province=None)
        .values("definition_id", "province_id")
        .annotate(total=Sum("value"), n=Count("id"), yes=Count("id", filter=Q(value__gte=1)))
        .order_by()
    )
    by_id = {d.pk: d for d in definitions}
    out: dict[tuple[int, int], KpiCell] = {}
    for r in rows:
        d = by_id[r["definition_id"]]
        agg = d.aggregation
        value: Decimal | None
        if agg == KpiDefinition.Aggregation.SHARE:
            value = Decimal(r["yes"]) / Decimal(r["n"]) if r["n"] else None
        elif agg == KpiDefinition.Aggregation.COUNT:
            value = Decimal(r["n"])
        else:  # sum; "latest" is shown as the sum too (no latest-valued KPI is shipped)
            value = r["total"]
        exp = 1 if d.level == "province" else expected.get(r["province_id"]) or None
        out[(d.pk, r["province_id"])] = KpiCell(value, r["n"], exp)
    return out


@dataclass
class ProvinceRow:
    province: Organisation
    stats: ProvinceYearStats
    kpis: list[KpiCell | None] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.province.short_name or self.province.name

    @property
    def done_share(self) -> float | None:
        s = self.stats
        return s.done / s.tasks if s.tasks else None


@dataclass
class NationalTable:
    year: int
    rows: list[ProvinceRow]
    definitions: list[KpiDefinition]
    issued_regulation: int
    regulation_reporters: int
    refreshed_at: dt.datetime | None


SORTS: dict[str, Callable[[ProvinceRow], Any]] = {
    "name": lambda r: r.name,
    "plan": lambda r: (
        r.stats.plan_issued_date is not None,
        r.stats.plan_issued_date or dt.date.min,
    ),
    "tasks": lambda r: r.stats.tasks,
    "done": lambda r: r.done_share or 0.0,
    "overdue": lambda r: r.stats.overdue,
    "reports": lambda r: (
        r.stats.reports_done / r.stats.reports_expected if r.stats.reports_expected else -1.0
    ),
    "late": lambda r: r.stats.reports_late,
}


def national_table(*, year: int, sort: str = "name", descending: bool = False) -> NationalTable:
    provinces = current_provinces()
    stats = {s.province_id: s for s in ProvinceYearStats.objects.filter(year=year)}
    missing = [p for p in provinces if p.pk not in stats]
    if missing:
        # a province without a row yet (new data since the last refresh): compute it now
        for s in stats_compute(years=[year], provinces=missing, today=dt.date.today()):
            stats[s.province_id] = s
    definitions = list(KpiDefinition.objects.filter(code__in=KEY_KPIS, active=True))
    definitions.sort(key=lambda d: KEY_KPIS.index(d.code))
    expected = {pid: s.reports_expected for pid, s in stats.items()}
    cells = kpi_cells(definitions, year, expected)
    rows = [
        ProvinceRow(p, stats[p.pk], [cells.get((d.pk, p.pk)) for d in definitions])
        for p in provinces
    ]
    sorts = {**SORTS, **{d.code: _kpi_key(i) for i, d in enumerate(definitions)}}
    key = sorts.get(sort, SORTS["name"])
    rows.sort(key=key, reverse=descending)
    reg = next((d for d in definitions if d.code == "regulation_issued"), None)
    issued = reporters = 0
    if reg is not None:
        for p in provinces:
            cell = cells.get((reg.pk, p.pk))
            if cell is not None:
                reporters += 1
                issued += int(cell.value is not None and cell.value >= 1)
    refreshed = min((s.refreshed_at for s in stats.values() if s.pk), default=None)
    return NationalTable(year, rows, definitions, issued, reporters, refreshed)


def _kpi_key(i: int) -> Callable[[ProvinceRow], Any]:
    def key(r: ProvinceRow) -> Any:
        cell = r.kpis[i] if i < len(r.kpis) else None
        return float(cell.value) if cell is not None and cell.value is not None else -1.0

    return key


def province_detail(province: Organisation, year: int) -> dict[str, Any]:
    """A province's year, computed live: plans, tasks by status, campaign, KPI by agency."""
    today = dt.date.today()
    stats = stats_compute(years=[year], provinces=[province], today=today)[0]
    plans = [
        p
        for p in Plan.objects.filter(kind=Plan.Kind.PLAN, issuer__path__startswith=province.path)
        .select_related("issuer")
        .only("pk", "number", "title", "year", "issued_date", "status", "issuer__name")
        .order_by("-year", "-issued_date")
    ]
    campaign = stats.campaign
    submissions: list[ReportSubmission] = []
    if campaign is not None:
        submissions = list(
            campaign.submissions.select_related("agency")
            .only("status", "submitted_at", "agency__name", "campaign_id")
            .order_by("agency__name")
        )
        for s in submissions:
            s.campaign = campaign  # is_late reads the due date without another query
    definitions = list(KpiDefinition.objects.filter(active=True))
    agencies: dict[int, str] = {}
    values: dict[tuple[int, int], Decimal] = {}
    for v in (
        KpiValue.objects.filter(province=province, year=year)
        .select_related("organisation")
        .only("definition_id", "organisation_id", "organisation__name", "value")
    ):
        agencies[v.organisation_id] = v.organisation.name
        values[(v.organisation_id, v.definition_id)] = v.value
    agency_defs = [d for d in definitions if d.level == "agency"]
    kpi_rows = [
        (name, [values.get((oid, d.pk)) for d in agency_defs])
        for oid, name in sorted(agencies.items(), key=lambda kv: kv[1])
        if any((oid, d.pk) in values for d in agency_defs)
    ]
    totals = cells_for_province(definitions, values)
    return {
        "stats": stats,
        "plans": plans,
        "campaign": campaign,
        "submissions": submissions,
        "agency_defs": agency_defs,
        "kpi_rows": kpi_rows,
        "kpi_totals": totals,
        "definitions": definitions,
    }


def cells_for_province(
    definitions: list[KpiDefinition], values: dict[tuple[int, int], Decimal]
) -> list[tuple[KpiDefinition, Decimal | None, int]]:
    out: list[tuple[KpiDefinition, Decimal | None, int]] = []
    for d in definitions:
        vals = [v for (_oid, did), v in values.items() if did == d.pk]
        if not vals:
            out.append((d, None, 0))
        elif d.aggregation == KpiDefinition.Aggregation.SHARE:
            out.append((d, Decimal(sum(1 for v in vals if v >= 1)) / Decimal(len(vals)), len(vals)))
        elif d.aggregation == KpiDefinition.Aggregation.COUNT:
            out.append((d, Decimal(len(vals)), len(vals)))
        else:
            out.append((d, sum(vals, Decimal(0)), len(vals)))
    return out


# --- charts: the reporting app's server-side SVG builders (charts.py) -------------------


def kpi_chart(table: NationalTable, definition: KpiDefinition) -> SafeString:
    i = table.definitions.index(definition)
    items = []
    for r in sorted(table.rows, key=_kpi_key(i), reverse=True):
        cell = r.kpis[i]
        items.append(
            charts.Bar(r.name, cell.value if cell is not None and cell.value is not None else 0)
        )
    label = definition.name_en or definition.name
    return charts.hbar_chart(items, _("%(kpi)s by province") % {"kpi": label}, definition.unit)


# --- views ------------------------------------------------------------------------------


def _require_national(request: HttpRequest) -> None:
    if not get_scope(request.user).read_all:
        raise PermissionDenied(_("The national view is for national viewers."))


def _year(request: HttpRequest, years: list[int]) -> int:
    today = dt.date.today()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    return year if not years or year in years else max(years)


def _years() -> list[int]:
    found = set(ProvinceYearStats.objects.values_list("year", flat=True).distinct())
    found |= {dt.date.today().year}
    return sorted(found)


def _table_context(request: HttpRequest) -> dict[str, Any]:
    years = _years()
    year = _year(request, years)
    sort = request.GET.get("sort", "name")
    descending = request.GET.get("dir") == "desc"
    table = national_table(year=year, sort=sort, descending=descending)
    chart_kpi = request.GET.get("kpi") or "press_conferences"
    chart_def = next((d for d in table.definitions if d.code == chart_kpi), None)
    chart = kpi_chart(table, chart_def) if chart_def is not None else None
    total = len(table.rows)
    regulation = _("%(n)s of %(total)s provinces have issued their regulation") % {
        "n": table.issued_regulation,
        "total": total,
    }
    return {
        "table": table,
        "years": years,
        "year": year,
        "sort": sort,
        "descending": descending,
        "chart": chart,
        "chart_def": chart_def,
        "province_total": total,
        "regulation_chart": charts.progress_bar(table.issued_regulation, total, regulation),
        "regulation_text": regulation,
        "sort_columns": [
            ("name", _("Province")),
            ("plan", _("Plan of the year")),
            ("tasks", _("Tasks")),
            ("done", _("Done")),
            ("overdue", _("Overdue")),
            ("reports", _("Reports submitted")),
            ("late", _("Late")),
        ],
    }


@login_required
def national_view(request: HttpRequest) -> HttpResponse:
    _require_national(request)
    ctx = _table_context(request)
    template = (
        "reporting/national/_table.html"
        if getattr(request, "htmx", False)
        else ("reporting/national/index.html")
    )
    return render(request, template, ctx)


def access_province(request: HttpRequest, province_id: int) -> Organisation:
    try:
        province = Organisation.objects.get(pk=province_id, kind=OrganisationKind.PROVINCE)
    except Organisation.DoesNotExist:
        raise Http404 from None
    if not get_scope(request.user).can_read_path(province.path):
        raise Http404
    return province


PROVINCE_PAGE_TTL = 60  # seconds a rendered province page body is reused (ADR 0006)


@login_required
def province_view(request: HttpRequest, province_id: int) -> HttpResponse:
    province = access_province(request, province_id)  # the scope check runs every time
    years = _years()
    year = _year(request, years)
    key = f"national:province:{province.pk}:{year}:{get_language()}"
    body = cache.get(key)
    if body is None:
        ctx = province_detail(province, year)
        s: ProvinceYearStats = ctx["stats"]
        ctx["status_chart"] = charts.hbar_chart(
            [charts.Bar(str(Task.Status(f).label), getattr(s, f), s.tasks) for f in STATUS_FIELDS],
            _("Tasks by status"),
        )
        ctx.update(province=province, year=year)
        body = render_to_string("reporting/national/_province_body.html", ctx, request)
        cache.set(key, body, PROVINCE_PAGE_TTL)
    ctx = {"province": province, "year": year, "years": years, "body": mark_safe(body)}  # noqa: S308 (our own rendered template)
    return render(request, "reporting/national/province.html", ctx)


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.0f} %" if d else "–"


def _kpi_text(cell: KpiCell | None, d: KpiDefinition) -> str:
    if cell is None or cell.value is None:
        return "–"
    if d.aggregation == KpiDefinition.Aggregation.SHARE and d.level == "province":
        return _("yes") if cell.value >= 1 else _("no")
    return f"{cell.value:,.0f}".replace(",", ".")


def table_rows(table: NationalTable) -> tuple[list[str], list[list[Any]]]:
    """The national table as plain cells (shared by the XLSX and DOCX exports)."""
    cols = [
        _("Province"),
        _("Plan number"),
        _("Issued on"),
        _("Tasks"),
        _("Done"),
        _("Overdue"),
        _("Reports submitted"),
        _("Reports expected"),
        _("Late"),
    ] + [d.name_en or d.name for d in table.definitions]
    rows = []
    for r in table.rows:
        s = r.stats
        rows.append(
            [
                r.name,
                s.plan_number,
                s.plan_issued_date.strftime("%d/%m/%Y") if s.plan_issued_date else "",
                s.tasks,
                s.done,
                s.overdue,
                s.reports_done,
                s.reports_expected,
                s.reports_late,
            ]
            + [_kpi_text(c, d) for c, d in zip(r.kpis, table.definitions, strict=True)]
        )
    return cols, rows


@login_required
def national_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    _require_national(request)
    ctx = _table_context(request)
    table: NationalTable = ctx["table"]
    cols, rows = table_rows(table)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = str(table.year)
    ws.append(cols)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = 22
    out = io.BytesIO()
    wb.save(out)
    resp = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = f'attachment; filename="ttdn-national-{table.year}.xlsx"'
    return resp


def national_document(table: NationalTable) -> Any:
    """The national summary report as an administrative document (ttdn.documents)."""
    from ttdn.documents.charts import bar_chart_png
    from ttdn.documents.model import AdminDocument, Chart, Heading, Paragraph, Table

    total = len(table.rows)
    issued_plans = sum(1 for r in table.rows if r.stats.plan_issued_date)
    reports_done = sum(r.stats.reports_done for r in table.rows)
    reports_exp = sum(r.stats.reports_expected for r in table.rows)
    cols, rows = table_rows(table)
    short_cols = cols[:9]
    blocks: list[Any] = [
        Heading("I. TÌNH HÌNH BAN HÀNH KẾ HOẠCH VÀ QUY CHẾ", 1),
        Paragraph(
            f"Năm {table.year}, {issued_plans}/{total} tỉnh, thành phố đã ban hành kế hoạch "
            f"công tác thông tin đối ngoại; {table.issued_regulation}/{total} tỉnh, thành phố "
            "đã ban hành Quy chế quản lý hoạt động thông tin đối ngoại."
        ),
        Heading("II. TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ VÀ BÁO CÁO", 1),
        Paragraph(
            f"Các địa phương đã gửi {reports_done}/{reports_exp} báo cáo của các cơ quan, đơn vị "
            f"({_pct(reports_done, reports_exp)})."
        ),
        Table(
            columns=short_cols,
            rows=[r[:9] for r in rows],
            caption="Bảng 1. Tổng hợp theo địa phương",
        ),
    ]
    done_pct = [
        (r.name, round(100 * r.stats.done / r.stats.tasks, 1) if r.stats.tasks else 0.0)
        for r in table.rows
    ]
    png = bar_chart_png(
        [n for n, _v in done_pct],
        [v for _n, v in done_pct],
        f"Tỷ lệ nhiệm vụ hoàn thành năm {table.year} (%)",
        horizontal=True,
    )
    blocks.append(Chart(png, "Biểu đồ 1. Tỷ lệ nhiệm vụ hoàn thành theo địa phương", 16.0))
    return AdminDocument(
        issuer_parent="BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH",
        issuer="CỤC THÔNG TIN CƠ SỞ\nVÀ THÔNG TIN ĐỐI NGOẠI",
        number=None,
        kind="BÁO CÁO",
        title=f"Tổng hợp kết quả công tác thông tin đối ngoại của các địa phương năm {table.year}",
        place="Hà Nội",
        date=None,
        year=table.year,
        blocks=blocks,
        recipients=[
            "Lãnh đạo Bộ (để báo cáo)",
            "Các tỉnh, thành phố trực thuộc Trung ương",
            "Lưu: VT",
        ],
        signer_authority=["KT. CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG"],
        symbol="BC-TTCS",
    )


def province_document(province: Organisation, year: int, detail: dict[str, Any]) -> Any:
    """A province's yearly summary as an administrative document."""
    from ttdn.documents.charts import bar_chart_png
    from ttdn.documents.model import AdminDocument, Chart, Heading, Paragraph, Table

    s: ProvinceYearStats = detail["stats"]
    short = province.short_name or province.name
    labels = [str(Task.Status(f).label) for f in STATUS_FIELDS]
    png = bar_chart_png(labels, [getattr(s, f) for f in STATUS_FIELDS], f"Nhiệm vụ năm {year}")
    kpi_rows = [
        [d.name, "–" if v is None else f"{v:,.0f}".replace(",", "."), n]
        for d, v, n in detail["kpi_totals"]
    ]
    blocks: list[Any] = [
        Heading("I. KẾT QUẢ THỰC HIỆN KẾ HOẠCH", 1),
        Paragraph(
            f"Kế hoạch số {s.plan_number or '…'}: {s.tasks} nhiệm vụ; đã hoàn thành {s.done} "
            f"({_pct(s.done, s.tasks)}), đang thực hiện {s.in_progress}, quá hạn {s.overdue}; "
            f"{s.updates} lượt cập nhật tiến độ."
        ),
        Chart(png, "Biểu đồ 1. Nhiệm vụ theo trạng thái", 14.0),
        Heading("II. CÁC CHỈ TIÊU", 1),
        Table(columns=["Chỉ tiêu", "Giá trị", "Số đơn vị báo cáo"], rows=kpi_rows),
        Heading("III. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN", 1),
        Paragraph(
            f"Đã nhận {s.reports_done}/{s.reports_expected} báo cáo; "
            f"{s.reports_late} báo cáo trễ hạn."
        ),
    ]
    return AdminDocument(
        issuer_parent=None,
        issuer=f"ỦY BAN NHÂN DÂN\n{(province.name or short).upper()}",
        number=None,
        kind="BÁO CÁO",
        title=f"Kết quả công tác thông tin đối ngoại năm {year}",
        place=short,
        date=None,
        year=year,
        blocks=blocks,
        recipients=["Bộ Văn hóa, Thể thao và Du lịch", "Lưu: VT"],
        signer_authority=["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
    )


def _docx_response(doc: Any, filename: str) -> HttpResponse:
    from ttdn.documents.docx import render_docx

    resp = HttpResponse(
        render_docx(doc),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


@login_required
def national_docx(request: HttpRequest) -> HttpResponse:
    _require_national(request)
    table = _table_context(request)["table"]
    return _docx_response(national_document(table), f"ttdn-national-{table.year}.docx")


@login_required
def province_docx(request: HttpRequest, province_id: int) -> HttpResponse:
    province = access_province(request, province_id)
    year = _year(request, _years())
    detail = province_detail(province, year)
    doc = province_document(province, year, detail)
    return _docx_response(doc, f"ttdn-{province.code or province.pk}-{year}.docx")
