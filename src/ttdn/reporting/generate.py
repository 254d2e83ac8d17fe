"""A realistic national dataset for demonstrations and load tests (``ttdn demo_national``).

What it writes, for each of the first N current provinces (``reference.load_admin_units``):
the province's usual organisations (``reference.create_province_structure``) plus generated
extras (communes' People's Committees, press and culture centres) to reach ``agencies``
reporting agencies; then for each year one published annual plan issued by the People's
Committee, with ``tasks`` tasks led by each agency (so a plan holds agencies × tasks tasks:
60 × 40 × 34 provinces × 5 years ≈ 408,000 tasks), coordinating agencies, deadlines
spread over the quarters, statuses consistent with the dates, ``updates_per_task`` progress
updates on each started task (≈ 2,000,000), a report campaign per province and year with
one submission per agency (most on time, some late, some missing) and KPI values for the
shipped definitions (the province-level ``regulation_issued`` is yes for about 70 %).

Decisions
- **Bulk writes, one audit row.** Plans, tasks, links, updates, campaigns, submissions and
  KPI values are written with ``bulk_create`` in large batches, one transaction per
  province and year, bypassing the service functions (which take row locks, check scope
  and audit every row). The load leaves ONE summary audit row with the options and the
  counts: the data is reproducible from the seed, so per-row audit would only record the
  generator. The reference structure goes through the ordinary (audited) services.
- **Recognisable.** Generated plans, campaigns and extra organisations carry
  ``GENERATED_MARK`` (in ``Plan.source_text``, ``ReportCampaign.instructions``,
  ``Organisation.notes``); KPI values and submissions hang off generated campaigns.
  ``reset_generated`` deletes exactly that (with set-based DELETEs: Django's cascade
  collector would load millions of rows), never user data.
- **Deterministic.** Everything comes from one ``random.Random(seed)`` and ``today``.
- **SQLite during the load**: ``synchronous=OFF`` and a large page cache on the loading
  connection (restored afterwards); WAL is the platform's default already. Indexes stay:
  at this size dropping and rebuilding them saves less than it risks.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO

from django.db import connection, transaction
from django.utils import timezone

from ttdn.audit.services import audit_record
from ttdn.core.text import fold
from ttdn.directory import reference
from ttdn.directory.models import Organisation, OrganisationKind
from ttdn.directory.services import SYSTEM
from ttdn.plans.models import Plan, Section, Task, TaskAgency

from .models import (
    Evidence,
    KpiDefinition,
    KpiValue,
    ProvinceYearStats,
    ReportCampaign,
    ReportSubmission,
    TaskUpdate,
)

GENERATED_MARK = "[ttdn demo_national]"

Progress = Callable[[str, int, int], None]


class AlreadyGenerated(Exception):
    """The database already holds a generated national dataset (use ``reset``)."""


@dataclass(frozen=True)
class Options:
    provinces: int = 34
    years: int = 5
    first_year: int = 2022
    agencies: int = 40
    tasks: int = 60
    updates_per_task: int = 5
    seed: int = 2026
    today: dt.date | None = None
    batch_size: int = 5000


@dataclass
class Result:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


# --- text templates ------------------------------------------------------------------

_ACTIONS = [
    "Tổ chức hội nghị tập huấn, bồi dưỡng nghiệp vụ thông tin đối ngoại cho {who}",
    "Xuất bản ấn phẩm song ngữ Việt - Anh giới thiệu {topic} của {unit} {province}",
    "Sản xuất phóng sự, chương trình truyền hình quảng bá {topic} tỉnh {province}",
    "Đăng tải tin, bài về {topic} trên Cổng Thông tin điện tử tỉnh và Vietnam.vn",
    "Tổ chức họp báo, giao ban báo chí định kỳ về {topic}",
    "Đón tiếp, hướng dẫn phóng viên nước ngoài đến tác nghiệp tại {unit}",
    "Theo dõi dư luận báo chí trong và ngoài nước về {topic}, kịp thời phản bác thông tin sai lệch",
    "Tuyên truyền về chủ quyền biển, đảo và biên giới quốc gia cho {who}",
    "Phối hợp tổ chức đoàn công tác xúc tiến đầu tư, quảng bá hình ảnh {unit} ở nước ngoài",
    "Cung cấp thông tin cho cộng đồng người Việt Nam ở nước ngoài về {topic}",
    "Tổ chức triển lãm ảnh, tư liệu về {topic}",
    "Cập nhật phiên bản tiếng nước ngoài của Cổng Thông tin điện tử về {topic}",
    "Tuyên truyền kỷ niệm các ngày lễ lớn, năm tròn quan hệ ngoại giao với các đối tác",
    "Biên soạn tài liệu hỏi - đáp về nhân quyền, tôn giáo, dân tộc cho {who}",
    "Tổ chức cuộc thi tìm hiểu về {topic} dành cho {who}",
]
_TOPICS = [
    "tiềm năng du lịch",
    "môi trường đầu tư, kinh doanh",
    "di sản văn hóa",
    "thành tựu phát triển kinh tế - xã hội",
    "chuyển đổi số",
    "hợp tác quốc tế và các địa phương kết nghĩa",
    "công tác bảo đảm quyền con người",
    "sản phẩm OCOP và nông sản chủ lực",
    "lễ hội truyền thống",
    "công tác phòng, chống thiên tai",
]
_WHO = [
    "cán bộ làm công tác thông tin đối ngoại các sở, ngành",
    "phóng viên, biên tập viên các cơ quan báo chí",
    "cán bộ cấp xã, phường",
    "người phát ngôn và cán bộ đầu mối",
    "đoàn viên, thanh niên",
    "đồng bào dân tộc thiểu số vùng biên giới",
]
_NARRATIVES = [
    "Đã xây dựng kế hoạch chi tiết và phân công cán bộ thực hiện.",
    "Đã tổ chức {n} lớp với {m} lượt người tham dự.",
    "Đăng tải {n} tin, bài và {m} ảnh trên Cổng Thông tin điện tử.",
    "Phối hợp với cơ quan báo chí thực hiện {n} phóng sự, {m} chuyên mục.",
    "Hoàn thành bản thảo ấn phẩm, đang lấy ý kiến các sở, ngành ({n} trang).",
    "Đã in và phát hành {m} cuốn ấn phẩm song ngữ.",
    "Theo dõi {m} tin, bài trên báo chí nước ngoài; phản bác {n} thông tin sai lệch.",
    "Đón tiếp {n} đoàn phóng viên nước ngoài, cung cấp thông tin chính thống.",
    "Tổng hợp kết quả, báo cáo Ủy ban nhân dân tỉnh.",
    "Đang triển khai theo tiến độ; dự kiến hoàn thành đúng hạn.",
    "Gặp khó khăn về kinh phí, đã đề xuất bổ sung ({n} triệu đồng).",
]
_COMMUNES = [
    "An Bình", "An Phú", "Bình Minh", "Tân Lập", "Hòa Bình", "Đồng Tâm", "Thống Nhất",
    "Quang Trung", "Hưng Đạo", "Phú Thịnh", "Minh Khai", "Tân Tiến", "Thanh Sơn", "Kim Đồng",
    "Hồng Phong", "Nghĩa Trung", "Xuân Hòa", "Vĩnh Phúc", "Tân Thành", "Phúc Lộc",
    "Trung Hòa", "Đại Đồng", "Yên Thế", "Lạc Long", "Sơn Hà", "Thái Học", "Mỹ Lộc",
    "Hải Bình", "Bắc Sơn", "Nam Tiến", "Đông Hưng", "Tây Sơn", "Hoàng Hoa", "Lê Lợi",
    "Cẩm Bình", "Định Hóa", "Phong Châu", "Tiên Lữ", "Long Hưng", "Ngọc Lâm",
]  # fmt: skip
_EXTRA_BODIES = [
    ("Trung tâm Văn hóa, Thông tin và Thể thao {unit} {province}", OrganisationKind.OTHER),
    ("Trung tâm Truyền thông {unit} {province}", OrganisationKind.PRESS),
    ("Sở Du lịch {unit} {province}", OrganisationKind.DEPARTMENT),
    ("Tỉnh đoàn {province}", OrganisationKind.MASS_ORGANISATION),
    ("Hội Liên hiệp Phụ nữ {unit} {province}", OrganisationKind.MASS_ORGANISATION),
]
_ROMAN = ["I", "II", "III", "IV", "V"]
_SECTIONS = [
    "THÔNG TIN ĐỐI NGOẠI VỀ CHỦ TRƯƠNG, CHÍNH SÁCH VÀ THÀNH TỰU PHÁT TRIỂN",
    "QUẢNG BÁ HÌNH ẢNH, TIỀM NĂNG, THẾ MẠNH CỦA TỈNH",
    "ĐẤU TRANH PHẢN BÁC THÔNG TIN SAI LỆCH",
    "NÂNG CAO NĂNG LỰC, BỒI DƯỠNG NGHIỆP VỤ",
    "THÔNG TIN CHO NGƯỜI VIỆT NAM Ở NƯỚC NGOÀI VÀ BẠN BÈ QUỐC TẾ",
]


# --- progress ------------------------------------------------------------------------


class ProgressBar:
    """A one-line progress bar on a terminal stream: label, bar, counts, rate, elapsed."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()
        self._last = 0.0
        self._label = ""

    def __call__(self, label: str, done: int, total: int) -> None:
        now = time.monotonic()
        final = done >= total
        if not final and label == self._label and now - self._last < 0.2:
            return
        self._last, self._label = now, label
        elapsed = now - self.started
        frac = done / total if total else 1.0
        filled = int(self.width * frac)
        bar = "#" * filled + "-" * (self.width - filled)
        rate = done / elapsed if elapsed > 0 else 0.0
        line = f"\r{label:<12} [{bar}] {done:,}/{total:,} {rate:,.0f}/s {elapsed:,.0f}s"
        self.stream.write(line)
        if final:
            self.stream.write("\n")
        self.stream.flush()


