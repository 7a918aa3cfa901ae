"""Requests (*aanmeldingen*). Refused requests and those without follow-up are kept (R13)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, sql_value, str_enum, utcnow
from .enums import Domain, RequestOutcome

if TYPE_CHECKING:
    from .resident import Resident
    from .trajectory import Trajectory
    from .user import User


class Request(Base):
    __tablename__ = "requests"
    __table_args__ = (
        CheckConstraint(
            f"outcome <> {sql_value(RequestOutcome.AFGEWEZEN)} OR outcome_reason IS NOT NULL",
            name="refusal_has_reason",
        ),
        CheckConstraint(
            f"(outcome = {sql_value(RequestOutcome.IN_BEHANDELING)}) = (decided_on IS NULL)",
            name="decided_iff_outcome",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    gids_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    request_date: Mapped[date] = mapped_column(Date)
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10))
    question: Mapped[str] = mapped_column(Text)
    outcome: Mapped[RequestOutcome] = mapped_column(
        str_enum(RequestOutcome), default=RequestOutcome.IN_BEHANDELING
    )
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    resident: Mapped[Resident] = relationship(back_populates="requests")
    gids: Mapped[User] = relationship()
    trajectories: Mapped[list[Trajectory]] = relationship(back_populates="request")
