"""feed changes: the statistics feed's change log, the version its figure cache is keyed by

Every flush that changes the statistics feed, every rebuild and every daily compaction inserts
one row (``workflows.stats.cache``); the version of the feed is the log's row count, newest id
and that row's random token. One row, kind ``start``, is written here so an existing feed has a
version from the start.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-05 22:30:00
"""

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    changes = op.create_table(
        "stats_feed_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_feed_changes")),
        sqlite_autoincrement=True,
    )
    op.bulk_insert(
        changes,
        [{"kind": "start", "token": secrets.randbits(62), "changed_at": datetime.now(UTC)}],
    )


def downgrade() -> None:
    op.drop_table("stats_feed_changes")
