"""The leaders' press report: "Báo cáo tổng hợp dư luận báo chí trong nước và nước ngoài".

``press_report(user, start, end, owner=province)`` summarises the analysed items about a
province over a period, as the focal department sends it to the province's leaders, in the
layout of Decree 30/2020 (rendered by ``ttdn.documents``): I. overview figures (items,
outlets, domestic and foreign, languages, change against the previous period of the same
length, a volume-per-day chart), II. topics, III. sentiment with the negative items,
IV. the main stories, V. false or distorted information handled (response cases),
VI. proposals left for the officer to write. The text of the document is Vietnamese
whatever the interface language: it is an official document (as ``reporting/report.py``).

The items are those the user may read (``selectors.readable_items``) that are about the
province (``ItemProvince``, by the province's current name) on a day of the period; the
figures come from a fixed handful of aggregate queries, whatever the volume.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.db.models import Count, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from ttdn.core.text import fold
from ttdn.directory.models import Organisation, OrganisationFunction, OrganisationKind, valid_on
from ttdn.directory.services import function_holder
from ttdn.documents.charts import bar_chart_png, line_chart_png
from ttdn.documents.model import AdminDocument, Block, Bullet, Chart, Heading, Paragraph, Table
from ttdn.reporting.report import DOCX_CONTENT_TYPE, _abbreviation

from . import selectors
from .models import Case, CaseEvent, Item, ItemProvince, ItemTopic, Topic

__all__ = [
    "DOCX_CONTENT_TYPE",
    "PressReportData",
    "content_disposition",
    "load_press_data",
    "press_report",
    "render_press_report_docx",
    "report_filename",
]

NEGATIVE_LISTED = 30
TOP_STORIES = 10

LANGUAGES_VI: dict[str, str] = {
    "vi": "tiếng Việt",
    "en": "tiếng Anh",
    "zh": "tiếng Trung",
    "fr": "tiếng Pháp",
    "ja": "tiếng Nhật",
    "ko": "tiếng Hàn",
    "ru": "tiếng Nga",
    "de": "tiếng Đức",
    "es": "tiếng Tây Ban Nha",
    "lo": "tiếng Lào",
    "km": "tiếng Khmer",
    "th": "tiếng Thái",
}
SENTIMENT_VI: dict[str, str] = {
    Item.Sentiment.POSITIVE: "Tích cực",
    Item.Sentiment.NEUTRAL: "Trung lập",
    Item.Sentiment.NEGATIVE: "Tiêu cực",
    "": "Chưa xác định",
}
CASE_STATUS_VI: dict[str, str] = {
    Case.Status.OPEN: "Mới tiếp nhận",
    Case.Status.ASSIGNED: "Đã giao xử lý",
    Case.Status.IN_REVIEW: "Dự thảo chờ duyệt",
    Case.Status.APPROVED: "Đã duyệt nội dung",
    Case.Status.PUBLISHED: "Đã đăng tải",
    Case.Status.CLOSED: "Đã kết thúc",
}
CASE_OUTCOME_VI: dict[str, str] = {
    Case.Outcome.REFUTED: "Đã phản bác",
    Case.Outcome.CORRECTED: "Cơ quan báo chí đã đính chính, gỡ bỏ",
    Case.Outcome.CLARIFIED: "Đã thông tin làm rõ",
    Case.Outcome.NO_ACTION: "Không cần phản hồi",
}
CASE_SEVERITY_VI: dict[str, str] = {
    Case.Severity.NORMAL: "Bình thường",
    Case.Severity.HIGH: "Cao",
    Case.Severity.URGENT: "Khẩn cấp",
}
RECIPIENTS_FOCAL = [
    "Thường trực Tỉnh ủy (để báo cáo)",
    "Chủ tịch, các PCT UBND tỉnh (để báo cáo)",
    "Bộ Văn hóa, Thể thao và Du lịch (Cục Thông tin cơ sở và Thông tin đối ngoại)",
    "Ban Tuyên giáo và Dân vận Tỉnh ủy",
    "…",
    "Lưu: VT",
]
RECIPIENTS_COMMITTEE = [
    "Thường trực Tỉnh ủy (để báo cáo)",
    "Bộ Văn hóa, Thể thao và Du lịch (Cục Thông tin cơ sở và Thông tin đối ngoại)",
    "Ban Tuyên giáo và Dân vận Tỉnh ủy",
    "…",
    "Lưu: VT",
]
_PROVINCE_PREFIX = re.compile(r"^(tỉnh|thành phố)\s+", re.IGNORECASE)


def vn_date(day: dt.date | dt.datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return day.strftime("%d/%m/%Y")


def _num(n: int | float) -> str:
    """Vietnamese number style: 1.234 and 12,5."""
    s = f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _pct(n: int, total: int) -> str:
    return f"{_num(round(n * 100 / total, 1))}%" if total else "0%"


def language_name(code: str) -> str:
    return LANGUAGES_VI.get(code, f"tiếng {code}" if code else "chưa xác định")


def place_name(province: Organisation) -> str:
    """ "Tỉnh Tuyên Quang" → "Tuyên Quang": the name the analysis gives items."""
    return _PROVINCE_PREFIX.sub("", province.name).strip()


def _province_phrase(province: Organisation) -> str:
    """ "tỉnh Tuyên Quang", "thành phố Hà Nội" (lower-case unit word, as in a title)."""
    m = _PROVINCE_PREFIX.match(province.name)
    if m:
        return m.group(1).lower() + " " + place_name(province)
    return f"tỉnh {province.name}"


def _province_names(province: Organisation) -> list[str]:
    names = {place_name(province), province.name.strip()}
    if province.short_name:
        names.add(province.short_name.strip())
    return sorted(n for n in names if n)


def _duration(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 48:
        return f"{_num(round(hours, 1))} giờ"
    return f"{_num(round(hours / 24, 1))} ngày"


@dataclass
class PressReportData:
    """Every figure of the document, loaded once."""

    province: Organisation
    start: dt.date
    end: dt.date
    total: int = 0
    previous_total: int = 0
    previous_start: dt.date | None = None
    previous_end: dt.date | None = None
    outlets: int = 0
    domestic_outlets: int = 0
    foreign_outlets: int = 0
    domestic: int = 0
    foreign: int = 0
    stories: int = 0
    languages: list[tuple[str, int]] = field(default_factory=list)
    per_day: list[tuple[dt.date, int]] = field(default_factory=list)
    topics: list[tuple[str, str, int]] = field(default_factory=list)  # code, name, n
    unclassified: int = 0
    sentiment: dict[str, int] = field(default_factory=dict)
    negative_items: list[Item] = field(default_factory=list)
    top_stories: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def period_items(user: Any, province: Organisation, start: dt.date, end: dt.date) -> QuerySet[Item]:
    """The analysed items about ``province`` published (or, undated, collected) from
    ``start`` to ``end`` included that ``user`` may read; duplicates count, as on the
    dashboard, and each item once whatever the number of matching names."""
    about = ItemProvince.objects.filter(province__in=_province_names(province)).values("item_id")
    return selectors.items_between(
        selectors.readable_items(user), _day_start(start), _day_start(end + dt.timedelta(days=1))
    ).filter(pk__in=about)


def load_press_data(
    user: Any, province: Organisation, start: dt.date, end: dt.date
) -> PressReportData:
    data = PressReportData(province=province, start=start, end=end)
    items = period_items(user, province, start, end)
    length = (end - start).days + 1
    data.previous_end = start - dt.timedelta(days=1)
    data.previous_start = data.previous_end - dt.timedelta(days=length - 1)
    data.previous_total = period_items(
        user, province, data.previous_start, data.previous_end
    ).count()

    by_source = list(
        items.values("source_id", "source__is_foreign").annotate(n=Count("pk")).order_by()
    )
    data.total = sum(r["n"] for r in by_source)
    data.outlets = len(by_source)
    data.foreign_outlets = sum(1 for r in by_source if r["source__is_foreign"])
    data.domestic_outlets = data.outlets - data.foreign_outlets
    data.foreign = sum(r["n"] for r in by_source if r["source__is_foreign"])
    data.domestic = data.total - data.foreign
    if not data.total:
        data.cases = _cases(user, province, start, end)
        return data

    data.stories = items.exclude(cluster=None).values("cluster_id").distinct().count()
    langs = items.values("lang").annotate(n=Count("pk")).order_by("-n", "lang")
    data.languages = [(r["lang"] or "", r["n"]) for r in langs]

    tz = timezone.get_current_timezone()
    days = dict(
        items.annotate(day=TruncDate(Coalesce("published_at", "collected_at"), tzinfo=tz))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("day", "n")
    )
    data.per_day = [
        (start + dt.timedelta(days=i), days.get(start + dt.timedelta(days=i), 0))
        for i in range(length)
    ]

    topic_counts = dict(
        ItemTopic.objects.filter(item__in=items.values("pk"))
        .values("code")
        .annotate(n=Count("item_id", distinct=True))
        .values_list("code", "n")
    )
    names = dict(Topic.objects.values_list("code", "name_vi"))
    order = {c: i for i, c in enumerate(Topic.objects.values_list("code", flat=True))}
    data.topics = sorted(
        ((c, names.get(c, c), n) for c, n in topic_counts.items() if n),
        key=lambda t: (-t[2], order.get(t[0], 999), t[0]),
    )
    data.unclassified = items.exclude(pk__in=ItemTopic.objects.values("item_id")).count()

    data.sentiment = dict(
        items.values("sentiment").annotate(n=Count("pk")).values_list("sentiment", "n")
    )
    data.negative_items = list(
        items.filter(sentiment=Item.Sentiment.NEGATIVE)
        .select_related("source")
        .order_by("-sort_key")[:NEGATIVE_LISTED]
    )

    data.top_stories = selectors.top_clusters(items, TOP_STORIES)
    ids = [s["id"] for s in data.top_stories]
    outlets: dict[int, set[str]] = defaultdict(set)
    langs_of: dict[int, set[str]] = defaultdict(set)
    for cid, outlet, lang in (
        items.filter(cluster_id__in=ids)
        .values_list("cluster_id", "source__name", "lang")
        .distinct()
    ):
        outlets[cid].add(outlet)
        if lang:
            langs_of[cid].add(lang)
    for s in data.top_stories:
        s["outlets"] = sorted(outlets.get(s["id"], set()))
        s["period_languages"] = sorted(langs_of.get(s["id"], set()))
    data.cases = _cases(user, province, start, end)
    return data


def _cases(user: Any, province: Organisation, start: dt.date, end: dt.date) -> list[dict]:
    """Response cases of the province opened or closed in the period."""
    from django.db.models import Q

    lo, hi = _day_start(start), _day_start(end + dt.timedelta(days=1))
    cases = list(
        selectors.readable_cases(user)
        .filter(owner__path__startswith=province.path)
        .filter(Q(opened_at__gte=lo, opened_at__lt=hi) | Q(closed_at__gte=lo, closed_at__lt=hi))
        .select_related("assigned_to")
        .order_by("opened_at", "pk")
    )
    published: dict[int, dt.datetime] = {}
    for case_id, at in (
        CaseEvent.objects.filter(case__in=cases, to_status=Case.Status.PUBLISHED)
        .order_by("at")
        .values_list("case_id", "at")
    ):
        published.setdefault(case_id, at)
    now = timezone.now()
    out = []
    for c in cases:
        done_at = published.get(c.pk) or c.closed_at
        if done_at is not None:
            taken = _duration(done_at - c.opened_at)
        else:
            taken = f"Đang xử lý ({_duration(now - c.opened_at)})"
        out.append(
            {
                "title": c.title,
                "opened": vn_date(c.opened_at),
                "severity": CASE_SEVERITY_VI.get(c.severity, c.severity),
                "status": CASE_STATUS_VI.get(c.status, c.status),
                "outcome": CASE_OUTCOME_VI.get(c.outcome, c.outcome) if c.outcome else "",
                "agency": c.assigned_to.name if c.assigned_to else "",
                "taken": taken,
                "closed": c.status == Case.Status.CLOSED,
                "answered": done_at is not None,
            }
        )
    return out


# --- the document --------------------------------------------------------------------------


def _issuer(province: Organisation) -> dict[str, Any]:
    """The focal department issues the report to the leaders; without one recorded in the
    directory, the People's Committee (as the provincial report picks its issuer)."""
    today = timezone.localdate()
    focal = function_holder(OrganisationFunction.Function.FOCAL_TTDN, province, today)
    if focal is not None:
        return {
            "issuer_parent": f"UBND {province.name.upper()}",
            "issuer": focal.name.upper(),
            "symbol": f"BC-{_abbreviation(focal)}",
            "signer_authority": ["GIÁM ĐỐC"],
            "recipients": list(RECIPIENTS_FOCAL),
            "name": focal.name,
        }
    committee = (
        Organisation.objects.filter(
            valid_on(today), parent=province, kind=OrganisationKind.PEOPLES_COMMITTEE
        )
        .order_by("pk")
        .first()
    )
    return {
        "issuer_parent": None,
        "issuer": f"ỦY BAN NHÂN DÂN\n{province.name.upper()}",
        "symbol": "BC-UBND",
        "signer_authority": ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
        "recipients": list(RECIPIENTS_COMMITTEE),
        "name": committee.name if committee else f"Ủy ban nhân dân {_province_phrase(province)}",
    }


