"""Small PNG charts for reports (bar and line), drawn with matplotlib's Agg backend.

Labels are Vietnamese, so the font is DejaVu Sans, which matplotlib bundles and which covers
Vietnamese. Figures are built with the object API (``Figure`` + ``FigureCanvasAgg``), never
``pyplot``, so no global state or GUI backend is involved and the functions are safe to call
from worker threads. matplotlib is imported lazily: importing :mod:`ttdn.documents` stays
cheap for callers that never draw a chart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["bar_chart_png", "line_chart_png"]

# 16 cm x 8 cm at 200 dpi: sharp when printed at text width (16.5 cm) on A4.
_SIZE_IN = (16 / 2.54, 8 / 2.54)
_DPI = 200
_FONT = "DejaVu Sans"
_COLOURS = ("#1f4e79", "#c0504d", "#9bbb59", "#f79646", "#8064a2", "#4bacc6", "#7f7f7f")


def _figure() -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=_SIZE_IN, dpi=_DPI, layout="constrained")
    return fig


def _png(fig: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    out = BytesIO()
    fig.savefig(out, format="png", dpi=_DPI, metadata={"Software": None})
    return out.getvalue()


def _style(ax: object, title: str) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    ax.set_title(title, fontfamily=_FONT, fontsize=10, fontweight="bold")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)
    for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
        label.set_fontfamily(_FONT)
    # Category labels hang from the top of their bounding box by default, so a label with a
    # stacked Vietnamese diacritic ("Ấn phẩm") sits lower than its neighbours; align
    # unrotated labels on their baseline instead.
    xlabels = ax.get_xticklabels()
    if xlabels and all(lab.get_rotation() == 0 for lab in xlabels):
        ax.tick_params(axis="x", pad=10)
        for lab in xlabels:
            lab.set_verticalalignment("baseline")


def _num(v: float) -> str:
    """Vietnamese number style for value labels: 1.234 / 12,5."""
    s = f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


def bar_chart_png(
    labels: Sequence[str],
    values: Sequence[float],
    title: str,
    horizontal: bool = False,
) -> bytes:
    """A single-series bar chart with value labels, as PNG bytes."""
    fig = _figure()
    ax = fig.add_subplot()
    pos = list(range(len(labels)))
    vals = [float(v) for v in values]
    if horizontal:
        # First label on top, as a ranked list reads.
        pos = pos[::-1]
        bars = ax.barh(pos, vals, color=_COLOURS[0], height=0.6)
        ax.set_yticks(pos, list(labels))
        ax.grid(axis="x", alpha=0.3)
    else:
        bars = ax.bar(pos, vals, color=_COLOURS[0], width=0.6)
        ax.set_xticks(pos, list(labels))
        ax.grid(axis="y", alpha=0.3)
        if max((len(str(x)) for x in labels), default=0) * len(labels) > 80:
            for lab in ax.get_xticklabels():
                lab.set_rotation(30)
                lab.set_horizontalalignment("right")
    ax.set_axisbelow(True)
    ax.bar_label(bars, labels=[_num(v) for v in vals], fontsize=7, padding=2, fontfamily=_FONT)
    ax.margins(x=0.02, y=0.12) if not horizontal else ax.margins(x=0.12, y=0.02)
    _style(ax, title)
    return _png(fig)


def line_chart_png(
    x: Sequence[object],
    series: Mapping[str, Sequence[float | None]],
    title: str,
) -> bytes:
    """A multi-series line chart (one line per ``series`` entry, legend below), as PNG."""
    fig = _figure()
    ax = fig.add_subplot()
    xs = [str(v) for v in x]
    for i, (name, ys) in enumerate(series.items()):
        pts = [float("nan") if y is None else float(y) for y in ys]
        ax.plot(
            xs,
            pts,
            marker="o",
            markersize=3,
            linewidth=1.5,
            color=_COLOURS[i % len(_COLOURS)],
            label=name,
        )
    ax.grid(axis="y", alpha=0.3)
    if len(series) > 1 or any(series):
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncols=min(4, max(1, len(series))),
            frameon=False,
            prop={"family": _FONT, "size": 8},
        )
    if len(xs) > 12:
        for lab in ax.get_xticklabels():
            lab.set_rotation(45)
            lab.set_horizontalalignment("right")
    _style(ax, title)
    return _png(fig)
