"""Tasks: units of work assigned to agencies (rules T1–T8, C1–C3).

Four shapes are recognised, all by the genre's wording rather than by layout:

* field blocks — bullets closed by "Cơ quan chủ trì: …" / "Cơ quan phối hợp: …" /
  "Thời gian thực hiện: …" (and the variants "Đơn vị chủ trì", "Chủ trì:", "Phối hợp:",
  "Thời gian:", "Sản phẩm:");
* implementation items — numbered items of "TỔ CHỨC THỰC HIỆN" headed by an agency;
* assignment sentences — "Sở X chủ trì, phối hợp với Y …", "Giao Sở X …", "Đề nghị Ủy ban …",
  optionally after an opening adverbial ("Căn cứ …,");
* guidance letters — a preamble that hands the whole numbered list to an addressee.

Task tables are handled in :mod:`tables` and merged here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import deadlines
from .agencies import _VERB_RE, is_generic, name_end, split_agencies, starts_agency, strip_parens
from .normalize import UP, Para, clean_value, fold
from .structure import CLOSING_RE, Layout, Section

TCTH_RE = re.compile(
    r"^(?:TỔ CHỨC THỰC HIỆN|TRÁCH NHIỆM THỰC HIỆN|PHÂN CÔNG (?:TỔ CHỨC |TRÁCH NHIỆM )?THỰC HIỆN|"
    r"PHÂN CÔNG NHIỆM VỤ|TỔ CHỨC TRIỂN KHAI|GIẢI PHÁP VÀ TỔ CHỨC THỰC HIỆN|"
    r"TRÁCH NHIỆM CỦA CÁC CƠ QUAN)",
    re.I,
)
PURPOSE_RE = re.compile(
    r"^(?:MỤC ĐÍCH|YÊU CẦU|MỤC TIÊU|QUAN ĐIỂM|SỰ CẦN THIẾT|CĂN CỨ|ĐÁNH GIÁ|KẾT QUẢ|TÌNH HÌNH|"
    r"BỐI CẢNH|PHẠM VI|ĐỐI TƯỢNG)",
    re.I,
)
_WHO = r"(?:Cơ quan|Đơn vị|Bộ phận)(?:\s*(?:,|/)\s*(?:đơn vị|địa phương|cơ quan))*\s+"
FIELD_RE = re.compile(
    rf"^(?:(?P<lead>(?:{_WHO})?(?:chủ trì|thực hiện chính|chịu trách nhiệm"
    rf"(?: chính)?)(?:\s+thực hiện)?|{_WHO}(?:thực hiện|đầu mối))"
    rf"|(?P<coord>(?:{_WHO})?phối hợp(?:\s+thực hiện)?)"
    r"|(?P<time>Thời gian(?:\s+(?:thực hiện|hoàn thành|triển khai))?|Thời hạn(?:\s+hoàn thành)?"
    r"|Tiến độ(?:\s+thực hiện)?)"
    r"|(?P<product>Sản phẩm(?:\s+(?:đầu ra|dự kiến|chính))?|Kết quả(?:\s+(?:đầu ra|dự kiến))?)"
    r"|(?P<place>Địa điểm)|(?P<participants>Thành phần(?:\s+tham (?:dự|gia))?)"
    r"|(?P<budget>Kinh phí(?:\s+thực hiện)?|Dự toán))\s*:\s*(?P<value>.*)$",
    re.I,
)
_SENTENCE_SPLIT = re.compile(rf"(?<=[.;!?])\s+(?=[\"“(]?{UP})")
_ADVERBIAL = re.compile(
    r"^(?:Căn cứ|Trên cơ sở|Theo|Để|Nhằm|Trong|Sau khi|Khi|Đồng thời|Ngoài ra|Hằng năm|"
    r"Hàng năm|Từ|Tùy theo|Tuỳ theo|Bên cạnh đó|Trước mắt|Đối với|Riêng)\b"
)
_ASSIGN = re.compile(r"^(?:Giao cho|Giao|Đề nghị|Yêu cầu)\s+(?=\S)")
_COORD = re.compile(r"\bphối hợp(?:\s+chặt chẽ)?(?:\s+với|\s+cùng)?\s+", re.I)
_OPENS_COORD = re.compile(
    r"^(?:(?:Tiếp tục\s+)?(?:Chủ trì|chủ trì)\s*,?\s*)?(?:Phối hợp|phối hợp)(?:\s+chặt chẽ)?"
    r"(?:\s+với|\s+cùng)?\s+"
)
_TIME_IN_SENTENCE = re.compile(
    r"(?:trước|chậm nhất(?:\s+là)?|trong)\s+"
    r"(?:ngày\s+\d{1,2}/\d{1,2}(?:/\d{4})?|q(?:uý|úy)\s+(?:IV|III|II|I)(?:\s*(?:/|năm)\s*\d{4})?|"
    r"tháng\s+\d{1,2}(?:\s*(?:/|năm)\s*\d{4})?|6 tháng (?:đầu|cuối) năm(?:\s+\d{4})?)"
    r"(?:\s+(?:hằng|hàng)\s+(?:năm|quý|tháng))?",
    re.I,
)
_REPORT_DUTY = re.compile(r"(?:gửi|định kỳ|thường xuyên)\s+(?:gửi\s+)?báo cáo\b")
_PASSIVE_BEFORE = re.compile(r"(?:\bdo|\bcủa|\bvới|\bcho|\bgiữa)\s*$")
_GENITIVE = re.compile(r"\bcủa\b")


@dataclass
class Task:
    section: str | None
    summary: str
    lead: list[str]
    coordinating: list[str] = field(default_factory=list)
    deadline: str | None = None
    source: str = "sentence"
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, plan_year: int | None) -> dict[str, Any]:
        res = deadlines.resolve(self.deadline, plan_year)
        out: dict[str, Any] = {
            "section": self.section,
            "summary": self.summary,
            "lead": self.lead,
            "coordinating": self.coordinating,
            "deadline": self.deadline,
            "due": res.due_iso,
            "recurrence": res.recurrence,
            "source": self.source,
        }
        if self.deadline and res.flagged:
            out["deadline_flagged"] = True
        out.update(self.extra)
        return out


def summarize(text: str, limit: int = 20) -> str:
    words = clean_value(strip_parens(text)).split()
    return " ".join(words[:limit])


_LEAD_VERB_AT = re.compile(r"chủ trì\s*[,;]?\s*(?:và\s+)?")
_COORD_AT = re.compile(r"phối hợp(?:\s+chặt chẽ)?(?:\s+với)?\s+")


def duty_summary(sentence: str, verb_at: int) -> str:
    """The duty of an assignment sentence, without "chủ trì, phối hợp với <agencies>":
    "Sở Ngoại vụ chủ trì, phối hợp với Công an tỉnh đón đoàn …" → "đón đoàn …"."""
    key = fold(sentence)
    pos = verb_at
    m = _LEAD_VERB_AT.match(key, pos)
    if m:
        pos = m.end()
    m = _COORD_AT.match(key, pos)
    if m and starts_agency(key[m.end() :]):
        pos = name_end(key, m.end())
    rest = sentence[pos:].lstrip(" ,;:")
    return summarize(rest) if len(rest.split()) >= 2 else summarize(sentence[verb_at:])


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_SPLIT.split(text) if s.strip()]


def field_of(p: Para) -> tuple[str, str] | None:
    """A field line such as "Cơ quan chủ trì: …" → ("lead", value)."""
    if p.cells is not None or p.label is not None:
        return None
    m = FIELD_RE.match(p.body_key)
    if not m:
        return None
    name = next(
        k
        for k in ("lead", "coord", "time", "product", "place", "participants", "budget")
        if m.group(k)
    )
    value = p.body[m.start("value") :]
    return name, clean_value(value)


@dataclass
class Subject:
    lead: list[str]
    verb_at: int  # index in the sentence where the duty starts
    verb: str


def find_subject(sentence: str, allow_adverbial: bool = True) -> Subject | None:
    """Rule T3: the sentence's grammatical subject when it is a named agency or collective."""
    key = fold(sentence)
    starts: list[int] = []
    m = _ASSIGN.match(key)
    if m:
        starts = [m.end()]
    elif allow_adverbial and _ADVERBIAL.match(key):
        # "Căn cứ …, <Agency> <verb>": the subject follows one of the commas. A comma list
        # that continues a genitive ("… của Trung ương, Bộ X, <Agency> …") belongs to the
        # adverbial, so a start right after a chunk containing "của" is skipped.
        commas = [c.end() for c in re.finditer(r",\s*", key)]
        prev = 0
        for c in commas:
            chunk = key[prev:c]
            prev = c
            if _GENITIVE.search(chunk):
                continue
            starts.append(c)
        if not starts and commas:
            starts = [commas[-1]]
    else:
        starts = [0]
    for start in starts:
        if not starts_agency(key[start:]):
            continue
        if start and _PASSIVE_BEFORE.search(key[:start].rstrip(", ")):
            continue
        end = name_end(key, start)
        if key[end : end + 1] == ":" and len(key[start:end].split()) <= 25:
            # "- Sở Tài chính: bố trí kinh phí …": the agency heads its duty with a colon.
            lead = split_agencies(sentence[start:end])
            if lead and not FIELD_RE.match(key[start:]):
                return Subject(lead, end + 1, ":")
            continue
        verb = _VERB_RE.match(key, end)
        if not verb:
            continue
        if verb.group(0) in ("báo cáo", "đã", "đang", "được giao") or _REPORT_DUTY.match(key, end):
            return None  # the report sentence (T6) or a description, not an assignment
        lead = split_agencies(sentence[start:end])
        if lead:
            return Subject(lead, end, verb.group(0))
    return None


