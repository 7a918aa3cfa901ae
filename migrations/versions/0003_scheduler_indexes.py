"""indexes for the scheduler's set-based jobs (bench/scheduler_tick.py)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 12:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_evaluations_state_due_on", "evaluations", ["state", "due_on", "trajectory_id"]
    )
    op.create_index("ix_trajectories_state_planned_end", "trajectories", ["state", "planned_end"])
    op.create_index("ix_trajectories_state_decision_end", "trajectories", ["state", "decision_end"])
    op.create_index(
        "ix_tasks_unmailed",
        "tasks",
        ["id"],
        sqlite_where=sa.text("mailed_at IS NULL"),
        postgresql_where=sa.text("mailed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_tasks_unmailed", table_name="tasks")
    op.drop_index("ix_trajectories_state_decision_end", table_name="trajectories")
    op.drop_index("ix_trajectories_state_planned_end", table_name="trajectories")
    op.drop_index("ix_evaluations_state_due_on", table_name="evaluations")
