"""Documents the parser must refuse, each with a plain Vietnamese one-line message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ttdn.plans import parsing
from ttdn.plans.parsing import (
    DocumentError,
    DocumentTooLarge,
    EmptyDocument,
    EncryptedDocument,
    OcrUnavailable,
    SecretDocumentError,
    UnreadableDocument,
    UnsupportedFormat,
    extract_text,
    parse_file,
)
from ttdn.plans.parsing.secrecy import secret_marking

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
PLAN = "KẾ HOẠCH\nThông tin đối ngoại năm 2024\n\nI. NỘI DUNG\n1. Tuyên truyền\n"


def _assert_message(err: DocumentError) -> None:
    assert err.message and "\n" not in err.message
    assert any(ch in err.message for ch in "ăâđêôơư")  # written in Vietnamese


@pytest.mark.parametrize("content", [b"", b"   \n\t  \n"])
def test_empty(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(EmptyDocument) as info:
        parse_file(path)
    _assert_message(info.value)


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "garbage.txt"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(UnreadableDocument) as info:
        parse_file(path)
    _assert_message(info.value)


def test_oversized_sparse_file(tmp_path: Path) -> None:
    path = tmp_path / "big.pdf"
    with open(path, "wb") as fh:
        fh.seek(20 * 1024 * 1024 + 1)
        fh.write(b"\0")
    with pytest.raises(DocumentTooLarge) as info:
        extract_text(path)
    _assert_message(info.value)


def test_legacy_word_format_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(UnsupportedFormat) as info:
        parse_file(path)
    _assert_message(info.value)


def _pdf_bytes(text: str) -> bytes:
    fpdf = pytest.importorskip("fpdf")
    if not FONT.exists():
        pytest.skip("DejaVuSans not installed")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=11)
    for line in text.splitlines():
        pdf.multi_cell(0, 6, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_encrypted_pdf(tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    import io

    reader = pypdf.PdfReader(io.BytesIO(_pdf_bytes(PLAN * 20)))
    writer = pypdf.PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="mat-khau", owner_password="chu-so-huu")
    path = tmp_path / "locked.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    with pytest.raises(EncryptedDocument) as info:
        parse_file(path)
    _assert_message(info.value)


# --- state-secret markings ----------------------------------------------------------------


@pytest.mark.parametrize("marking", ["MẬT", "TỐI MẬT", "TUYỆT MẬT", "**MẬT**", "[ TỐI MẬT ]"])
def test_secret_stamp_is_refused(tmp_path: Path, marking: str) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(f"ỦY BAN NHÂN DÂN\nTỈNH ĐIỆN BIÊN\n{marking}\nSố: 5/KH-UBND\n{PLAN}", "utf-8")
    with pytest.raises(SecretDocumentError) as info:
        parse_file(path)
    _assert_message(info.value)


def test_parse_text_refuses_secret_text_too() -> None:
    with pytest.raises(SecretDocumentError):
        parsing.parse_text("TỐI MẬT\n" + PLAN)


def test_secret_field_is_refused() -> None:
    assert secret_marking("Số: 5/KH-UBND\nĐộ mật: Tối mật\n" + PLAN) is not None
    assert secret_marking("Độ mật: Mật\n" + PLAN) is not None


@pytest.mark.parametrize(
    "prose",
    [
        "Mật độ dân số vùng biên giới thấp.",
        "Bảo vệ bí mật nhà nước theo quy định.",
        "Thực hiện nghiêm chế độ bảo mật thông tin.",
        "Không chia sẻ mật khẩu hộp thư công vụ.",
        "MẬT ĐỘ PHỦ SÓNG",
        "Chủ đề: TUYÊN TRUYỀN BẢO VỆ BÍ MẬT NHÀ NƯỚC",
        "Độ mật: không",
    ],
)
def test_prose_mentions_are_not_markings(prose: str) -> None:
    assert secret_marking(f"ỦY BAN NHÂN DÂN\n{prose}\n{PLAN}") is None


def test_seed_with_state_secret_prose_is_accepted() -> None:
    seeds = Path(__file__).resolve().parents[3] / "shared" / "seeds"
    files = sorted(seeds.glob("000_*.txt")) if seeds.is_dir() else []
    if not files:
        pytest.skip("seeds not present")
    assert "bí mật" in files[0].read_text("utf-8")
    assert parse_file(files[0])["tasks"]


# --- OCR ----------------------------------------------------------------------------------


def _png_of_text(path: Path, lines: list[str]) -> None:
    image_mod = pytest.importorskip("PIL.Image")
    draw_mod = pytest.importorskip("PIL.ImageDraw")
    font_mod = pytest.importorskip("PIL.ImageFont")
    if not FONT.exists():
        pytest.skip("DejaVuSans not installed")
    font = font_mod.truetype(str(FONT), 40)
    img = image_mod.new("RGB", (1800, 90 * len(lines) + 60), "white")
    draw = draw_mod.Draw(img)
    for i, line in enumerate(lines):
        draw.text((40, 30 + 90 * i), line, fill="black", font=font)
    img.save(path)


def test_image_without_tesseract_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "scan.png"
    _png_of_text(path, ["KẾ HOẠCH"])
    monkeypatch.setattr(parsing.extract.shutil, "which", lambda name: None)
    with pytest.raises(OcrUnavailable) as info:
        parse_file(path)
    _assert_message(info.value)
    assert "Tesseract" in info.value.message


def test_scanned_pdf_without_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fpdf = pytest.importorskip("fpdf")
    png = tmp_path / "page.png"
    _png_of_text(png, ["KẾ HOẠCH"])
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.image(str(png), x=10, y=10, w=180)
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    monkeypatch.setattr(parsing.extract.shutil, "which", lambda name: None)
    with pytest.raises(OcrUnavailable):
        parse_file(path)


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_ocr_reads_vietnamese_image(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    _png_of_text(
        path,
        [
            "Số: 15/KH-UBND",
            "KẾ HOẠCH",
            "Thông tin đối ngoại năm 2024",
            "I. MỤC ĐÍCH",
            "II. NỘI DUNG",
        ],
    )
    text = extract_text(path)
    assert "KẾ HOẠCH" in text
    out = parse_file(path)
    assert out["number"] == "15/KH-UBND"
    assert [s["number"] for s in out["sections"]] == ["I", "II"]
