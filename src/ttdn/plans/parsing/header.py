"""Header fields: number, issuer, place and date, title, plan year, legal bases, report time.

These follow rules H1–H7 of the annotation guide. The header block of an administrative
document has a fixed shape (issuing body, national motto, "Số: …", "<Place>, ngày … tháng …
năm …", then the document type in capitals and its subtitle); the legal bases are the document
identifiers in the "Căn cứ / Thực hiện / Triển khai" preamble and its footnotes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .normalize import LOW, UP, Para, clean_value
from .structure import CLOSING_RE, Layout

_NUMBER_LINE = re.compile(r"(?:^|\s)Số\s*(?:hiệu)?\s*:\s*(?P<v>.*)$")
_NUMBER_TOKEN = re.compile(r"^[0-9A-ZĐ/&\-.–]+$")
_PLACE_DATE = re.compile(
    rf"(?P<place>{UP}[^\d,;:]{{1,40}}),\s*ngày\s*(?P<d>\d{{0,2}})\s*tháng\s*(?P<m>\d{{0,2}})"
    r"\s*năm\s*(?P<y>\d{4})?"
)
_PLACE_DATE_NUMERIC = re.compile(
    rf"(?P<place>{UP}[^\d,;:]{{1,40}}),\s*ngày\s*(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})/(?P<y>\d{{4}})"
)
_TITLE_YEAR = re.compile(r"(?<!đến )(?<!tới )(?<!đến hết )\bnăm\s+(?P<y>(?:19|20)\d{2})\b")
_HORIZON = re.compile(r"(?:đến|tới|giai đoạn|tầm nhìn(?: đến)?)\s+(?:năm\s+)?$")
_SUBJECT = re.compile(r"^V/v\s*:?\s*", re.I)
_MOTTO_FULL = re.compile(
    r"CỘNG\s+H(?:OÀ|ÒA)\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM"
    r"|(?:Độc lập|ĐỘC LẬP)\s*[-–—]\s*(?:Tự do|TỰ DO)\s*[-–—]\s*(?:Hạnh phúc|HẠNH PHÚC)"
)
_MOTTO = re.compile(r"CỘNG H(?:OÀ|ÒA)|Cộng h(?:oà|òa) xã hội|Độc lập|ĐỘC LẬP")

# Legal document identifiers: 72/2015/NĐ-CP, 5406/BTTTT-TTĐN, 57-KL/TW, 1486/QĐ-TTg …
_ID_PART = r"[A-ZĐ][A-Za-zĐđ0-9&]*"
LEGAL_ID = re.compile(
    rf"(?<![\w/])(?P<id>\d{{1,5}}[a-z]?\s*/\s*\d{{4}}\s*/\s*{_ID_PART}(?:\s*-\s*{_ID_PART})*"
    rf"|\d{{1,5}}[a-z]?\s*/\s*{_ID_PART}(?:\s*-\s*{_ID_PART})+"
    rf"|\d{{1,5}}[a-z]?\s*-\s*{_ID_PART}\s*/\s*{_ID_PART}(?:\s*-\s*{_ID_PART})*"
    rf"|\d{{1,5}}[a-z]?\s*/\s*(?:QĐ|NQ|CT|KH|TB|CV|HD|BC|TTr)\b(?:-{_ID_PART})*)"
)
_LEGAL_CLAUSE = re.compile(r"^(?:Căn cứ|Thực hiện|Triển khai)\b")
_LEGAL_STOP = re.compile(
    r"[,;]?\s*(?:xét đề nghị|Xét đề nghị|theo đề nghị|Theo đề nghị|[^,;.]{0,60}\bban hành"
    rf"\s+(?:Kế hoạch|kế hoạch)[^;]{{0,200}}(?:như sau|sau)\s*:|[^,;.]{{0,80}}\bđề nghị\s+(?={UP}))"
)
_FOOTNOTE_MARK = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\[\d{1,2}\]|\[\^\w{1,8}\]")

_REPORT_TIME = re.compile(
    r"(?P<t>(?:trước|chậm nhất(?:\s+là)?(?:\s+vào)?(?:\s+trước)?)\s+(?:ngày\s+)?"
    r"\d{1,2}\s*(?:/|\s+tháng\s+)"
    r"\s*\d{1,2}(?:\s*(?:/|\s+năm\s+)\s*\d{4})?(?:\s+(?:hằng|hàng)\s+(?:năm|quý|tháng))?)",
    re.I,
)
_REPORT_WORD = re.compile(r"báo cáo", re.I)
_REPORT_RESULT = re.compile(r"kết quả|tình hình (?:thực hiện|triển khai)|thực hiện Kế hoạch", re.I)
_PROVINCE = re.compile(rf"\b(?:tỉnh|thành phố)\s+((?:{UP}[^\W\d_]*\s?){{1,3}})")
_ISSUER_SENTENCE = re.compile(
    r"(?P<who>(?:Chủ tịch\s+)?(?:Ủy ban nhân dân|UBND|Hội đồng nhân dân|HĐND)\s+"
    rf"(?:tỉnh|thành phố|huyện)(?:\s+{UP}[^\W\d_]*)*)\s+ban hành\b"
)


@dataclass
class Header:
    title: str | None = None
    number: str | None = None
    issuer: str | None = None
    issued_date: str | None = None
    issue_place: str | None = None
    year: int | None = None
    legal_bases: list[str] = field(default_factory=list)
    report_deadline: str | None = None
    signer: str | None = None
    recipients: list[str] = field(default_factory=list)


def _number(paras: list[Para], upto: int) -> str | None:
    for p in paras[:upto]:
        m = _NUMBER_LINE.search(p.text)
        if not m:
            continue
        tokens: list[str] = []
        for tok in m.group("v").split():
            if _NUMBER_TOKEN.match(tok) and not re.search(LOW, tok):
                tokens.append(tok)
            else:
                break
        value = "".join(tokens).replace("–", "-").strip(".-")
        if re.match(r"^\d+[a-zA-Z]?/\S+", value):
            return value
        return None  # "Số: /KH-UBND": not numbered yet
    return None


def _date(paras: list[Para], upto: int) -> tuple[str | None, str | None, int | None]:
    for p in paras[:upto]:
        m = _PLACE_DATE.search(p.text) or _PLACE_DATE_NUMERIC.search(p.text)
        if not m:
            continue
        place_words = m.group("place").split()
        while place_words and not re.search(LOW, place_words[0]):
            place_words.pop(0)  # "…/BTTTT-TTĐN Hà Nội": the tail of the number line
        place = clean_value(" ".join(place_words)) or None
        y = int(m.group("y")) if m.group("y") else None
        if m.group("d") and m.group("m") and y:
            d, mo = int(m.group("d")), int(m.group("m"))
            if 1 <= d <= 31 and 1 <= mo <= 12:
                return f"{y:04d}-{mo:02d}-{d:02d}", place, y
        return None, place, y
    return None, None, None


_FIXED_NAMES = [
    ("ỦY BAN NHÂN DÂN", "Ủy ban nhân dân"),
    ("UỶ BAN NHÂN DÂN", "Uỷ ban nhân dân"),
    ("HỘI ĐỒNG NHÂN DÂN", "Hội đồng nhân dân"),
    ("UBND", "Ủy ban nhân dân"),
]


def _normal_case(upper: str) -> str:
    """'ỦY BAN NHÂN DÂN TỈNH TUYÊN QUANG' → 'Ủy ban nhân dân tỉnh Tuyên Quang'."""
    for caps, normal in _FIXED_NAMES:
        if upper.startswith(caps):
            rest = upper[len(caps) :].strip()
            return (
                f"{normal} {_normal_case(rest)[:1].lower()}{_normal_case(rest)[1:]}".strip()
                if rest
                else normal
            )
    words = upper.split()
    out: list[str] = []
    proper = False
    cap_next = True
    for w in words:
        low = w.lower()
        if proper:
            out.append(w[:1] + w[1:].lower())
            continue
        if cap_next:
            out.append(w[:1] + w[1:].lower())
            cap_next = False
        else:
            out.append(low)
        if low in {"tỉnh", "huyện", "xã", "quận"}:
            proper = True
        if low == "phố" and len(out) > 1 and out[-2].lower() == "thành":
            proper = True
        if low in {"bộ", "sở", "ban", "cục", "và", "-"} or w.endswith(","):
            cap_next = True
    return " ".join(out)


_BODY_HEAD = re.compile(r"^(?:ỦY BAN|UỶ BAN|UBND|HỘI ĐỒNG|HĐND)\b")
_LOCALITY = re.compile(r"^(?:TỈNH|THÀNH PHỐ|HUYỆN|THỊ XÃ|QUẬN)\b")
_BARE_BODY = re.compile(r"^(?:Ủy ban nhân dân|Uỷ ban nhân dân|Hội đồng nhân dân)$")
_NAMED_PLACE = re.compile(rf"\b(?:tỉnh|thành phố|huyện|thị xã|quận)\s+{UP}")
_DEPARTMENT = re.compile(r"^(?:Sở|Ban|Văn phòng|Chi cục|Trung tâm)\b")


def _header_body_lines(layout: Layout) -> list[str]:
    """The issuing-body lines of the header block (rule H3).

    OCR of a two-column header merges the columns ("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI …",
    "TỈNH X Độc lập - Tự do - Hạnh phúc"): the body is the part left of the motto, read from
    every such line. The block ends at a line that is only the motto, or at the number line.
    """
    paras = layout.paras
    lines: list[str] = []
    for i in layout.header:
        text = paras[i].text
        if _NUMBER_LINE.search(text) or _PLACE_DATE.search(text):
            break
        motto = _MOTTO.search(text)
        if motto:
            # What is left once the motto phrases are taken out is the body's column (an
            # all-caps merge can put "TỈNH X" between "VIỆT NAM" and "ĐỘC LẬP").
            pieces = [clean_value(x) for x in _MOTTO_FULL.split(text)]
            left = clean_value(" ".join(x for x in pieces if x.strip(" -–—")))
            letters = [c for c in left if c.isalpha()]
            if letters and all(c.isupper() for c in letters) and not _MOTTO.search(left):
                lines.append(left)
                continue
            if lines or left:
                break
            continue
        if paras[i].caps:
            lines.append(text)
    return [x for x in lines if x and len(x) < 80]


def _place_of(normal: str) -> str | None:
    m = _NAMED_PLACE.search(normal)
    return normal[m.start() :] if m else None


def _issuer(layout: Layout, province: str | None, place: str | None) -> str | None:
    paras = layout.paras
    lines = _header_body_lines(layout)
    if lines:
        issuer: str | None = None
        parent_place: str | None = None
        for k, line in enumerate(lines):
            if _BODY_HEAD.match(line) and k + 1 < len(lines) and _LOCALITY.match(lines[k + 1]):
                lines[k : k + 2] = [f"{line} {lines[k + 1]}"]
                break
        for line in lines[:-1]:
            parent_place = parent_place or _place_of(_normal_case(line))
        issuer = _normal_case(lines[-1])
        if _BARE_BODY.match(issuer) or (_DEPARTMENT.match(issuer) and parent_place):
            # "ỦY BAN NHÂN DÂN" with no province, a department under "UBND TỈNH X": the
            # province the document names completes it.
            where = parent_place or (
                _province_phrase(paras, place) if _BARE_BODY.match(issuer) else None
            )
            if where and not _place_of(issuer):
                issuer = f"{issuer} {where}"
        return issuer
    for i in layout.preamble:
        m = _ISSUER_SENTENCE.search(paras[i].text)
        if m:
            who = (
                m.group("who")
                .replace("UBND", "Ủy ban nhân dân")
                .replace("HĐND", "Hội đồng nhân dân")
            )
            if province and re.search(r"(?:tỉnh|thành phố)$", who):
                who = f"{who} {province}"
            return who
    return None


def _province_counts(paras: list[Para]) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for p in paras:
        for m in _PROVINCE.finditer(p.text):
            name = m.group(1).strip()
            if name and not name.startswith(("Ủy", "Uỷ")):
                counts[(m.group(0).split()[0].lower(), name)] += 1
    return counts


def _province_phrase(paras: list[Para], place: str | None) -> str | None:
    """ "tỉnh X" for the province the document names; the place of the date line when it is
    one of them (or when the text names none)."""
    counts = _province_counts(paras)
    if place:
        for (kind, name), _n in counts.most_common():
            if name == place:
                return f"{kind} {name}"
    if counts:
        (kind, name), _n = counts.most_common(1)[0]
        return f"{kind} {name}"
    return f"tỉnh {place}" if place else None


def _province(paras: list[Para]) -> str | None:
    counts: Counter[str] = Counter()
    for (_kind, name), n in _province_counts(paras).items():
        counts[name] += n
    return counts.most_common(1)[0][0] if counts else None


def _title(layout: Layout) -> tuple[str | None, str | None]:
    """(title, text to read the plan year from)."""
    paras = layout.paras
    if layout.title_index is not None:
        head = paras[layout.title_index]
        kind = head.text.split()
        doc_type = " ".join(kind[:2]).capitalize() if kind else "Kế hoạch"
        rest = head.text[len(" ".join(kind[:2])) :].strip()
        subtitle_parts = [rest] if rest else []
        if not subtitle_parts and layout.subtitle_index is not None:
            subtitle_parts.append(paras[layout.subtitle_index].text)
        subtitle = clean_value(" ".join(subtitle_parts))
        if subtitle:
            title = f"{doc_type} {subtitle[:1].lower()}{subtitle[1:]}"
            return title, subtitle
        return doc_type, None
    for i in layout.header + layout.preamble:
        m = _SUBJECT.match(paras[i].text)
        if m:
            subject = clean_value(paras[i].text[m.end() :])
            return subject[:1].upper() + subject[1:], subject
    return None, None


def _year(subtitle: str | None, date_year: int | None) -> int | None:
    if subtitle:
        for m in _TITLE_YEAR.finditer(subtitle):
            if not _HORIZON.search(subtitle[: m.start()]):
                return int(m.group("y"))
    return date_year


def normalise_id(raw: str) -> str:
    return re.sub(r"\s+", "", raw).replace("–", "-")


def legal_bases(layout: Layout) -> list[str]:
    """Rule H6: identifiers in Căn cứ/Thực hiện/Triển khai clauses and their footnotes."""
    paras = layout.paras
    found: list[str] = []
    marks: set[str] = set()

    def add_from(text: str) -> None:
        for m in LEGAL_ID.finditer(text):
            ident = normalise_id(m.group("id"))
            if ident not in found:
                found.append(ident)

    in_clause = False
    for i in layout.preamble:
        p = paras[i]
        if p.footnote:
            continue
        if _LEGAL_CLAUSE.match(p.text):
            in_clause = True
        elif not in_clause:
            continue
        text = p.text
        stop = _LEGAL_STOP.search(text)
        if stop:
            text = text[: stop.start()]
        add_from(text)
        marks.update(_FOOTNOTE_MARK.findall(text))
        if stop:
            in_clause = False
    if marks:
        for p in paras:
            if p.footnote and p.footnote in marks:
                add_from(p.body)
    return found


_SYNTHESIS = re.compile(r"tổng hợp", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _report_clauses(text: str) -> list[str]:
    """Sentences of a paragraph cut at ";" too, except that a clause holding a time but no
    report verb ("Định kỳ trước ngày 15/11 hằng năm các cơ quan, đơn vị;") goes with the next
    clause, which reports ("Ủy ban nhân dân huyện … báo cáo …")."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        parts = [x for x in re.split(r"(?<=;)\s+", sentence) if x.strip()]
        k = 0
        while k < len(parts):
            clause = parts[k]
            while (
                not _REPORT_WORD.search(clause)
                and _REPORT_TIME.search(clause)
                and k + 1 < len(parts)
                and _REPORT_WORD.search(parts[k + 1])
            ):
                k += 1
                clause = f"{clause} {parts[k]}"
            out.append(clause)
            k += 1
    return out


