"""Residents (*inwoners*) and their households. One gids is the single contact per household."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, text
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
    __table_args__ = (
        CheckConstraint("length(bsn) = 9", name="bsn_9_digits"),
        CheckConstraint("moved_out_on IS NULL OR died_on IS NULL", name="one_departure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bsn: Mapped[str] = mapped_column(String(9), unique=True)
    given_name: Mapped[str] = mapped_column(String(80))
    family_name: Mapped[str] = mapped_column(String(120), index=True)
    birth_date: Mapped[date] = mapped_column(Date)
    # Street and house number (and addition); the place is the municipality's, the wijk its part.
    address: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(6))
    # A Dutch phone number, stored as its ten digits in the national form: 0612345678, 0321123456
    # (``workflows.residents.normalise_phone``).
    phone: Mapped[str | None] = mapped_column(String(20))
    wijk_id: Mapped[int | None] = mapped_column(ForeignKey("wijken.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    # A move out of the municipality or a death, as the gids recorded it
    # (``workflows.residents.record_departure``); at most one of the two.
    moved_out_on: Mapped[date | None] = mapped_column(Date)
    died_on: Mapped[date | None] = mapped_column(Date)
    # Optimistic locking: two gidsen correcting one resident at once do not overwrite each other.
    # The server default fills rows written as plain rows (the demo seed).
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"))

    __mapper_args__: dict[str, Any] = {"version_id_col": version}

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

    @property
    def departed(self) -> bool:
        """Moved out of the municipality or died: the municipality's care for them is over."""
        return self.moved_out_on is not None or self.died_on is not None
