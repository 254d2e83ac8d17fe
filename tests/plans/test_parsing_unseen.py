"""Quality bars on plans the parser was not written against (tests/plans/data/unseen).

Six hand-written plans of other provinces and layouts, each with a gold annotation written
before the parser was run on it, following the shared annotation guide:

* ``a_gia_lai_table.md`` — post-2025 province, tasks in a Markdown pipe table with group rows;
* ``b_quang_ngai_labels.md`` — variant field labels ("Đơn vị chủ trì:", "Chủ trì:", …), bold
  Markdown headings;
* ``c_lang_son_prose.txt`` — assignments written as sentences ("Giao Sở … chủ trì …");
* ``d_ha_tinh_pdf.txt`` — PDF text layer: hard wraps, blank lines inside sentences, page
  numbers and a running header, a word split across a page break, old tone placement;
* ``e_can_tho_docx`` — a Word file built here from Python data (borderless header table,
  numbered headings, a task table);
* ``f_lao_cai_department.md`` — a department-level plan, blank number, footnoted bases,
  recurrence deadlines, "Đề nghị …" items.

The figures are computed with the shared scorer (imported by path; skipped when absent).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ttdn.plans.parsing import parse_file

REPO = Path(__file__).resolve().parents[2]
SCORER = REPO.parent / "shared" / "eval" / "score_plans.py"
DATA = Path(__file__).resolve().parent / "data" / "unseen"
DOCX_BASE = "e_can_tho_docx"

# --- the Word document, written at test time ------------------------------------------------

_HEADER_ROWS = [
    (
        "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ CẦN THƠ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
    ),
    ("Số: 18/KH-UBND", "Cần Thơ, ngày 16 tháng 01 năm 2026"),
]
_PREAMBLE = [
    "Căn cứ Nghị định số 72/2015/NĐ-CP ngày 07/9/2015 của Chính phủ về quản lý hoạt động "
    "thông tin đối ngoại;",
    "Căn cứ Quyết định số 1191/QĐ-TTg ngày 05/8/2020 của Thủ tướng Chính phủ phê duyệt Chiến "
    "lược thông tin đối ngoại giai đoạn 2021 - 2030;",
    "Thực hiện Kế hoạch số 45-KH/TU ngày 05/01/2026 của Ban Thường vụ Thành ủy về công tác "
    "thông tin đối ngoại năm 2026;",
    "Ủy ban nhân dân thành phố ban hành Kế hoạch thông tin đối ngoại năm 2026 như sau:",
]
_TASK_HEAD = (
    "STT",
    "Nội dung nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian thực hiện",
    "Sản phẩm",
)
_TASK_ROWS = [
    ("I", "Quảng bá hình ảnh thành phố sau hợp nhất", "", "", "", ""),
    (
        "1",
        "Tổ chức Diễn đàn hợp tác quốc tế vùng Đồng bằng sông Cửu Long",
        "Sở Ngoại vụ",
        "Sở Tài chính, Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch",
        "Quý III/2026",
        "01 diễn đàn",
    ),
    (
        "2",
        "Xuất bản ấn phẩm giới thiệu thành phố bằng tiếng Anh, tiếng Pháp, tiếng Hàn, tiếng Nhật",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Ngoại vụ",
        "Quý II/2026",
        "5.000 ấn phẩm",
    ),
    ("II", "Đấu tranh, phản bác thông tin sai trái", "", "", "", ""),
    (
        "3",
        "Xây dựng, vận hành nhóm phản ứng nhanh xử lý thông tin sai sự thật trên không gian mạng",
        "Công an thành phố",
        "Sở Văn hóa, Thể thao và Du lịch, Sở Khoa học và Công nghệ",
        "Thường xuyên",
        "Báo cáo hằng quý",
    ),
    (
        "4",
        "Tập huấn kỹ năng phát ngôn cho đội ngũ người phát ngôn của các xã, phường",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Ủy ban nhân dân các xã, phường",
        "Tháng 5/2026",
        "03 lớp tập huấn",
    ),
]
# (kind, text): "h1"/"h2" headings with typed labels, "p" body, "b" bold item, "-" bullet,
# "table" the task table.
_BODY: list[tuple[str, str]] = [
    ("h1", "I. MỤC ĐÍCH, YÊU CẦU"),
    (
        "-",
        "Giới thiệu hình ảnh thành phố Cần Thơ sau hợp nhất là trung tâm của vùng Đồng bằng "
        "sông Cửu Long, thu hút đầu tư và du khách quốc tế.",
    ),
    (
        "-",
        "Sở Văn hóa, Thể thao và Du lịch và các sở, ngành bảo đảm thông tin chính xác, kịp "
        "thời, đúng định hướng.",
    ),
    ("h1", "II. NHIỆM VỤ TRỌNG TÂM"),
    ("h2", "1. Nhiệm vụ thường xuyên"),
    (
        "p",
        "Sở Văn hóa, Thể thao và Du lịch chủ trì, phối hợp với Sở Ngoại vụ duy trì chuyên trang "
        "thông tin đối ngoại trên Cổng Thông tin điện tử thành phố bằng tiếng Anh.",
    ),
    ("h2", "2. Nhiệm vụ cụ thể"),
    ("p", "Các nhiệm vụ cụ thể được phân công theo bảng sau:"),
    ("table", ""),
    ("h1", "III. TỔ CHỨC THỰC HIỆN"),
    ("b", "1. Sở Văn hóa, Thể thao và Du lịch"),
    (
        "p",
        "Là cơ quan thường trực, theo dõi, hướng dẫn các cơ quan, đơn vị triển khai Kế hoạch; "
        "tổng hợp, báo cáo Ủy ban nhân dân thành phố trước ngày 15/12/2026.",
    ),
    ("b", "2. Sở Ngoại vụ"),
    (
        "p",
        "Chủ trì, phối hợp với Công an thành phố quản lý hoạt động của phóng viên nước ngoài "
        "trên địa bàn thành phố.",
    ),
    ("b", "3. Các sở, ban, ngành thành phố; Ủy ban nhân dân các xã, phường"),
    (
        "p",
        "Triển khai thực hiện Kế hoạch; báo cáo kết quả thực hiện về Sở Văn hóa, Thể thao và "
        "Du lịch trước ngày 30/11/2026.",
    ),
    (
        "b",
        "4. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam thành phố và các tổ chức chính trị - xã "
        "hội thành phố",
    ),
    (
        "p",
        "Phối hợp tuyên truyền, vận động đoàn viên, hội viên tham gia quảng bá hình ảnh thành phố.",
    ),
]
_SIGNATURE = (
    "Nơi nhận:\n- Bộ Văn hóa, Thể thao và Du lịch;\n- TT Thành ủy;\n- Lưu: VT.",
    "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\n\nTrần Văn Lâu",
)


def build_docx(path: Path) -> Path:
    """Write the Cần Thơ plan as a Word file the way offices lay it out."""
    docx = pytest.importorskip("docx")
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = docx.Document()
    header = doc.add_table(rows=len(_HEADER_ROWS), cols=2)  # default style: no borders
    for r, (left, right) in enumerate(_HEADER_ROWS):
        header.cell(r, 0).text = left
        header.cell(r, 1).text = right
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("KẾ HOẠCH").bold = True
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.add_run("Thông tin đối ngoại thành phố Cần Thơ năm 2026").bold = True
    for text in _PREAMBLE:
        doc.add_paragraph(text)
    for kind, text in _BODY:
        if kind == "h1":
            doc.add_heading(text, level=1)
        elif kind == "h2":
            doc.add_heading(text, level=2)
        elif kind == "b":
            doc.add_paragraph().add_run(text).bold = True
        elif kind == "-":
            doc.add_paragraph(f"- {text}")
        elif kind == "table":
            table = doc.add_table(rows=1 + len(_TASK_ROWS), cols=len(_TASK_HEAD))
            table.style = "Table Grid"
            for c, value in enumerate(_TASK_HEAD):
                table.cell(0, c).text = value
            for r, row in enumerate(_TASK_ROWS, start=1):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
        else:
            doc.add_paragraph(text)
    doc.add_paragraph(
        "Trên đây là Kế hoạch thông tin đối ngoại năm 2026 của Ủy ban nhân dân thành phố Cần Thơ./."
    )
    sign = doc.add_table(rows=1, cols=2)
    sign.cell(0, 0).text = _SIGNATURE[0]
    sign.cell(0, 1).text = _SIGNATURE[1]
    doc.save(str(path))
    return path


# --- scoring --------------------------------------------------------------------------------


def _scorer() -> ModuleType:
    if not SCORER.is_file():
        pytest.skip("shared scorer not present")
    spec = importlib.util.spec_from_file_location("score_plans", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _source(base: str, tmp_path: Path) -> Path:
    if base == DOCX_BASE:
        return build_docx(tmp_path / f"{base}.docx")
    found = [p for p in DATA.glob(f"{base}.*") if not p.name.endswith(".gold.json")]
    assert len(found) == 1, (base, found)
    return found[0]


def _golds() -> list[Path]:
    return sorted(DATA.glob("*.gold.json"))


def _parse(base: str, tmp_path: Path) -> dict[str, Any]:
    out = parse_file(_source(base, tmp_path))
    result: dict[str, Any] = json.loads(json.dumps(out, ensure_ascii=False))
    return result


def test_unseen_set_is_complete() -> None:
    golds = _golds()
    assert len(golds) >= 6
    for gold in golds:
        base = gold.name[: -len(".gold.json")]
        data = json.loads(gold.read_text("utf-8"))
        assert data["sections"] and data["tasks"], base
        if base != DOCX_BASE:
            assert any(p for p in DATA.glob(f"{base}.*") if not p.name.endswith(".gold.json"))


def test_scorer_bars_on_unseen(tmp_path: Path) -> None:
    scorer = _scorer()
    total: dict[str, int] = {}
    per_doc: dict[str, dict[str, float]] = {}
    for gold_path in _golds():
        base = gold_path.name[: -len(".gold.json")]
        counts = scorer.score(_parse(base, tmp_path), json.loads(gold_path.read_text("utf-8")))
        per_doc[base] = scorer.summarize(counts)
        for k, v in counts.items():
            total[k] = total.get(k, 0) + v
    figures = scorer.summarize(total)
    assert figures["section_f1"] >= 0.90, (figures, per_doc)
    assert figures["task_f1"] >= 0.85, (figures, per_doc)
    assert figures["lead_acc"] >= 0.85, (figures, per_doc)
    assert figures["legal_f1"] >= 0.90, (figures, per_doc)
    assert figures["header_acc"] >= 0.85, (figures, per_doc)


@pytest.mark.parametrize("base", [g.name[: -len(".gold.json")] for g in _golds()])
def test_each_unseen_document_parses(base: str, tmp_path: Path) -> None:
    """No single layout may collapse: every document yields most of its sections and tasks."""
    scorer = _scorer()
    gold = json.loads((DATA / f"{base}.gold.json").read_text("utf-8"))
    figures = scorer.summarize(scorer.score(_parse(base, tmp_path), gold))
    assert figures["section_f1"] >= 0.75, figures
    assert figures["task_f1"] >= 0.65, figures
