"""The history export: every trajectory past the concept stage, in the import format.

A trajectory that was not imported gets the key ``trajectwijzer-<id>``, which an import
recognises, so export → import changes nothing. Every cell is neutralised as
``workflows.csv_format`` says (a spreadsheet would run a cell that starts like a formula), and
who exports is named in the audit log: the file holds every client's BSN. The same query and the
same cell text tell an import what a trajectory reads as now (``ownership``)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models import Aanmelding, Provider, Resident, SupportProfile, Trajectory, User

from ... import audit, csv_format
from .. import feed
from .columns import COLUMNS, TABLE
from .common import acting, key_of


def export_query(*extra: Any) -> Select[*tuple[Any, ...]]:
    """Each trajectory with what the export writes for it (its id and key first; ``extra``
    columns after the format's)."""
    return (
        select(Trajectory.id, *[column.source for column in TABLE], *extra)
        .join(Resident, Resident.id == Trajectory.resident_id)
        .join(SupportProfile, SupportProfile.id == Trajectory.profile_id)
        .join(Provider, Provider.id == Trajectory.provider_id)
        .outerjoin(Aanmelding, Aanmelding.id == Trajectory.request_id)
    )


def cell_text(value: Any) -> str:
    """A value as the format writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value.value if hasattr(value, "value") else value)


def export_values(row: Any) -> list[str]:
    """One row of ``export_query``, every cell as text a spreadsheet will not run."""
    cells = [key_of(row.import_id, row.id), *[cell_text(v) for v in row[2 : 1 + len(COLUMNS)]]]
    return [csv_format.neutralise(cell) for cell in cells]


def export_rows(session: Session) -> Iterable[list[str]]:
    """Every trajectory past the concept stage, in the import format (header first)."""
    yield list(COLUMNS)
    query = (
        export_query()
        .where(Trajectory.state.not_in([s.value for s in feed.NOT_IN_FEED]))
        .order_by(Trajectory.id)
        .execution_options(yield_per=5000)
    )
    for row in session.execute(query):
        yield export_values(row)


def export_csv(session: Session, out: io.TextIOBase | Any, *, by: User) -> int:
    """Write the export (``;``-separated, UTF-8 with BOM) to ``out``; returns the row count.
    The export holds every client's BSN: one audit entry names ``by``, who exported (in the
    caller's transaction, which commits it once the file is safe)."""
    writer = csv_format.writer(out)
    count = -1
    for values in export_rows(session):
        writer.writerow(values)
        count += 1
    context = acting(session, by)
    audit.record_export(session, "traject", "historie-export.csv", rows=count, context=context)
    return count
