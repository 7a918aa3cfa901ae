"""Reading a history file before any rule: its encoding, its delimiter, fields that are no plain
text of a sane length, and the header.

A control character (a NUL byte, which PostgreSQL refuses) or a field longer than any column
needs (the csv module itself stops at 128 KB) is reported at its line and column before any rule
is checked; a header that is not exactly the format's columns stops the check at line 1."""

from __future__ import annotations

import csv
import io
import re
from itertools import islice

from ...errors import N_
from .columns import COLUMNS
from .common import MAX_ROWS, RowProblem

# No column of the format needs more (an import_id has at most 64); the csv module itself stops
# at 128 KB with an error of its own.
FIELD_MAX = 1_000
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TOO_LONG = N_(
    "Dit veld is langer dan %(max)s tekens; zo'n waarde komt in het importformaat niet voor."
)
CONTROL = N_(
    "Dit veld bevat een besturingsteken (zoals een NUL-byte); dat hoort niet in een CSV-bestand. "
    "Sla het bestand opnieuw op als CSV (UTF-8)."
)


def decode(data: bytes) -> str | None:
    """UTF-8 with or without BOM; None when it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def delimiter_of(text: str) -> str:
    """``;`` (as Dutch Excel writes) unless the first line has more commas."""
    first_line = text.split("\n", 1)[0]
    return ";" if first_line.count(";") >= first_line.count(",") else ","


def header_names(values: list[str]) -> list[str]:
    return [h.strip().lower() for h in values]


def header_problem(header: list[str]) -> RowProblem | None:
    """What is wrong with the header: every column once, no other."""
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if not missing and not unknown and len(set(header)) == len(header):
        return None
    return RowProblem(
        1,
        None,
        N_(
            "De kopregel klopt niet. Ontbrekende kolommen: %(missing)s; onbekende "
            "kolommen: %(unknown)s. Verwacht: %(expected)s."
        ),
        {
            "missing": ", ".join(missing) or "geen",
            "unknown": ", ".join(u[:40] for u in unknown[:10]) or "geen",
            "expected": ";".join(COLUMNS),
        },
    )


def field_problem(line: int, values: list[str], header: list[str]) -> RowProblem | None:
    """The first field of the line that is no plain text of a sane length."""
    for index, value in enumerate(values):
        column = header[index] if index < len(header) else None
        if CONTROL_RE.search(value):
            return RowProblem(line, column, CONTROL)
        if len(value) > FIELD_MAX:
            return RowProblem(line, column, TOO_LONG, {"max": FIELD_MAX})
    return None


def scan(text: str, delimiter: str) -> tuple[list[RowProblem], list[str]]:
    """Read the file once as the csv module does, before any rule: every field must be plain
    text of a sane length — a NUL byte would reach PostgreSQL, which refuses it, and the csv
    module stops at a field of 128 KB. Returns those problems (at most one per line) and the
    keys the rows name, to look up the trajectories they would touch."""
    problems: list[RowProblem] = []
    keys: list[str] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    line = 0
    while len(problems) < MAX_ROWS:
        line += 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error:  # with newline="", only a field over the module's limit
            column = long_column(text, reader.line_num, delimiter, header)
            problems.append(RowProblem(line, column, TOO_LONG, {"max": FIELD_MAX}))
            break
        problem = field_problem(line, values, header)
        if problem is not None:
            problems.append(problem)
        if line == 1:
            header = header_names(values)
        elif "import_id" in header and len(values) == len(header):
            keys.append(values[header.index("import_id")].strip())
    return problems, keys


def long_column(text: str, physical_line: int, delimiter: str, header: list[str]) -> str | None:
    """The column of the field that broke the csv module's limit, where the line shows it: a
    line without quotes splits at the delimiter (with quotes, only the line is named)."""
    lines = io.StringIO(text, newline="")
    content = next(islice(lines, physical_line - 1, None), "")
    if '"' in content:
        return None
    for index, part in enumerate(content.rstrip("\r\n").split(delimiter)):
        if len(part) > FIELD_MAX:
            return header[index] if index < len(header) else None
    return None
