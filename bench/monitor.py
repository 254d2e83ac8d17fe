"""Benchmark the press pipeline end to end on a generated corpus, with its floor in the same run.

Usage:

    python bench/monitor.py                       # 300 feeds × 67 pages, then the search part
    python bench/monitor.py --no-search           # the pipeline only
    python bench/monitor.py --pages 2000 --no-search   # a quick run

What it does:

1. Generates a corpus with a seeded RNG: ``--pages`` article pages (default 20,100) in
   Vietnamese, English and Chinese over ``--feeds`` feeds (default 300; RSS 2.0 and Atom)
   of 60 invented outlets. Pages are 30–120 KB like real news pages: head with inline CSS
   and scripts, a large menu, breadcrumb, a 3–8 KB article, related links, sidebar, footer.
   About 10 % are near-duplicates: reposts of another outlet's article with a new headline
   and dateline. Articles are written about "events" (a province, a place, a topic, a
   name, figures) so several outlets tell the same story.
2. Serves it from a local ``ThreadingHTTPServer`` on 127.0.0.1 (page parts pre-encoded;
   the shared boilerplate of an outlet is stored once).
3. Creates a fresh SQLite database in a temporary folder (``DATABASE_URL`` is set before
   ``django.setup()``; ``migrate``), allows 127.0.0.1, lifts politeness for it through a
   settings module that sets ``TTDN_FETCHER_OPTIONS`` (``host_intervals``), creates the
   sources, a few alert rules and watched terms.
4. Runs the whole pipeline on the embedded job backend (``TTDN_TASKS_BACKEND=db``):
   ``--workers`` ``db_worker`` processes (default 2) against the same database file;
   ``monitor_tick`` is enqueued once and enqueues the collections. The clock runs from
   that enqueue until no item is waiting to be downloaded or analysed.
5. Reads the ``stats`` the jobs returned (``django_tasks_db`` keeps return values) for
   per-stage seconds and items, the collections' durations from ``FetchRun``, and the
   workers' peak memory (``VmHWM`` from ``/proc``, read while they run).
6. Measures the floor on the same pages, before and after the pipeline (the higher of the
   two counts: the machine is shared): bare ``trafilatura.extract`` in one process with
   the options the pipeline uses (``monitoring/extract.py``: ``fast=True``,
   ``include_comments=False``, ``include_tables=True``, metadata on), over a seeded sample
   of ``--floor-pages`` pages (default 3,000).
7. Unless ``--no-search``: ``bench/monitor_search.py``'s ``run(engine, n)`` on SQLite and
   PostgreSQL with ``--search-n`` documents (default 1,000,000).

Prints a table, then as the last line one JSON object with all the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

ITEMS_PER_FEED = 67
SECTIONS_PER_OUTLET = 5
DUP_SHARE = 0.10
HOST = "127.0.0.1"


# --- vocabulary -----------------------------------------------------------------------------

PROVINCES_VI = [
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa",
    "Nghệ An", "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ",
    "Bắc Ninh", "Hưng Yên", "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi",
    "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Thành phố Hồ Chí Minh", "Đồng Nai",
    "Tây Ninh", "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
]  # fmt: skip
PROVINCES_ZH = [
    "河内", "顺化", "莱州", "奠边", "山罗", "谅山", "广宁", "清化", "义安", "河静", "高平",
    "宣光", "老街", "太原", "富寿", "北宁", "兴安", "海防", "宁平", "广治", "岘港", "广义",
    "嘉莱", "庆和", "林同", "多乐", "胡志明市", "同奈", "西宁", "芹苴", "永隆", "同塔", "金瓯",
    "安江",
]  # fmt: skip
PLACES = [
    "Tân Lập", "Hòa Bình", "Phú Xuân", "An Thạnh", "Đồng Tâm", "Bình Minh", "Quang Trung",
    "Hưng Đạo", "Thanh Sơn", "Minh Khai", "Nà Phặc", "Bản Giốc", "Sa Pả", "Mường Thanh",
    "Cửa Lò", "Sầm Sơn", "Tam Cốc", "Phong Nha", "Mỹ Khê", "Lý Sơn", "Pleiku", "Buôn Đôn",
    "Cần Giờ", "Núi Bà Đen", "Cái Răng", "Tràm Chim", "Đất Mũi", "Núi Sam", "Đồng Văn",
    "Na Hang", "Mộc Châu", "Tà Xùa", "Y Tý", "Lũng Cú", "Cô Tô", "Vân Đồn", "Hạ Lang",
    "Trùng Khánh", "Bắc Sơn", "Pù Luông",
]  # fmt: skip
ORGS_VI = [
    "Ủy ban nhân dân tỉnh", "Sở Văn hóa, Thể thao và Du lịch", "Sở Công Thương", "Sở Ngoại vụ",
    "Sở Tài chính", "Ban Quản lý các khu kinh tế", "Hiệp hội Doanh nghiệp", "Sở Nội vụ",
    "Sở Nông nghiệp và Môi trường", "Sở Khoa học và Công nghệ", "Bộ đội Biên phòng tỉnh",
]  # fmt: skip
ORGS_EN = [
    "the provincial People's Committee", "the Department of Culture, Sports and Tourism",
    "the Department of Industry and Trade", "the Department of Foreign Affairs",
    "the Department of Finance", "the economic zones authority", "the business association",
    "the Department of Agriculture and Environment", "the border guard command",
]  # fmt: skip
ORGS_ZH = ["省人民委员会", "文化体育旅游厅", "工贸厅", "外务厅", "财政厅", "经济区管理委员会",
           "企业协会", "农业与环境厅", "边防部队"]  # fmt: skip
PARTNERS = [
    ("Xiêng Khoảng", "Xieng Khouang", "川圹"), ("Oita", "Oita", "大分"),
    ("Anseong", "Anseong", "安城"), ("Quảng Tây", "Guangxi", "广西"),
    ("Vân Nam", "Yunnan", "云南"), ("Chăm-pa-sắc", "Champasak", "占巴塞"),
    ("Kagoshima", "Kagoshima", "鹿儿岛"), ("Gyeonggi", "Gyeonggi", "京畿"),
    ("Normandie", "Normandy", "诺曼底"), ("Bavaria", "Bavaria", "巴伐利亚"),
]  # fmt: skip
SYLL = ["Sao", "Mai", "Xanh", "Phú", "Hưng", "Thịnh", "An", "Việt", "Long", "Minh", "Đông",
        "Hải", "Kim", "Bảo", "Tín", "Đức", "Thành", "Hòa", "Lộc", "Phát", "Nam", "Bắc"]  # fmt: skip
EN_SYLL = ["Green", "River", "Summit", "Lotus", "Pacific", "Golden", "Delta", "Highland",
           "Union", "Bright", "Star", "Harbor", "Orient", "Jade", "Crest"]  # fmt: skip

# topic → (Vietnamese event kinds, English event kinds, Chinese event kinds, negative?)
TOPICS: dict[str, tuple[list[str], list[str], list[str], bool]] = {
    "du_lich_van_hoa": (
        [
            "lễ hội văn hóa",
            "tuần du lịch",
            "liên hoan ẩm thực",
            "festival hoa",
            "giải chạy địa hình",
        ],
        ["culture festival", "tourism week", "food festival", "flower festival", "trail race"],
        ["文化节", "旅游周", "美食节", "花节", "越野赛"],
        False,
    ),
    "dau_tu_kinh_te": (
        [
            "hội nghị xúc tiến đầu tư",
            "diễn đàn doanh nghiệp",
            "lễ khởi công nhà máy",
            "hội chợ thương mại",
        ],
        [
            "investment promotion conference",
            "business forum",
            "factory groundbreaking",
            "trade fair",
        ],
        ["投资促进会", "企业论坛", "工厂奠基仪式", "商品交易会"],
        False,
    ),
    "doi_ngoai_hop_tac": (
        ["hội nghị hợp tác quốc tế", "lễ ký kết ghi nhớ hợp tác", "chương trình giao lưu hữu nghị"],
        [
            "international cooperation meeting",
            "cooperation signing ceremony",
            "friendship exchange",
        ],
        ["国际合作会议", "合作备忘录签署仪式", "友好交流活动"],
        False,
    ),
    "bien_gioi": (
        ["hội đàm quản lý biên giới", "lễ thông quan cửa khẩu", "đợt tuần tra song phương"],
        ["border management talks", "border gate opening ceremony", "joint border patrol"],
        ["边境管理会谈", "口岸开通仪式", "双边联合巡逻"],
        False,
    ),
    "chinh_sach_phat_trien": (
        ["chương trình chuyển đổi số", "đề án cải cách hành chính", "chương trình nông thôn mới"],
        ["digital transformation programme", "administrative reform plan", "new rural programme"],
        ["数字化转型计划", "行政改革方案", "新农村建设计划"],
        False,
    ),
    "su_co_tieu_cuc": (
        [
            "vụ sạt lở đất",
            "vụ cháy rừng",
            "vụ tai nạn giao thông",
            "vụ lũ quét",
            "vụ sai phạm đất đai",
        ],
        [
            "landslide",
            "forest fire",
            "traffic accident",
            "flash flood",
            "land management violation",
        ],
        ["山体滑坡", "森林火灾", "交通事故", "山洪", "土地违规案"],
        True,
    ),
}

VI_CLAIMS = [
    "tỉnh sẽ tiếp tục cải thiện môi trường đầu tư, kinh doanh",
    "đây là dịp quảng bá hình ảnh địa phương tới bạn bè quốc tế",
    "các sở, ngành cần phối hợp chặt chẽ để triển khai hiệu quả",
    "người dân là trung tâm của mọi chính sách phát triển",
    "hợp tác giữa hai bên ngày càng đi vào chiều sâu, thực chất",
    "cần đẩy nhanh tiến độ các công trình hạ tầng giao thông kết nối",
    "chuyển đổi số phải mang lại lợi ích thiết thực cho người dân",
    "bảo tồn di sản phải gắn với phát triển du lịch bền vững",
]  # fmt: skip
VI_ISSUES = [
    "hạ tầng giao thông", "nguồn nhân lực chất lượng cao", "thủ tục hành chính", "logistics",
    "bảo vệ môi trường", "phát triển du lịch cộng đồng", "xuất khẩu nông sản", "an ninh trật tự",
    "thu hút vốn đầu tư nước ngoài", "chuyển đổi số", "năng lượng tái tạo", "giáo dục nghề nghiệp",
    "y tế cơ sở", "bảo tồn văn hóa dân tộc", "quản lý đất đai", "ứng phó biến đổi khí hậu",
]  # fmt: skip
VI_METRICS = [
    ("lượt khách du lịch", "triệu lượt"), ("kim ngạch xuất khẩu", "triệu USD"),
    ("vốn đầu tư đăng ký", "tỷ đồng"), ("tổng thu ngân sách", "tỷ đồng"),
    ("sản lượng chè", "tấn"), ("số doanh nghiệp thành lập mới", "doanh nghiệp"),
]  # fmt: skip
VI_FEELINGS = [
    "cuộc sống của bà con đã đổi thay rõ rệt trong những năm gần đây",
    "họ mong muốn có thêm việc làm ổn định ngay tại quê hương",
    "nhiều gia đình đã mở homestay, bán sản phẩm địa phương cho du khách",
    "đường sá thuận tiện hơn nên việc buôn bán cũng dễ dàng hơn",
    "bà con còn lo lắng về giá cả nông sản bấp bênh",
]  # fmt: skip
VI_NEG = [
    "Vụ việc khiến {a} người bị thương, thiệt hại ước tính khoảng {b} tỷ đồng.",
    "Nhiều hộ dân bức xúc vì công tác khắc phục hậu quả còn chậm.",
    "Cơ quan chức năng đang điều tra, làm rõ trách nhiệm của các tổ chức, cá nhân liên quan.",
    "Đây là vụ việc nghiêm trọng, gây ảnh hưởng lớn đến đời sống của người dân.",
]  # fmt: skip
EN_CLAIMS = [
    "the province would keep improving its business environment",
    "the event was a chance to show the region to the world",
    "agencies had to work together to deliver results",
    "people must be at the centre of every development policy",
    "cooperation between the two sides had become more practical",
    "road links had to be completed faster",
    "digital services had to bring real benefits to residents",
]  # fmt: skip
EN_ISSUES = [
    "transport infrastructure", "skilled labour", "administrative procedures", "logistics",
    "environmental protection", "community tourism", "farm exports", "public security",
    "foreign investment", "digital transformation", "renewable energy", "vocational training",
]  # fmt: skip
EN_NEG = [
    "{a} people were injured and damage was estimated at {b} billion dong.",
    "Residents complained that the clean-up was slow.",
    "Authorities are investigating who is responsible.",
]  # fmt: skip
ZH_CLAIMS = [
    "该省将继续改善投资和营商环境",
    "这是向国际朋友推介本地形象的良机",
    "各部门需密切配合，确保取得实效",
    "双方合作日益务实深入",
    "要加快推进交通基础设施互联互通",
    "数字化转型要切实惠及民众",
]
ZH_ISSUES = ["交通基础设施", "高素质人才", "行政手续", "物流", "环境保护", "社区旅游", "农产品出口",
             "外国投资", "数字化转型", "可再生能源"]  # fmt: skip
ZH_NEG = [
    "事故造成{a}人受伤，损失估计约{b}亿越南盾。",
    "当地居民对善后工作进展缓慢表示不满。",
    "有关部门正在调查事故原因和相关责任。",
]


@dataclass
class Event:
    topic: str
    province: int
    place: str
    partner: int
    name_vi: str
    name_en: str
    name_zh: str
    figures: tuple[int, int, int]
    day: int  # days before now


def make_events(rng: random.Random, n: int) -> list[Event]:
    events = []
    for _ in range(n):
        topic = rng.choice(list(TOPICS))
        vi, en, zh, _neg = TOPICS[topic]
        k = rng.randrange(len(vi))
        place = rng.choice(PLACES)
        company = f"{rng.choice(SYLL)} {rng.choice(SYLL)}"
        en_company = f"{rng.choice(EN_SYLL)} {rng.choice(EN_SYLL)}"
        events.append(
            Event(
                topic=topic,
                province=rng.randrange(len(PROVINCES_VI)),
                place=place,
                partner=rng.randrange(len(PARTNERS)),
                name_vi=f"{vi[k]} {place} {company}",
                name_en=f"{place} {en_company} {en[min(k, len(en) - 1)]}",
                name_zh=f"{place}{zh[min(k, len(zh) - 1)]}",
                figures=(rng.randint(120, 9000), rng.randint(5, 95), rng.randint(2, 60)),
                day=rng.randint(0, 6),
            )
        )
    return events


def _ascii(name: str) -> str:
    import unicodedata

    name = name.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))


def write_vi(rng: random.Random, ev: Event, target: int) -> tuple[str, list[str]]:
    prov = PROVINCES_VI[ev.province]
    partner = PARTNERS[ev.partner][0]
    a, b, c = ev.figures
    title = rng.choice(
        [
            f"{prov}: {ev.name_vi} thu hút {a} lượt khách",
            f"Khai mạc {ev.name_vi} tại tỉnh {prov}",
            f"{ev.name_vi}: {prov} đặt mục tiêu tăng trưởng {b}%",
            f"Tỉnh {prov} và {partner} tăng cường hợp tác trong {ev.name_vi}",
        ]
        if not TOPICS[ev.topic][3]
        else [
            f"{prov}: {ev.name_vi} khiến {c} người bị thương",
            f"Khẩn trương khắc phục hậu quả {ev.name_vi} tại {prov}",
        ]
    )
    paras: list[str] = []
    size = 0
    today = dt.date.today()
    if TOPICS[ev.topic][3]:
        first = (
            f"Ngày {today.day}/{today.month}, tại xã {ev.place}, tỉnh {prov} đã xảy ra "
            f"{ev.name_vi}; {rng.choice(ORGS_VI)} đã huy động khoảng {a} người khắc phục hậu quả."
        )
    else:
        first = (
            f"Ngày {today.day}/{today.month}, tại xã {ev.place}, {rng.choice(ORGS_VI)} tỉnh "
            f"{prov} đã tổ chức {ev.name_vi} với sự tham gia của khoảng {a} đại biểu, người dân "
            f"và du khách, trong đó có đoàn công tác của {partner}."
        )
    sentences = [first]
    while size < target:
        kind = rng.randrange(9)
        if kind == 0:
            s = (
                f"Phát biểu tại {ev.name_vi}, đại diện {rng.choice(ORGS_VI)} cho biết "
                f"{rng.choice(VI_CLAIMS)}."
            )
        elif kind == 1:
            metric, unit = rng.choice(VI_METRICS)
            s = (
                f"Theo báo cáo, {metric} của tỉnh {prov} trong {rng.randint(3, 11)} tháng "
                f"đạt {rng.randint(10, 9999):,} {unit}, tăng {rng.randint(2, 40)}% so với "
                "cùng kỳ năm trước."
            ).replace(",", ".", 1)
        elif kind == 2:
            s = (
                f"Các đại biểu thảo luận về {rng.choice(VI_ISSUES)}, {rng.choice(VI_ISSUES)} "
                f"và {rng.choice(VI_ISSUES)}."
            )
        elif kind == 3:
            s = f"Người dân xã {ev.place} cho biết {rng.choice(VI_FEELINGS)}."
        elif kind == 4 and TOPICS[ev.topic][3]:
            s = rng.choice(VI_NEG).format(a=c, b=b)
        elif kind == 5:
            s = (
                f"Dịp này, {rng.choice(ORGS_VI)} đã trao {rng.randint(3, 60)} bằng khen cho "
                f"các tập thể, cá nhân có thành tích trong {rng.choice(VI_ISSUES)}."
            )
        elif kind == 6:
            other = rng.choice(PROVINCES_VI)
            s = (
                f"Trước đó, tỉnh {prov} đã ký kết hợp tác với tỉnh {other} về "
                f"{rng.choice(VI_ISSUES)} giai đoạn 2026–2030."
            )
        elif kind == 7:
            s = (
                f"{ev.name_vi[:1].upper()}{ev.name_vi[1:]} diễn ra trong {rng.randint(2, 9)} "
                f"ngày với {rng.randint(10, 60)} hoạt động."
            )
        else:
            s = (
                f"Lãnh đạo tỉnh {prov} đề nghị {rng.choice(ORGS_VI)} tập trung tháo gỡ khó khăn "
                f"về {rng.choice(VI_ISSUES)} cho doanh nghiệp và người dân."
            )
        sentences.append(s)
        size += len(s.encode("utf-8")) + 1
    for i in range(0, len(sentences), rng.randint(3, 5)):
        paras.append(" ".join(sentences[i : i + 4]))
    return title, paras


def write_en(rng: random.Random, ev: Event, target: int) -> tuple[str, list[str]]:
    prov = _ascii(PROVINCES_VI[ev.province])
    partner = PARTNERS[ev.partner][1]
    a, b, c = ev.figures
    title = rng.choice(
        [f"{prov} hosts {ev.name_en}", f"{ev.name_en} draws {a} visitors to {prov}"]
        if not TOPICS[ev.topic][3]
        else [f"{c} hurt in {ev.name_en} in {prov}", f"{prov} deals with {ev.name_en}"]
    )
    sentences = [
        f"{prov.upper()} – {ev.name_en} took place in {_ascii(ev.place)} in {prov} province, "
        f"with about {a} delegates, residents and visitors and a delegation from {partner}."
    ]
    size = 0
    while size < target:
        kind = rng.randrange(6)
        if kind == 0:
            s = (
                f"Speaking at the event, a representative of {rng.choice(ORGS_EN)} said "
                f"{rng.choice(EN_CLAIMS)}."
            )
        elif kind == 1:
            s = (
                f"According to {rng.choice(ORGS_EN)}, the number of visitors to {prov} rose by "
                f"{rng.randint(2, 40)} per cent in the first {rng.randint(3, 11)} months."
            )
        elif kind == 2:
            s = (
                f"Delegates discussed {rng.choice(EN_ISSUES)}, {rng.choice(EN_ISSUES)} and "
                f"{rng.choice(EN_ISSUES)}."
            )
        elif kind == 3 and TOPICS[ev.topic][3]:
            s = rng.choice(EN_NEG).format(a=c, b=b)
        elif kind == 4:
            s = (
                f"{prov} signed a cooperation plan with "
                f"{_ascii(rng.choice(PROVINCES_VI))} on {rng.choice(EN_ISSUES)} for 2026-2030."
            )
        else:
            s = (
                f"Provincial leaders asked {rng.choice(ORGS_EN)} to remove obstacles in "
                f"{rng.choice(EN_ISSUES)} for businesses and residents."
            )
        sentences.append(s)
        size += len(s) + 1
    paras = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
    return title, paras


def write_zh(rng: random.Random, ev: Event, target: int) -> tuple[str, list[str]]:
    prov = PROVINCES_ZH[ev.province]
    partner = PARTNERS[ev.partner][2]
    a, b, c = ev.figures
    title = rng.choice(
        [f"越南{prov}省举办{ev.name_zh}", f"{ev.name_zh}吸引游客{a}人次"]
        if not TOPICS[ev.topic][3]
        else [f"越南{prov}省发生{ev.name_zh}，{c}人受伤"]
    )
    sentences = [
        f"据越南媒体报道，越南{prov}省在{ev.place}举办{ev.name_zh}，约{a}名代表、民众和游客参加，{partner}代表团应邀出席。"
    ]
    size = 0
    while size < target:
        kind = rng.randrange(5)
        if kind == 0:
            s = f"{rng.choice(ORGS_ZH)}代表在活动上表示，{rng.choice(ZH_CLAIMS)}。"
        elif kind == 1:
            s = f"据统计，前{rng.randint(3, 11)}个月{prov}省接待游客同比增长{rng.randint(2, 40)}%。"
        elif kind == 2:
            s = (
                f"与会代表就{rng.choice(ZH_ISSUES)}、{rng.choice(ZH_ISSUES)}和"
                f"{rng.choice(ZH_ISSUES)}等问题进行了讨论。"
            )
        elif kind == 3 and TOPICS[ev.topic][3]:
            s = rng.choice(ZH_NEG).format(a=c, b=b)
        else:
            s = (
                f"{prov}省领导要求{rng.choice(ORGS_ZH)}着力解决企业和民众在"
                f"{rng.choice(ZH_ISSUES)}方面的困难。"
            )
        sentences.append(s)
        size += len(s.encode("utf-8"))
    paras = ["".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
    return title, paras


WRITERS = {"vi": write_vi, "en": write_en, "zh": write_zh}


# --- pages -------------------------------------------------------------------------------------


@dataclass
class Outlet:
    index: int
    name: str
    lang: str
    size: int  # bytes of the shared boilerplate
    shared_head: bytes = b""
    shared_tail: bytes = b""
    menu: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Page:
    path: str
    feed: int
    outlet: int
    lang: str
    title: str
    published: dt.datetime
    paras: list[str]
    dup_of: int | None = None
    middle: bytes = b""
    head: bytes = b""


@dataclass
class Feed:
    index: int
    outlet: int
    path: str
    fmt: str  # "rss" | "atom"
    lang: str
    pages: list[int] = field(default_factory=list)


def _css(rng: random.Random, size: int) -> str:
    props = ["margin", "padding", "color", "font-size", "line-height", "border", "display",
             "background", "width", "max-width", "flex", "grid-template-columns"]  # fmt: skip
    out, n = [], 0
    while n < size:
        rule = (
            f".c{rng.randrange(10**5)} .e{rng.randrange(999)}>{rng.choice('aulpdis')}"
            f"{{{rng.choice(props)}:{rng.randint(0, 64)}px;"
            f"{rng.choice(props)}:#{rng.randrange(16**6):06x}}}"
        )
        out.append(rule)
        n += len(rule)
    return "".join(out)


def _js(rng: random.Random, size: int) -> str:
    out, n = [], 0
    while n < size:
        line = (
            f"window.__cfg{rng.randrange(999)}=window.__cfg{rng.randrange(999)}||{{slot:'ad-"
            f"{rng.randrange(10**6)}',sizes:[[300,250],[728,90]],refresh:{rng.randint(10, 90)}}};"
            f"function f{rng.randrange(10**5)}(e){{return e&&e.target?e.target.dataset.id:null}}\n"
        )
        out.append(line)
        n += len(line)
    return "".join(out)


def build_outlet(rng: random.Random, index: int, lang: str, total: int, base: str) -> Outlet:
    label = {"vi": "Báo", "en": "The", "zh": "报"}[lang]
    name = f"{label} {rng.choice(SYLL)} {rng.choice(SYLL)} {index}"
    o = Outlet(index=index, name=name, lang=lang, size=total)
    prefix = f"{base}/o{index}"
    menu_words = {
        "vi": [
            "Thời sự",
            "Chính trị",
            "Kinh tế",
            "Xã hội",
            "Pháp luật",
            "Thế giới",
            "Văn hóa",
            "Du lịch",
            "Thể thao",
            "Giáo dục",
            "Sức khỏe",
            "Công nghệ",
            "Bạn đọc",
            "Xe",
            "Video",
        ],
        "en": [
            "News",
            "Politics",
            "Business",
            "Society",
            "Law",
            "World",
            "Culture",
            "Travel",
            "Sport",
            "Education",
            "Health",
            "Tech",
            "Opinion",
            "Motoring",
            "Video",
        ],
        "zh": [
            "新闻",
            "政治",
            "经济",
            "社会",
            "法治",
            "国际",
            "文化",
            "旅游",
            "体育",
            "教育",
            "健康",
            "科技",
            "评论",
            "汽车",
            "视频",
        ],
    }[lang]
    budget = max(8000, total - 9000)
    nav_links = max(60, budget // 3 // 95)
    nav_items = []
    for i in range(nav_links):
        word = rng.choice(menu_words)
        href = f"{prefix}/{'c' if i % 7 else 'tag'}/{i}/"
        nav_items.append(f'<li class="m{i % 9}"><a href="{href}" title="{word}">{word}</a></li>')
    nav = (
        '<nav class="main-nav" aria-label="menu"><ul class="mega">'
        + "".join(
            f'<li class="grp"><span>{menu_words[g % len(menu_words)]}</span><ul>'
            + "".join(nav_items[g::12])
            + "</ul></li>"
            for g in range(12)
        )
        + "</ul></nav>"
    )
    css = _css(rng, budget // 4)
    js = _js(rng, budget // 4)
    head_rest = (
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="{prefix}/favicon.ico"><style>{css}</style>'
        f"<script>{js[: len(js) // 2]}</script></head>"
        f'<body class="detail o{index}"><div id="fb-root"></div>'
        f'<header class="site-header"><div class="topbar">'
        f'<span class="date">{dt.date.today():%d/%m/%Y}</span>'
        f'<a href="{prefix}/login/">Login</a> <a href="{prefix}/epaper/">E-paper</a></div>'
        f'<a class="logo" href="{prefix}/">'
        f'<img src="{prefix}/logo.svg" alt="{html.escape(name)}"></a>'
        f'<form class="search" action="{prefix}/search/"><input name="q"><button>Go</button></form>'
        f"</header>{nav}"
    )
    side_links = "".join(
        f'<li><a href="{prefix}/c/{rng.randrange(999)}/{rng.randrange(10**6)}/">'
        f"{html.escape(rng.choice(menu_words))} {rng.randrange(10**4)}</a></li>"
        for _ in range(12)
    )
    footer_links = "".join(
        f'<a href="{prefix}/info/{i}/">{html.escape(rng.choice(menu_words))}</a> '
        for i in range(40)
    )
    tail = (
        f'<aside class="sidebar"><div class="box"><h3>Most read</h3><ol>{side_links}</ol></div>'
        f'<div class="ad" id="ad-{rng.randrange(999)}" data-slot="side"></div>'
        f'<div class="box video"><h3>Video</h3><ul>{side_links}</ul></div></aside>'
        f'<footer class="site-footer"><div class="links">{footer_links}</div>'
        f"<p>{html.escape(name)} – generated page of the TTĐN benchmark. Address: "
        f"{rng.randrange(999)} {rng.choice(PLACES)} street. Licence {rng.randrange(999)}/GP.</p>"
        f"<p>© {dt.date.today().year} {html.escape(name)}</p></footer>"
        f'<script type="application/ld+json">{{"@type":"Organization","name":"{name}"}}</script>'
        f"<script>{js[len(js) // 2 :]}</script></body></html>"
    )
    o.shared_head = head_rest.encode("utf-8")
    o.shared_tail = tail.encode("utf-8")
    # pad to the outlet's size with extra scripts, as tag managers do
    missing = total - 9000 - len(o.shared_head) - len(o.shared_tail)
    if missing > 0:
        o.shared_tail = o.shared_tail.replace(
            b"</body>", f"<script>{_js(rng, missing)}</script></body>".encode(), 1
        )
    return o


def page_parts(p: Page, o: Outlet, related: list[Page], base: str) -> None:
    title = html.escape(p.title)
    when = p.published.isoformat(timespec="seconds")
    p.head = (
        f'<!DOCTYPE html><html lang="{p.lang}"><head><meta charset="utf-8">'
        f"<title>{title} | {html.escape(o.name)}</title>"
        f'<meta name="description" content="{html.escape(p.paras[0][:200])}">'
        f'<meta property="og:title" content="{title}"><meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="{when}">'
        f'<link rel="canonical" href="{base}{p.path}">'
    ).encode()
    body = "".join(f"<p>{html.escape(x)}</p>" for x in p.paras)
    rel = "".join(
        f'<li><a href="{base}{r.path}"><img src="{base}/img/{i}.jpg" alt=""></a>'
        f'<a class="t" href="{base}{r.path}">{html.escape(r.title)}</a></li>'
        for i, r in enumerate(related)
    )
    p.middle = (
        f'<main class="container"><ol class="breadcrumb">'
        f'<li><a href="{base}/o{o.index}/">Home</a></li>'
        f'<li><a href="{base}/o{o.index}/c/1/">Section</a></li></ol>'
        f'<article class="article"><h1 class="title">{title}</h1>'
        f'<div class="meta"><span class="author">Reporter {p.feed}</span> '
        f'<time datetime="{when}">{p.published:%d/%m/%Y %H:%M}</time></div>'
        f'<div class="content">{body}</div>'
        f'<div class="tags"><a href="{base}/o{o.index}/tag/1/">tag</a></div></article>'
        f'<section class="related"><h3>Related</h3><ul>{rel}</ul></section>'
        '<div class="comments"><h3>Comments</h3>'
        "<form><textarea></textarea><button>Send</button></form></div>"
        "</main>"
    ).encode()


def feed_xml(f: Feed, pages: list[Page], o: Outlet, base: str) -> bytes:
    esc = html.escape
    if f.fmt == "rss":
        items = "".join(
            f"<item><title>{esc(p.title)}</title><link>{base}{p.path}</link>"
            f'<guid isPermaLink="true">{base}{p.path}</guid>'
            f"<description>{esc(p.paras[0][:200])}</description>"
            f"<dc:creator>Reporter {p.feed}</dc:creator>"
            f"<pubDate>{p.published.strftime('%a, %d %b %Y %H:%M:%S %z')}</pubDate></item>"
            for p in pages
        )
        doc = (
            f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>{esc(o.name)}</title><link>{base}/o{o.index}/</link>"
            f"<description>{esc(o.name)}</description><language>{f.lang}</language>{items}"
            "</channel></rss>"
        )
    else:
        entries = "".join(
            f"<entry><title>{esc(p.title)}</title>"
            f'<link rel="alternate" href="{base}{p.path}"/><id>{base}{p.path}</id>'
            f"<published>{p.published.isoformat()}</published>"
            f"<updated>{p.published.isoformat()}</updated>"
            f"<author><name>Reporter {p.feed}</name></author>"
            f"<summary>{esc(p.paras[0][:200])}</summary></entry>"
            for p in pages
        )
        doc = (
            f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
            f'xml:lang="{f.lang}"><title>{esc(o.name)}</title><id>{base}/o{o.index}/</id>'
            f"<updated>{dt.datetime.now(dt.UTC).isoformat()}</updated>{entries}</feed>"
        )
    return doc.encode("utf-8")


@dataclass
class Corpus:
    outlets: list[Outlet]
    feeds: list[Feed]
    pages: list[Page]
    by_path: dict[str, int]
    feed_bytes: dict[str, bytes]
    planted_dups: int

    def page_bytes(self, i: int) -> bytes:
        p = self.pages[i]
        o = self.outlets[p.outlet]
        return b"".join((p.head, o.shared_head, p.middle, o.shared_tail))


def generate(seed: int, n_pages: int, n_feeds: int, base: str) -> Corpus:
    rng = random.Random(seed)
    n_outlets = max(1, n_feeds // SECTIONS_PER_OUTLET)
    # six in ten outlets Vietnamese, three English, one Chinese (each present from 4 outlets)
    langs = ["vi", "en", "vi", "zh", "vi", "en", "vi", "vi", "en", "vi"]
    outlets = [
        build_outlet(rng, i, langs[i % len(langs)], rng.randint(30_000, 118_000) - 6_000, base)
        for i in range(n_outlets)
    ]
    feeds = [
        Feed(
            index=i,
            outlet=i % n_outlets,
            path=f"/o{i % n_outlets}/feeds/s{i}.{'rss' if i % 3 else 'atom'}",
            fmt="rss" if i % 3 else "atom",
            lang=outlets[i % n_outlets].lang,
        )
        for i in range(n_feeds)
    ]
    events = make_events(rng, max(10, n_pages // 6))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    pages: list[Page] = []
    by_lang: dict[str, list[int]] = defaultdict(list)
    planted = 0
    for i in range(n_pages):
        f = feeds[i % n_feeds]
        lang = f.lang
        ev = events[rng.randrange(len(events))]
        published = now - dt.timedelta(days=ev.day, minutes=rng.randint(0, 1440))
        path = f"/o{f.outlet}/s{f.index}/bai-viet-{i:06d}-{rng.randrange(10**6):06d}.html"
        same_lang = by_lang[lang]
        if same_lang and rng.random() < DUP_SHARE:
            orig_index = rng.choice(same_lang[-2000:])
            orig = pages[orig_index]
            paras = list(orig.paras)
            dateline = {"vi": "(Theo báo bạn) ", "en": "(Reposted) ", "zh": "（转载）"}[lang]
            paras[0] = dateline + paras[0]
            title = {"vi": "Tin bài: ", "en": "Update: ", "zh": "转："}[lang] + orig.title
            page = Page(path, f.index, f.outlet, lang, title, published, paras, orig_index)
            planted += 1
        else:
            target = rng.randint(3_000, 8_000)
            title, paras = WRITERS[lang](rng, ev, target)
            page = Page(path, f.index, f.outlet, lang, title, published, paras)
        f.pages.append(len(pages))
        by_lang[lang].append(len(pages))
        pages.append(page)
    by_path = {p.path: i for i, p in enumerate(pages)}
    for f in feeds:
        own = f.pages
        for i in own:
            related = [pages[j] for j in rng.sample(own, min(10, len(own)))]
            page_parts(pages[i], outlets[f.outlet], related, base)
    feed_bytes = {
        f.path: feed_xml(
            f,
            sorted((pages[i] for i in f.pages), key=lambda p: p.published, reverse=True),
            outlets[f.outlet],
            base,
        )
        for f in feeds
    }
    return Corpus(outlets, feeds, pages, by_path, feed_bytes, planted)


class CorpusPages(Mapping[str, tuple[bytes, str]]):
    """The server's view of the corpus: pages are joined from their parts on request."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus

    def __getitem__(self, path: str) -> tuple[bytes, str]:
        if path == "/robots.txt":
            return b"User-agent: *\nAllow: /\n", "text/plain; charset=utf-8"
        feed = self.corpus.feed_bytes.get(path)
        if feed is not None:
            ctype = "application/rss+xml" if path.endswith(".rss") else "application/atom+xml"
            return feed, f"{ctype}; charset=utf-8"
        i = self.corpus.by_path[path]
        return self.corpus.page_bytes(i), "text/html; charset=utf-8"

    def __iter__(self) -> Iterator[str]:
        return iter(self.corpus.by_path)

    def __len__(self) -> int:
        return len(self.corpus.by_path)


