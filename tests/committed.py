"""Tests that commit for real (the browser tests, two connections at once, a killed process)
remove what they made afterwards. The code lists from the migrations stay, and so does the
audit log: it is append-only, in the database too (the triggers of migration 0006), and its
entries name records by id only, so what is left of them cannot disturb a later test."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models import AuditEntry, Base

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


def last_audit_id(session: Session) -> int:
    """The newest audit entry's id: a test reads only the entries after it, because the log
    keeps what earlier committing tests wrote (and SQLite reuses the ids of the records it
    names)."""
    return session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0))) or 0


def audit_entries_after(session: Session, after: int) -> list[AuditEntry]:
    """The audit entries written since ``after`` (``last_audit_id``), oldest first."""
    session.expire_all()
    return list(
        session.scalars(select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id))
    )
