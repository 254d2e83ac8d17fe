"""File → text for .txt/.md, .docx, .pdf and scanned pages (images, image-only PDFs).

The output is plain text in the shape the normaliser expects: one line per paragraph, task
tables as Markdown pipe rows, footnotes as "¹ …" lines. Word auto-numbering (which is not in
the paragraph text) is rebuilt from the numbering definitions so that "I.", "1.", "a)" labels
survive. Scans are read with the ``tesseract`` program (language ``vie``) when it is
installed; otherwise :class:`OcrUnavailable` tells the user what to send instead.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .encodings import detect_and_decode, fix_legacy_text
from .errors import (
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    OcrUnavailable,
    UnreadableDocument,
    UnsupportedFormat,
)

MAX_BYTES = 20 * 1024 * 1024
TEXT_EXT = {".txt", ".md", ".markdown", ".text", ".csv"}
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"}
_IMAGE_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"II*\x00",
    b"MM\x00*",
    b"BM",
    b"GIF87a",
    b"GIF89a",
)
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def extract_text(path: str | Path) -> str:
    """Read a document and return its text (see module docstring)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableDocument(
            "Không mở được tệp: tệp không tồn tại hoặc không đọc được."
        ) from exc
    if size > MAX_BYTES:
        raise DocumentTooLarge()
    if size == 0:
        raise EmptyDocument()
    data = path.read_bytes()
    kind = _sniff(path.suffix.lower(), data)
    if kind == "pdf":
        return _pdf_text(data)
    if kind == "docx":
        return _docx_text(data)
    if kind == "image":
        return _ocr_image_bytes(data, path.suffix.lower() or ".png")
    if kind == "text":
        if _looks_binary(data):
            raise UnreadableDocument()
        text, _encoding = detect_and_decode(data)
        return text
    raise UnsupportedFormat()


def _sniff(ext: str, data: bytes) -> str:
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                if "word/document.xml" in z.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
        return "other"
    if data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "image"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "other"  # legacy .doc/.xls: ask for .docx
    if ext in TEXT_EXT or ext == "" or ext not in IMAGE_EXT | {".pdf", ".docx", ".doc"}:
        return "text"
    if ext in (".pdf", ".docx"):
        raise UnreadableDocument()
    return "other"


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        sample.count(0) > len(sample) * 0.3
        and (sample[1::2].count(0) > len(sample) * 0.4 or sample[0::2].count(0) > len(sample) * 0.4)
    ):
        return False  # UTF-16
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) * 0.05


# --- Word -------------------------------------------------------------------------------


class _Numbering:
    """Rebuilds the visible labels of Word's automatic numbering ("1.", "a)", "I.")."""

    def __init__(self, doc: Any) -> None:
        self.formats: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            root = doc.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for a in root.findall(f"{_W}abstractNum"):
            levels: dict[int, tuple[str, str, int]] = {}
            for lvl in a.findall(f"{_W}lvl"):
                ilvl = int(lvl.get(f"{_W}ilvl", "0"))
                fmt = lvl.find(f"{_W}numFmt")
                txt = lvl.find(f"{_W}lvlText")
                start = lvl.find(f"{_W}start")
                levels[ilvl] = (
                    fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
                    txt.get(f"{_W}val", "") if txt is not None else "",
                    int(start.get(f"{_W}val", "1")) if start is not None else 1,
                )
            abstract[a.get(f"{_W}abstractNumId", "")] = levels
        for num in root.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(f"{_W}val", ""), {}).items():
                self.formats[(num.get(f"{_W}numId", ""), ilvl)] = spec

    @staticmethod
    def _render(fmt: str, n: int) -> str:
        if fmt in ("lowerLetter", "upperLetter"):
            s = chr(ord("a") + (n - 1) % 26)
            return s.upper() if fmt == "upperLetter" else s
        if fmt in ("upperRoman", "lowerRoman"):
            vals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
            out, rest = "", n
            for v, sym in vals:
                while rest >= v:
                    out, rest = out + sym, rest - v
            return out if fmt == "upperRoman" else out.lower()
        return str(n)

    def label(self, paragraph: Any) -> str:
        num_pr = None
        ppr = paragraph._p.pPr
        if ppr is not None and ppr.numPr is not None:
            num_pr = ppr.numPr
        else:
            # List styles ("List Number") carry the numbering in the style definition.
            style = paragraph.style
            while style is not None and num_pr is None:
                sppr = style.element.pPr
                if sppr is not None and sppr.numPr is not None:
                    num_pr = sppr.numPr
                style = style.base_style
        if num_pr is None:
            return ""
        num_id_el, ilvl_el = num_pr.numId, num_pr.ilvl
        if num_id_el is None:
            return ""
        num_id = str(num_id_el.val)
        ilvl = int(ilvl_el.val) if ilvl_el is not None else 0
        spec = self.formats.get((num_id, ilvl))
        if spec is None:
            return ""
        fmt, text, _start = spec
        if fmt == "bullet":
            return "-"
        if fmt == "none":
            return ""
        counters = self.counters.setdefault(num_id, [0] * 10)
        counters[ilvl] += 1
        for deeper in range(ilvl + 1, 10):
            counters[deeper] = 0
        label = text
        for lvl in range(ilvl + 1):
            lvl_spec = self.formats.get((num_id, lvl), ("decimal", "", 1))
            start = lvl_spec[2]
            value = counters[lvl] + start - 1 if counters[lvl] else start
            label = label.replace(f"%{lvl + 1}", self._render(lvl_spec[0], value))
        return label