# --- measuring -----------------------------------------------------------------------------------


def vm_hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a running process (from /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def extract_floor(corpus: Corpus, sample: int, seed: int, *, meta: bool = True) -> dict[str, float]:
    """Bare trafilatura.extract over a seeded sample of the pages, in this one process.

    ``floor``: the options the pipeline passes (``fast=True``, ``include_comments=False``,
    ``include_tables=True``); ``floor_meta`` (unless ``meta=False``): the same with
    ``with_metadata=True``, which the pipeline's ``bare_extraction`` call also asks for
    (title, date, author) when a feed gives no title or date.
    """
    import trafilatura

    from ttdn.monitoring.extract import _options

    options: dict[str, Any] = _options()
    rng = random.Random(seed + 1)
    chosen = rng.sample(range(len(corpus.pages)), min(sample, len(corpus.pages)))
    docs = [(corpus.page_bytes(i).decode("utf-8"), corpus.pages[i].path) for i in chosen]
    trafilatura.extract(docs[0][0])  # warm-up: imports, compiled expressions
    out: dict[str, float] = {"pages": len(docs)}
    variants: list[tuple[str, dict[str, Any]]] = [("floor", {})]
    if meta:
        variants.append(("floor_meta", {"with_metadata": True}))
    for name, extra in variants:
        times = []
        t0 = time.perf_counter()
        for text, path in docs:
            t = time.perf_counter()
            trafilatura.extract(text, url=f"http://{HOST}{path}", **options, **extra)
            times.append(time.perf_counter() - t)
        out[name] = len(docs) / (time.perf_counter() - t0)
        times.sort()
        out[f"{name}_p95_ms"] = times[int(0.95 * (len(times) - 1))] * 1000
    return out


def write_settings(folder: Path) -> None:
    (folder / "bench_monitor_settings.py").write_text(
        "from ttdn.settings import *  # noqa: F403\n"
        "TTDN_FETCHER_OPTIONS = {\n"
        f"    'allowed_hosts': ['{HOST}'],\n"
        f"    'host_intervals': {{'{HOST}': 0.0}},\n"
        "}\n",
        encoding="utf-8",
    )


def setup_database(corpus: Corpus, base: str) -> dict[str, int]:
    from django.core.management import call_command

    from ttdn.directory.services import SYSTEM, organisation_create
    from ttdn.monitoring import services
    from ttdn.monitoring.models import Source, Topic

    call_command("migrate", interactive=False, verbosity=0)
    services.allowed_host_add(actor=services.SYSTEM, host=HOST, note="benchmark")
    province = organisation_create(actor=SYSTEM, name="Tỉnh Đo Kiểm", kind="province", code="98")
    dept = organisation_create(
        actor=SYSTEM, name="Sở Văn hóa, Thể thao và Du lịch", kind="department", parent=province
    )
    for f in corpus.feeds:
        o = corpus.outlets[f.outlet]
        Source.objects.create(
            name=f"{o.name} – s{f.index}",
            kind=Source.Kind.FEED,
            url=f"{base}{f.path}",
            owner=dept,
            is_foreign=o.lang != "vi",
            language="",  # detected per item, as for most real sources
            interval_minutes=60,
            requests_per_minute=600,
            next_fetch_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1),
        )
    for term in ("Tuyên Quang", "Xiêng Khoảng", "đầu tư", "sạt lở"):
        services.watch_term_add(actor=services.SYSTEM, owner=dept, term=term)
    rules: list[dict[str, Any]] = [
        {"name": "Negative", "kind": "sentiment", "province": "Tuyên Quang"},
        {"name": "Keyword", "kind": "keyword", "keyword": "sạt lở"},
        {"name": "Spike", "kind": "spike", "spike_factor": 3.0},
    ]
    for r in rules:
        services.alert_rule_create(actor=services.SYSTEM, owner=dept, email=False, **r)
    return {"sources": len(corpus.feeds), "topics": Topic.objects.count()}