# --- helpers -------------------------------------------------------------------------


def generated_exists() -> bool:
    """Generated plans exist, or generated agencies left by an interrupted run."""
    return (
        Plan.objects.filter(source_text__startswith=GENERATED_MARK).exists()
        or Organisation.objects.filter(notes=GENERATED_MARK).exists()
    )


def _quarter_end(year: int, quarter: int) -> dt.date:
    month = quarter * 3
    return dt.date(year, month, 31 if month in (3, 12) else 30)


def _agency_pool(province: Organisation, today: dt.date) -> list[Organisation]:
    """The province's current reporting agencies, the People's Committee and focal first."""
    orgs = list(
        Organisation.objects.filter(path__startswith=province.path)
        .exclude(pk=province.pk)
        .exclude(kind=OrganisationKind.COMMUNE)
        .order_by("path")
    )
    current = [o for o in orgs if o.is_valid_on(today)]

    def rank(o: Organisation) -> tuple[int, str]:
        if o.kind == OrganisationKind.PEOPLES_COMMITTEE and o.parent_id == province.pk:
            return (0, o.path)
        if o.name.startswith("Sở Văn hóa"):
            return (1, o.path)
        if o.kind == OrganisationKind.DEPARTMENT:
            return (2, o.path)
        return (3, o.path)

    return sorted(current, key=rank)


