"""The migration chain builds exactly what the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from app.extensions import db
from models import Base


def test_the_migrations_build_exactly_the_models(app: Flask) -> None:
    assert db.engine is not None
    with db.engine.connect() as conn, warnings.catch_warnings():
        # SQLite cannot reflect the expression index uq_tasks_dedupe; alembic says so.
        warnings.filterwarnings("ignore", message="autogenerate skipping metadata-specified")
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression")
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
