"""The server-drawn charts: round, labelled tick values from the data range, and a hidden value
drawn as a marked band with its own title and a legend entry — never as a zero bar."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import reportlab
from flask import Flask
from flask_babel import force_locale
from lxml import etree
from PIL import Image

from app.charts import (
    GRID,
    HIDDEN,
    PNG_FONT,
    TITLE_BAND,
    bar_chart,
    line_chart,
    nice_ticks,
    to_drawing,
    to_png,
    to_svg,
    to_svg_file,
)


@pytest.fixture
def request_context(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (17, [0, 5, 10, 15, 20]),
        (3, [0, 1, 2, 3]),
        (9, [0, 5, 10]),  # a count never gets a tick at 2.5
        (1017, [0, 500, 1000, 1500]),
        (40, [0, 10, 20, 30, 40]),
        (0, [0, 1]),
    ],
)
def test_count_ticks_are_round_whole_numbers_from_zero_past_the_maximum(
    maximum: float, ticks: list[float]
) -> None:
    assert nice_ticks(maximum) == ticks


def test_days_may_have_a_half_step() -> None:
    assert nice_ticks(0.6, whole=False) == [0, 0.2, 0.4, 0.6]
    assert nice_ticks(9, whole=False) == [0, 2.5, 5, 7.5, 10]


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text [^>]*>([^<]*)</text>", svg)


def test_the_axis_labels_are_the_tick_values_in_the_readers_language(
    request_context: None,
) -> None:
    chart = bar_chart("Instroom", "Staven", ["2021-01", "2021-02"], [("Instroom", [1017, 400])])
    dutch = _texts(to_svg(chart, "g"))
    assert dutch[:4] == ["0", "500", "1.000", "1.500"]
    with force_locale("en"):
        chart = bar_chart("Inflow", "Bars", ["2021-01", "2021-02"], [("Inflow", [1017, 400])])
    assert _texts(to_svg(chart, "g"))[:4] == ["0", "500", "1,000", "1,500"]


def test_a_bar_is_as_high_as_its_value_on_the_axis(request_context: None) -> None:
    chart = bar_chart("t", "d", ["a", "b"], [("n", [20, 10])])
    grid = [s for s in chart.shapes if s.kind == "line" and s.color == GRID]
    zero_y, top_y = grid[0].points[1], grid[-1].points[1]  # ticks 0, 5, … 20
    bars = [s for s in chart.shapes if s.kind == "rect" and s.points[3] > 10]
    assert [round(b.points[1], 3) for b in bars] == [
        round(top_y, 3),
        round((zero_y + top_y) / 2, 3),
    ]


def test_a_hidden_bar_is_a_titled_band_with_a_legend_entry_not_a_zero(
    request_context: None,
) -> None:
    chart = bar_chart(
        "Instroom en uitstroom",
        "Staafdiagram.",
        ["2021-01", "2021-02"],
        [("Instroom", [12, HIDDEN]), ("Uitstroom", [0, 7])],
    )
    svg = to_svg(chart, "grafiek-1")
    bands = re.findall(r'<rect class="hidden-value"[^>]*><title>([^<]*)</title></rect>', svg)
    # the February inflow, and the legend's swatch
    assert bands == ["2021-02, Instroom: verborgen", "verborgen"]
    assert ("verborgen", "#6b6b6b") in chart.legend
    assert "verborgen" in _texts(svg)
    assert "geen nul" in re.search(r"<desc [^>]*>([^<]*)</desc>", svg).group(1)
    # drawn bars: January's inflow and February's outflow; no bar for the hidden cell and none
    # for the zero outflow
    bars = [s for s in chart.shapes if s.kind == "rect" and s.points[2] > 10]
    assert len(bars) == 2


def test_a_chart_without_hidden_values_has_no_hidden_legend(request_context: None) -> None:
    chart = line_chart("t", "d.", ["a", "b"], [("n", [5, None])])
    assert "hidden-value" not in to_svg(chart, "g")
    assert [label for label, _colour in chart.legend] == ["n"]
    assert chart.description == "d."


def test_a_hidden_point_breaks_the_line_and_is_marked(request_context: None) -> None:
    chart = line_chart("t", "d", ["a", "b", "c", "d"], [("n", [5, 6, HIDDEN, 8])])
    lines = [s for s in chart.shapes if s.kind == "polyline"]
    assert len(lines) == 1 and len(lines[0].points) == 4  # a–b; d alone is a dot
    assert [s.text for s in chart.shapes if s.kind == "hidden"] == ["c, n: verborgen", "verborgen"]


def test_a_stacked_column_with_a_hidden_part_is_hidden_as_a_whole(request_context: None) -> None:
    chart = bar_chart(
        "t", "d", ["a", "b"], [("laag", [0.5, HIDDEN]), ("zwaar", [0.5, 0.6])], True, "share"
    )
    assert [s.text for s in chart.shapes if s.kind == "hidden"] == ["b: verborgen", "verborgen"]
    assert len([s for s in chart.shapes if s.kind == "rect" and s.points[2] > 10]) == 2


def test_the_pdf_drawing_has_the_hidden_band_too(request_context: None) -> None:
    chart = bar_chart("t", "d", ["a"], [("n", [HIDDEN])])
    drawing = to_drawing(chart)
    dashed = [c for c in drawing.contents if getattr(c, "strokeDashArray", None)]
    assert len(dashed) == 2  # the band and the legend swatch


# --- the chart as a file ------------------------------------------------------------------


def test_the_svg_file_is_the_inline_chart_standing_alone(request_context: None) -> None:
    chart = bar_chart("Instroom & uitstroom", "Staven.", ["a", "b"], [("n", [3, HIDDEN])])
    data = to_svg_file(chart)
    assert data.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'
    )
    root, inline = etree.fromstring(data), etree.fromstring(to_svg(chart, "g").encode())
    assert root.findtext("{http://www.w3.org/2000/svg}title") == "Instroom & uitstroom"
    # the page's look without its style sheet: font, white background and frame as attributes
    assert "sans-serif" in root.get("font-family")
    frame = root[2]
    assert (frame.get("class"), frame.get("fill"), frame.get("stroke")) == (
        "chart-frame",
        "#ffffff",
        GRID,
    )
    # its title visible above the page's drawing, which follows unchanged, moved down
    assert (root[3].get("class"), root[3].text) == ("chart-heading", "Instroom & uitstroom")
    assert root[4].get("transform") == f"translate(0 {TITLE_BAND:.0f})"
    assert [etree.tostring(e) for e in root[4]] == [etree.tostring(e) for e in inline[2:]]
    assert b"<style" not in data  # nothing the site's Content-Security-Policy would block


def test_the_png_is_sharp_and_needs_no_system_font(request_context: None) -> None:
    assert PNG_FONT.is_file()
    assert PNG_FONT.is_relative_to(Path(reportlab.__file__).parent)  # installed by pip
    chart = line_chart("t", "d", ["2021-01", "2021-02"], [("Eindstand", [5, 7])])
    image = Image.open(io.BytesIO(to_png(chart)))
    assert image.format == "PNG" and image.size == (1280, 580)  # two pixels a point
    assert image.info["dpi"] == pytest.approx((144, 144), abs=0.1)
    grey = image.convert("L")
    # the legend's text is drawn: dark pixels right of its swatch (x 66 pt, y 244–254 pt of the
    # drawing, 30 pt lower in the file), and the title in the band above (x 12 pt, y 8–21 pt)
    assert grey.crop((132, 486 + 60, 300, 512 + 60)).getextrema()[0] < 100
    assert grey.crop((24, 16, 60, 42)).getextrema()[0] < 100