def coordinating_in(sentence: str, after: int = 0) -> list[str]:
    """Rule C2: the "phối hợp (với)" list of one sentence."""
    key = fold(sentence)
    m = _COORD.search(key, after)
    if not m or not starts_agency(key[m.end() :]):
        return []
    end = name_end(key, m.end())
    return split_agencies(sentence[m.end() : end])


def _time_in(sentence: str) -> str | None:
    m = _TIME_IN_SENTENCE.search(fold(sentence))
    return clean_value(sentence[m.start() : m.end()]) if m else None


def _subtree(section: Section) -> list[Section]:
    out = [section]
    for child in section.children:
        out.extend(_subtree(child))
    return out


def _in_any(section: Section, roots: set[int]) -> bool:
    return id(section) in roots or any(id(a) in roots for a in section.ancestors())


# --- the four shapes ----------------------------------------------------------------------


def block_tasks(layout: Layout, skip: set[int]) -> list[Task]:
    """Rule T1/C1/T8: field blocks closed by a "chủ trì" line."""
    out: list[Task] = []
    pending: dict[int, dict[str, str]] = {}
    last: Task | None = None
    last_owner: Section | None = None
    for i in range(layout.body_start, layout.body_end):
        p = layout.paras[i]
        owner = layout.owner.get(i)
        if owner is None or id(owner) in skip:
            continue
        f = field_of(p)
        if f is None:
            continue
        name, value = f
        bag = pending.setdefault(id(owner), {})
        if name == "lead":
            both = _INLINE_COORD.search(value)
            lead_text, coord_text = (
                (value[: both.start()], value[both.end() :]) if both else (value, "")
            )
            task = Task(
                section=owner.number,
                summary=summarize(owner.heading),
                lead=split_agencies(lead_text),
                source="block",
            )
            if coord_text:
                task.coordinating = split_agencies(coord_text)
            task.deadline = bag.pop("time", None)
            for k in ("product", "place", "participants", "budget"):
                if k in bag:
                    task.extra[_EXTRA_NAMES[k]] = bag.pop(k)
            if task.lead:
                out.append(task)
                last, last_owner = task, owner
            continue
        if last is not None and last_owner is owner:
            if name == "coord" and not last.coordinating:
                last.coordinating = split_agencies(value)
                continue
            if name == "time" and last.deadline is None:
                last.deadline = value
                continue
            if (
                name in ("product", "place", "participants", "budget")
                and _EXTRA_NAMES[name] not in last.extra
            ):
                last.extra[_EXTRA_NAMES[name]] = value
                continue
        bag[name] = value
    _reassign_facets(layout, out)
    return out


