"""message tokens: bearer tokens of the providers' message gateways

``message_tokens`` holds the tokens a beheerder issues on a provider's page for the HTTP side of
the iWmo/iJw message exchange: only the SHA-256 of a token is kept, with its first characters
to tell tokens apart, who issued it, when it was last used and when it was revoked. One valid
token per provider and name.

Revision ID: 0029
Revises: 0026
Create Date: 2026-12-06 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_message_tokens_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_message_tokens_provider_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_message_tokens_token_hash")),
    )
    with op.batch_alter_table("message_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_tokens_provider_id"), ["provider_id"], unique=False
        )
        batch_op.create_index(
            "uq_message_tokens_open_name",
            ["provider_id", "name"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("message_tokens", schema=None) as batch_op:
        batch_op.drop_index("uq_message_tokens_open_name")
        batch_op.drop_index(batch_op.f("ix_message_tokens_provider_id"))
    op.drop_table("message_tokens")
