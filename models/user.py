"""Accounts. An aanbieder account belongs to exactly one provider organisation.

Signed-in sessions are rows of ``user_sessions`` (``UserSession``). ``session_generation`` is
raised whenever the account's sessions are ended (a password change, a block, a reset second
factor) and voids a login that is half-way (password given, code not yet). The TOTP secret is
kept until the user confirms it with a first code (``totp_confirmed_at``); ``totp_last_step``
refuses a code that was used already (replay).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, sql_value, str_enum, utcnow
from .enums import Role

if TYPE_CHECKING:
    from .provider import Provider
    from .security import RecoveryCode


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            f"(role = {sql_value(Role.AANBIEDER)}) = (provider_id IS NOT NULL)",
            name="provider_iff_aanbieder",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    session_generation: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    password_changed_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    provider: Mapped[Provider | None] = relationship(back_populates="users")
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RecoveryCode.id"
    )

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None and self.totp_confirmed_at is not None

    # The session-user protocol Flask-Login expects, written out so models/ stays Flask-free.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """Flask-Login's protocol. The session cookie does not store this: it names the
        session's record instead (``app.auth.sessions.begin``)."""
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