def _add_extras(
    province: Organisation, have: int, want: int, rng: random.Random
) -> list[Organisation]:
    """Bulk-create generated agencies below ``province`` until it has ``want``."""
    if have >= want:
        return []
    words = reference._province_words(province)
    names: list[tuple[str, str]] = [(n.format(**words), k) for n, k in _EXTRA_BODIES]
    communes = _COMMUNES[:]
    rng.shuffle(communes)
    names += [(f"Ủy ban nhân dân xã {c}", OrganisationKind.PEOPLES_COMMITTEE) for c in communes]
    i = 2
    while len(names) < want - have:
        names += [
            (f"Ủy ban nhân dân xã {c} {i}", OrganisationKind.PEOPLES_COMMITTEE) for c in communes
        ]
        i += 1
    new = [
        Organisation(
            name=name,
            kind=kind,
            parent=province,
            path=province.path,
            depth=province.depth + 1,
            notes=GENERATED_MARK,
            search_key=fold(name)[:255],
        )
        for name, kind in names[: want - have]
    ]
    created = Organisation.objects.bulk_create(new)
    for org in created:
        org.path = f"{province.path}{org.pk}/"
    Organisation.objects.bulk_update(created, ["path"])
    return created


def _statuses(
    rng: random.Random, due: dt.date, start: dt.date, today: dt.date
) -> tuple[str, dt.date | None]:
    """A status consistent with the dates, and the day the task was finished (if done)."""
    if start > today:
        return Task.Status.NOT_STARTED, None
    if due < today:
        r = rng.random()
        if r < 0.86:
            late = rng.random() < 0.1
            finished = due + dt.timedelta(days=rng.randint(1, 20)) if late else due
            finished = min(finished - dt.timedelta(days=rng.randint(0, 25)), today)
            return Task.Status.DONE, max(finished, start)
        if r < 0.96:
            return Task.Status.OVERDUE, None
        return Task.Status.CANCELLED, None
    r = rng.random()
    if r < 0.15:
        return Task.Status.DONE, today - dt.timedelta(
            days=rng.randint(0, max(0, (today - start).days))
        )
    if r < 0.85:
        return Task.Status.IN_PROGRESS, None
    return Task.Status.NOT_STARTED, None


