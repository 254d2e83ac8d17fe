"""Small server-side SVG charts for the reporting pages: no JavaScript, no inline style.

Each builder returns SVG markup (a ``SafeString``) with ``role="img"``, a ``<title>`` and a
``<desc>`` that says the data in words, and visible text labels on every bar or point, so
that a screen reader and a reader of a printed page both get the numbers. Colours are SVG
presentation attributes (the CSP forbids ``style=""``). The drawing scales to its
container through ``viewBox``; bars carry their label on a line of their own, so they
stay readable on a phone.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

INK = "#1d1d1f"
MUTED = "#5f6368"
TRACK = "#eceff1"
BAR = "#b3261e"
DONE = "#1e7e34"
LINE = "#1a5fb4"
WIDTH = 640

_ids = itertools.count(1)

Number = int | float | Decimal


@dataclass(frozen=True)
class Bar:
    """One bar: ``value`` out of ``total`` when a total is given (drawn over a track)."""

    label: str
    value: Number
    total: Number | None = None


def _fmt(v: Number) -> str:
    f = float(v)
    if f.is_integer():
        return f"{int(f):,}".replace(",", ".")
    return f"{f:,.1f}".replace(",", "\0").replace(".", ",").replace("\0", ".")


def _c(v: float) -> str:
    """A coordinate, to one decimal."""
    return f"{v:.1f}"


def _open(height: int, title: str, desc: str, css: str) -> SafeString:
    n = next(_ids)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="chart{}-t chart{}-d">'
        '<title id="chart{}-t">{}</title><desc id="chart{}-d">{}</desc>',
        css,
        WIDTH,
        height,
        n,
        n,
        n,
        title,
        n,
        desc,
    )


def hbar_chart(bars: Sequence[Bar], title: str, unit: str = "") -> SafeString:
    """A horizontal bar chart; each bar's label sits above it and its value after it."""
    row = 40
    height = max(row, row * len(bars)) + 4
    top = (
        max((float(b.total) if b.total is not None else float(b.value)) for b in bars)
        if bars
        else 0
    )
    scale = (WIDTH - 110) / top if top else 0.0
    desc = "; ".join(
        f"{b.label}: {_fmt(b.value)}"
        + (f"/{_fmt(b.total)}" if b.total is not None else "")
        + (f" {unit}" if unit else "")
        for b in bars
    )
    parts = [_open(height, title, desc, "chart chart-bars")]
    for i, b in enumerate(bars):
        y = i * row
        parts.append(
            format_html(
                '<text x="0" y="{}" font-size="13" fill="{}">{}</text>', y + 14, INK, b.label
            )
        )
        if b.total is not None:
            parts.append(
                format_html(
                    '<rect x="0" y="{}" width="{}" height="14" rx="3" fill="{}"/>',
                    y + 20,
                    _c(float(b.total) * scale),
                    TRACK,
                )
            )
        value_text = _fmt(b.value) + (f"/{_fmt(b.total)}" if b.total is not None else "")
        parts.append(
            format_html(
                '<rect class="bar" data-label="{}" data-value="{}" x="0" y="{}" width="{}" '
                'height="14" rx="3" fill="{}"/>',
                b.label,
                _fmt(b.value),
                y + 20,
                _c(float(b.value) * scale),
                DONE if b.total is not None else BAR,
            )
        )
        end = (float(b.total) if b.total is not None else float(b.value)) * scale
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" fill="{}">{}</text>',
                _c(end + 6),
                y + 32,
                MUTED,
                value_text,
            )
        )
    parts.append(mark_safe("</svg>"))
    return SafeString("".join(parts))


def line_chart(points: Sequence[tuple[str, Number]], title: str) -> SafeString:
    """A single-series line chart with the value written at each point."""
    height, left, bottom, top_pad = 220, 30, 30, 24
    n = len(points)
    top = max((float(v) for _, v in points), default=0.0) or 1.0
    step = (WIDTH - left - 20) / max(1, n - 1)
    plot_h = height - bottom - top_pad

    def xy(i: int, v: Number) -> tuple[float, float]:
        return left + i * step, top_pad + plot_h - float(v) / top * plot_h

    desc = "; ".join(f"{label}: {_fmt(v)}" for label, v in points)
    parts = [
        _open(height, title, desc, "chart chart-line"),
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
            left,
            top_pad + plot_h,
            WIDTH - 10,
            top_pad + plot_h,
            MUTED,
        ),
    ]
    coords = [xy(i, v) for i, (_, v) in enumerate(points)]
    if coords:
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
                " ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
                LINE,
            )
        )
    parts.append(
        format_html_join(
            "",
            '<circle class="point" data-label="{}" data-value="{}" cx="{}" cy="{}" '
            'r="3.5" fill="{}"/><text x="{}" y="{}" font-size="11" fill="{}" '
            'text-anchor="middle">{}</text><text x="{}" y="{}" font-size="11" fill="{}" '
            'text-anchor="middle">{}</text>',
            (
                (
                    label,
                    _fmt(v),
                    _c(x),
                    _c(y),
                    LINE,
                    _c(x),
                    _c(y - 8),
                    INK,
                    _fmt(v),
                    _c(x),
                    height - 10,
                    MUTED,
                    label,
                )
                for (label, v), (x, y) in zip(points, coords, strict=True)
            ),
        )
    )
    parts.append(mark_safe("</svg>"))
    return SafeString("".join(parts))


def progress_bar(done: int, total: int, title: str) -> SafeString:
    """``done`` of ``total`` as a bar with the numbers written beside it."""
    share = done / total if total else 0.0
    text = f"{done}/{total} ({round(share * 100)}%)"
    inner = WIDTH - 130
    return SafeString(
        "".join(
            [
                _open(28, title, f"{title}: {text}", "chart chart-progress"),
                format_html(
                    '<rect x="0" y="6" width="{}" height="16" rx="4" fill="{}"/>', inner, TRACK
                ),
                format_html(
                    '<rect class="bar" data-value="{}" data-total="{}" x="0" y="6" '
                    'width="{}" height="16" rx="4" fill="{}"/>',
                    done,
                    total,
                    _c(inner * share),
                    DONE,
                ),
                format_html(
                    '<text x="{}" y="19" font-size="13" fill="{}">{}</text>',
                    inner + 8,
                    INK,
                    text,
                ),
                mark_safe("</svg>"),
            ]
        )
    )