def stage_figures() -> tuple[dict[str, dict[str, float]], Counter[str], dict[str, float]]:
    """Per-stage seconds and items from the jobs' return values and the fetch runs."""
    from django.db.models import F, Sum
    from django_tasks_db.models import DBTaskResult

    from ttdn.monitoring.models import FetchRun

    seconds: dict[str, float] = defaultdict(float)
    items: dict[str, float] = defaultdict(float)
    jobs: Counter[str] = Counter()
    job_seconds: dict[str, float] = defaultdict(float)
    for r in DBTaskResult.objects.all():
        name = r.task_path.rsplit(".", 1)[-1]
        jobs[f"{name}:{r.status.lower()}"] += 1
        if r.started_at and r.finished_at:
            job_seconds[name] += (r.finished_at - r.started_at).total_seconds()
        rv = r.return_value
        if isinstance(rv, dict) and isinstance(rv.get("stats"), dict):
            for stage, s in (rv["stats"].get("seconds") or {}).items():
                seconds[stage] += s
            for stage, n in (rv["stats"].get("items") or {}).items():
                items[stage] += n
    runs = FetchRun.objects.aggregate(d=Sum(F("finished_at") - F("started_at")), n=Sum("new_items"))
    if runs["d"] is not None:
        seconds["discover"] += runs["d"].total_seconds()
        items["discover"] += runs["n"] or 0
    stages = {
        s: {"seconds": seconds[s], "items": items.get(s, 0)}
        for s in ["discover", "fetch", "extract", "analyse", "cluster", "index", "alerts"]
        if s in seconds
    }
    for s in seconds:
        stages.setdefault(s, {"seconds": seconds[s], "items": items.get(s, 0)})
    return stages, jobs, dict(job_seconds)


