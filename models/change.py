"""Requests to change a running trajectory: scaling up or down (R9) and the provider's report
that care ended, which the gids confirms (closing the trajectory) or returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, sql_value, str_enum, utcnow
from .enums import ClosureCategory, Intensity, SubmissionState

OPEN = f"state = {sql_value(SubmissionState.INGEDIEND)}"


def _one_open_per_trajectory(name: str) -> Index:
    """At most one request waiting for the gids per trajectory (the workflows check it; this
    index holds also when two requests pass that check at the same moment)."""
    return Index(
        name, "trajectory_id", unique=True, sqlite_where=text(OPEN), postgresql_where=text(OPEN)
    )


if TYPE_CHECKING:
    from .catalogue import SupportProfile
    from .trajectory import Trajectory
    from .user import User


class ScalingRequest(Base):
    """Either party asks for another intensity or profile; the gids decides (R9)."""

    __tablename__ = "scaling_requests"
    __table_args__ = (
        CheckConstraint(
            f"state <> {sql_value(SubmissionState.AFGEWEZEN)} OR decision_reason IS NOT NULL",
            name="refusal_has_reason",
        ),
        CheckConstraint(
            f"(state = {sql_value(SubmissionState.TOEGEKEND)}) = (follow_up_id IS NOT NULL)",
            name="follow_up_iff_granted",
        ),
        _one_open_per_trajectory("uq_scaling_requests_open"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectories.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    new_profile_id: Mapped[int] = mapped_column(ForeignKey("support_profiles.id"))
    new_intensity: Mapped[Intensity] = mapped_column(str_enum(Intensity, 10))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[SubmissionState] = mapped_column(
        str_enum(SubmissionState, name="requeststate"),
        default=SubmissionState.INGEDIEND,
        index=True,
    )
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("trajectories.id"))

    trajectory: Mapped[Trajectory] = relationship(foreign_keys=[trajectory_id])
    follow_up: Mapped[Trajectory | None] = relationship(foreign_keys=[follow_up_id])
    new_profile: Mapped[SupportProfile] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class EndOfCareReport(Base):
    """The provider reports *einde zorg*; the gids confirms it (the trajectory closes with these
    values) or returns it with a remark."""

    __tablename__ = "end_of_care_reports"
    __table_args__ = (
        CheckConstraint(
            f"state <> {sql_value(SubmissionState.AFGEWEZEN)} OR decision_reason IS NOT NULL",
            name="return_has_reason",
        ),
        _one_open_per_trajectory("uq_end_of_care_reports_open"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectories.id"), index=True)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    care_end: Mapped[date] = mapped_column(Date)
    closure_category: Mapped[ClosureCategory] = mapped_column(str_enum(ClosureCategory, 1))
    end_reason_code: Mapped[str] = mapped_column(String(2))
    result_achieved: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[SubmissionState] = mapped_column(
        str_enum(SubmissionState, name="requeststate"),
        default=SubmissionState.INGEDIEND,
        index=True,
    )
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    trajectory: Mapped[Trajectory] = relationship()
    reported_by: Mapped[User] = relationship(foreign_keys=[reported_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