def report_title(province: Organisation, start: dt.date, end: dt.date) -> str:
    return (
        "Tổng hợp dư luận báo chí trong nước và nước ngoài về "
        f"{_province_phrase(province)}, từ ngày {vn_date(start)} đến ngày {vn_date(end)}"
    )


def press_report(
    user: Any, start: dt.date, end: dt.date, *, owner: Organisation | None
) -> AdminDocument:
    """The report for the province of ``owner`` (the user's province when ``None``).

    The caller checks that the user may read the province (the view answers 404)."""
    if end < start:
        start, end = end, start
    province = owner.province() if owner is not None else _user_province(user)
    if province is None:
        raise ValueError("no province to report on")
    data = load_press_data(user, province, start, end)
    who = _issuer(province)
    return AdminDocument(
        issuer_parent=who["issuer_parent"],
        issuer=who["issuer"],
        number=None,
        symbol=who["symbol"],
        kind="Báo cáo",
        title=report_title(province, start, end),
        place=place_name(province),
        date=None,
        year=timezone.localdate().year,
        blocks=_blocks(data, who["name"]),
        recipients=who["recipients"],
        signer_authority=who["signer_authority"],
        signer_name=None,
    )


def _user_province(user: Any) -> Organisation | None:
    from ttdn.reporting.selectors import user_province

    return user_province(user)


