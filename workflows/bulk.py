"""Bulk writes for the demo generator and the history import: rows go to the driver in the form
it stores (PostgreSQL ``COPY``, SQLite ``executemany``), without SQLAlchemy's per-row parameter
processing, which would cost more than the database itself. The database's check and
foreign-key constraints still guard every row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Date, DateTime, Numeric, Table, text

BATCH = 10_000


def _sqlite_value(column: Any) -> Callable[[Any], Any] | None:
    """How SQLAlchemy stores a value of this column's type in SQLite, or None: as is."""
    kind = column.type
    if isinstance(kind, DateTime):
        return lambda v: (
            None if v is None else v.replace(tzinfo=None).isoformat(" ", "microseconds")
        )
    if isinstance(kind, Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(kind, Numeric):
        return lambda v: None if v is None else float(v)
    return None


def write_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys; enum values as their strings) inside the
    connection's transaction."""
    if not rows:
        return
    columns = list(rows[0])
    names = ", ".join(columns)
    params: list[tuple[Any, ...]] = [tuple(r[c] for c in columns) for r in rows]
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for values in params:
                copy.write_row(values)
        return
    active = [(i, f) for i, c in enumerate(columns) if (f := _sqlite_value(table.c[c]))]
    if active:
        converted = []
        for values in params:
            row = list(values)
            for i, f in active:
                row[i] = f(row[i])
            converted.append(tuple(row))
        params = converted
    statement = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' for _ in columns)})"
    for start in range(0, len(params), BATCH):
        connection.exec_driver_sql(statement, params[start : start + BATCH])


def allocate_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """``count`` new primary keys for ``table``, safe against concurrent writers: PostgreSQL
    draws them from the table's sequence; SQLite first takes the write lock (one writer at a
    time), so the ids after the current maximum stay free until this transaction ends."""
    if count <= 0:
        return []
    if connection.dialect.name == "postgresql":
        return list(
            connection.scalars(
                text(
                    f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": count},
            )
        )
    connection.exec_driver_sql(f"UPDATE {table.name} SET id = id WHERE 0")  # the write lock
    highest = connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table.name}")
    first = int(highest.scalar_one()) + 1
    return list(range(first, first + count))
