"""declarations received by message

A provider's declaration (JW323/WMO323) keeps its number, unique per provider and legal domain
(retour code 9333), and each accepted line its product reference, unique likewise (retour code
8021), with the claim it became (``models.declaration``).

Revision ID: 0028
Revises: 0026
Create Date: 2026-12-06 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _domain() -> sa.Enum:
    return sa.Enum(
        "wmo", "jeugd", name="domain", native_enum=False, create_constraint=True, length=10
    )


def upgrade() -> None:
    op.create_table(
        "declarations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("domain", _domain(), nullable=False),
        sa.Column("number", sa.String(length=12), nullable=False),
        sa.Column("submitted", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("granted", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_declarations_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_declarations_provider_id_providers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declarations")),
        sa.UniqueConstraint("provider_id", "domain", "number", name=op.f("uq_declarations_number")),
    )
    op.create_index(
        op.f("ix_declarations_message_id"), "declarations", ["message_id"], unique=False
    )
    op.create_table(
        "declaration_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("domain", _domain(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_declaration_lines_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_declaration_lines_declaration_id_declarations"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_declaration_lines_provider_id_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration_lines")),
        sa.UniqueConstraint(
            "provider_id", "domain", "reference", name=op.f("uq_declaration_lines_reference")
        ),
    )
    op.create_index(
        op.f("ix_declaration_lines_claim_id"), "declaration_lines", ["claim_id"], unique=False
    )
    op.create_index(
        op.f("ix_declaration_lines_declaration_id"),
        "declaration_lines",
        ["declaration_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_declaration_lines_declaration_id"), table_name="declaration_lines")
    op.drop_index(op.f("ix_declaration_lines_claim_id"), table_name="declaration_lines")
    op.drop_table("declaration_lines")
    op.drop_index(op.f("ix_declarations_message_id"), table_name="declarations")
    op.drop_table("declarations")
