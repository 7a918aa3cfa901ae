"""Claims (*declaraties*, R11): one per trajectory, never above its price. A refused claim may
be corrected and submitted once more: the ``first_*`` columns keep the first submission and its
refusal, ``correction`` says what the provider changed (``workflows.claims.resubmit_claim``)."""

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
        # Resubmitted once: the first submission, its refusal and the correction are all kept.
        CheckConstraint(
            "(first_refusal_reason IS NULL) = (correction IS NULL) "
            "AND (first_refusal_reason IS NULL) = (first_amount IS NULL) "
            "AND (first_refusal_reason IS NULL) = (first_submitted_at IS NULL)",
            name="resubmission_keeps_first",
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
    # Set when a refused claim was corrected and submitted again (at most once).
    first_submitted_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    first_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    first_refusal_reason: Mapped[str | None] = mapped_column(Text)
    first_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    first_decided_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    correction: Mapped[str | None] = mapped_column(Text)

    trajectory: Mapped[Trajectory] = relationship()
    provider: Mapped[Provider] = relationship()
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    first_decided_by: Mapped[User | None] = relationship(foreign_keys=[first_decided_by_id])

    @property
    def resubmitted(self) -> bool:
        return self.first_refusal_reason is not None
