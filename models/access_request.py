"""A request for access (*inzageverzoek*, AVG art. 15): the only way the beheerder reaches a
resident's file.

The beheerder registers who asked (the resident, a legal representative or someone authorised),
when it was received and the municipality's case number (*zaaknummer*), finding the resident by
BSN. The file — the audit log about the resident, the JSON and PDF export — hangs off the
request and is reachable only while it is open (``workflows.inzage``). The request keeps the
resident's internal id, never a copy of a personal detail beyond the requester's name.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, sql_value, str_enum, utcnow

if TYPE_CHECKING:
    from .resident import Resident
    from .user import User


class AccessRequestState(enum.StrEnum):
    OPEN = "open"
    AFGEHANDELD = "afgehandeld"  # answered (or withdrawn): the file is closed to the beheerder


class RequesterRelation(enum.StrEnum):
    """Who asked, in relation to the resident."""

    INWONER = "inwoner"  # the resident themself
    WETTELIJK_VERTEGENWOORDIGER = "wettelijk_vertegenwoordiger"  # parent, guardian, curator
    GEMACHTIGDE = "gemachtigde"  # someone the resident authorised in writing


class AccessRequest(Base):
    __tablename__ = "access_requests"
    __table_args__ = (
        CheckConstraint(
            f"(state = {sql_value(AccessRequestState.AFGEHANDELD)}) = (closed_at IS NOT NULL)",
            name="closed_iff_afgehandeld",
        ),
        CheckConstraint("(closed_at IS NULL) = (closed_by_id IS NULL)", name="closed_by_someone"),
        CheckConstraint("due_on >= received_on", name="due_after_received"),
        # The beheerder's list: open requests first, the nearest deadline first.
        Index("ix_access_requests_state_due", "state", "due_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)  # zaaknummer
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    requester_name: Mapped[str] = mapped_column(String(160))
    requester_relation: Mapped[RequesterRelation] = mapped_column(str_enum(RequesterRelation, 30))
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)  # received + one month (AVG art. 12(3))
    state: Mapped[AccessRequestState] = mapped_column(
        str_enum(AccessRequestState), default=AccessRequestState.OPEN
    )
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    resident: Mapped[Resident] = relationship()
    registered_by: Mapped[User] = relationship(foreign_keys=[registered_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])

    @property
    def is_open(self) -> bool:
        return self.state == AccessRequestState.OPEN
