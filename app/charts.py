"""Charts drawn once as geometry, rendered as SVG for the pages and as ReportLab graphics for the
PDF, so both show the very same picture. No JavaScript: the page gets inline ``<svg>`` with a
``<title>`` and ``<desc>``; the data table beneath each chart carries the exact numbers. Every
chart shown is also a download (``send_chart``): a standalone SVG file and a PNG image, drawn
from the same geometry, so the file is the page's picture.

Coordinates are in points with the origin top-left (as in SVG); the ReportLab renderer flips
them. A hidden (suppressed) value is never drawn as zero: its slot gets a grey dashed band with
its own title, and the legend says what the band means. ``None`` is "no value" (nothing to draw,
e.g. a median over nobody); ``HIDDEN`` is "there is a value, but it is not shown"."""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import reportlab
from flask import abort, send_file
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont
from reportlab.graphics.shapes import Drawing, PolyLine, Rect, String
from reportlab.graphics.shapes import Line as RLLine
from reportlab.lib import colors
from werkzeug.wrappers import Response

PALETTE = ("#00548a", "#c05600", "#2e7d32", "#6a1b9a", "#b00020")
INK = "#1b1b1b"
GRID = "#c8c8c8"
HIDDEN_FILL, HIDDEN_STROKE = "#ececec", "#6b6b6b"
WIDTH, HEIGHT = 640.0, 260.0
LEFT, RIGHT, TOP, BOTTOM = 52.0, 12.0, 28.0, 46.0
SVG_NS = "http://www.w3.org/2000/svg"
# The page's font (the body's in app/static/style.css), for the SVG file; the PNG has its own.
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
PNG_FONT = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
PNG_BOLD_FONT = PNG_FONT.with_name("VeraBd.ttf")
# A downloaded chart stands alone, without the page's heading: the files carry its title in a
# band above the drawing (the drawing itself is the page's, shifted down).
TITLE_BAND, TITLE_SIZE = 30.0, 13


class Hidden:
    """A value that exists but is not shown (suppressed): "<k" in tables, a band in charts."""

    def __repr__(self) -> str:
        return "Hidden"


HIDDEN = Hidden()
Value = float | None | Hidden


@dataclass(frozen=True)
class Shape:
    kind: str  # rect | line | polyline | text | hidden (a band with ``text`` as its title)
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
    source: str = ""  # the key of the data table the chart draws (kept with it in the PDF)


def nice_ticks(maximum: float, count: int = 5, whole: bool = True) -> list[float]:
    """Round tick values from 0 to at least ``maximum``: steps of 1, 2, 2.5 or 5 times a power
    of ten, about ``count`` ticks; whole numbers only when ``whole`` (counts of people)."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / (count - 1)
    exponent = 10.0 ** math.floor(math.log10(raw))
    step = next(f * exponent for f in (1, 2, 2.5, 5, 10) if f * exponent >= raw * (1 - 1e-9))
    if whole and step < 1:
        step = 1.0
    elif whole and step == 2.5:
        step = 5.0
    intervals = math.ceil(maximum / step - 1e-9)
    return [round(i * step, 10) for i in range(intervals + 1)]


def tick_label(value: float, unit: str) -> str:
    """A tick in the reader's language: "25%", "1.500" (nl) or "1,500" (en), "2,5"."""
    if unit == "share":
        return str(format_percent(value, "#,##0%"))
    if unit == "money":
        return "€ " + str(format_decimal(value, "#,##0"))
    return str(format_decimal(value, "#,##0.#"))


def _frame(
    chart: Chart, labels: Sequence[str], ticks: Sequence[float], unit: str
) -> tuple[float, float]:
    """Axes, a labelled horizontal grid line per tick and the x labels; returns (plot width,
    plot height)."""
    plot_w = chart.width - LEFT - RIGHT
    plot_h = chart.height - TOP - BOTTOM
    top = ticks[-1]
    for value in ticks:
        y = TOP + plot_h - plot_h * value / top
        chart.shapes.append(Shape("line", (LEFT, y, LEFT + plot_w, y), GRID, 0.5))
        chart.shapes.append(
            Shape("text", (LEFT - 4, y + 3), INK, text=tick_label(value, unit), anchor="end")
        )
    chart.shapes.append(Shape("line", (LEFT, TOP, LEFT, TOP + plot_h), INK))
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


def _ticks(values: Sequence[float], unit: str) -> list[float]:
    if unit == "share":
        return [0.0, 0.25, 0.5, 0.75, 1.0]
    return nice_ticks(max(values, default=0), whole=unit == "count")


def _hidden_band(chart: Chart, x: float, width: float, plot_h: float, title: str) -> None:
    chart.shapes.append(Shape("hidden", (x, TOP, width, plot_h), HIDDEN_STROKE, text=title))