def _period(data: PressReportData) -> str:
    return f"từ ngày {vn_date(data.start)} đến ngày {vn_date(data.end)}"


def _blocks(data: PressReportData, issuer_name: str) -> list[Block]:
    phrase = _province_phrase(data.province)
    blocks: list[Block] = [
        Paragraph(
            f"Thực hiện nhiệm vụ theo dõi, tổng hợp dư luận báo chí trong nước và nước ngoài, "
            f"{issuer_name} báo cáo tình hình dư luận báo chí về {phrase} {_period(data)} "
            "như sau:"
        ),
    ]
    blocks += _overview(data, phrase)
    if data.total:
        blocks += _topics(data)
        blocks += _sentiment(data)
        blocks += _stories(data)
    else:
        blocks += [
            Heading("II. DƯ LUẬN THEO CHỦ ĐỀ", 1),
            Paragraph("Không có tin, bài trong kỳ báo cáo."),
            Heading("III. XU HƯỚNG DƯ LUẬN", 1),
            Paragraph("Không có tin, bài trong kỳ báo cáo."),
            Heading("IV. CÁC SỰ KIỆN, VẤN ĐỀ ĐƯỢC QUAN TÂM", 1),
            Paragraph("Không có tin, bài trong kỳ báo cáo."),
        ]
    blocks += _cases_blocks(data)
    blocks += [
        Heading("VI. ĐỀ XUẤT, KIẾN NGHỊ", 1),
        Paragraph("…"),
        Paragraph("Trên đây là báo cáo tổng hợp dư luận báo chí " + _period(data) + "./."),
    ]
    return blocks


