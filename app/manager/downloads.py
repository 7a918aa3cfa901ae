"""Cells as text, and the data tables as CSV (for Dutch Excel) and XLSX downloads."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from workflows import csv_format
from workflows.stats.anonymity import EXACT_NOTICE, NOTICE

from ..filters import fmt_money
from .presentation import Cell, DataTable, Hidden, Money, Points, Share

EURO_FORMAT = '"€" #,##0.00'


def describe(header: dict[str, Any]) -> list[tuple[str, str]]:
    """What the figures are about, as (label, value) lines for every output."""
    filters = header["filters"]
    labels = {
        "category": _("Productcategorie"),
        "profile": _("Profiel"),
        "intensity": _("Intensiteit"),
        "provider": _("Aanbieder (AGB)"),
        "wijk": _("Wijk"),
        "age_band": _("Leeftijdsgroep"),
    }
    chosen = [f"{labels[name]}: {value}" for name, value in filters.items() if value]
    domain = {"wmo": "Wmo", "jeugd": _("Jeugd"), None: _("Wmo en Jeugd")}[header["domain"]]
    return [
        (_("Periode"), f"{header['from']} – {header['to']}"),
        (_("Laatste volledige maand"), header["cutoff"]),
        (_("Domein"), domain),
        (_("Eenheid"), _("traject") if header["unit"] == "traject" else _("cliënt")),
        (_("Filters"), "; ".join(chosen) or _("geen")),
        (_("Afscherming"), disclosure_notice(header)),
    ]


def disclosure_notice(header: dict[str, Any]) -> str:
    """The one notice on every output that the figures are perturbed (or, for the CLI's
    ``--exact``, that they are not), translated."""
    if header.get("disclosure", {}).get("method") == "exact":
        return str(_(EXACT_NOTICE))
    return str(_(NOTICE, k=header["suppression_threshold"]))


def format_cell(cell: Cell, k: int) -> str:
    """A cell for a page, the PDF or the terminal: Dutch number formats, "<k" when hidden."""
    if isinstance(cell, Hidden):
        return f"<{k}"
    if cell is None:
        return "—"
    if isinstance(cell, Points):
        return _("%(points)s procentpunt", points=format_decimal(float(cell) * 100, "#,##0.0"))
    if isinstance(cell, Share):
        return str(format_percent(float(cell), "#,##0.0%"))
    if isinstance(cell, Money):
        return fmt_money(cell)
    if isinstance(cell, bool):
        return _("ja") if cell else _("nee")
    if isinstance(cell, int):
        return str(format_decimal(cell, "#,##0"))
    if isinstance(cell, float):
        return str(format_decimal(cell, "#,##0.0#"))
    return str(cell)


def _csv_value(cell: Cell, k: int) -> str:
    if isinstance(cell, Hidden):
        return f"<{k}"
    if cell is None:
        return ""
    if isinstance(cell, float):
        return f"{float(cell):.4f}".rstrip("0").rstrip(".").replace(".", ",")
    return csv_format.neutralise(str(cell))


def csv_bytes(title: str, header: dict[str, Any], tables: Sequence[DataTable]) -> bytes:
    """``;``-separated UTF-8 with a BOM and decimal commas, as Dutch Excel opens it: the query
    description, then each table under its title, separated by an empty line."""
    k = int(header["suppression_threshold"])
    out = io.StringIO(newline="")
    writer = csv_format.writer(out)
    writer.writerow([title])
    for label, value in describe(header):
        writer.writerow([label, value])
    for table in tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow([_csv_value(cell, k) for cell in row])
    return out.getvalue().encode(csv_format.ENCODING)


def _as_text(cells: Sequence[Any]) -> None:
    """openpyxl stores a text that starts with "=" as a formula, which the spreadsheet then
    runs; a label that looks like one (a wijk or profile name typed that way) stays text
    (``csv_format.looks_like_formula`` is the one rule for what looks like a formula)."""
    for cell in cells:
        if isinstance(cell.value, str) and csv_format.looks_like_formula(cell.value):
            cell.data_type = "s"


def xlsx_bytes(
    title: str,
    header: dict[str, Any],
    tables: Sequence[DataTable],
    about: Sequence[tuple[str, str]] | None = None,
) -> bytes:
    """One sheet describing the query (``about``, by default ``describe(header)``), then one
    sheet per table; numbers stay numbers (shares as percentages), hidden cells are the text
    "<k"."""
    k = int(header["suppression_threshold"])
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = _("Toelichting")[:31]
    cover.append([title])
    cover["A1"].font = Font(bold=True, size=13)
    for label, value in describe(header) if about is None else about:
        cover.append([label, value])
        _as_text(cover[cover.max_row])
    cover.column_dimensions["A"].width = 28
    cover.column_dimensions["B"].width = 70
    used: set[str] = set()
    for table in tables:
        name = table.key[:31]
        while name in used:
            name = name[:28] + str(len(used))
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(table.columns)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            values: list[Any] = []
            for cell in row:
                if isinstance(cell, Hidden):
                    values.append(f"<{k}")
                elif isinstance(cell, Share | Money):
                    values.append(float(cell))
                else:
                    values.append(cell)
            sheet.append(values)
            _as_text(sheet[sheet.max_row])
            for column, cell in enumerate(row, start=1):
                if isinstance(cell, Share):
                    sheet.cell(row=sheet.max_row, column=column).number_format = "0.0%"
                elif isinstance(cell, Money):
                    sheet.cell(row=sheet.max_row, column=column).number_format = EURO_FORMAT
        for column in sheet.columns:
            letter = column[0].column_letter
            sheet.column_dimensions[letter].width = 18
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