def hidden_label() -> str:
    return _("verborgen")


def _legend(chart: Chart, names: Sequence[str]) -> None:
    """One swatch per series, and the hidden band's meaning when the chart has one (the
    description then says so too, for a screen reader)."""
    x = LEFT
    for i, name in enumerate(names):
        colour = PALETTE[i % len(PALETTE)]
        chart.legend.append((name, colour))
        chart.shapes.append(Shape("rect", (x, chart.height - 16, 10, 10), colour))
        chart.shapes.append(Shape("text", (x + 14, chart.height - 7), INK, text=name))
        x += 24 + 6.5 * len(name)
    if any(s.kind == "hidden" for s in chart.shapes):
        label = hidden_label()
        chart.legend.append((label, HIDDEN_STROKE))
        chart.shapes.append(Shape("hidden", (x, chart.height - 16, 10, 10), text=label))
        chart.shapes.append(Shape("text", (x + 14, chart.height - 7), INK, text=label))
        chart.description += " " + _(
            "Een grijs gestreept vlak staat voor een verborgen waarde (een klein aantal dat "
            "niet getoond wordt); het is geen nul."
        )


def _shown(values: Sequence[Value]) -> list[float]:
    return [v for v in values if isinstance(v, int | float)]


def line_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Value]]],
    unit: str = "count",
) -> Chart:
    """One line per series; a missing or hidden value breaks the line, and a hidden one gets
    its band."""
    chart = Chart(title, description)
    ticks = _ticks(_shown([v for _name, data in series for v in data]), unit)
    top = ticks[-1]
    plot_w, plot_h = _frame(chart, labels, ticks, unit)
    slot = plot_w / max(1, len(labels))
    for i, label in enumerate(labels):
        hidden = [name for name, data in series if isinstance(data[i], Hidden)]
        if hidden:
            title_text = f"{label}, {', '.join(hidden)}: {hidden_label()}"
            _hidden_band(chart, LEFT + slot * i + slot * 0.1, slot * 0.8, plot_h, title_text)
    for index, (_name, data) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        run: list[float] = []
        for i, value in enumerate([*data, None]):
            if not isinstance(value, int | float):
                if len(run) >= 4:
                    chart.shapes.append(Shape("polyline", tuple(run), colour, 2))
                elif len(run) == 2:
                    chart.shapes.append(Shape("rect", (run[0] - 2, run[1] - 2, 4, 4), colour))
                run = []
                continue
            x = LEFT + slot * (i + 0.5)
            y = TOP + plot_h - plot_h * min(value, top) / top
            run += [x, y]
    _legend(chart, [name for name, _data in series])
    return chart


def bar_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Value]]],
    stacked: bool = False,
    unit: str = "count",
) -> Chart:
    """Grouped (or stacked) vertical bars; a missing value leaves its bar out, a hidden one is
    a band in its place. A stacked column with a hidden part is a band as a whole: where the
    other parts would sit depends on the hidden one."""
    chart = Chart(title, description)
    columns = list(zip(*(data for _name, data in series), strict=True))
    if stacked:
        values = [sum(_shown(column)) for column in columns]
    else:
        values = _shown([v for column in columns for v in column])
    ticks = _ticks(values, unit)
    top = ticks[-1]
    plot_w, plot_h = _frame(chart, labels, ticks, unit)
    slot = plot_w / max(1, len(labels))
    groups = 1 if stacked else max(1, len(series))
    bar_w = slot * 0.8 / groups
    for i, label in enumerate(labels):
        left = LEFT + slot * i + slot * 0.1
        if stacked and any(isinstance(v, Hidden) for v in columns[i]):
            _hidden_band(chart, left, slot * 0.8, plot_h, f"{label}: {hidden_label()}")
            continue
        base = TOP + plot_h
        for index, (name, data) in enumerate(series):
            value = data[i]
            x = left + (0 if stacked else bar_w * index)
            if isinstance(value, Hidden):
                _hidden_band(chart, x, bar_w, plot_h, f"{label}, {name}: {hidden_label()}")
                continue
            if value is None or value <= 0:
                continue
            height = plot_h * min(value, top) / top
            if stacked:
                base -= height
                y = base
            else:
                y = TOP + plot_h - height
            chart.shapes.append(Shape("rect", (x, y, bar_w, height), PALETTE[index % len(PALETTE)]))
    _legend(chart, [name for name, _data in series])
    return chart


