"""Sign-in security: recovery codes for the second factor, the record of login attempts, and the
server-side record of every signed-in session.

Login attempts are kept apart from the audit log: they are read on every login (rate limiting
and lockout) and may be removed after a short period (``privacy purge``), while the audit log is
append-only. An attempt names the account by a hash of the e-mail address as typed, so an
unknown address is throttled exactly like a known one and nothing tells them apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, utcnow

if TYPE_CHECKING:
    from .user import User


class RecoveryCode(Base):
    """A one-time code that stands in for the authenticator app; only its Argon2id hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class LoginAttempt(Base):
    """One try at a login step. ``stage``: wachtwoord, tweede_factor, geweigerd (refused while
    locked or throttled, not checked) or vrijgegeven (a beheerder lifted a lockout)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_account_at", "account_key", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, index=True)
    account_key: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(45))
    stage: Mapped[str] = mapped_column(String(20))
    success: Mapped[bool] = mapped_column(Boolean)


class UserSession(Base):
    """One signed-in session, on the server: the cookie carries a random key, the database only
    its SHA-256 hash. The session lives exactly as long as this row: logging out deletes it, so
    a copy of the cookie is worth nothing afterwards (``workflows.sessions``)."""

    __tablename__ = "user_sessions"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, index=True)
