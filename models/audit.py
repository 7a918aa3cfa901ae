"""The audit log (AVG): who read or changed which personal record, when, and from where.

Append-only. The application never updates or deletes a row: an ORM guard refuses it
(``workflows.audit``) and database triggers refuse it for any client (migration 0006). The table
has no foreign keys on purpose — an entry outlives the resident it names (after the retention
purge) and the account that made it — and holds no personal data of residents beyond their
internal id: ``details`` names fields and steps, never values.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, TZDateTime, utcnow

# A 64-bit key on PostgreSQL (the table grows with every page view); SQLite's rowid is 64-bit
# already, and only INTEGER PRIMARY KEY makes it the rowid.
AuditId = BigInteger().with_variant(Integer(), "sqlite")


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_resident_at", "resident_id", "at"),
        Index("ix_audit_log_user_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(AuditId, primary_key=True)
    at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str | None] = mapped_column(String(20))
    # inzien, aangemaakt, gewijzigd, verwijderd, geweigerd, export, ingelogd, …
    action: Mapped[str] = mapped_column(String(30))
    # inwoner, aanmelding, traject, evaluatie, declaratie, opschaling, einde_zorg, account,
    # inzageverzoek
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int | None] = mapped_column(Integer)
    resident_id: Mapped[int | None] = mapped_column(Integer)
    ip: Mapped[str | None] = mapped_column(String(45))
    endpoint: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[int | None] = mapped_column(SmallInteger)
    details: Mapped[str | None] = mapped_column(Text)
