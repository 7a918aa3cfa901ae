"""Residents (*inwoners*) and their households. One gids is the single contact per household."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, utcnow

if TYPE_CHECKING:
    from .aanmelding import Aanmelding
    from .reference import Wijk
    from .trajectory import Trajectory
    from .user import User


class Household(Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    gids_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    gids: Mapped[User] = relationship()
    members: Mapped[list[Resident]] = relationship(
        back_populates="household", order_by="Resident.birth_date"
    )


class Resident(Base):
    __tablename__ = "residents"
    __table_args__ = (CheckConstraint("length(bsn) = 9", name="bsn_9_digits"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bsn: Mapped[str] = mapped_column(String(9), unique=True)
    given_name: Mapped[str] = mapped_column(String(80))
    family_name: Mapped[str] = mapped_column(String(120), index=True)
    birth_date: Mapped[date] = mapped_column(Date)
    postcode: Mapped[str | None] = mapped_column(String(6))
    wijk_id: Mapped[int | None] = mapped_column(ForeignKey("wijken.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    wijk: Mapped[Wijk | None] = relationship()
    household: Mapped[Household] = relationship(back_populates="members")
    trajectories: Mapped[list[Trajectory]] = relationship(
        back_populates="resident", order_by="Trajectory.planned_start.desc()"
    )
    aanmeldingen: Mapped[list[Aanmelding]] = relationship(
        back_populates="resident", order_by="Aanmelding.request_date.desc()"
    )

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"
