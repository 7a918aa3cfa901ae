"""Cyclic evaluations (R8): planned from the tariff's interval, held by the provider with the
resident, the gids and the network, scored per agreed result with Goal Attainment Scaling
(−2…+2) and optionally the Zelfredzaamheid-Matrix (13 domains, 1…5), reviewed by the gids."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, sql_value, str_enum, utcnow
from .enums import EvaluationKind, EvaluationState, PromptStage, ReviewOutcome

if TYPE_CHECKING:
    from .trajectory import AgreedResult, Trajectory
    from .user import User

ZRM_DOMAINS = 13
OPEN_EXTRA = (
    f"kind = {sql_value(EvaluationKind.EXTRA)} AND state = {sql_value(EvaluationState.GEPLAND)}"
)


class Evaluation(Base):
    __tablename__ = "evaluations"
    __table_args__ = (
        CheckConstraint(
            f"(state = {sql_value(EvaluationState.GEPLAND)}) = (held_on IS NULL)",
            name="held_iff_submitted",
        ),
        CheckConstraint(
            f"(state = {sql_value(EvaluationState.BEOORDEELD)}) = (review_outcome IS NOT NULL)",
            name="reviewed_iff_outcome",
        ),
        CheckConstraint(
            f"review_outcome IS NULL OR review_outcome <> {sql_value(ReviewOutcome.BESPREKEN)} "
            "OR review_remark IS NOT NULL",
            name="discussion_has_remark",
        ),
        CheckConstraint(
            f"kind <> {sql_value(EvaluationKind.EXTRA)} OR reason IS NOT NULL",
            name="extra_has_reason",
        ),
        CheckConstraint("prompt_stage BETWEEN 0 AND 2", name="prompt_stage_range"),
        # The scheduler's evaluation prompts: planned evaluations not yet prompted, by due date.
        Index("ix_evaluations_prompting", "state", "prompt_stage", "due_on"),
        # One open extra evaluation per trajectory (workflows.evaluations.open_extra_evaluation):
        # a double submit cannot plan a second one.
        Index(
            "uq_evaluations_open_extra",
            "trajectory_id",
            unique=True,
            sqlite_where=text(OPEN_EXTRA),
            postgresql_where=text(OPEN_EXTRA),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectories.id"), index=True)
    kind: Mapped[EvaluationKind] = mapped_column(str_enum(EvaluationKind))
    due_on: Mapped[date] = mapped_column(Date)  # indexed by ix_evaluations_prompting
    state: Mapped[EvaluationState] = mapped_column(
        str_enum(EvaluationState), default=EvaluationState.GEPLAND
    )
    reason: Mapped[str | None] = mapped_column(Text)
    held_on: Mapped[date | None] = mapped_column(Date)
    with_inwoner: Mapped[bool] = mapped_column(Boolean, default=False)
    with_gids: Mapped[bool] = mapped_column(Boolean, default=False)
    with_aanbieder: Mapped[bool] = mapped_column(Boolean, default=False)
    with_netwerk: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str | None] = mapped_column(Text)
    need_changed: Mapped[bool | None] = mapped_column(Boolean)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    review_outcome: Mapped[ReviewOutcome | None] = mapped_column(str_enum(ReviewOutcome))
    review_remark: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    # Which of the scheduler's prompts went out for this due date (PromptStage); reset to
    # NONE when the due date moves, so the new date is prompted again.
    prompt_stage: Mapped[int] = mapped_column(
        SmallInteger, default=PromptStage.NONE, server_default="0"
    )

    trajectory: Mapped[Trajectory] = relationship(back_populates="evaluations")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    scores: Mapped[list[ResultScore]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="ResultScore.id"
    )
    zrm_scores: Mapped[list[ZrmScore]] = relationship(
        back_populates="evaluation", cascade="all, delete-orphan", order_by="ZrmScore.domain"
    )


class ResultScore(Base):
    """Goal Attainment Scaling for one agreed result at one evaluation."""

    __tablename__ = "result_scores"
    __table_args__ = (
        CheckConstraint("score BETWEEN -2 AND 2", name="gas_range"),
        UniqueConstraint("evaluation_id", "result_id", name="one_score_per_result"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("agreed_results.id"))
    score: Mapped[int] = mapped_column(SmallInteger)
    explanation: Mapped[str | None] = mapped_column(Text)

    evaluation: Mapped[Evaluation] = relationship(back_populates="scores")
    result: Mapped[AgreedResult] = relationship()


class ZrmScore(Base):
    """Zelfredzaamheid-Matrix 2017: domain 1…13, score 1 (acuut) … 5 (volledig zelfredzaam)."""

    __tablename__ = "zrm_scores"
    __table_args__ = (
        CheckConstraint(f"domain BETWEEN 1 AND {ZRM_DOMAINS}", name="zrm_domain_range"),
        CheckConstraint("score BETWEEN 1 AND 5", name="zrm_score_range"),
        UniqueConstraint("evaluation_id", "domain", name="one_score_per_domain"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    domain: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(SmallInteger)

    evaluation: Mapped[Evaluation] = relationship(back_populates="zrm_scores")


class ZrmBaselineScore(Base):
    """The Zelfredzaamheid-Matrix at the start of care (the *nulmeting*): one score per domain,
    recorded by the provider with the start of care, measured on the trajectory's care start.
    The evaluations' ZRM scores are compared with it."""

    __tablename__ = "zrm_baseline_scores"
    __table_args__ = (
        CheckConstraint(f"domain BETWEEN 1 AND {ZRM_DOMAINS}", name="zrm_baseline_domain_range"),
        CheckConstraint("score BETWEEN 1 AND 5", name="zrm_baseline_score_range"),
        UniqueConstraint("trajectory_id", "domain", name="one_baseline_per_domain"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectories.id"), index=True)
    domain: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(SmallInteger)

    trajectory: Mapped[Trajectory] = relationship(back_populates="zrm_baseline")
