"""The beheerder's change log (*Wijzigingen*): every change to the configuration — users,
providers, contracts, the catalogue, tariffs, wijken and population figures — as one row per
changed field, with who, when, the old and the new value.

Unlike the audit log, this log holds values: configuration is not personal data of residents.
A user account's password hash, second factor and similar secrets are never written here
(``workflows.config_log.SECRET_FIELDS``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, TZDateTime, utcnow


class ConfigChange(Base):
    __tablename__ = "config_changes"
    __table_args__ = (
        Index("ix_config_changes_at", "at"),
        Index("ix_config_changes_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    # The beheerder (or None for a command-line change by the operator).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # One change (a form submitted) may touch several fields: they share ``batch``.
    batch: Mapped[str] = mapped_column(String(32))
    # gebruiker, aanbieder, contract, categorie, profiel, tarief, wijk, bevolking, …
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[int | None] = mapped_column(Integer)
    # What the object is called at the time of the change ("Profiel 03A1 Begeleiding").
    object_label: Mapped[str] = mapped_column(String(200))
    # aangemaakt, gewijzigd, beeindigd, geblokkeerd, …
    action: Mapped[str] = mapped_column(String(30))
    field: Mapped[str | None] = mapped_column(String(60))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
