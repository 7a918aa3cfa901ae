"""Bearer tokens of a provider's message gateway (the HTTP side of the iWmo/iJw exchange)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, utcnow

if TYPE_CHECKING:
    from .provider import Provider
    from .user import User


class MessageToken(Base):
    """A token a beheerder issued to a provider's message gateway (its client system or a
    VECOZO-like relay). It opens the provider's own mailbox only: posting messages, reading and
    acknowledging its outbox. Only the SHA-256 of the token is stored; ``prefix`` (its first
    characters) lets people tell tokens apart."""

    __tablename__ = "message_tokens"
    __table_args__ = (
        # One valid token per provider and name: a double submit would otherwise leave a second
        # token that was never shown to anyone (workflows.berichten.tokens.issue).
        Index(
            "uq_message_tokens_open_name",
            "provider_id",
            "name",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    provider: Mapped[Provider] = relationship()
    created_by: Mapped[User | None] = relationship()
