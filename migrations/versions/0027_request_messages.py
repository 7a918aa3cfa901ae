"""request messages: the providers' 315/317 requests (verzoeken) and their answers

``verzoeken`` keeps, per requested product of a 315 and per 317, the provider's reference
(``ReferentieAanbieder``, unique per provider and domain), what was asked, what it became (an
aanmelding, a scaling request, the trajectory it concerns) and the answer.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "verzoeken"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=3), nullable=False),
        sa.Column(
            "domain",
            sa.Enum(
                "wmo", "jeugd", name="domain", native_enum=False, create_constraint=True, length=10
            ),
            nullable=False,
        ),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("aanmelding_id", sa.Integer(), nullable=True),
        sa.Column("scaling_request_id", sa.Integer(), nullable=True),
        sa.Column("trajectory_id", sa.Integer(), nullable=True),
        sa.Column("product_category", sa.String(length=2), nullable=True),
        sa.Column("product_code", sa.String(length=5), nullable=True),
        sa.Column("requested_start", sa.Date(), nullable=True),
        sa.Column("requested_end", sa.Date(), nullable=True),
        sa.Column("volume", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(length=2), nullable=True),
        sa.Column("frequency", sa.String(length=1), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "in_onderzoek",
                "toegewezen",
                "afgewezen",
                name="verzoekstate",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("refusal_code", sa.String(length=2), nullable=True),
        sa.Column("refusal_text", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(state = 'afgewezen') = (refusal_code IS NOT NULL)",
            name=op.f("ck_verzoeken_refusal_has_code"),
        ),
        sa.CheckConstraint("kind IN ('315', '317')", name=op.f("ck_verzoeken_kind_315_or_317")),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_verzoeken_provider_id_providers")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_verzoeken_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["aanmelding_id"], ["requests.id"], name=op.f("fk_verzoeken_aanmelding_id_requests")
        ),
        sa.ForeignKeyConstraint(
            ["scaling_request_id"],
            ["scaling_requests.id"],
            name=op.f("fk_verzoeken_scaling_request_id_scaling_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["trajectory_id"],
            ["trajectories.id"],
            name=op.f("fk_verzoeken_trajectory_id_trajectories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verzoeken")),
        sa.UniqueConstraint(
            "provider_id", "domain", "reference", name=op.f("uq_verzoeken_reference")
        ),
    )
    for column in ("provider_id", "message_id", "aanmelding_id", "scaling_request_id"):
        op.create_index(op.f(f"ix_verzoeken_{column}"), TABLE, [column], unique=False)
    op.create_index(op.f("ix_verzoeken_trajectory_id"), TABLE, ["trajectory_id"], unique=False)


def downgrade() -> None:
    op.drop_table(TABLE)
