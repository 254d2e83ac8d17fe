"""Charts come out as small PNGs (matplotlib, Agg)."""

from __future__ import annotations

from io import BytesIO

from PIL import Image

from ttdn.documents.charts import bar_chart_png, line_chart_png

PNG = b"\x89PNG\r\n\x1a\n"


def test_bar_chart() -> None:
    for horizontal in (False, True):
        png = bar_chart_png(
            ["Hội nghị", "Ấn phẩm", "Tin, bài"], [4, 2, 134.5], "Kết quả", horizontal=horizontal
        )
        assert png.startswith(PNG)
        assert len(png) < 300_000
        img = Image.open(BytesIO(png))
        assert img.width > img.height


def test_line_chart() -> None:
    png = line_chart_png(
        ["T1", "T2", "T3"],
        {"Tích cực": [1, 2, 3], "Tiêu cực": [0, None, 1]},
        "Xu hướng dư luận báo chí",
    )
    assert png.startswith(PNG)
