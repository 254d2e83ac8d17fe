"""Agency names: where a name starts and ends in a sentence, and how lists split (N1–N4).

Vietnamese administrative names are noun phrases with a capitalised head noun ("Sở", "Ban",
"Ủy ban", "Đài" …) and a tail that mixes capitalised words, connectors and lower-case
qualifiers ("Ủy ban nhân dân huyện, thành phố"). A name ends where the duty starts, i.e. at
the first lower-case action verb that is not glued to the head noun ("Viện nghiên cứu …" is a
name, "Sở Nội vụ chủ trì" ends before "chủ trì"). Lists split only where the next word opens a
new agency (rule N2); collectives keep their lower-case kinds (N3); purely generic entries
such as "các cơ quan, đơn vị liên quan" are dropped (N4).

All regexes run on the tone-folded key (see :func:`normalize.fold`), which has the same
length as the text, so positions can be used to cut the text as written.
"""

from __future__ import annotations

import re

from .normalize import clean_value, fold

# Head nouns that open an agency name (capitalised, as written after a separator).
_HEADS = [
    "Ủy ban",
    "UBND",
    "UBMTTQ",
    "HĐND",
    "Hội đồng",
    "Văn phòng",
    "Sở",
    "Ban",
    "Bộ Chỉ huy",
    "Bộ Tư lệnh",
    "Bộ đội",
    "Bộ",
    "Tổng cục",
    "Chi cục",
    "Cục",
    "Đài",
    "Báo",
    "Tạp chí",
    "Cổng",
    "Trang",
    "Trung tâm",
    "Công an",
    "Liên hiệp",
    "Liên đoàn",
    "Hiệp hội",
    "Hội",
    "Viện",
    "Thường trực",
    "Thông tấn xã",
    "Phòng",
    "Tỉnh đoàn",
    "Đoàn",
    "Tỉnh ủy",
    "Thành ủy",
    "Huyện ủy",
    "Đảng ủy",
    "Mặt trận",
    "Kho bạc",
    "Ngân hàng",
    "Tòa án",
    "Bưu điện",
    "Trường",
    "Học viện",
    "Đại học",
    "Bệnh viện",
    "Cảng vụ",
    "Tổng công ty",
    "Công ty",
    "Quỹ",
    "Chủ tịch",
    "Giám đốc",
    "Thủ trưởng",
    "Cơ quan",
    "Lực lượng",
    "Hải quan",
    "Thanh tra",
    "Nhà xuất bản",
    "Nhà hát",
    "Nhà văn hóa",
    "Nhà thiếu nhi",
    "Bảo tàng",
    "Thư viện",
    "Đại sứ quán",
    "Tổng Lãnh sự quán",
    "Tổng lãnh sự quán",
    "Lãnh sự quán",
    "Cơ quan đại diện",
    "Hạt Kiểm lâm",
    "Vườn quốc gia",
    "Ban Quản lý",
    "Câu lạc bộ",
    "Ngành",
    "Các thành viên",
    "Thành viên",
    "Cảnh sát",
]
# Words that look like a head noun but start a common noun phrase instead.
_NOT_HEAD = (
    r"Hội (?:nghị|thảo|chợ|báo|thi|diễn|nhập|viên)|Báo (?:cáo|chí)|Ban hành|Sở hữu|"
    r"Trường (?:hợp|Sa)|Bộ (?:phận|máy|luật|sách|tiêu chí|công cụ|mặt)|Đoàn (?:kết|ra|vào|khách)|"
    r"Phòng(?:,)? (?:chống|ngừa)|Trang (?:bị|phục|trí|trại)|Cổng (?:Vietnam|vietnam)|"
    r"Chủ tịch (?:Hồ|nước)|Cơ quan (?:chủ trì|phối hợp|thực hiện)|Công an nhân dân Việt"
)
_KINDS = (
    r"sở|ban|ngành|bộ|cơ quan|đơn vị|địa phương|huyện|thành phố|thị xã|xã|phường|tỉnh|hội|"
    r"đoàn thể|tổ chức|doanh nghiệp|thành viên|trường|báo|đài|phòng|cấp|lực lượng|ủy ban|"
    r"chi cục|cục|trung tâm|hiệp hội|Sở|Ban|Bộ|UBND|Ủy ban|Hội|Đài|Báo|Cơ quan|Trung tâm"
)
_HEAD_ALT = "|".join(sorted((re.escape(h) for h in _HEADS), key=len, reverse=True))
AGENCY_START = re.compile(
    rf"(?:(?:Đề nghị|Giao cho|Giao|Yêu cầu)\s+)?(?:(?:(?:các|Các)\s+)?(?!(?:{_NOT_HEAD})\b)"
    rf"(?:{_HEAD_ALT})(?![^\W\d_])|(?:các|Các)\s+(?:{_KINDS})(?![^\W\d_]))"
)
_HEAD_ONLY = re.compile(rf"(?:(?:các|Các)\s+)?(?:{_HEAD_ALT})\s+")

