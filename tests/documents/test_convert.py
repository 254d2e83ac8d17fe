"""DOCX → PDF through LibreOffice, and a look at the first page.

Skipped when LibreOffice is absent on a developer machine; in CI (CI=true) a missing
LibreOffice fails the run. Debian packages: libreoffice-writer-nogui fonts-liberation2
(and poppler-utils for the page image).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pdfminer.high_level import extract_text
from pypdf import PdfReader

from ttdn.documents.convert import LibreOfficeNotFound, find_libreoffice, to_pdf
from ttdn.documents.docx import render_docx

from .sample import sample_report

IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    if find_libreoffice() is None:
        if IN_CI:
            pytest.fail("LibreOffice is required in CI (apt: libreoffice-writer-nogui)")
        pytest.skip("LibreOffice is not installed")
    return to_pdf(render_docx(sample_report()))


def test_pdf_has_pages_and_motto(pdf_bytes: bytes) -> None:
    assert pdf_bytes.startswith(b"%PDF")
    pages = len(PdfReader(io.BytesIO(pdf_bytes)).pages)
    assert pages >= 1
    text = unicodedata.normalize("NFC", extract_text(io.BytesIO(pdf_bytes)))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Tuyên Quang, ngày 15 tháng 11 năm 2026" in text
    assert "Nơi nhận:" in text


def test_first_page_image(pdf_bytes: bytes, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        if IN_CI:
            pytest.fail("pdftoppm is required in CI (apt: poppler-utils)")
        pytest.skip("poppler-utils is not installed")
    src = tmp_path / "report.pdf"
    src.write_bytes(pdf_bytes)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "50",
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            src,
            tmp_path / "page1",
        ],
        check=True,
        timeout=60,
    )
    from PIL import Image

    img = Image.open(tmp_path / "page1.png")
    # A4 portrait: 210 x 297 mm.
    assert img.height / img.width == pytest.approx(297 / 210, rel=0.01)


def test_missing_libreoffice_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTDN_SOFFICE", "/nonexistent/soffice")
    with pytest.raises(LibreOfficeNotFound, match="apt-get install"):
        to_pdf(b"PK")
