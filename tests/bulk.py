"""Thousands of rows for the paging tests, written in bulk: copies of a row the real workflow
made (so every check constraint is met), with ids drawn as the history import draws them.
Core inserts make no ORM events, so nothing here is audited or fed to the statistics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from models import Claim, Trajectory
from workflows.bulk import allocate_ids


def copies(
    session: Session,
    table: Table,
    template_id: int,
    count: int,
    change: Callable[[int, dict[str, Any]], None] | None = None,
) -> list[int]:
    """``count`` copies of row ``template_id`` of ``table``, each with a new id (and whatever
    ``change(i, row)`` sets); returns the new ids."""
    session.flush()
    connection = session.connection()
    template = dict(
        connection.execute(select(table).where(table.c.id == template_id)).one()._mapping
    )
    ids = allocate_ids(connection, table, count)
    rows = []
    for i, new_id in enumerate(ids):
        row = {**template, "id": new_id}
        if change is not None:
            change(i, row)
        rows.append(row)
    connection.execute(insert(table), rows)
    return ids


def claimed_trajectories(
    session: Session,
    closed: Trajectory,
    claim: Claim,
    count: int,
    change: Callable[[int, dict[str, Any]], None] | None = None,
) -> list[int]:
    """``count`` copies of the closed trajectory ``closed``, each with a copy of ``claim``
    (``change`` adjusts each claim row); returns the claim ids."""
    trajectories = copies(
        session, Trajectory.__table__, closed.id, count, lambda _i, row: row.update(import_id=None)
    )

    def claim_row(i: int, row: dict[str, Any]) -> None:
        row["trajectory_id"] = trajectories[i]
        if change is not None:
            change(i, row)

    return copies(session, Claim.__table__, claim.id, count, claim_row)
