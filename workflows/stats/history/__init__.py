"""The history import and export (docs/statistics.md, "History import and export").

``check_import`` reads the whole file and validates every row before anything is written; any
problem and nothing is imported, every bad row named at its line and column. ``apply_import``
then writes everything in the caller's one transaction; ``export_csv`` writes every trajectory in
the same format, so export → import changes nothing. The modules, in the order a file meets them:

* ``columns`` — the format's columns, one row each: name, required or not, parser, message;
* ``reading`` — encoding, delimiter, unreadable fields and the header;
* ``check`` — each row against its cells, the catalogue and the live rules (``rules``);
* ``ownership`` — which trajectories an import may change, and the lock before it does;
* ``apply`` — the writing in bulk, with events and audit entries;
* ``export`` — the export, with formula-like cells neutralised (``workflows.csv_format``);
* ``common`` — the records they hand each other.
"""

from .apply import apply_import
from .check import check_import
from .columns import COLUMNS
from .common import (
    ImportCheck,
    ImportConflict,
    ImportResult,
    ImportRow,
    LiveTrajectory,
    RowProblem,
)
from .export import export_csv, export_rows
from .reading import decode

__all__ = [
    "COLUMNS",
    "ImportCheck",
    "ImportConflict",
    "ImportResult",
    "ImportRow",
    "LiveTrajectory",
    "RowProblem",
    "apply_import",
    "check_import",
    "decode",
    "export_csv",
    "export_rows",
]