def _dates_between(rng: random.Random, a: dt.date, b: dt.date, n: int) -> list[dt.date]:
    span = max(0, (b - a).days)
    return sorted(a + dt.timedelta(days=rng.randint(0, span)) for _ in range(n))


def _chunks(seq: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


class _SqliteFastLoad:
    """synchronous=OFF and a large cache on the loading connection (SQLite only)."""

    active = False

    def __enter__(self) -> None:
        # PRAGMA synchronous cannot change inside a transaction (e.g. a test's)
        self.active = connection.vendor == "sqlite" and not connection.in_atomic_block
        if self.active:
            with connection.cursor() as cur:
                cur.execute("PRAGMA synchronous=OFF")
                cur.execute("PRAGMA cache_size=-400000")
                cur.execute("PRAGMA temp_store=MEMORY")

    def __exit__(self, *exc: object) -> None:
        if self.active:
            with connection.cursor() as cur:
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA cache_size=-2000")


# --- generation ----------------------------------------------------------------------


def generate_national(options: Options, progress: Progress | None = None) -> Result:
    """Write the dataset; raises ``AlreadyGenerated`` if one is present."""
    started = time.monotonic()
    if generated_exists():
        raise AlreadyGenerated(
            "A generated national dataset is already loaded; pass --reset to replace it."
        )
    rng = random.Random(options.seed)  # noqa: S311 (test data, not secrets)
    today = options.today or dt.date.today()
    counts: dict[str, int] = {
        "provinces": 0,
        "agencies": 0,
        "agencies_generated": 0,
        "plans": 0,
        "sections": 0,
        "tasks": 0,
        "task_agencies": 0,
        "task_updates": 0,
        "campaigns": 0,
        "submissions": 0,
        "kpi_values": 0,
    }
    say = progress or (lambda label, done, total: None)

    reference.load_admin_units()
    provinces = list(
        Organisation.objects.filter(kind=OrganisationKind.PROVINCE, valid_to__isnull=True).order_by(
            "code"
        )[: options.provinces]
    )
    pools: dict[int, list[Organisation]] = {}
    for i, province in enumerate(provinces, 1):
        reference.create_province_structure(province, on=today)
        with transaction.atomic():
            pool = _agency_pool(province, today)
            extras = _add_extras(province, len(pool), options.agencies, rng)
        counts["agencies_generated"] += len(extras)
        pools[province.pk] = (pool + extras)[: options.agencies]
        counts["agencies"] += len(pools[province.pk])
        say("agencies", i, len(provinces))
    counts["provinces"] = len(provinces)

    definitions = list(KpiDefinition.objects.filter(active=True))
    years = list(range(options.first_year, options.first_year + options.years))
    total_tasks = len(provinces) * len(years) * options.agencies * options.tasks
    done_tasks = 0
    regulation_year: dict[int, int | None] = {
        p.pk: (rng.choice(years + years[:1]) if rng.random() < 0.72 else None) for p in provinces
    }
    with _SqliteFastLoad():
        for province in provinces:
            pool = pools[province.pk]
            for year in years:
                with transaction.atomic():
                    n = _province_year(
                        rng, options, today, province, pool, year, definitions, counts,
                        regulation_year[province.pk],
                    )  # fmt: skip
                done_tasks += n
                say("tasks", done_tasks, total_tasks)
        with transaction.atomic():
            audit_record(
                actor=SYSTEM,
                action="import",
                object_type="plans.plan",
                object_repr=f"demo_national national dataset (seed {options.seed})",
                changes={
                    "generator": "ttdn.reporting.generate",
                    "options": {
                        k: (v.isoformat() if isinstance(v, dt.date) else v)
                        for k, v in options.__dict__.items()
                    },
                    **counts,
                },
            )
        say("statistics", 0, 1)
        from .national import stats_refresh

        counts["stats_rows"] = stats_refresh(years=years, today=today)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        say("statistics", 1, 1)
    return Result(counts, time.monotonic() - started)


def _province_year(
    rng: random.Random,
    options: Options,
    today: dt.date,
    province: Organisation,
    pool: list[Organisation],
    year: int,
    definitions: list[KpiDefinition],
    counts: dict[str, int],
    regulation_year: int | None,
) -> int:
    issuer = pool[0]
    issued = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(5, 75))
    number = f"{rng.randint(10, 420)}/KH-UBND"
    short = province.short_name or province.name
    plan = Plan.objects.create(
        issuer=issuer,
        kind=Plan.Kind.PLAN,
        title=f"Kế hoạch công tác thông tin đối ngoại năm {year} của tỉnh {short}",
        number=number,
        year=year,
        issued_date=issued,
        status=Plan.Status.PUBLISHED,
        report_deadline=f"Trước ngày 15 tháng 11 năm {year}",
        legal_bases=["72/2015/NĐ-CP", "57-KL/TW"],
        source_text=f"{GENERATED_MARK} seed={options.seed}",
    )
    sections = Section.objects.bulk_create(
        Section(plan=plan, number=_ROMAN[i], heading=h, position=i) for i, h in enumerate(_SECTIONS)
    )
    counts["plans"] += 1
    counts["sections"] += len(sections)
    words = reference._province_words(province)

    tasks: list[Task] = []
    leads: list[Organisation] = []
    plans_for: list[tuple[str, dt.date | None]] = []
    position = 0
    for lead in pool:
        for _ in range(options.tasks):
            position += 1
            kind = rng.random()
            if kind < 0.2:
                due = dt.date(year, 12, 31)
                deadline_text, recurrence = f"Cả năm {year}", "hằng năm"
            elif kind < 0.85:
                q = rng.randint(1, 4)
                due = _quarter_end(year, q)
                deadline_text, recurrence = f"Quý {_ROMAN[q - 1]} năm {year}", ""
            else:
                due = dt.date(year, rng.randint(2, 12), rng.randint(1, 28))
                deadline_text, recurrence = f"Trước ngày {due:%d/%m/%Y}", ""
            start = max(issued, due - dt.timedelta(days=rng.randint(30, 200)))
            status, finished = _statuses(rng, due, start, today)
            summary = rng.choice(_ACTIONS).format(
                who=rng.choice(_WHO), topic=rng.choice(_TOPICS), **words
            )
            tasks.append(
                Task(
                    plan=plan,
                    section=sections[rng.randrange(len(sections))],
                    summary=summary,
                    deadline_text=deadline_text,
                    due=due,
                    recurrence=recurrence,
                    status=status,
                    position=position,
                )
            )
            leads.append(lead)
            plans_for.append((start.isoformat(), finished))
    Task.objects.bulk_create(tasks, batch_size=options.batch_size)
    counts["tasks"] += len(tasks)

    links: list[TaskAgency] = []
    updates: list[TaskUpdate] = []
    for task, lead, (start_iso, finished) in zip(tasks, leads, plans_for, strict=True):
        links.append(
            TaskAgency(
                task=task,
                role=TaskAgency.Role.LEAD,
                name_as_written=lead.name,
                organisation=lead,
                confidence=1.0,
            )
        )
        others = [o for o in rng.sample(pool, min(len(pool), 4)) if o.pk != lead.pk]
        coordinators = others[: rng.randint(0, 3)]
        for pos, org in enumerate(coordinators):
            links.append(
                TaskAgency(
                    task=task,
                    role=TaskAgency.Role.COORDINATING,
                    name_as_written=org.name,
                    organisation=org,
                    confidence=1.0,
                    position=pos,
                )
            )
        if task.status == Task.Status.NOT_STARTED or options.updates_per_task <= 0:
            continue
        start = dt.date.fromisoformat(start_iso)
        end = finished or (min(today, task.due) if task.due else today)
        if task.status in (Task.Status.OVERDUE, Task.Status.CANCELLED) and task.due:
            end = min(today, task.due)
        days = _dates_between(rng, start, max(start, end), options.updates_per_task)
        k = options.updates_per_task
        for j, day in enumerate(days):
            last = j == k - 1
            by_lead = last or not coordinators or rng.random() < 0.7
            if last:
                st = task.status
                pct = 100 if st == Task.Status.DONE else rng.randint(20, 90)
            else:
                st = Task.Status.IN_PROGRESS
                pct = min(95, int(100 * (j + 1) / (k + 1)) + rng.randint(-5, 5))
            text = rng.choice(_NARRATIVES).format(n=rng.randint(1, 30), m=rng.randint(20, 900))
            updates.append(
                TaskUpdate(
                    task=task,
                    organisation=lead if by_lead else rng.choice(coordinators),
                    happened_on=day,
                    status=st if by_lead else "",
                    progress=max(0, pct),
                    narrative=text,
                    is_lead=by_lead,
                )
            )
    for chunk in _chunks(links, options.batch_size):
        TaskAgency.objects.bulk_create(chunk)
    for chunk in _chunks(updates, options.batch_size):
        TaskUpdate.objects.bulk_create(chunk)
    counts["task_agencies"] += len(links)
    counts["task_updates"] += len(updates)

    # the report campaign: before 15 November, one submission per agency
    due = dt.date(year, 11, 15)
    campaign = ReportCampaign.objects.create(
        owner=pool[1] if len(pool) > 1 else pool[0],
        scope=province,
        title=f"Báo cáo kết quả công tác thông tin đối ngoại năm {year}",
        year=year,
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 11, 14),
        due=due,
        status=(
            ReportCampaign.Status.CLOSED
            if today > due + dt.timedelta(days=30)
            else ReportCampaign.Status.OPEN
        ),
        instructions=f"{GENERATED_MARK} seed={options.seed}",
    )
    campaign.kpis.set(definitions)
    counts["campaigns"] += 1
    opened = dt.datetime(year, 10, 1, 8, tzinfo=dt.UTC)
    current = today <= due + dt.timedelta(days=30)
    subs: list[ReportSubmission] = []
    for agency in pool:
        r = rng.random()
        missing, late = (0.15, 0.25) if current else (0.04, 0.1)
        when: dt.datetime | None
        if today < dt.date(year, 10, 1) or r < missing:
            status = rng.choice(
                [ReportSubmission.Status.NOT_STARTED, ReportSubmission.Status.DRAFT]
            )
            when = None
        else:
            status = (
                ReportSubmission.Status.ACCEPTED
                if not current and rng.random() < 0.6
                else ReportSubmission.Status.SUBMITTED
            )
            if r < late:
                when = dt.datetime(year, 11, 15, 9, tzinfo=dt.UTC) + dt.timedelta(
                    days=rng.randint(1, 6), hours=rng.randint(0, 8)
                )
            else:
                when = opened + dt.timedelta(days=rng.randint(0, 44), hours=rng.randint(0, 9))
            when = min(when, timezone.now())
        subs.append(
            ReportSubmission(
                campaign=campaign,
                agency=agency,
                status=status,
                narrative="" if when is None else f"Báo cáo kết quả năm {year} của {agency.name}.",
                submitted_at=when,
            )
        )
    ReportSubmission.objects.bulk_create(subs)
    counts["submissions"] += len(subs)

    kpis: list[KpiValue] = []
    focal_sub = subs[1] if len(subs) > 1 else subs[0]
    for d in definitions:
        if d.level == "province":
            if d.code == "regulation_issued":
                yes = regulation_year is not None and year >= regulation_year
            else:
                yes = True  # the plan above is issued
            kpis.append(
                KpiValue(
                    definition=d,
                    organisation=province,
                    province=province,
                    year=year,
                    value=Decimal(1 if yes else 0),
                    submission=focal_sub,
                )
            )
            continue
        for sub in subs:
            if sub.submitted_at is None or rng.random() < 0.15:
                continue
            scale = 200 if d.code in ("trainees", "budget_spent", "articles_national_portal") else 6
            kpis.append(
                KpiValue(
                    definition=d,
                    organisation=sub.agency,
                    province=province,
                    year=year,
                    value=Decimal(rng.randint(0, scale)),
                    submission=sub,
                )
            )
    KpiValue.objects.bulk_create(kpis, batch_size=options.batch_size, ignore_conflicts=True)
    counts["kpi_values"] += len(kpis)
    return len(tasks)