# Lower-case verbs (and a few adverbs) that open the duty after an agency name.
_VERBS = [
    "chủ trì",
    "phối hợp",
    "triển khai",
    "ban hành",
    "tổ chức",
    "thực hiện",
    "xây dựng",
    "tham mưu",
    "hướng dẫn",
    "chỉ đạo",
    "quan tâm",
    "theo dõi",
    "đôn đốc",
    "tiếp tục",
    "chủ động",
    "tăng cường",
    "đẩy mạnh",
    "cung cấp",
    "bố trí",
    "nghiên cứu",
    "rà soát",
    "tập trung",
    "kiểm tra",
    "phổ biến",
    "quán triệt",
    "tuyên truyền",
    "có trách nhiệm",
    "chịu trách nhiệm",
    "làm đầu mối",
    "là cơ quan",
    "là đầu mối",
    "phát hành",
    "xuất bản",
    "sản xuất",
    "biên soạn",
    "duy trì",
    "cập nhật",
    "thường xuyên",
    "kịp thời",
    "khẩn trương",
    "lựa chọn",
    "chọn lọc",
    "nâng cao",
    "đảm bảo",
    "bảo đảm",
    "phát huy",
    "vận hành",
    "thẩm định",
    "xem xét",
    "quảng bá",
    "giới thiệu",
    "hỗ trợ",
    "tạo điều kiện",
    "phát động",
    "đề xuất",
    "tham gia",
    "tham dự",
    "đăng tải",
    "phát sóng",
    "báo cáo",
    "thống nhất",
    "hoàn thành",
    "nắm bắt",
    "tích cực",
    "nghiêm túc",
    "huy động",
    "sử dụng",
    "ứng dụng",
    "đề nghị",
    "thẩm tra",
    "phê duyệt",
    "bồi dưỡng",
    "tập huấn",
    "đào tạo",
    "tiếp nhận",
    "tiếp đón",
    "đón tiếp",
    "phản bác",
    "đấu tranh",
    "xử lý",
    "phát hiện",
    "căn cứ",
    "cần",
    "phải",
    "sẽ",
    "được giao",
    "đã",
    "đang",
    "lồng ghép",
    "chuẩn bị",
    "soạn thảo",
    "dự thảo",
    "vận động",
    "tìm hiểu",
    "thu thập",
    "khảo sát",
    "đánh giá",
    "sơ kết",
    "tổng kết",
    "trao đổi",
    "làm việc",
    "tiếp xúc",
    "biên dịch",
    "dịch",
    "định hướng",
    "trả lời",
    "ký kết",
    "mở",
    "đặt hàng",
    "thiết lập",
    "tuyên dương",
    "khen thưởng",
    "nhân rộng",
    "quản lý",
    "chấp hành",
    "giám sát",
    "giải quyết",
    "thông báo",
    "công bố",
    "hoàn thiện",
    "xác định",
    "phân công",
    "kiện toàn",
    "củng cố",
    "gửi",
    "thông tin",
    "tiếp tục",
    "tổng hợp",
    "là",
    "nắm",
]
# Verbs that are also nouns inside names: "cơ quan quản lý", "Cổng thông tin điện tử".
_NOUN_BEFORE = {
    "tổng hợp": ("Dịch vụ ", "dịch vụ ", "Văn phòng ", "Phòng ", "Trung tâm ", "thông tin "),
    "quản lý": ("cơ quan ", "công tác ", "Ban ", "ban "),
    "thông tin": (
        "Cổng ",
        "Trang ",
        "Trung tâm ",
        "Sở ",
        "Bộ ",
        "Cục ",
        "công tác ",
        "cổng ",
        "trang ",
        "Phòng ",
        "Ban ",
        "Văn phòng ",
        "hệ thống ",
    ),
}
_VERB_RE = re.compile(
    r"(?<![^\W\d_])(?:"
    + "|".join(sorted(map(re.escape, _VERBS), key=len, reverse=True))
    + r")(?![^\W\d_])(?! (?:liên quan|chính trị|xã hội|đoàn thể|hữu nghị|quốc tế|phi chính phủ|"
    r"kinh tế|nghề nghiệp|và cá nhân|, cá nhân))"
)
_NOUN_GUARD = re.compile(r"(?:các|những|Các|Những|cơ quan,|đơn vị,)\s+$")
_STOP_RE = re.compile(
    r"\s(?:để|nhằm|theo|tại|cho|khi|nếu|đối với|trong việc|trong quá trình|thông qua|"
    r"trên cơ sở|về việc)\s|[.:!?]"
)
_QUALIFIER_END = re.compile(
    r"(?<![^\W\d_])(?P<qualifier>tỉnh|huyện|xã|phường|thành phố|thị xã|trung ương|Trung ương)"
    r" (?!(?:và|hoặc|trực thuộc|thuộc|trên|liên quan|có liên quan|ủy|đoàn|của|các|nơi|"
    r"có|cấp|khác)(?![^\W\d_]))(?=[a-zđà-ỹ])"
)
_PARENS = re.compile(r"\s*\([^()]*\)")
_SEPARATOR = re.compile(r"\s*[,;]\s*|\s+và\s+|\s+-\s+(?=[A-ZĐ])")
_LEAD_NOISE = re.compile(
    r"^(?:Đề nghị|Giao cho|Giao|Yêu cầu|Trách nhiệm của|Đối với|Riêng)\s+", re.I
)
_GENERIC_WORDS = {"cơ", "quan", "đơn", "vị", "địa", "phương", "tổ", "chức", "cá", "nhân"}
_GENERIC_NOISE = re.compile(
    r"\b(?:các|những|liên quan|có liên quan|chức năng|trong và ngoài nước|khác|trực thuộc|"
    r"trên địa bàn(?: tỉnh| huyện| thành phố)?|thuộc tỉnh|của tỉnh|và|có)\b",
    re.I,
)


