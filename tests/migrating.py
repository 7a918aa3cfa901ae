"""For tests of a migration's data steps: a database of its own (SQLite), migrated up to a given
revision and filled by hand, then migrated on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, create_engine

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