def run_pipeline(args: argparse.Namespace, env: dict[str, str], log: Path) -> dict[str, Any]:
    from ttdn.monitoring.models import Item, Source
    from ttdn.monitoring.tasks import monitor_tick

    cmd = [sys.executable, "-m", "ttdn.cli", "db_worker", "--queue-name", "*",
           "--interval", "0.2", "--no-reload", "--no-startup-delay"]  # fmt: skip
    out = log.open("ab")
    workers = [
        subprocess.Popen([*cmd, "--worker-id", f"bench{i}"], env=env, stdout=out, stderr=out)
        for i in range(args.workers)
    ]
    peak: dict[int, float] = {}
    try:
        time.sleep(2.0)  # let the workers start (Django setup), as a running system has
        expected_sources = Source.objects.count()
        t0 = time.perf_counter()
        monitor_tick.enqueue()
        deadline = t0 + args.timeout
        pending_stages = [Item.Stage.QUEUED, Item.Stage.FETCHED]
        while True:
            time.sleep(0.25)
            for w in workers:
                if w.poll() is not None:
                    raise SystemExit(f"worker {w.pid} exited with {w.returncode}; see {log}")
                peak[w.pid] = max(peak.get(w.pid, 0.0), vm_hwm_mb(w.pid))
            collected = Source.objects.exclude(last_fetched_at=None).count()
            if (
                collected >= expected_sources
                and not Item.objects.filter(stage__in=pending_stages).exists()
            ):
                wall = time.perf_counter() - t0
                break
            if time.perf_counter() > deadline:
                wall = time.perf_counter() - t0
                print(f"timeout after {wall:.0f} s")
                break
        cpu: dict[int, float] = {}
        for w in workers:
            peak[w.pid] = max(peak.get(w.pid, 0.0), vm_hwm_mb(w.pid))
            cpu[w.pid] = cpu_seconds(w.pid)
    finally:
        for w in workers:
            if w.poll() is None:
                w.terminate()
        for w in workers:
            try:
                w.wait(timeout=30)
            except subprocess.TimeoutExpired:
                w.kill()
                w.wait()
        out.close()
    # VmHWM read from /proc while each worker runs; not RUSAGE_CHILDREN, which also holds
    # short-lived children forked from this (large) process
    return {
        "wall": wall,
        "worker_peak_mb": max(peak.values(), default=0.0),
        "worker_cpu_s": sum(cpu.values()),
        "load": os.getloadavg()[0],
    }


