"""council report commentary

``council_comments`` holds a manager's written commentary per year, domain and figure of the
council report (*raadsrapportage*), with who changed it last and when.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06 09:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "council_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "domain",
            sa.Enum(
                "wmo", "jeugd", name="domain", native_enum=False, create_constraint=True, length=10
            ),
            nullable=False,
        ),
        sa.Column("figure", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_council_comments_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_comments")),
        sa.UniqueConstraint("year", "domain", "figure", name="one_comment_per_year_domain_figure"),
    )


def downgrade() -> None:
    op.drop_table("council_comments")