def starts_agency(key: str) -> bool:
    """Whether an agency name (or kind-collective) opens ``key``."""
    return bool(AGENCY_START.match(key))


def is_generic(name: str) -> bool:
    """Rule N4: only cơ quan / đơn vị / địa phương / tổ chức / cá nhân (+ fillers)."""
    rest = _GENERIC_NOISE.sub(" ", fold(name).lower())
    words = re.findall(r"[^\W\d_]+", rest)
    return not words or all(w in _GENERIC_WORDS for w in words)


def name_end(key: str, start: int = 0) -> int:
    """Index where the agency phrase starting at ``start`` ends (the duty begins)."""
    head = _HEAD_ONLY.match(key, start)
    # A verb right after the head noun belongs to the name ("Viện nghiên cứu …").
    search_from = start
    if head:
        nxt = re.match(r"\S+\s+", key[head.end() :])
        search_from = head.end() + (nxt.end() if nxt else 0)
    end = len(key)
    pos = search_from
    while True:
        m = _VERB_RE.search(key, pos, end)
        if not m:
            break
        before = key[max(0, m.start() - 12) : m.start()]
        if _NOUN_GUARD.search(before) or before.endswith(_NOUN_BEFORE.get(m.group(0), ())):
            pos = m.end()
            continue
        end = m.start()
        break
    s = _STOP_RE.search(key, search_from, end)
    if s:
        end = s.start()
    # A place qualifier closes a name ("Công an tỉnh", "Ủy ban nhân dân huyện"): a lower-case
    # word after it that cannot continue a name is the duty, whatever its verb ("… tỉnh đón").
    q = _QUALIFIER_END.search(key, search_from, end)
    if q:
        end = q.end("qualifier")
    return end


def strip_parens(text: str) -> str:
    return _PARENS.sub("", text)


def split_agencies(text: str) -> list[str]:
    """Split an agency list at separators that open a new agency (N2), drop generics (N4)."""
    text = clean_value(strip_parens(text))
    text = _LEAD_NOISE.sub("", text)
    if not text:
        return []
    key = fold(text)
    cuts = [0]
    seps: list[tuple[int, int]] = []
    for m in _SEPARATOR.finditer(key):
        if starts_agency(key[m.end() :]):
            seps.append((m.start(), m.end()))
    parts: list[str] = []
    pos = 0
    for s, e in seps:
        parts.append(text[pos:s])
        pos = e
    parts.append(text[pos:])
    del cuts
    out: list[str] = []
    for part in parts:
        name = clean_value(_LEAD_NOISE.sub("", part.strip()))
        if name and not is_generic(name) and name not in out:
            out.append(name)
    return out


def agency_phrase(text: str, start: int = 0) -> tuple[str, int]:
    """The agency list opening at ``start`` in ``text`` and the index where it ends."""
    key = fold(text)
    end = name_end(key, start)
    return text[start:end], end