_INLINE_COORD = re.compile(r"(?:[;.,]\s*)?(?:Cơ quan |Đơn vị )?[Pp]hối hợp\s*:")
_EXTRA_NAMES = {
    "product": "outputs",
    "place": "place",
    "participants": "participants",
    "budget": "budget",
}


def _reassign_facets(layout: Layout, tasks: list[Task]) -> None:
    """Rule T1a: a block closing the last lettered facet of an item belongs to the item."""
    by_number = {s.number: s for s in layout.sections}
    with_block = {t.section for t in tasks}
    for t in tasks:
        sec = by_number.get(t.section or "")
        if sec is None or sec.parent is None or not re.fullmatch(r"[a-zđ]", sec.number[-1:]):
            continue
        siblings = sec.parent.children
        if len(siblings) < 2 or siblings[-1] is not sec:
            continue
        if any(s.number in with_block for s in siblings if s is not sec):
            continue
        t.section = sec.parent.number
        t.summary = summarize(sec.parent.heading)


def _body_paras(layout: Layout, section: Section) -> list[Para]:
    out = []
    for i in section.paras:
        p = layout.paras[i]
        if p.footnote or p.cells is not None or CLOSING_RE.match(p.text):
            continue
        out.append(p)
    return out


def implementation_tasks(layout: Layout, tcth: list[Section]) -> list[Task]:
    """Rules T2, T2a and C3: agency-headed items of the implementation section."""
    out: list[Task] = []
    for root in tcth:
        for sec in _subtree(root)[1:]:
            text = sec.head.body
            key = fold(text)
            if not starts_agency(key):
                out.extend(_assignment_lines(layout, sec))
                continue
            end = name_end(key, 0)
            lead = split_agencies(text[:end])
            if not lead:
                continue
            task = Task(section=sec.number, summary="", lead=lead, source="implementation")
            body = _body_paras(layout, sec)
            coord = coordinating_in(text, end)
            if not coord and len(body) == 1:
                b = body[0]
                m = _OPENS_COORD.match(b.body_key)
                if m and starts_agency(b.body_key[m.end() :]):
                    cend = name_end(b.body_key, m.end())
                    coord = split_agencies(b.body[m.end() : cend])
            task.coordinating = coord
            first = body[0].body if body else text[end:]
            task.summary = summarize(first if body else text)
            for p in body:
                f = field_of(p)
                if f and f[0] == "time" and task.deadline is None:
                    task.deadline = f[1]
            out.append(task)
            # T2a: another named agency that "chủ trì" a sentence inside the item.
            lead_keys = {fold(x).lower() for x in lead}
            for p in body:
                for s in sentences(p.body):
                    subj = find_subject(s, allow_adverbial=False)
                    if subj is None or subj.verb != "chủ trì":
                        continue
                    if {fold(x).lower() for x in subj.lead} <= lead_keys:
                        continue
                    out.append(
                        Task(
                            section=sec.number,
                            summary=duty_summary(s, subj.verb_at),
                            lead=subj.lead,
                            coordinating=coordinating_in(s, subj.verb_at),
                            deadline=_time_in(s),
                            source="implementation-sentence",
                        )
                    )
    return out


