"""Charts drawn once as geometry, rendered as SVG for the pages and as ReportLab graphics for the
PDF, so both show the very same picture. No JavaScript: the page gets inline ``<svg>`` with a
``<title>`` and ``<desc>``; the data table beneath each chart carries the exact numbers.

Coordinates are in points with the origin top-left (as in SVG); the ReportLab renderer flips
them. A suppressed value is simply not drawn (a gap); the table says "<k" there."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from reportlab.graphics.shapes import Drawing, PolyLine, Rect, String
from reportlab.graphics.shapes import Line as RLLine
from reportlab.lib import colors

PALETTE = ("#00548a", "#c05600", "#2e7d32", "#6a1b9a", "#b00020")
INK = "#1b1b1b"
GRID = "#c8c8c8"
WIDTH, HEIGHT = 640.0, 260.0
LEFT, RIGHT, TOP, BOTTOM = 52.0, 12.0, 28.0, 46.0


@dataclass(frozen=True)
class Shape:
    kind: str  # rect | line | polyline | text
    points: tuple[float, ...]
    color: str = INK
    width: float = 1.0
    text: str = ""
    anchor: str = "start"
    size: float = 9.0


@dataclass
class Chart:
    title: str
    description: str
    width: float = WIDTH
    height: float = HEIGHT
    shapes: list[Shape] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (label, colour)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return float(step * exponent)
    return float(10 * exponent)


def _frame(chart: Chart, labels: Sequence[str], top: float, unit: str) -> tuple[float, float]:
    """Axes, horizontal grid and x labels; returns (plot width, plot height)."""
    plot_w = chart.width - LEFT - RIGHT
    plot_h = chart.height - TOP - BOTTOM
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        chart.shapes.append(Shape("line", (LEFT, y, LEFT + plot_w, y), GRID, 0.5))
        text = f"{value:.0%}" if unit == "share" else f"{value:,.0f}".replace(",", ".")
        chart.shapes.append(Shape("text", (LEFT - 4, y + 3), INK, text=text, anchor="end"))
    chart.shapes.append(Shape("line", (LEFT, TOP + plot_h, LEFT + plot_w, TOP + plot_h), INK))
    step = max(1, math.ceil(len(labels) / 12))
    for i, label in enumerate(labels):
        if i % step:
            continue
        x = LEFT + plot_w * (i + 0.5) / max(1, len(labels))
        chart.shapes.append(
            Shape("text", (x, TOP + plot_h + 14), INK, text=label, anchor="middle", size=8)
        )
    return plot_w, plot_h


def _legend(chart: Chart, names: Sequence[str]) -> None:
    x = LEFT
    for i, name in enumerate(names):
        colour = PALETTE[i % len(PALETTE)]
        chart.legend.append((name, colour))
        chart.shapes.append(Shape("rect", (x, chart.height - 16, 10, 10), colour))
        chart.shapes.append(Shape("text", (x + 14, chart.height - 7), INK, text=name))
        x += 24 + 6.5 * len(name)


def line_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    unit: str = "count",
) -> Chart:
    """One line per series; a missing (suppressed) value breaks the line."""
    chart = Chart(title, description)
    values = [v for _name, data in series for v in data if v is not None]
    top = 1.0 if unit == "share" else _nice_max(max(values, default=0))
    plot_w, plot_h = _frame(chart, labels, top, unit)
    for index, (_name, data) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        run: list[float] = []
        for i, value in enumerate([*data, None]):
            if value is None:
                if len(run) >= 4:
                    chart.shapes.append(Shape("polyline", tuple(run), colour, 2))
                elif len(run) == 2:
                    chart.shapes.append(Shape("rect", (run[0] - 2, run[1] - 2, 4, 4), colour))
                run = []
                continue
            x = LEFT + plot_w * (i + 0.5) / max(1, len(labels))
            y = TOP + plot_h - plot_h * min(value, top) / top
            run += [x, y]
    _legend(chart, [name for name, _data in series])
    return chart


def bar_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    stacked: bool = False,
    unit: str = "count",
) -> Chart:
    """Grouped (or stacked) vertical bars; a missing value leaves its bar out."""
    chart = Chart(title, description)
    if stacked:
        totals = [
            sum(v or 0 for v in column) for column in zip(*(d for _n, d in series), strict=True)
        ]
        top = 1.0 if unit == "share" else _nice_max(max(totals, default=0))
    else:
        values = [v for _name, data in series for v in data if v is not None]
        top = 1.0 if unit == "share" else _nice_max(max(values, default=0))
    plot_w, plot_h = _frame(chart, labels, top, unit)
    slot = plot_w / max(1, len(labels))
    groups = 1 if stacked else max(1, len(series))
    bar_w = slot * 0.8 / groups
    for i in range(len(labels)):
        base = TOP + plot_h
        for index, (_name, data) in enumerate(series):
            value = data[i]
            if value is None or value <= 0:
                continue
            height = plot_h * min(value, top) / top
            x = LEFT + slot * i + slot * 0.1 + (0 if stacked else bar_w * index)
            if stacked:
                base -= height
                y = base
            else:
                y = TOP + plot_h - height
            chart.shapes.append(Shape("rect", (x, y, bar_w, height), PALETTE[index % len(PALETTE)]))
    _legend(chart, [name for name, _data in series])
    return chart


# --- renderers ----------------------------------------------------------------------------


def to_svg(chart: Chart, element_id: str) -> str:
    """Inline SVG with role="img", a title and a description (accessible name)."""
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(element_id)}" class="chart" '
        f'viewBox="0 0 {chart.width:.0f} {chart.height:.0f}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(chart.description)}</desc>',
    ]
    for s in chart.shapes:
        p = s.points
        if s.kind == "rect":
            parts.append(
                f'<rect x="{p[0]:.1f}" y="{p[1]:.1f}" width="{p[2]:.1f}" height="{p[3]:.1f}" '
                f'fill="{s.color}"/>'
            )
        elif s.kind == "line":
            parts.append(
                f'<line x1="{p[0]:.1f}" y1="{p[1]:.1f}" x2="{p[2]:.1f}" y2="{p[3]:.1f}" '
                f'stroke="{s.color}" stroke-width="{s.width}"/>'
            )
        elif s.kind == "polyline":
            points = " ".join(f"{p[i]:.1f},{p[i + 1]:.1f}" for i in range(0, len(p), 2))
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{s.color}" '
                f'stroke-width="{s.width}"/>'
            )
        else:
            parts.append(
                f'<text x="{p[0]:.1f}" y="{p[1]:.1f}" font-size="{s.size}" fill="{s.color}" '
                f'text-anchor="{s.anchor}">{escape(s.text)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def to_drawing(chart: Chart, scale: float = 0.75) -> Drawing:
    """The same shapes as a ReportLab drawing (y flipped), scaled to fit an A4 text width."""
    drawing = Drawing(chart.width * scale, chart.height * scale)

    def y(value: float) -> float:
        return (chart.height - value) * scale

    for s in chart.shapes:
        p = s.points
        colour = colors.HexColor(s.color)
        if s.kind == "rect":
            drawing.add(
                Rect(
                    p[0] * scale,
                    y(p[1] + p[3]),
                    p[2] * scale,
                    p[3] * scale,
                    fillColor=colour,
                    strokeColor=None,
                )
            )
        elif s.kind == "line":
            drawing.add(
                RLLine(
                    p[0] * scale,
                    y(p[1]),
                    p[2] * scale,
                    y(p[3]),
                    strokeColor=colour,
                    strokeWidth=s.width * scale,
                )
            )
        elif s.kind == "polyline":
            points = [
                coordinate
                for i in range(0, len(p), 2)
                for coordinate in (p[i] * scale, y(p[i + 1]))
            ]
            drawing.add(PolyLine(points, strokeColor=colour, strokeWidth=s.width * scale))
        else:
            drawing.add(
                String(
                    p[0] * scale,
                    y(p[1]),
                    s.text,
                    fontName="Helvetica",
                    fontSize=s.size * scale,
                    fillColor=colour,
                    textAnchor=s.anchor,
                )
            )
    return drawing
