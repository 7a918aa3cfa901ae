"""task kind indexes: the inbox filtered by kind, and its counts per kind

Open tasks per recipient by kind in due order (partial, like ``ix_tasks_user_inbox``): one kind's
page is a short index scan, and the number of open tasks per kind an index-only count.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "done_at IS NULL"


def upgrade() -> None:
    condition = sa.text(OPEN)
    for recipient in ("user_id", "provider_id"):
        op.create_index(
            f"ix_tasks_{recipient.removesuffix('_id')}_kind",
            "tasks",
            [recipient, "kind", "due_on", "id"],
            sqlite_where=condition,
            postgresql_where=condition,
        )


def downgrade() -> None:
    op.drop_index("ix_tasks_provider_kind", table_name="tasks")
    op.drop_index("ix_tasks_user_kind", table_name="tasks")