def report_deadline(layout: Layout) -> str | None:
    """Rule H7: the time phrase of the sentence that asks agencies to report results.

    The agencies' report sentence ("Định kỳ trước ngày 15/11 hằng năm, các cơ quan … báo cáo
    kết quả … về Sở X để tổng hợp") wins over the focal department's own duty ("tổng hợp
    kết quả, báo cáo Ủy ban nhân dân tỉnh trước ngày 31/12"), which is used only when no
    agencies' sentence fixes a time. The department's duty is the one where "tổng hợp"
    comes before the report verb.
    """
    paras = layout.paras
    best: tuple[int, int, int, str] | None = None
    for idx, p in enumerate(paras[layout.body_start :], start=layout.body_start):
        if not _REPORT_WORD.search(p.text):
            continue
        for clause in _report_clauses(p.body or p.text):
            report = _REPORT_WORD.search(clause)
            if not report:
                continue
            m = _REPORT_TIME.search(clean_value(clause))
            if not m:
                continue
            synthesis = _SYNTHESIS.search(clause)
            department = bool(synthesis and synthesis.start() < report.start())
            result = bool(CLOSING_RE.match(clause) or _REPORT_RESULT.search(clause))
            cand = (int(department), 0 if result else 1, idx, clean_value(m.group("t")))
            if best is None or cand[:3] < best[:3]:
                best = cand
    return best[3] if best else None


