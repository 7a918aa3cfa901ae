"""join the message exchange's migrations (0027 requests, 0028 care, 0029 tokens)

Only in the simulator's branch, so that its tests can migrate while the three branches each
add a migration after 0026; when the branches are merged and re-chained, this file goes.

Revision ID: 0030
Revises: 0027, 0028, 0029
Create Date: 2026-12-06 05:30:00
"""

from collections.abc import Sequence

revision: str = "0030"
down_revision: str | tuple[str, ...] | None = ("0027", "0028", "0029")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
