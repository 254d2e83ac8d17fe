"""A sample provincial TTĐN annual report, shared by the document tests."""

from __future__ import annotations

from datetime import date

from ttdn.documents.charts import bar_chart_png
from ttdn.documents.model import AdminDocument, Block, Bullet, Chart, Heading, Paragraph, Table

TASKS: list[list[str | int | float | None]] = [
    [1, "Tổ chức hội nghị xúc tiến đầu tư và quảng bá hình ảnh tỉnh", "Sở Ngoại vụ", 4, 4, 100.0],
    [2, "Xuất bản ấn phẩm giới thiệu tỉnh bằng tiếng Anh, tiếng Trung", "Sở Văn hóa", 3, 2, 66.7],
    [3, "Tuyên truyền về biên giới, lãnh thổ trên báo chí", "Báo Tuyên Quang", 120, 134, 111.7],
    [4, "Đón, làm việc với phóng viên nước ngoài", "Sở Ngoại vụ", 10, 12, 120.0],
    [
        5,
        "Cập nhật Cổng thông tin điện tử phiên bản tiếng nước ngoài",
        "Văn phòng UBND",
        1200,
        1315,
        109.6,
    ],
]


def sample_blocks(repeat: int = 1) -> list[Block]:
    chart = bar_chart_png(
        ["Hội nghị", "Ấn phẩm", "Tin, bài", "Phóng viên", "Cổng TTĐT"],
        [4, 2, 134, 12, 131.5],
        "Kết quả thực hiện nhiệm vụ TTĐN năm 2026",
    )
    blocks: list[Block] = [
        Paragraph(
            "Thực hiện Quyết định số 1234/QĐ-UBND ngày 05 tháng 02 năm 2026 của Ủy ban nhân "
            "dân tỉnh về Kế hoạch thông tin đối ngoại năm 2026, Sở Ngoại vụ báo cáo kết quả "
            "thực hiện như sau:"
        ),
    ]
    for _ in range(repeat):
        blocks += [
            Heading("I. Kết quả thực hiện", 1),
            Heading("1. Công tác chỉ đạo, điều hành", 2),
            Paragraph(
                "Ủy ban nhân dân tỉnh đã ban hành **kế hoạch thông tin đối ngoại** năm 2026 "
                "và chỉ đạo các sở, ngành, địa phương triển khai đồng bộ, *đúng tiến độ*. "
                "Công tác phối hợp giữa các cơ quan được tăng cường, bảo đảm thông tin chính "
                "thống, kịp thời về tình hình kinh tế - xã hội của tỉnh tới bạn bè quốc tế."
            ),
            Heading("a) Về tuyên truyền trên báo chí", 3),
            Bullet("Đăng tải 134 tin, bài về chủ quyền biên giới, lãnh thổ;"),
            Bullet("Phối hợp với cơ quan báo chí trung ương thực hiện 12 phóng sự."),
            Heading("2. Kết quả thực hiện các nhiệm vụ cụ thể", 2),
            Table(
                columns=["STT", "Nhiệm vụ", "Đơn vị chủ trì", "Kế hoạch", "Thực hiện", "Tỷ lệ (%)"],
                rows=[list(r) for r in TASKS],
                widths_cm=[1.2, 6.3, 3.0, 2.0, 2.0, 2.0],
                caption="Bảng 1. Kết quả thực hiện nhiệm vụ thông tin đối ngoại năm 2026",
            ),
            Chart(chart, "Biểu đồ 1. Kết quả thực hiện các nhiệm vụ chính", 14.0),
            Heading("II. Tồn tại, hạn chế và nguyên nhân", 1),
            Paragraph(
                "Một số nhiệm vụ chưa hoàn thành đúng tiến độ do kinh phí được giao muộn; "
                "nguồn nhân lực làm công tác thông tin đối ngoại ở cấp xã còn mỏng."
            ),
            Heading("III. Phương hướng, nhiệm vụ năm 2027", 1),
            Paragraph(
                "Tiếp tục đổi mới nội dung, hình thức thông tin đối ngoại; đẩy mạnh chuyển "
                "đổi số, ứng dụng nền tảng số trong quảng bá hình ảnh tỉnh Tuyên Quang."
            ),
        ]
    return blocks


def sample_report(repeat: int = 1, *, dated: bool = True) -> AdminDocument:
    return AdminDocument(
        issuer_parent="UBND TỈNH TUYÊN QUANG",
        issuer="Sở Ngoại vụ",
        number="123/BC-SNgV" if dated else None,
        symbol="BC-SNgV",
        kind="Báo cáo",
        title="Kết quả thực hiện công tác thông tin đối ngoại năm 2026",
        place="Tuyên Quang",
        date=date(2026, 11, 15) if dated else None,
        year=2026,
        blocks=sample_blocks(repeat),
        recipients=[
            "Bộ Ngoại giao (b/c)",
            "Thường trực Tỉnh ủy (b/c)",
            "Chủ tịch, các PCT UBND tỉnh",
            "Ban Tuyên giáo và Dân vận Tỉnh ủy",
            "Lưu: VT, TTĐN",
        ],
        signer_authority=["KT. Giám đốc", "Phó Giám đốc"],
        signer_name="Nguyễn Văn An",
    )
