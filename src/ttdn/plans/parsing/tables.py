"""Task tables: "STT | Nội dung nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian …".

Tables reach us as Markdown pipe rows, as rows rebuilt from Word tables, or from PDF table
detection (all three become ``Para`` objects with ``cells``). Columns are recognised by their
header words, not their position; group rows ("I", "II", "A" with no agency) name the group
that the following task rows belong to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .agencies import split_agencies
from .normalize import Para, clean_value, fold
from .structure import Layout
from .tasks import Task, summarize

_COLUMNS = [
    ("stt", re.compile(r"^(?:STT|TT|Số TT|Số thứ tự)$", re.I)),
    ("lead", re.compile(r"chủ\s*trì|thực hiện chính|đơn vị thực hiện|cơ quan thực hiện", re.I)),
    ("coord", re.compile(r"phối\s*hợp", re.I)),
    ("time", re.compile(r"thời\s*gian|thời hạn|tiến độ", re.I)),
    ("product", re.compile(r"sản phẩm|kết quả", re.I)),
    ("budget", re.compile(r"kinh phí|dự toán|nguồn", re.I)),
    ("note", re.compile(r"ghi chú", re.I)),
    ("content", re.compile(r"nội dung|nhiệm vụ|hoạt động|tên|công việc|đề án|chương trình", re.I)),
]
_ROMAN = re.compile(r"^(?:X{0,3})(?:IX|IV|V?I{0,3})$")
_COLUMN_NUMBERS = re.compile(r"^\(?\d{1,2}\)?$")


@dataclass
class Columns:
    index: dict[str, int]

    def get(self, row: list[str], name: str) -> str:
        i = self.index.get(name)
        if i is None or i >= len(row):
            return ""
        # Agencies written one per line inside a cell are a list, not one long name.
        joiner = "; " if name in ("lead", "coord") else " "
        return clean_value(re.sub(r"\s*<br\s*/?>\s*", joiner, row[i]))


def _columns(row: list[str]) -> Columns | None:
    index: dict[str, int] = {}
    for i, cell in enumerate(row):
        key = fold(clean_value(cell))
        for name, pattern in _COLUMNS:
            if name not in index and pattern.search(key):
                index[name] = i
                break
    return _complete(index)


def _complete(index: dict[str, int]) -> Columns | None:
    if "lead" in index and ("content" in index or "stt" in index):
        if "content" not in index:
            index["content"] = index.get("stt", -1) + 1
        return Columns(index)
    return None


def _sub_header(cols: Columns, row: list[str]) -> Columns | None:
    """A second header row under a merged cell ("Đơn vị thực hiện" over "Chủ trì | Phối hợp")
    names the columns it spans: its roles replace the merged one's."""
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        key = fold(clean_value(cell))
        if not key:
            continue
        role = next((name for name, pattern in _COLUMNS if pattern.search(key)), None)
        if role is None or role in ("stt", "content") or _COLUMN_NUMBERS.match(key):
            return None
        found[role] = i
    if "lead" not in found:
        return None
    index = {k: v for k, v in cols.index.items() if k not in found}
    index.update(found)
    return _complete(index)


def _is_group(stt: str) -> bool:
    return bool(stt) and (
        (bool(_ROMAN.match(stt.upper())) and stt.isupper()) or bool(re.fullmatch(r"[A-Z]", stt))
    )


def _tables(layout: Layout) -> list[tuple[int, list[Para]]]:
    out: list[tuple[int, list[Para]]] = []
    current: list[Para] = []
    start = 0
    for i, p in enumerate(layout.paras):
        if p.cells is not None:
            if not current:
                start = i
            current.append(p)
        elif current:
            out.append((start, current))
            current = []
    if current:
        out.append((start, current))
    return out


def table_tasks(layout: Layout) -> list[Task]:
    """Task rows of every task table.

    A table inside the body belongs to the innermost section holding it (T1a/T3); a table
    after the body (an appendix printed after the recipients and the signature) belongs to
    no section of the document, so its tasks get ``section`` null. Group rows ("A", "II")
    are not sections (S2): their label is kept as ``group``.
    """
    tasks: list[Task] = []
    for start, rows in _tables(layout):
        cols: Columns | None = None
        header_seen = False
        group: str | None = None
        group_heading: str | None = None
        in_body = layout.body_start <= start < layout.body_end
        owner = layout.owner.get(start) if in_body else None
        for row_para in rows:
            row = row_para.cells or []
            if cols is None:
                cols = _columns(row)
                continue
            if not header_seen:
                header_seen = True
                sub = _sub_header(cols, row)
                if sub is not None:
                    cols = sub
                    continue
            if all(_COLUMN_NUMBERS.match(c.strip()) or not c.strip() for c in row):
                continue  # "(1) | (2) | (3)" under the header
            stt = cols.get(row, "stt")
            content = cols.get(row, "content")
            lead_text = cols.get(row, "lead")
            others = [clean_value(c) for i, c in enumerate(row) if i != cols.index.get("stt")]
            others = [c for c in others if c]
            if _is_group(stt) and len(others) <= 1:
                # A group row: its title sits in whichever cell the merge left it.
                group, group_heading = stt, (others[0] if others else None)
                continue
            if not lead_text:
                continue
            lead = split_agencies(lead_text)
            if not lead:
                continue
            task = Task(
                section=owner.number if owner is not None else None,
                summary=summarize(content),
                lead=lead,
                coordinating=split_agencies(cols.get(row, "coord")),
                deadline=cols.get(row, "time") or None,
                source="table",
            )
            if stt:
                task.extra["row"] = stt
            if group:
                task.extra["group"] = group
                if group_heading:
                    task.extra["group_heading"] = group_heading
            if not in_body:
                task.extra["appendix"] = True
            product = cols.get(row, "product")
            if product:
                task.extra["outputs"] = product
            tasks.append(task)
    return tasks
