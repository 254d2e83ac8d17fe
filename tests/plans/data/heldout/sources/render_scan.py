"""Render sources/e_phu_yen_scan.utf8.txt to an image-only PDF (a 'scan'): PNG page -> PDF."""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
DPI = 200
W, H = int(8.27 * DPI), int(11.69 * DPI)


def render(out_pdf: Path, out_png: Path | None = None) -> None:
    lines = (HERE / "e_phu_yen_scan.utf8.txt").read_text("utf-8").splitlines()
    img = Image.new("L", (W, H), 255)
    draw = ImageDraw.Draw(img)
    normal = ImageFont.truetype(FONT, 30)
    bold = ImageFont.truetype(BOLD, 30)
    y = 140
    header_done = False
    for raw in lines:
        if not raw.strip():
            y += 22
            continue
        is_bold = (
            raw.isupper()
            or raw.startswith(("I.", "II."))
            or (not header_done and raw.strip() in {"KẾ HOẠCH"})
        )
        font = bold if is_bold else normal
        if raw.startswith("Số:"):
            header_done = True
        if "   " in raw:  # two-column header line: left block and right block
            left, right = [p.strip() for p in [*raw.split("   ", 1)[0:1], raw.split("   ", 1)[1]]]
            draw.text((150, y), left, font=bold if left.isupper() else normal, fill=0)
            draw.text(
                (700, y), right.strip(), font=bold if right.strip().isupper() else normal, fill=0
            )
        elif header_done and (
            raw.strip() == "KẾ HOẠCH" or raw.startswith(("Tổ chức Hội nghị", "tỉnh Phú Yên với"))
        ):
            tw = draw.textlength(raw, font=bold)
            draw.text(((W - tw) / 2, y), raw, font=bold, fill=0)
        else:
            draw.text((150, y), raw, font=font, fill=0)
        y += 46
    img = img.rotate(0.4, fillcolor=255, resample=Image.BICUBIC).filter(
        ImageFilter.GaussianBlur(0.6)
    )
    if out_png:
        img.save(out_png)
    img.convert("RGB").save(out_pdf, "PDF", resolution=DPI)


if __name__ == "__main__":
    render(HERE.parent / "e_phu_yen_scan.pdf", Path("/tmp/e_phu_yen_scan.png"))