def scale_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    scale: Sequence[tuple[float, str]],
    height: float = 200.0,
) -> Chart:
    """Lines on a fixed scale (a score such as GAS −2…+2 or ZRM 1…5): ``scale`` lists the
    values from low to high with their tick labels. Every value is a marked point, so a single
    measurement shows; a missing one breaks the line (nothing is drawn for it)."""
    chart = Chart(title, description, height=height)
    low, high = scale[0][0], scale[-1][0]
    plot_w = chart.width - LEFT - RIGHT
    plot_h = chart.height - TOP - BOTTOM
    span = (high - low) or 1.0

    def y_of(value: float) -> float:
        return TOP + plot_h - plot_h * (min(max(value, low), high) - low) / span

    for value, text in scale:
        y = y_of(value)
        chart.shapes.append(Shape("line", (LEFT, y, LEFT + plot_w, y), GRID, 0.5))
        chart.shapes.append(Shape("text", (LEFT - 4, y + 3), INK, text=text, anchor="end"))
    chart.shapes.append(Shape("line", (LEFT, TOP, LEFT, TOP + plot_h), INK))
    slot = plot_w / max(1, len(labels))
    step = max(1, math.ceil(len(labels) / 10))
    for i, label in enumerate(labels):
        if i % step == 0:
            x = LEFT + slot * (i + 0.5)
            chart.shapes.append(
                Shape("text", (x, TOP + plot_h + 14), INK, text=label, anchor="middle", size=8)
            )
    for index, (_name, data) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        run: list[float] = []
        for i, value in enumerate([*data, None]):
            if value is None:
                if len(run) >= 4:
                    chart.shapes.append(Shape("polyline", tuple(run), colour, 2))
                run = []
                continue
            x, y = LEFT + slot * (i + 0.5), y_of(value)
            run += [x, y]
            chart.shapes.append(Shape("rect", (x - 3, y - 3, 6, 6), colour))
    _legend(chart, [name for name, _data in series])
    return chart


# --- renderers ----------------------------------------------------------------------------


def to_svg(chart: Chart, element_id: str) -> str:
    """Inline SVG with role="img", a title and a description (accessible name)."""
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    return "".join(
        [
            f'<svg xmlns="{SVG_NS}" id="{escape(element_id)}" class="chart" '
            f'viewBox="0 0 {chart.width:.0f} {chart.height:.0f}" role="img" '
            f'aria-labelledby="{title_id} {desc_id}">',
            f'<title id="{title_id}">{escape(chart.title)}</title>',
            f'<desc id="{desc_id}">{escape(chart.description)}</desc>',
            *_svg_shapes(chart),
            "</svg>",
        ]
    )


def to_svg_file(chart: Chart) -> bytes:
    """The chart as a standalone SVG file, looking as it does on the page without the page's
    style sheet: its font, white background and thin frame as attributes (no ``<style>``, so a
    browser opening the file under the site's Content-Security-Policy shows it the same), and
    its title visible above the drawing, which the page shows as a heading."""
    height = chart.height + TITLE_BAND
    document = "".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            f'<svg xmlns="{SVG_NS}" version="1.1" width="{chart.width:.0f}" '
            f'height="{height:.0f}" viewBox="0 0 {chart.width:.0f} {height:.0f}" '
            f'role="img" aria-labelledby="chart-title chart-desc" font-family="{FONT_FAMILY}">',
            f'<title id="chart-title">{escape(chart.title)}</title>',
            f'<desc id="chart-desc">{escape(chart.description)}</desc>',
            f'<rect class="chart-frame" x="0.5" y="0.5" width="{chart.width - 1:.0f}" '
            f'height="{height - 1:.0f}" fill="#ffffff" stroke="{GRID}" stroke-width="1"/>',
            f'<text class="chart-heading" x="12" y="{TITLE_BAND - 9:.0f}" '
            f'font-size="{TITLE_SIZE}" font-weight="bold" fill="{INK}">'
            f"{escape(chart.title)}</text>",
            f'<g transform="translate(0 {TITLE_BAND:.0f})">',
            *_svg_shapes(chart),
            "</g></svg>\n",
        ]
    )
    return document.encode()