def _overview(data: PressReportData, phrase: str) -> list[Block]:
    out: list[Block] = [Heading("I. TÌNH HÌNH CHUNG", 1)]
    if not data.total:
        out.append(
            Paragraph(
                f"Trong kỳ báo cáo ({_period(data)}), hệ thống theo dõi không ghi nhận tin, bài "
                f"nào về {phrase} trên các nguồn báo chí, mạng xã hội đang được theo dõi."
            )
        )
        if data.previous_total:
            out.append(
                Paragraph(
                    f"Kỳ trước (từ ngày {vn_date(data.previous_start)} đến ngày "
                    f"{vn_date(data.previous_end)}) có {_num(data.previous_total)} tin, bài."
                )
            )
        return out
    out.append(
        Paragraph(
            f"Trong kỳ báo cáo, hệ thống ghi nhận **{_num(data.total)} tin, bài** về {phrase} "
            f"trên {_num(data.outlets)} cơ quan báo chí, trang tin và tài khoản mạng xã hội "
            f"({_num(data.domestic_outlets)} trong nước, {_num(data.foreign_outlets)} nước "
            f"ngoài), thuộc {_num(data.stories)} sự kiện, vấn đề."
        )
    )
    out.append(
        Bullet(
            f"Báo chí trong nước: {_num(data.domestic)} tin, bài "
            f"({_pct(data.domestic, data.total)})"
        )
    )
    out.append(
        Bullet(
            f"Báo chí nước ngoài: {_num(data.foreign)} tin, bài ({_pct(data.foreign, data.total)})"
        )
    )
    langs = "; ".join(f"{language_name(c)}: {_num(n)}" for c, n in data.languages)
    out.append(Bullet(f"Theo ngôn ngữ: {langs}"))
    prev = data.previous_total
    period_prev = f"từ ngày {vn_date(data.previous_start)} đến ngày {vn_date(data.previous_end)}"
    if prev:
        change = (data.total - prev) * 100 / prev
        if change > 0:
            trend = f"tăng {_num(round(change, 1))}%"
        elif change < 0:
            trend = f"giảm {_num(round(-change, 1))}%"
        else:
            trend = "không thay đổi"
        out.append(Bullet(f"So với kỳ trước ({period_prev}: {_num(prev)} tin, bài): {trend}"))
    else:
        out.append(Bullet(f"Kỳ trước ({period_prev}) không ghi nhận tin, bài nào"))
    if len(data.per_day) > 1:
        png = line_chart_png(
            [d.strftime("%d/%m") for d, _ in data.per_day],
            {"Số tin, bài": [n for _, n in data.per_day]},
            "Số tin, bài theo ngày",
        )
        out.append(Chart(png, "Biểu đồ 1. Số tin, bài theo ngày"))
    return out