def _paragraph_text(paragraph: Any, notes: list[str]) -> str:
    parts: list[str] = []
    for child in paragraph._p.iter():
        tag = child.tag
        if tag == f"{_W}t" and child.text:
            parts.append(child.text)
        elif tag == f"{_W}tab":
            parts.append(" ")
        elif tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif tag == f"{_W}footnoteReference":
            note_id = child.get(f"{_W}id", "")
            parts.append(note_id.translate(_SUPERSCRIPT))
            notes.append(note_id)
    return "".join(parts)


def _iter_block_items(doc: Any) -> Iterator[Any]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    body = doc.element.body
    for child in body.iterchildren():
        if child.tag == f"{_W}p":
            yield Paragraph(child, doc)
        elif child.tag == f"{_W}tbl":
            yield Table(child, doc)


def _table_lines(table: Any, numbering: _Numbering, notes: list[str]) -> list[str]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue  # merged cells repeat
            seen.add(id(cell._tc))
            texts = []
            for p in cell.paragraphs:
                t = _paragraph_text(p, notes).strip()
                lab = numbering.label(p)
                texts.append(f"{lab} {t}".strip() if lab and lab != "-" else t)
            for inner in cell.tables:
                texts.extend(_table_lines(inner, numbering, notes))
            cells.append("<br>".join(x.replace("\n", "<br>") for x in texts if x))
        rows.append(cells)
    lines = []
    for cells in rows:
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return lines


def _docx_text(data: bytes) -> str:
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - dependency is declared
        raise UnsupportedFormat("Máy chủ chưa cài thư viện đọc tệp Word (python-docx).") from exc
    try:
        doc = docx.Document(io.BytesIO(data))
    except Exception as exc:  # corrupted zip/XML: the library raises many kinds
        raise UnreadableDocument("Tệp Word bị hỏng, không mở được.") from exc
    numbering = _Numbering(doc)
    notes: list[str] = []
    lines: list[str] = []
    for block in _iter_block_items(doc):
        if block.__class__.__name__ == "Table":
            lines.append("")
            lines.extend(_table_lines(block, numbering, notes))
            lines.append("")
            continue
        text = _paragraph_text(block, notes)
        label = numbering.label(block)
        if label:
            text = f"{label} {text}"
        lines.append(text)
        lines.append("")
    lines.extend(_docx_footnotes(doc, set(notes)))
    text = "\n".join(lines)
    fixed, _legacy = fix_legacy_text(text)
    return fixed


def _docx_footnotes(doc: Any, wanted: set[str]) -> list[str]:
    if not wanted:
        return []
    from lxml import etree

    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/footnotes"):
            root = etree.fromstring(rel.target_part.blob)
            out = []
            for note in root.findall(f"{_W}footnote"):
                note_id = note.get(f"{_W}id", "")
                if note_id in wanted:
                    text = "".join(t.text or "" for t in note.iter(f"{_W}t")).strip()
                    out.append(f"{note_id.translate(_SUPERSCRIPT)} {text}")
            return out
    return []


# --- PDF --------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    try:
        from pdfminer.high_level import extract_text as pdf_extract
        from pdfminer.layout import LAParams
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
        from pdfminer.pdfparser import PDFSyntaxError
    except ImportError as exc:  # pragma: no cover - dependency is declared
        raise UnsupportedFormat("Máy chủ chưa cài thư viện đọc PDF (pdfminer.six).") from exc
    try:
        text = pdf_extract(io.BytesIO(data), laparams=LAParams(line_margin=0.3))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise EncryptedDocument() from exc
    except PDFSyntaxError as exc:
        raise UnreadableDocument("Tệp PDF bị hỏng, không mở được.") from exc
    except Exception as exc:  # pdfminer raises assorted errors on broken files
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise EncryptedDocument() from exc
        raise UnreadableDocument("Tệp PDF bị hỏng, không mở được.") from exc
    text = text.replace("\f", "\n")
    letters = sum(1 for c in text if c.isalpha())
    if letters < 200:
        # No usable text layer: a scan. Read the page images.
        ocr = _ocr_pdf_images(data)
        if ocr.strip():
            return ocr
    fixed, _legacy = fix_legacy_text(text)
    return fixed


def _ocr_pdf_images(data: bytes) -> str:
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise OcrUnavailable()
    try:
        from pypdf import PdfReader
    except ImportError as exc:  # pragma: no cover
        raise OcrUnavailable() from exc
    reader = PdfReader(io.BytesIO(data))
    pages: list[str] = []
    for page in reader.pages:
        for image in page.images:
            pages.append(_ocr_image_bytes(image.data, Path(image.name).suffix or ".png"))
    return "\n\n".join(pages)


def _ocr_image_bytes(data: bytes, suffix: str) -> str:
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise OcrUnavailable()
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "page" + suffix)
        with open(src, "wb") as fh:
            fh.write(data)
        proc = subprocess.run(
            [tesseract, src, "stdout", "-l", "vie", "--psm", "4"],
            capture_output=True,
            timeout=300,
            check=False,
        )
    if proc.returncode != 0:
        raise UnreadableDocument("Không nhận dạng được chữ trong ảnh (ảnh hỏng hoặc quá mờ).")
    return proc.stdout.decode("utf-8", errors="replace")
