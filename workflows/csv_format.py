"""CSV as Dutch Excel opens it: one set of conventions for every CSV the system writes (the
claims exports, the manager's figures, the history export).

* ``;`` between fields, CRLF line ends, UTF-8 with a byte-order mark (without it Excel guesses
  the legacy code page and mangles ë and €);
* amounts with a decimal comma and no thousands separator (``1234,56``), which Dutch Excel reads
  as a number; dates as ``YYYY-MM-DD``;
* **formulas neutralised** (CSV injection): a text cell that starts with ``= + - @``, a tab or a
  carriage return would be run by Excel as a formula (``=HYPERLINK(…)`` sends data away on a
  click), so it gets a leading apostrophe, which Excel shows as text and does not display.
  Apply ``neutralise`` to every cell whose text someone typed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

DELIMITER = ";"
LINE_END = "\r\n"
ENCODING = "utf-8-sig"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula. Readers of our own files refuse
    such a value where it would become a key (the history import's ``import_id``)."""
    return text.startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    """Free text that Excel would read as a formula gets a leading apostrophe."""
    return "'" + text if looks_like_formula(text) else text


def amount(value: Decimal) -> str:
    """1234,56: a decimal comma and no thousands separator, as Dutch Excel reads a number."""
    return f"{value:.2f}".replace(".", ",")


def writer(out: Any) -> Any:
    """A ``csv`` writer with the conventions above, on a text stream opened with
    ``newline=""``."""
    return csv.writer(out, delimiter=DELIMITER, lineterminator=LINE_END)


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """The rows (the header first) as the bytes of a download."""
    out = io.StringIO(newline="")
    write = writer(out)
    for row in rows:
        write.writerow(row)
    return out.getvalue().encode(ENCODING)
