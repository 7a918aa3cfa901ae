"""The trajectory (*traject*) aggregate: the agreement itself, its agreed results and its events.

``state`` changes only through the transition table (``workflows.transitions``); check
constraints tie each state to the fields it requires, so a half-done transition cannot be stored,
and an event's action is one of ``EventAction``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, sql_value, str_enum, utcnow
from .enums import (
    ClosureCategory,
    Domain,
    EventAction,
    Intensity,
    NeedType,
    PromptStage,
    ReferrerType,
    TrajectoryState,
)

if TYPE_CHECKING:
    from .aanmelding import Aanmelding
    from .catalogue import SupportProfile, Tariff
    from .evaluation import Evaluation, ZrmBaselineScore
    from .provider import Provider
    from .resident import Resident
    from .user import User

OPEN_STATES = (
    TrajectoryState.CONCEPT,
    TrajectoryState.VOORGESTELD,
    TrajectoryState.TERUGGESTUURD,
    TrajectoryState.GEACCEPTEERD,
    TrajectoryState.ACTIEF,
)

# The states in which care has started (the check constraint on ``care_start``).
_CARE_STARTED = ", ".join(
    sql_value(s) for s in (TrajectoryState.ACTIEF, TrajectoryState.AFGESLOTEN)
)


class Trajectory(Base):
    __tablename__ = "trajectories"
    __table_args__ = (
        CheckConstraint("planned_end >= planned_start", name="planned_dates_in_order"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint(
            f"(state IN ({_CARE_STARTED})) = (care_start IS NOT NULL)",
            name="care_start_iff_started",
        ),
        CheckConstraint(
            f"(state = {sql_value(TrajectoryState.AFGESLOTEN)}) = (care_end IS NOT NULL)",
            name="care_end_iff_closed",
        ),
        CheckConstraint(
            f"state <> {sql_value(TrajectoryState.AFGESLOTEN)} OR (closure_category IS NOT NULL "
            "AND end_reason_code IS NOT NULL AND result_achieved IS NOT NULL)",
            name="closure_complete",
        ),
        CheckConstraint("care_end IS NULL OR care_end >= care_start", name="care_dates_in_order"),
        CheckConstraint(
            "evaluation_interval_months IS NULL OR evaluation_interval_months BETWEEN 1 AND 24",
            name="interval_range",
        ),
        Index("ix_trajectories_gids_state", "gids_id", "state"),
        # The caseload page: a gids's trajectories in planned-end order, read 25 at a time
        # straight off the index instead of sorting the whole caseload (bench/load.py).
        Index("ix_trajectories_gids_planned_end", "gids_id", "planned_end", "id"),
        Index("ix_trajectories_provider_state", "provider_id", "state"),
        CheckConstraint("term_prompt_stage BETWEEN 0 AND 2", name="term_prompt_stage_range"),
        # The scheduler's term prompts (not yet prompted, by planned end) and decision prompts
        # (open trajectories of a domain by decision end, with the mark to skip the prompted).
        Index("ix_trajectories_term_prompting", "state", "term_prompt_stage", "planned_end"),
        Index(
            "ix_trajectories_decision_prompting",
            "domain",
            "state",
            "decision_end",
            "decision_prompted_for",
        ),
        # The history import's key: unique, partial so the many trajectories without one do
        # not make the index look unselective to the planner.
        Index(
            "uq_trajectories_import_id",
            "import_id",
            unique=True,
            sqlite_where=text("import_id IS NOT NULL"),
            postgresql_where=text("import_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"), index=True)
    gids_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10))
    profile_id: Mapped[int] = mapped_column(ForeignKey("support_profiles.id"), index=True)
    intensity: Mapped[Intensity] = mapped_column(str_enum(Intensity, 10))
    tariff_id: Mapped[int | None] = mapped_column(ForeignKey("tariffs.id"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    subcontractor_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    need_type: Mapped[NeedType] = mapped_column(str_enum(NeedType, 10))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    price_reason: Mapped[str | None] = mapped_column(Text)
    planned_start: Mapped[date] = mapped_column(Date)
    planned_end: Mapped[date] = mapped_column(Date)
    decision_date: Mapped[date | None] = mapped_column(Date)
    decision_end: Mapped[date | None] = mapped_column(Date)
    care_start: Mapped[date | None] = mapped_column(Date)
    care_end: Mapped[date | None] = mapped_column(Date)
    state: Mapped[TrajectoryState] = mapped_column(
        str_enum(TrajectoryState), default=TrajectoryState.CONCEPT, index=True
    )
    closure_category: Mapped[ClosureCategory | None] = mapped_column(str_enum(ClosureCategory, 1))
    end_reason_code: Mapped[str | None] = mapped_column(String(2))
    result_achieved: Mapped[bool | None] = mapped_column(Boolean)
    # The trajectory this one follows after scaling up/down (R9); a chain, not a new inflow.
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("trajectories.id"), index=True)
    # The gids may override the tariff's evaluation interval for this trajectory (R8).
    evaluation_interval_months: Mapped[int | None] = mapped_column(Integer)
    uses_zrm: Mapped[bool] = mapped_column(Boolean, default=False)
    # Jeugd: who referred the resident (*Verwijzer*: the national type code and a name).
    referrer_type: Mapped[ReferrerType | None] = mapped_column(str_enum(ReferrerType, 2))
    referrer_name: Mapped[str | None] = mapped_column(String(64))
    # The key of a trajectory brought in by the history import; importing it again updates it.
    import_id: Mapped[str | None] = mapped_column(String(64))
    # The scheduler's high-water marks (written by workflows.scheduler_jobs only): which term
    # prompt went out for the planned end (PromptStage), and for which decision end the decision
    # prompt (Wmo: expiring, Jeugd: turning 18) went out.
    term_prompt_stage: Mapped[int] = mapped_column(
        SmallInteger, default=PromptStage.NONE, server_default="0"
    )
    decision_prompted_for: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, onupdate=utcnow)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}

    resident: Mapped[Resident] = relationship(back_populates="trajectories")
    aanmelding: Mapped[Aanmelding | None] = relationship(back_populates="trajectories")
    gids: Mapped[User] = relationship()
    profile: Mapped[SupportProfile] = relationship()
    tariff: Mapped[Tariff | None] = relationship()
    provider: Mapped[Provider] = relationship(foreign_keys=[provider_id])
    subcontractor: Mapped[Provider | None] = relationship(foreign_keys=[subcontractor_id])
    follows: Mapped[Trajectory | None] = relationship(remote_side=[id])
    results: Mapped[list[AgreedResult]] = relationship(
        back_populates="trajectory", cascade="all, delete-orphan", order_by="AgreedResult.position"
    )
    evaluations: Mapped[list[Evaluation]] = relationship(
        back_populates="trajectory", cascade="all, delete-orphan", order_by="Evaluation.due_on"
    )
    # The ZRM at the start of care (models.evaluation.ZrmBaselineScore), by domain.
    zrm_baseline: Mapped[list[ZrmBaselineScore]] = relationship(
        back_populates="trajectory",
        cascade="all, delete-orphan",
        order_by="ZrmBaselineScore.domain",
    )
    events: Mapped[list[TrajectoryEvent]] = relationship(
        back_populates="trajectory", cascade="all, delete-orphan", order_by="TrajectoryEvent.id"
    )

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class AgreedResult(Base):
    """A desired result agreed with the resident, measured with Goal Attainment Scaling.

    ``gas_*`` describe what each level −2…+2 looks like, where the gids wants to spell it out.
    """

    __tablename__ = "agreed_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectories.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    measure: Mapped[str | None] = mapped_column(Text)
    gas_minus2: Mapped[str | None] = mapped_column(Text)
    gas_minus1: Mapped[str | None] = mapped_column(Text)
    gas_zero: Mapped[str | None] = mapped_column(Text)
    gas_plus1: Mapped[str | None] = mapped_column(Text)
    gas_plus2: Mapped[str | None] = mapped_column(Text)

    trajectory: Mapped[Trajectory] = relationship(back_populates="results")


class TrajectoryEvent(Base):
    """R14: who did what to a trajectory, when, from which state to which, and why."""

    __tablename__ = "trajectory_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectories.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    action: Mapped[EventAction] = mapped_column(str_enum(EventAction, 30))
    old_state: Mapped[TrajectoryState | None] = mapped_column(
        str_enum(TrajectoryState, name="old_state")
    )
    new_state: Mapped[TrajectoryState | None] = mapped_column(
        str_enum(TrajectoryState, name="new_state")
    )
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)

    trajectory: Mapped[Trajectory] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()
