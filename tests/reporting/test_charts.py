"""SVG charts: accessible (title, desc, text labels), no inline style, escaped labels."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ttdn.reporting.charts import Bar, hbar_chart, line_chart, progress_bar

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def test_bar_chart_has_title_desc_labels_and_proportional_bars():
    svg = hbar_chart([Bar("Sở Ngoại vụ", 3, 4), Bar("Báo <tỉnh>", 1, 2)], "Hoàn thành")
    root = _parse(svg)
    assert root.attrib["role"] == "img"
    assert root.find(f"{SVG}title").text == "Hoàn thành"
    assert "Sở Ngoại vụ: 3/4" in root.find(f"{SVG}desc").text
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Báo <tỉnh>" in texts and "3/4" in texts  # escaped in markup, intact when parsed
    bars = [r for r in root.iter(f"{SVG}rect") if r.attrib.get("class") == "bar"]
    widths = [float(b.attrib["width"]) for b in bars]
    assert [b.attrib["data-value"] for b in bars] == ["3", "1"]
    assert widths[0] == 3 * widths[1]
    assert "style=" not in svg


def test_line_chart_writes_every_value():
    svg = line_chart([("01/2026", 2), ("02/2026", 5), ("03/2026", 0)], "Quá hạn")
    root = _parse(svg)
    points = [c.attrib["data-value"] for c in root.iter(f"{SVG}circle")]
    assert points == ["2", "5", "0"]
    assert "02/2026: 5" in root.find(f"{SVG}desc").text
    assert "style=" not in svg


def test_progress_bar_and_empty_inputs():
    svg = progress_bar(3, 12, "Báo cáo")
    assert "3/12 (25%)" in svg
    root = _parse(svg)
    inner = next(r for r in root.iter(f"{SVG}rect") if r.attrib.get("class") == "bar")
    track = next(iter(root.iter(f"{SVG}rect")))
    assert float(inner.attrib["width"]) == float(track.attrib["width"]) / 4
    assert "0/0 (0%)" in progress_bar(0, 0, "x")
    _parse(hbar_chart([], "empty"))
    _parse(line_chart([], "empty"))


def test_each_chart_gets_unique_ids():
    a, b = progress_bar(1, 2, "a"), progress_bar(1, 2, "b")
    ids_a = set(re.findall(r'id="([^"]+)"', a))
    ids_b = set(re.findall(r'id="([^"]+)"', b))
    assert ids_a and not ids_a & ids_b
