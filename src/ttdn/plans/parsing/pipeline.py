"""The parse pipeline: text → paragraphs → layout → header, sections, tasks → contract dict.

Each stage is a plain function over dataclasses, so stages can be tested and timed alone.
``parse_text`` is the pure part; ``parse_file`` adds file reading, decoding and the checks
that refuse documents (empty, classified, unreadable).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import EmptyDocument, UnreadableDocument
from .header import parse_header
from .normalize import to_paragraphs
from .secrecy import check_not_secret
from .structure import build_layout
from .tables import table_tasks
from .tasks import extract_tasks


def parse_text(text: str) -> dict[str, Any]:
    """Parse already-extracted plan text into the contract's JSON dict.

    Raises :class:`SecretDocumentError` for classified text: the refusal must hold whichever
    way the text reached us.
    """
    check_not_secret(text)
    paras = to_paragraphs(text)
    layout = build_layout(paras)
    header = parse_header(layout)
    tasks = extract_tasks(layout) + table_tasks(layout)
    result: dict[str, Any] = {
        "title": header.title,
        "number": header.number,
        "issuer": header.issuer,
        "issued_date": header.issued_date,
        "year": header.year,
        "legal_bases": header.legal_bases,
        "sections": [{"number": s.number, "heading": s.heading} for s in layout.sections],
        "tasks": [t.as_dict(header.year) for t in tasks],
        "report_deadline": header.report_deadline,
        "issue_place": header.issue_place,
        "signer": header.signer,
        "recipients": header.recipients,
    }
    return result


def check_text(text: str) -> None:
    """Refuse text that is empty, mostly garbage, or marked as a state secret."""
    if not text or not text.strip():
        raise EmptyDocument()
    sample = text[:20000]
    letters = sum(1 for c in sample if c.isalpha())
    controls = sum(1 for c in sample if (ord(c) < 32 and c not in "\n\r\t\f") or c == "\ufffd")
    visible = sum(1 for c in sample if not c.isspace())
    if visible and (letters / visible < 0.4 or controls / max(1, len(sample)) > 0.02):
        raise UnreadableDocument()


def parse_file(path: str | Path) -> dict[str, Any]:
    """Read a plan document (.txt, .md, .docx, .pdf, images) and parse it."""
    from .extract import extract_text

    text = extract_text(path)
    check_text(text)
    return parse_text(text)
