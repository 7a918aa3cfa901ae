"""claim resubmission and the ZRM at the start of care

A refused claim corrected and submitted once more keeps its first submission, the refusal and
the provider's correction (new columns on ``claims``). The Zelfredzaamheid-Matrix measured at
the start of care, one score per domain, is a new table ``zrm_baseline_scores``.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = (
    "(first_refusal_reason IS NULL) = (correction IS NULL) "
    "AND (first_refusal_reason IS NULL) = (first_amount IS NULL) "
    "AND (first_refusal_reason IS NULL) = (first_submitted_at IS NULL)"
)


def upgrade() -> None:
    # On SQLite the batch rebuilds the table; existing claims were never resubmitted.
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("first_submitted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("first_amount", sa.Numeric(precision=10, scale=2), nullable=True)
        )
        batch.add_column(sa.Column("first_refusal_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("first_decided_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("first_decided_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("correction", sa.Text(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_claims_first_decided_by_id_users"), "users", ["first_decided_by_id"], ["id"]
        )
        batch.create_check_constraint(op.f("ck_claims_resubmission_keeps_first"), CHECK)

    op.create_table(
        "zrm_baseline_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trajectory_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.Integer(), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint(
            "domain BETWEEN 1 AND 13", name=op.f("ck_zrm_baseline_scores_zrm_baseline_domain_range")
        ),
        sa.CheckConstraint(
            "score BETWEEN 1 AND 5", name=op.f("ck_zrm_baseline_scores_zrm_baseline_score_range")
        ),
        sa.ForeignKeyConstraint(
            ["trajectory_id"],
            ["trajectories.id"],
            name=op.f("fk_zrm_baseline_scores_trajectory_id_trajectories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zrm_baseline_scores")),
        sa.UniqueConstraint("trajectory_id", "domain", name="one_baseline_per_domain"),
    )
    op.create_index(
        op.f("ix_zrm_baseline_scores_trajectory_id"),
        "zrm_baseline_scores",
        ["trajectory_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_zrm_baseline_scores_trajectory_id"), table_name="zrm_baseline_scores")
    op.drop_table("zrm_baseline_scores")
    with op.batch_alter_table("claims") as batch:
        batch.drop_constraint(op.f("ck_claims_resubmission_keeps_first"), type_="check")
        batch.drop_constraint(op.f("fk_claims_first_decided_by_id_users"), type_="foreignkey")
        batch.drop_column("correction")
        batch.drop_column("first_decided_at")
        batch.drop_column("first_decided_by_id")
        batch.drop_column("first_refusal_reason")
        batch.drop_column("first_amount")
        batch.drop_column("first_submitted_at")
