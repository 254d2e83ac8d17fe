"""Document layout: header, title, preamble, numbered sections, closing and appendices.

Turns the paragraph list from :mod:`normalize` into a :class:`Layout`. Section numbers follow
rule S3 of the annotation guide: the path of labels from the top (``II.2.1.a``), where the
numbering style decides the level (Roman › Arabic/decimal › parenthesised › letter) and the
first appearance of a style below another makes it a child, whatever the Markdown level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .normalize import UP, Para, clean_value

TITLE_RE = re.compile(
    r"^(?:KẾ HOẠCH|CHƯƠNG TRÌNH|ĐỀ ÁN|HƯỚNG DẪN|PHƯƠNG ÁN)(?:\s+(?:HÀNH ĐỘNG|CÔNG TÁC))?\b"
)
BODY_END_RE = re.compile(
    rf"^(?:Nơi nhận|NƠI NHẬN|(?:TM|KT|Q|TL|TUQ)\.\s*{UP}|Trân trọng|TRÂN TRỌNG)"
)
APPENDIX_RE = re.compile(r"^(?:PHỤ LỤC|Phụ lục)\b(?!\s+(?:danh mục\s+)?[^\n]{0,80}đính kèm)")
TABLE_HEAD_RE = re.compile(r"^STT\b|^TT\s+(?:Nội dung|Tên)", re.I)
PREAMBLE_START_RE = re.compile(r"^(?:Căn cứ|Thực hiện|Triển khai|Theo đề nghị|Xét đề nghị)\b")
CLOSING_RE = re.compile(
    r"^(?:Trên đây|Trong quá trình|Yêu cầu (?:các|thủ trưởng|Thủ trưởng)|\(Có Phụ lục|"
    r"Quá trình triển khai|Định kỳ)"
)
_SENTENCE_END = re.compile(rf"(?<!\bTP)(?<!\bTT)(?<!\bv\.v)\.\s+(?=[\"“(]?{UP})")
_COLON = re.compile(r":")
_TRAILING_NHU = re.compile(r"\s+như$")


@dataclass
class Section:
    """A numbered section: its path, heading and the paragraphs it holds directly."""

    number: str
    heading: str
    head: Para
    index: int  # position of the label paragraph in ``Layout.paras``
    parent: Section | None = None
    children: list[Section] = field(default_factory=list)
    paras: list[int] = field(default_factory=list)  # indexes of body paragraphs

    def ancestors(self) -> list[Section]:
        out: list[Section] = []
        node = self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out


@dataclass
class Layout:
    paras: list[Para]
    title_index: int | None
    preamble: list[int]
    body_start: int
    body_end: int
    sections: list[Section]
    owner: dict[int, Section]  # paragraph index → innermost section holding it
    appendix_start: int | None
    header: list[int]
    subtitle_index: int | None = None


def heading_of(body: str) -> str:
    """Rule S5: the label's text up to the first colon or sentence end."""
    text = body
    m = _COLON.search(text)
    cut = m.start() if m else len(text)
    s = _SENTENCE_END.search(text)
    if s and s.start() < cut:
        cut = s.start()
    heading = clean_value(text[:cut])
    return _TRAILING_NHU.sub("", heading)


def _find_title(paras: list[Para]) -> int | None:
    for i, p in enumerate(paras[:60]):
        if p.label is None and TITLE_RE.match(p.text) and (p.caps or len(p.text) < 20):
            return i
        if p.label is None and TITLE_RE.match(p.text) and p.text[:8].isupper():
            return i
    return None


def build_layout(paras: list[Para]) -> Layout:
    """Locate the parts of the document and number its sections."""
    title_index = _find_title(paras)
    subtitle_index: int | None = None
    start = (title_index + 1) if title_index is not None else 0
    # The first numbered label after the title opens the body; before it is the preamble.
    body_start = len(paras)
    for i in range(start, len(paras)):
        p = paras[i]
        if p.label is not None and p.label.style in ("roman", "arabic", "decimal"):
            body_start = i
            break
        if BODY_END_RE.match(p.text):
            break
    if title_index is None:
        # No "KẾ HOẠCH" line (letters, drafts): the preamble opens with its first clause.
        start = next(
            (i for i in range(body_start) if PREAMBLE_START_RE.match(paras[i].text)),
            min(body_start, 12),
        )
        header = list(range(start))
    else:
        header = list(range(title_index))
        # The subtitle printed under "KẾ HOẠCH" is not part of the preamble.
        nxt = paras[start] if start < body_start else None
        if (
            nxt is not None
            and not re.match(r"^Căn cứ\b", nxt.text)
            # "Thực hiện công tác …" is a subtitle; "Thực hiện Kế hoạch số 57-KH/TU" a clause.
            and not (re.match(r"^Thực hiện\b", nxt.text) and re.search(r"\d+\s*[/-]", nxt.text))
            and nxt.cells is None
            and len(paras[title_index].text.split()) <= 3
        ):
            subtitle_index = start
            start += 1
    preamble = [i for i in range(start, body_start) if paras[i].cells is None]

    body_end = len(paras)
    appendix_start: int | None = None
    for i in range(body_start, len(paras)):
        p = paras[i]
        if BODY_END_RE.match(p.text) or (
            (p.caps or p.bold or p.md_heading) and p.label is None and APPENDIX_RE.match(p.text)
        ):
            body_end = i
            break
    for i in range(body_end, len(paras)):
        if APPENDIX_RE.match(paras[i].text) and paras[i].label is None:
            appendix_start = i
            break

    sections: list[Section] = []
    owner: dict[int, Section] = {}
    stack: list[tuple[str, str, Section]] = []
    in_plain_table = False
    for i in range(body_start, body_end):
        p = paras[i]
        if p.cells is not None:
            if stack:
                owner[i] = stack[-1][2]
                stack[-1][2].paras.append(i)
            continue
        if TABLE_HEAD_RE.match(p.text) and p.label is None:
            in_plain_table = True
        label = p.label
        if label is not None and in_plain_table and label.style != "roman":
            label = None  # rows of a table typed as text (S2: STT rows are not sections)
        if label is None or p.footnote is not None:
            if stack:
                owner[i] = stack[-1][2]
                stack[-1][2].paras.append(i)
            continue
        in_plain_table = False
        style, text = label.style, label.text
        if style == "roman":
            stack = []
        elif style in ("decimal", "arabic"):
            stack = [e for e in stack if e[0] == "roman"]
            if label.root is not None and [e[1] for e in stack] != [label.root]:
                # "II.1." names its Roman level itself: the path is the label as written.
                stack = [e for e in stack if e[0] == "roman" and e[1] == label.root]
                text = f"{label.root}.{text}" if not stack else text
        else:
            pos = next((k for k, e in enumerate(stack) if e[0] == style), None)
            if pos is not None:
                stack = stack[:pos]
        parent = stack[-1][2] if stack else None
        number = ".".join([e[1] for e in stack] + [text])
        section = Section(number=number, heading=heading_of(p.body), head=p, index=i, parent=parent)
        if parent is not None:
            parent.children.append(section)
        sections.append(section)
        owner[i] = section
        stack.append((style, text, section))
    return Layout(
        paras=paras,
        title_index=title_index,
        preamble=preamble,
        body_start=body_start,
        body_end=body_end,
        sections=sections,
        owner=owner,
        appendix_start=appendix_start,
        header=header,
        subtitle_index=subtitle_index,
    )