def _recipients_and_signer(paras: list[Para], body_end: int) -> tuple[list[str], str | None]:
    recipients: list[str] = []
    signer: str | None = None
    i = body_end
    while i < len(paras) and not paras[i].text.startswith(("Nơi nhận", "NƠI NHẬN")):
        i += 1
    j = i + 1
    while j < len(paras) and paras[j].bullet:
        recipients.append(clean_value(paras[j].body))
        j += 1
    for p in paras[body_end:]:
        if p.label or p.bullet or p.cells is not None:
            continue
        words = p.text.split()
        if 2 <= len(words) <= 5 and all(w[:1].isupper() and not w.isupper() for w in words):
            signer = p.text
    return recipients, signer


def parse_header(layout: Layout) -> Header:
    paras = layout.paras
    upto = max(layout.body_start, 1)
    header = Header()
    header.number = _number(paras, min(upto, 40))
    header.issued_date, header.issue_place, date_year = _date(paras, min(upto, 40))
    province = _province(paras)
    header.issuer = _issuer(layout, province, header.issue_place)
    header.title, subtitle = _title(layout)
    header.year = _year(subtitle, date_year)
    header.legal_bases = legal_bases(layout)
    header.report_deadline = report_deadline(layout)
    header.recipients, header.signer = _recipients_and_signer(paras, layout.body_end)
    return header
