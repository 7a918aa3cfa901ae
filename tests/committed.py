"""Tests that commit for real (the browser tests, two connections at once, a killed process)
remove what they made afterwards. The code lists from the migrations stay, and so does the
audit log: it is append-only, in the database too (the triggers of migration 0006), and its
entries name records by id only, so what is left of them cannot disturb a later test."""

from __future__ import annotations

from sqlalchemy import Engine

from models import Base

KEPT_TABLES = {
    "product_categories",
    "end_reasons",
    "change_reasons",
    "alembic_version",
    "audit_log",
}


def remove_committed_rows(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEPT_TABLES:
                conn.execute(table.delete())