def _topics(data: PressReportData) -> list[Block]:
    out: list[Block] = [Heading("II. DƯ LUẬN THEO CHỦ ĐỀ", 1)]
    if not data.topics:
        out.append(Paragraph("Các tin, bài trong kỳ chưa được phân loại theo chủ đề."))
        return out
    rows: list[list[Any]] = [
        [i, name, n, _pct(n, data.total)] for i, (_c, name, n) in enumerate(data.topics, 1)
    ]
    if data.unclassified:
        rows.append(
            [
                len(rows) + 1,
                "Chưa phân loại",
                data.unclassified,
                _pct(data.unclassified, data.total),
            ]
        )
    top = data.topics[0]
    out.append(
        Paragraph(
            f"Chủ đề được quan tâm nhiều nhất là **{top[1]}** với {_num(top[2])} tin, bài "
            f"({_pct(top[2], data.total)}). Một tin, bài có thể thuộc nhiều chủ đề."
        )
    )
    out.append(
        Table(
            columns=["STT", "Chủ đề", "Số tin, bài", "Tỷ lệ"],
            rows=rows,
            widths_cm=[1.2, 9.8, 2.8, 2.7],
            caption="Bảng 1. Số tin, bài theo chủ đề",
        )
    )
    png = bar_chart_png(
        [name for _c, name, _n in data.topics],
        [n for _c, _name, n in data.topics],
        "Số tin, bài theo chủ đề",
        horizontal=True,
    )
    out.append(Chart(png, "Biểu đồ 2. Số tin, bài theo chủ đề"))
    return out


