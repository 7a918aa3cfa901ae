"""For tests of a migration's data steps: a database of its own (SQLite), migrated up to a given
revision and filled by hand, then migrated on; or one on the test database's engine
(``scratch_database``: a schema of its own on PostgreSQL), filled through the workflows at the
head and migrated down and up again."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Connection, Engine, create_engine, event, text

from app.cli import alembic_config


@contextmanager
def old_database(folder: Path) -> Iterator[Engine]:
    """An empty SQLite database in ``folder``; foreign keys are not enforced on its bare
    connections, so rows can be added without the rows they refer to."""
    engine = create_engine(f"sqlite:///{folder / 'old.sqlite3'}")
    try:
        yield engine
    finally:
        engine.dispose()


def migrate(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _sqlite_without_driver_transactions(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


@contextmanager
def scratch_database(folder: Path) -> Iterator[Engine]:
    """An empty database of the kind the suite runs on: with ``TEST_DATABASE_URL`` a schema of
    its own in that PostgreSQL database (dropped afterwards, so the suite's own schema stays as
    it is), else SQLite in ``folder``, where SQLAlchemy emits BEGIN (as the app's engine does,
    so the workflows' savepoints behave) and foreign keys are not enforced (so the migrations'
    batch rebuilds of referenced tables can run, as ``flask db upgrade`` runs them)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        engine = create_engine(f"sqlite:///{folder / 'scratch.sqlite3'}")
        event.listen(engine, "connect", _sqlite_without_driver_transactions)
        event.listen(engine, "begin", _sqlite_begin)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    schema = f"scratch_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
