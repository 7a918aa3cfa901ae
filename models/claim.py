"""Claims (*declaraties*, R11): one per trajectory, never above its price."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, sql_value, str_enum, utcnow
from .enums import ClaimState

if TYPE_CHECKING:
    from .provider import Provider
    from .trajectory import Trajectory
    from .user import User


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("amount <= price", name="amount_within_price"),
        CheckConstraint(
            f"state <> {sql_value(ClaimState.AFGEWEZEN)} OR decision_reason IS NOT NULL",
            name="refusal_has_reason",
        ),
        # A provider's claims list and CSV, newest first, one page at a time (migration 0007).
        Index("ix_claims_provider_submitted", "provider_id", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # unique: one claim per trajectory, ever (R11)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectories.id"), unique=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))  # the trajectory price at claiming
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    basis: Mapped[str] = mapped_column(Text)  # how the amount was computed, for the reader
    state: Mapped[ClaimState] = mapped_column(
        str_enum(ClaimState), default=ClaimState.INGEDIEND, index=True
    )
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    trajectory: Mapped[Trajectory] = relationship()
    provider: Mapped[Provider] = relationship()
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