# --- reset ---------------------------------------------------------------------------


def _table(model: type[Any]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@transaction.atomic
def reset_generated() -> dict[str, int]:
    """Delete the generated dataset (and nothing else) with set-based DELETEs."""
    plan_ids = list(
        Plan.objects.filter(source_text__startswith=GENERATED_MARK).values_list("pk", flat=True)
    )
    campaign_ids = list(
        ReportCampaign.objects.filter(instructions__startswith=GENERATED_MARK).values_list(
            "pk", flat=True
        )
    )
    deleted: dict[str, int] = {}
    with connection.cursor() as cur:

        def run(label: str, sql: str, ids: list[int]) -> None:
            total = 0
            for chunk in _chunks(ids, 500):
                marks = ",".join(["%s"] * len(chunk))
                cur.execute(sql.format(ids=marks), list(chunk))
                total += max(cur.rowcount, 0)
            deleted[label] = total

        task_sub = f"SELECT id FROM {_table(Task)} WHERE plan_id IN ({{ids}})"  # noqa: S608 (table names from model metadata)
        update_sub = f"SELECT id FROM {_table(TaskUpdate)} WHERE task_id IN ({task_sub})"  # noqa: S608 (table names from model metadata)
        run(
            "evidence",
            f"DELETE FROM {_table(Evidence)} WHERE update_id IN ({update_sub})",  # noqa: S608 (table names from model metadata)
            plan_ids,
        )
        run(
            "task_updates",
            f"DELETE FROM {_table(TaskUpdate)} WHERE task_id IN ({task_sub})",  # noqa: S608 (table names from model metadata)
            plan_ids,
        )
        run(
            "task_agencies",
            f"DELETE FROM {_table(TaskAgency)} WHERE task_id IN ({task_sub})",  # noqa: S608 (table names from model metadata)
            plan_ids,
        )
        run("tasks", f"DELETE FROM {_table(Task)} WHERE plan_id IN ({{ids}})", plan_ids)  # noqa: S608 (table names from model metadata)
        sub_sub = f"SELECT id FROM {_table(ReportSubmission)} WHERE campaign_id IN ({{ids}})"  # noqa: S608 (table names from model metadata)
        run(
            "kpi_values",
            f"DELETE FROM {_table(KpiValue)} WHERE submission_id IN ({sub_sub})",  # noqa: S608 (table names from model metadata)
            campaign_ids,
        )
    deleted["stats_rows"] = ProvinceYearStats.objects.filter(plan_id__in=plan_ids).delete()[0]
    deleted["plans"] = Plan.objects.filter(pk__in=plan_ids).delete()[0]
    deleted["campaigns"] = ReportCampaign.objects.filter(pk__in=campaign_ids).delete()[0]
    extras = Organisation.objects.filter(notes=GENERATED_MARK)
    deleted["agencies_generated"] = extras.count()
    extras.delete()
    audit_record(
        actor=SYSTEM,
        action="delete",
        object_type="plans.plan",
        object_repr="demo_national national dataset (reset)",
        changes=deleted,
    )
    return deleted
