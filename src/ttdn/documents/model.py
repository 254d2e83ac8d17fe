"""The document model: what a generated administrative document contains, independent of
the output format.

Reporting code builds an :class:`AdminDocument` (header fields, a list of body blocks,
recipients and the signature block) and hands it to :func:`ttdn.documents.docx.render_docx`.
Field names follow the components of an administrative document listed in Decree
30/2020/NĐ-CP, Article 8 (tên cơ quan ban hành, số và ký hiệu, địa danh và thời gian,
tên loại và trích yếu, nội dung, chức vụ và họ tên người ký, nơi nhận).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as _date

Cell = str | int | float | None


@dataclass(frozen=True, slots=True)
class Heading:
    """A numbered heading. ``text`` carries its own number ("I. KẾT QUẢ", "1. Công tác…",
    "a) Về…"); ``level`` 1 = phần/mục (Roman numeral), 2 = khoản (Arabic numeral),
    3 = điểm (letter), per Decree 30 Appendix I, point II.6."""

    text: str
    level: int = 1


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A body paragraph; ``**bold**`` and ``*italic*`` inline markers are honoured."""

    text: str


@dataclass(frozen=True, slots=True)
class Bullet:
    """A list item, rendered the Vietnamese administrative way: a paragraph starting "- "."""

    text: str


@dataclass(frozen=True, slots=True)
class Table:
    """A data table with a header row. ``widths_cm`` (one per column) defaults to an even
    split of the text width; ``caption`` is printed above the table."""

    columns: list[str]
    rows: list[list[Cell]]
    widths_cm: list[float] | None = None
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class Chart:
    """A PNG image inserted centred, with its caption below."""

    png: bytes
    caption: str | None = None
    width_cm: float = 15.0


Block = Heading | Paragraph | Bullet | Table | Chart


@dataclass(slots=True)
class AdminDocument:
    """An administrative document (văn bản hành chính).

    ``number`` is the full number and symbol ("123/BC-UBND"); when it is ``None`` the number
    is left blank for the clerk (văn thư) to fill in ("Số:      /BC-UBND"), using ``symbol``
    for the part after the slash. ``date`` ``None`` likewise leaves day and month blank
    ("ngày    tháng    năm 2026", the year from ``year`` or today).

    ``issuer`` and ``issuer_parent`` may contain "\\n" to force a line break (e.g.
    "ỦY BAN NHÂN DÂN\\nTỈNH TUYÊN QUANG"). ``addressees`` adds a "Kính gửi:" line under the
    title, as reports to a superior body often have.

    ``recipients`` are the "Nơi nhận" lines without the leading "- " and trailing ";" (both
    are added); a line starting with "Lưu" ends with "." and, when there is none, "Lưu: VT."
    is appended, as Decree 30 Appendix I, point II.9 requires.
    """

    issuer_parent: str | None
    issuer: str
    number: str | None
    kind: str
    title: str
    place: str
    date: _date | None
    blocks: list[Block] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signer_authority: list[str] = field(default_factory=list)
    signer_name: str | None = None
    symbol: str = "BC-UBND"
    year: int | None = None
    addressees: list[str] = field(default_factory=list)
