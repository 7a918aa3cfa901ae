"""Aanmeldingen: a resident's request for support, registered by a gids. Refused
aanmeldingen and those without follow-up are kept (R13).

The table keeps its historical name ``requests``, and so do its columns
(``request_date``, ``trajectories.request_id``) and the outcome's CHECK constraint
(``requestoutcome``): the statistics feed, the import/export columns and the
migrations name them, so only the Python names changed."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, sql_value, str_enum, utcnow
from .enums import AanmeldingOutcome, Domain, ReferrerType

if TYPE_CHECKING:
    from .resident import Resident
    from .trajectory import Trajectory
    from .user import User


class Aanmelding(Base):
    """An aanmelding (the term of art; once called ``Request``)."""

    __tablename__ = "requests"  # historical name, kept: see the module docstring
    __table_args__ = (
        CheckConstraint(
            f"outcome <> {sql_value(AanmeldingOutcome.AFGEWEZEN)} OR outcome_reason IS NOT NULL",
            name="refusal_has_reason",
        ),
        CheckConstraint(
            f"(outcome = {sql_value(AanmeldingOutcome.IN_BEHANDELING)}) = (decided_on IS NULL)",
            name="decided_iff_outcome",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    gids_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    request_date: Mapped[date] = mapped_column(Date)
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10))
    question: Mapped[str] = mapped_column(Text)
    outcome: Mapped[AanmeldingOutcome] = mapped_column(
        str_enum(AanmeldingOutcome, name="requestoutcome"), default=AanmeldingOutcome.IN_BEHANDELING
    )
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date | None] = mapped_column(Date)
    # Jeugd: who referred the resident (*Verwijzer*: the national type code and a name).
    referrer_type: Mapped[ReferrerType | None] = mapped_column(str_enum(ReferrerType, 2))
    referrer_name: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    resident: Mapped[Resident] = relationship(back_populates="aanmeldingen")
    gids: Mapped[User] = relationship()
    trajectories: Mapped[list[Trajectory]] = relationship(back_populates="aanmelding")