def _svg_shapes(chart: Chart) -> list[str]:
    parts = []
    for s in chart.shapes:
        p = s.points
        if s.kind == "rect":
            parts.append(
                f'<rect x="{p[0]:.1f}" y="{p[1]:.1f}" width="{p[2]:.1f}" height="{p[3]:.1f}" '
                f'fill="{s.color}"/>'
            )
        elif s.kind == "hidden":
            parts.append(
                f'<rect class="hidden-value" x="{p[0]:.1f}" y="{p[1]:.1f}" width="{p[2]:.1f}" '
                f'height="{p[3]:.1f}" fill="{HIDDEN_FILL}" stroke="{HIDDEN_STROKE}" '
                f'stroke-width="1" stroke-dasharray="4 3"><title>{escape(s.text)}</title></rect>'
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
    return parts


def to_png(chart: Chart, scale: float = 2.0) -> bytes:
    """The chart as a PNG image, ``scale`` pixels per point (2: sharp on a high-density screen
    and in print, stated as 144 dpi), drawn with Pillow from the same shapes: white background
    and frame as on the page, the title above as in the SVG file, text in Bitstream Vera Sans,
    the font shipped with ReportLab, so no system font is needed. Drawn at twice the size and
    scaled down, for smooth edges."""
    big = scale * 2
    height = chart.height + TITLE_BAND
    image = Image.new("RGB", (round(chart.width * big), round(height * big)), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, image.width - 1, image.height - 1), outline=GRID, width=round(big))
    heading = ImageFont.truetype(str(PNG_BOLD_FONT), round(TITLE_SIZE * big))
    draw.text((12 * big, (TITLE_BAND - 9) * big), chart.title, fill=INK, font=heading, anchor="ls")
    fonts: dict[float, ImageFont.FreeTypeFont] = {}
    for s in chart.shapes:
        # Points are x, y pairs, except a rectangle's x, y, width, height: y moves down.
        moved = [
            value + TITLE_BAND if i % 2 and (s.kind not in ("rect", "hidden") or i == 1) else value
            for i, value in enumerate(s.points)
        ]
        p = [value * big for value in moved]
        if s.kind == "rect":
            draw.rectangle((p[0], p[1], p[0] + p[2], p[1] + p[3]), fill=s.color)
        elif s.kind == "hidden":
            draw.rectangle((p[0], p[1], p[0] + p[2], p[1] + p[3]), fill=HIDDEN_FILL)
            corners = [(p[0], p[1]), (p[0] + p[2], p[1]), (p[0] + p[2], p[1] + p[3])]
            corners += [(p[0], p[1] + p[3]), (p[0], p[1])]
            for start, end in itertools.pairwise(corners):
                _dashed(draw, start, end, (4 * big, 3 * big), HIDDEN_STROKE, round(big))
        elif s.kind in ("line", "polyline"):
            width = max(1, round(s.width * big))
            draw.line(p, fill=s.color, width=width, joint="curve")
        else:
            if s.size not in fonts:
                fonts[s.size] = ImageFont.truetype(str(PNG_FONT), round(s.size * big))
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}[s.anchor]
            draw.text((p[0], p[1]), s.text, fill=s.color, font=fonts[s.size], anchor=anchor)
    size = (round(chart.width * scale), round(height * scale))
    out = io.BytesIO()
    dpi = round(72 * scale)
    image.resize(size, Image.Resampling.LANCZOS).save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def _dashed(
    draw: ImageDraw.ImageDraw,
    start: tuple[float, float],
    end: tuple[float, float],
    dash: tuple[float, float],
    colour: str,
    width: int,
) -> None:
    """A dashed straight line (dash length, gap), as SVG's ``stroke-dasharray``."""
    length = math.dist(start, end)
    at = 0.0
    while at < length:
        stop = min(at + dash[0], length)
        a, b = at / length, stop / length
        draw.line(
            (
                start[0] + (end[0] - start[0]) * a,
                start[1] + (end[1] - start[1]) * a,
                start[0] + (end[0] - start[0]) * b,
                start[1] + (end[1] - start[1]) * b,
            ),
            fill=colour,
            width=width,
        )
        at = stop + dash[1]


def send_chart(chart: Chart, fmt: str, stem: str) -> Response:
    """The chart as a file download, ``fmt`` "svg" or "png" (any other: 404), named
    ``stem.fmt``. Not cached: app/security.py sends Cache-Control: no-store with every response."""
    if fmt == "svg":
        data, mimetype = to_svg_file(chart), "image/svg+xml"
    elif fmt == "png":
        data, mimetype = to_png(chart), "image/png"
    else:
        abort(404)
    return send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=f"{stem}.{fmt}"
    )


def to_drawing(chart: Chart, scale: float = 0.75) -> Drawing:
    """The same shapes as a ReportLab drawing (y flipped), scaled to fit an A4 text width."""
    drawing = Drawing(chart.width * scale, chart.height * scale)

    def y(value: float) -> float:
        return (chart.height - value) * scale

    for s in chart.shapes:
        p = s.points
        colour = colors.HexColor(s.color)
        if s.kind in ("rect", "hidden"):
            style: dict[str, Any] = (
                {"fillColor": colour, "strokeColor": None}
                if s.kind == "rect"
                else {
                    "fillColor": colors.HexColor(HIDDEN_FILL),
                    "strokeColor": colors.HexColor(HIDDEN_STROKE),
                    "strokeWidth": 0.75 * scale,
                    "strokeDashArray": [4 * scale, 3 * scale],
                }
            )
            drawing.add(Rect(p[0] * scale, y(p[1] + p[3]), p[2] * scale, p[3] * scale, **style))
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