def _sentiment(data: PressReportData) -> list[Block]:
    out: list[Block] = [Heading("III. XU HƯỚNG DƯ LUẬN", 1)]
    keys = [Item.Sentiment.POSITIVE, Item.Sentiment.NEUTRAL, Item.Sentiment.NEGATIVE]
    counts = [(k, data.sentiment.get(k, 0)) for k in keys]
    unknown = data.total - sum(n for _, n in counts)
    rows: list[list[Any]] = [
        [i, SENTIMENT_VI[k], n, _pct(n, data.total)] for i, (k, n) in enumerate(counts, 1)
    ]
    if unknown:
        rows.append([4, SENTIMENT_VI[""], unknown, _pct(unknown, data.total)])
    pos, neu, neg = (n for _, n in counts)
    out.append(
        Paragraph(
            f"Tin, bài tích cực: {_num(pos)} ({_pct(pos, data.total)}); trung lập: {_num(neu)} "
            f"({_pct(neu, data.total)}); tiêu cực: {_num(neg)} ({_pct(neg, data.total)})."
        )
    )
    out.append(
        Table(
            columns=["STT", "Xu hướng", "Số tin, bài", "Tỷ lệ"],
            rows=rows,
            widths_cm=[1.2, 9.8, 2.8, 2.7],
            caption="Bảng 2. Số tin, bài theo xu hướng",
        )
    )
    png = bar_chart_png(
        [SENTIMENT_VI[k] for k, _ in counts], [n for _, n in counts], "Xu hướng dư luận"
    )
    out.append(Chart(png, "Biểu đồ 3. Số tin, bài theo xu hướng"))
    out.append(Heading("Các tin, bài tiêu cực", 2))
    if not data.negative_items:
        out.append(Paragraph("Trong kỳ không có tin, bài tiêu cực."))
        return out
    if neg > len(data.negative_items):
        out.append(
            Paragraph(
                f"Danh sách {len(data.negative_items)} tin, bài tiêu cực mới nhất "
                f"(trên tổng số {_num(neg)}):"
            )
        )
    out.append(
        Table(
            columns=["STT", "Tiêu đề", "Cơ quan báo chí", "Ngày đăng", "Đường dẫn"],
            rows=[
                [
                    i,
                    item.title or "(không có tiêu đề)",
                    item.source.name,
                    vn_date(item.when),
                    item.url,
                ]
                for i, item in enumerate(data.negative_items, 1)
            ],
            widths_cm=[1.2, 5.2, 3.0, 2.4, 4.7],
            caption="Bảng 3. Các tin, bài tiêu cực",
        )
    )
    return out