def _assignment_lines(layout: Layout, sec: Section) -> list[Task]:
    """An implementation item not headed by an agency ("1. Phân công cụ thể") whose bullets
    or paragraphs each open with one: "- Sở Tài chính: bố trí kinh phí …" (T2 per line)."""
    out: list[Task] = []
    for p in _body_paras(layout, sec):
        if field_of(p):
            continue
        s = sentences(p.body)[0] if p.body else ""
        subj = find_subject(s, allow_adverbial=False)
        if subj is None:
            continue
        rest_key = fold(p.body)[subj.verb_at :].lstrip(" :")
        offset = len(p.body) - len(rest_key)
        coord: list[str] = []
        m = _OPENS_COORD.match(rest_key) or _OPENS_COORD.match(rest_key[:1].upper() + rest_key[1:])
        if m and starts_agency(rest_key[m.end() :]):
            cend = name_end(rest_key, m.end())
            coord = split_agencies(p.body[offset + m.end() : offset + cend])
        out.append(
            Task(
                section=sec.number,
                summary=duty_summary(p.body, subj.verb_at),
                lead=subj.lead,
                coordinating=coord,
                deadline=None,
                source="implementation-line",
            )
        )
    return out


def sentence_tasks(layout: Layout, skip: set[int]) -> list[Task]:
    """Rule T3/C2: content sentences whose subject is a named agency."""
    out: list[Task] = []
    for sec in layout.sections:
        if id(sec) in skip:
            continue
        for p in _body_paras(layout, sec):
            if field_of(p):
                continue
            for s in sentences(p.body):
                subj = find_subject(s)
                if subj is None:
                    continue
                out.append(
                    Task(
                        section=sec.number,
                        summary=duty_summary(s, subj.verb_at),
                        lead=subj.lead,
                        coordinating=coordinating_in(s, subj.verb_at),
                        deadline=_time_in(s),
                        source="sentence",
                    )
                )
        # A numbered item whose own text is the assignment ("2.1. Sở X chủ trì …").
        head_subj = find_subject(sec.head.body)
        if head_subj is not None and not (sec.children and not sec.paras):
            out.append(
                Task(
                    section=sec.number,
                    summary=summarize(sec.head.body),
                    lead=head_subj.lead,
                    coordinating=coordinating_in(sec.head.body, head_subj.verb_at),
                    deadline=_time_in(sec.head.body),
                    source="sentence",
                )
            )
    return out