def fmt_row(name: str, seconds: float, items: float, total: float) -> str:
    rate = items / seconds if seconds else 0.0
    share = 100 * seconds / total if total else 0.0
    return f"  {name:10} {seconds:9.1f} s {items:9.0f} items {rate:9.1f} items/s {share:6.1f} %"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=300 * ITEMS_PER_FEED)
    ap.add_argument("--feeds", type=int, default=None, help="default: pages / 67, at most 300")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--floor-pages", type=int, default=3000)
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--search-n", type=int, default=1_000_000)
    ap.add_argument(
        "--search-n-postgres",
        type=int,
        default=None,
        help="documents for PostgreSQL (default: --search-n; its 1 M build takes about an hour)",
    )
    ap.add_argument("--no-search", action="store_true")
    ap.add_argument(
        "--search-engines", default="sqlite,postgres", help="engines of the search part"
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = ap.parse_args()
    feeds = args.feeds or max(1, min(300, round(args.pages / ITEMS_PER_FEED)))

    tmp = Path(tempfile.mkdtemp(prefix="ttdn-bench-monitor-"))
    write_settings(tmp)
    db = tmp / "bench.sqlite3"
    env_vars = {
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": "bench_monitor_settings",
        "TTDN_TASKS_BACKEND": "db",
        "TTDN_DEBUG": "0",
        "TTDN_DATA_DIR": str(tmp),
        "TTDN_LOG_LEVEL": "ERROR",
        "PYTHONPATH": os.pathsep.join(
            [str(tmp), str(REPO / "src"), os.environ.get("PYTHONPATH", "")]
        ),
    }
    os.environ.update(env_vars)
    sys.path.insert(0, str(tmp))
    env = {**os.environ}

    import django

    django.setup()

    from ttdn.monitoring.demo import serve_pages
    from ttdn.monitoring.models import Cluster, Item

    holder: dict[str, Corpus] = {}
    t_gen = time.perf_counter()

    def build(base: str) -> Mapping[str, tuple[bytes, str]]:
        holder["c"] = generate(args.seed, args.pages, feeds, base)
        return CorpusPages(holder["c"])

    result: dict[str, Any] = {}
    try:
        with serve_pages(build) as base:
            corpus = holder["c"]
            t_gen = time.perf_counter() - t_gen
            sizes = sorted(len(corpus.page_bytes(i)) / 1024 for i in range(len(corpus.pages)))
            langs = Counter(p.lang for p in corpus.pages)
            print(
                f"corpus: {len(corpus.pages):,} pages "
                f"({', '.join(f'{k} {v:,}' for k, v in sorted(langs.items()))}) "
                f"over {len(corpus.feeds)} feeds of {len(corpus.outlets)} outlets; "
                f"{corpus.planted_dups:,} near-duplicates planted; page size median "
                f"{statistics.median(sizes):.0f} KB, min {sizes[0]:.0f}, max {sizes[-1]:.0f}; "
                f"generated in {t_gen:.1f} s; served at {base}"
            )
            setup = setup_database(corpus, base)
            print(f"database: {db} ({setup['sources']} sources, {setup['topics']} topics)")
            # the floor before and after the pipeline: this machine is shared and its speed
            # drifts over minutes; the ratio is taken to the higher (stricter) of the two
            floor_before = extract_floor(corpus, args.floor_pages, args.seed, meta=False)["floor"]
            print(f"floor before the pipeline: {floor_before:.1f} pages/s")
            load_start = os.getloadavg()[0]
            run = run_pipeline(args, env, tmp / "workers.log")
        wall = run["wall"]
        done = Item.objects.filter(stage=Item.Stage.DONE).count()
        failed = Item.objects.filter(stage=Item.Stage.FAILED).count()
        total_items = Item.objects.count()
        dups = Item.objects.exclude(duplicate_of=None).count()
        clusters = Cluster.objects.count()
        multi = Cluster.objects.filter(size__gte=2).count()
        stages, jobs, job_seconds = stage_figures()
        items_per_s = done / wall if wall else 0.0
        cpu_s = run["worker_cpu_s"]
        print(
            f"\npipeline: {args.workers} workers, {wall:.1f} s from the first enqueue to the last "
            f"item; {done:,} done, {failed:,} failed of {total_items:,} → {items_per_s:.1f} items/s"
        )
        print(
            f"  workers' CPU {cpu_s:.0f} s ({1000 * cpu_s / max(done, 1):.1f} ms a item, "
            f"{done / cpu_s if cpu_s else 0:.1f} items per CPU second); machine load average "
            f"{load_start:.1f} at the start, {run['load']:.1f} at the end ({os.cpu_count()} CPUs)"
        )
        stage_total = sum(s["seconds"] for s in stages.values())
        print("  stage        seconds (summed over workers and threads), items, rate, share")
        for name, s in stages.items():
            print(fmt_row(name, s["seconds"], s["items"], stage_total))
        print(f"  jobs: {dict(sorted(jobs.items()))}")
        print(f"  job seconds: { {k: round(v, 1) for k, v in sorted(job_seconds.items())} }")
        print(
            f"  duplicates found {dups:,} (planted {corpus.planted_dups:,}); "
            f"stories {clusters:,}, of them {multi:,} with 2+ items"
        )

        bench_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        fl = extract_floor(corpus, args.floor_pages, args.seed)
        floor = max(fl["floor"], floor_before)
        print(
            f"\nfloor: trafilatura.extract, 1 process, {fl['pages']:,.0f} pages, pipeline "
            f"options: {fl['floor']:.1f} pages/s after the pipeline, {floor_before:.1f} before; "
            f"the higher, {floor:.1f}, is the floor (p95 {fl['floor_p95_ms']:.1f} ms); "
            f"with metadata as the pipeline asks: {fl['floor_meta']:.1f} pages/s "
            f"(p95 {fl['floor_meta_p95_ms']:.1f} ms)"
        )
        print(
            f"pipeline / floor = {items_per_s / floor:.2f}; pipeline / floor with metadata = "
            f"{items_per_s / fl['floor_meta']:.2f}"
        )
        print(
            f"memory: workers' peak RSS {run['worker_peak_mb']:.0f} MB; this process "
            f"(corpus and server) {bench_rss:.0f} MB"
        )
        result = {
            "pages": len(corpus.pages),
            "feeds": len(corpus.feeds),
            "workers": args.workers,
            "wall_s": round(wall, 2),
            "items_done": done,
            "items_failed": failed,
            "items_per_s": round(items_per_s, 2),
            "extract_floor_items_per_s": round(floor, 2),
            "extract_floor_before_items_per_s": round(floor_before, 2),
            "extract_floor_after_items_per_s": round(fl["floor"], 2),
            "extract_floor_p95_ms": round(fl["floor_p95_ms"], 2),
            "extract_floor_meta_items_per_s": round(fl["floor_meta"], 2),
            "extract_floor_pages": int(fl["pages"]),
            "ratio_to_floor": round(items_per_s / floor, 3) if floor else None,
            "duplicates_found": dups,
            "duplicates_planted": corpus.planted_dups,
            "clusters": clusters,
            "clusters_2plus": multi,
            "stages": {
                k: {
                    "seconds": round(v["seconds"], 2),
                    "items": int(v["items"]),
                    "items_per_s": round(v["items"] / v["seconds"], 1) if v["seconds"] else None,
                    "share": round(v["seconds"] / stage_total, 3) if stage_total else None,
                }
                for k, v in stages.items()
            },
            "jobs": dict(jobs),
            "worker_cpu_s": round(cpu_s, 1),
            "items_per_worker_cpu_s": round(done / cpu_s, 2) if cpu_s else None,
            "load_average": [round(load_start, 2), round(run["load"], 2)],
            "peak_rss_mb": round(run["worker_peak_mb"], 1),
            "bench_process_rss_mb": round(bench_rss, 1),
        }
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}")

    for engine in ("sqlite", "postgres"):
        for key in ("search_p95_ms", "search_floor_p95_ms", "ranked_p95_ms", "ranked_floor_p95_ms"):
            result.setdefault(f"{key}_{engine}", None)
    if not args.no_search:
        search_sizes = {"postgres": args.search_n_postgres or args.search_n}
        result.update(search_figures(args.search_n, args.search_engines.split(","), search_sizes))
    print(json.dumps(result, ensure_ascii=False))
    return 0


def search_figures(
    n: int, engines: list[str], sizes: dict[str, int] | None = None
) -> dict[str, Any]:
    """The search part (bench/monitor_search.py), per engine; None where it cannot run."""
    try:
        import monitor_search
    except ImportError as exc:
        print(f"search: bench/monitor_search.py unavailable ({exc}); skipped")
        return {}
    out: dict[str, Any] = {}
    for engine in engines:
        try:
            figures = monitor_search.run(engine, (sizes or {}).get(engine, n))
        except Exception as exc:
            print(f"search on {engine}: {exc.__class__.__name__}: {exc}")
            continue
        for key, value in (figures or {}).items():
            out[key if key.endswith(f"_{engine}") else f"{key}_{engine}"] = value
        out[f"search_documents_{engine}"] = (sizes or {}).get(engine, n)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
