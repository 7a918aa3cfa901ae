"""Cells a spreadsheet would run (CSV injection): the one rule for every CSV the system writes.

Excel and LibreOffice read a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) as a formula — ``=HYPERLINK(...)`` in a file a civil servant opens
becomes a link that sends data away. Every CSV writer passes free text through
``neutralise_formula``, which puts an apostrophe in front (the spreadsheet shows the text as
typed); readers of our own files refuse such a value where it would become a key
(``looks_like_formula``).
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_START)


def neutralise_formula(text: str) -> str:
    """``text`` as a spreadsheet shows it without running it."""
    return "'" + text if looks_like_formula(text) else text