_GUIDANCE = re.compile(
    r"\b(?:đề nghị|yêu cầu)\s+(?P<who>(?:Ủy ban|UBND|Sở|Ban|Bộ|các|Các|Văn phòng|Thủ trưởng)\b.*)"
)


def guidance_addressee(layout: Layout) -> list[str] | None:
    """Rule T5: a preamble sentence that hands the numbered list to an addressee."""
    for i in reversed(layout.preamble):
        p = layout.paras[i]
        text = p.text.rstrip()
        if not text.endswith(":") or re.search(r"ban hành\s+(?:Kế hoạch|kế hoạch)", text):
            continue
        last = sentences(text)[-1]
        m = _GUIDANCE.search(fold(last))
        if not m:
            continue
        start = m.start("who")
        end = name_end(fold(last), start)
        who = split_agencies(last[start:end])
        if who:
            return who
    return None


def extract_tasks(layout: Layout) -> list[Task]:
    sections = layout.sections
    tcth = [s for s in sections if TCTH_RE.match(s.heading)]
    tcth_ids = {id(s) for root in tcth for s in _subtree(root)}
    purpose_ids = {id(s) for s in sections if PURPOSE_RE.match(s.heading)}
    purpose_all = {id(s) for s in sections if _in_any(s, purpose_ids)}

    blocks = block_tasks(layout, purpose_all)
    tasks = list(blocks)
    block_sections = {t.section for t in blocks}
    tasks.extend(implementation_tasks(layout, tcth))

    addressee = guidance_addressee(layout)
    if addressee:
        for sec in sections:
            if sec.children or id(sec) in tcth_ids or id(sec) in purpose_all:
                continue
            if sec.number in block_sections:
                continue
            tasks.append(
                Task(
                    section=sec.number,
                    summary=summarize(sec.head.body),
                    lead=list(addressee),
                    source="guidance",
                )
            )
    else:
        skip = {id(s) for s in sections if s.number in block_sections}
        skip |= purpose_all
        skip |= {id(s) for s in sections if id(s) in tcth_ids and s not in tcth}
        tasks.extend(sentence_tasks(layout, skip))
    return [t for t in tasks if t.lead and not all(is_generic(x) for x in t.lead)]