def _stories(data: PressReportData) -> list[Block]:
    out: list[Block] = [Heading("IV. CÁC SỰ KIỆN, VẤN ĐỀ ĐƯỢC QUAN TÂM", 1)]
    if not data.top_stories:
        out.append(Paragraph("Chưa xác định được sự kiện, vấn đề nổi bật trong kỳ."))
        return out
    rows = []
    for i, s in enumerate(data.top_stories, 1):
        langs = s.get("period_languages") or s.get("languages") or []
        rows.append(
            [
                i,
                s["title"],
                s["n"],
                ", ".join(s.get("outlets", [])),
                ", ".join(language_name(c) for c in langs),
            ]
        )
    out.append(Paragraph("Các sự kiện, vấn đề được báo chí đưa tin nhiều nhất trong kỳ:"))
    out.append(
        Table(
            columns=["STT", "Sự kiện, vấn đề", "Số tin, bài", "Cơ quan báo chí", "Ngôn ngữ"],
            rows=rows,
            widths_cm=[1.2, 5.8, 1.8, 4.7, 3.0],
            caption="Bảng 4. Các sự kiện, vấn đề được đưa tin nhiều nhất",
        )
    )
    return out


def _cases_blocks(data: PressReportData) -> list[Block]:
    out: list[Block] = [Heading("V. XỬ LÝ THÔNG TIN SAI SỰ THẬT, XUYÊN TẠC", 1)]
    if not data.cases:
        out.append(
            Paragraph("Trong kỳ không có vụ việc thông tin sai sự thật, xuyên tạc phải xử lý.")
        )
        return out
    answered = sum(1 for c in data.cases if c["answered"])
    closed = sum(1 for c in data.cases if c["closed"])
    out.append(
        Paragraph(
            f"Trong kỳ đã tiếp nhận, xử lý {len(data.cases)} vụ việc; {answered} vụ việc đã có "
            f"thông tin phản hồi, {closed} vụ việc đã kết thúc."
        )
    )
    out.append(
        Table(
            columns=[
                "STT",
                "Vụ việc",
                "Ngày tiếp nhận",
                "Tình trạng",
                "Kết quả",
                "Thời gian xử lý",
            ],
            rows=[
                [
                    i,
                    c["title"] + (f" ({c['agency']})" if c["agency"] else ""),
                    c["opened"],
                    c["status"],
                    c["outcome"],
                    c["taken"],
                ]
                for i, c in enumerate(data.cases, 1)
            ],
            widths_cm=[1.2, 5.3, 2.4, 2.5, 2.8, 2.3],
            caption="Bảng 5. Kết quả xử lý thông tin sai sự thật, xuyên tạc",
        )
    )
    return out


# --- output --------------------------------------------------------------------------------


def render_press_report_docx(
    user: Any, start: dt.date, end: dt.date, *, owner: Organisation | None
) -> bytes:
    from ttdn.documents.docx import render_docx

    return render_docx(press_report(user, start, end, owner=owner))


def report_filename(province: Organisation, start: dt.date, end: dt.date) -> str:
    """ "Báo cáo dư luận báo chí Tuyên Quang 01-05-2026 đến 31-05-2026.docx"."""
    return (
        f"Báo cáo dư luận báo chí {place_name(province)} "
        f"{start.strftime('%d-%m-%Y')} đến {end.strftime('%d-%m-%Y')}.docx"
    )


def content_disposition(filename: str) -> str:
    """An attachment header with an ASCII fallback and the UTF-8 name (RFC 5987/6266)."""
    ascii_name = re.sub(r"[^A-Za-z0-9.-]+", "-", fold(filename)).strip("-") or "bao-cao.docx"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
