"""The provincial report generated from a real campaign opens in LibreOffice."""

from __future__ import annotations

import io
import os
import shutil

import pytest
from docx import Document

from ttdn.core.demo import load_demo
from ttdn.reporting.models import ReportCampaign
from ttdn.reporting.report import render_report_docx


@pytest.mark.skipif(
    shutil.which("soffice") is None and os.environ.get("CI") != "true",
    reason="LibreOffice is not installed (scripts/test installs it)",
)
def test_demo_provincial_report_converts_to_pdf_with_the_decree_30_header(db):
    from pdfminer.high_level import extract_text

    from ttdn.documents.convert import to_pdf

    load_demo(progress=lambda _m: None)
    campaign = ReportCampaign.objects.get()
    docx = render_report_docx(campaign)
    fonts = {r.font.name for p in Document(io.BytesIO(docx)).paragraphs for r in p.runs}
    assert fonts <= {"Times New Roman", None}
    text = " ".join(extract_text(io.BytesIO(to_pdf(docx))).split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "BÁO CÁO" in text and "Nơi nhận" in text
    assert "Tuyên Quang, ngày" in text
