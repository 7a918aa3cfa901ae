"""every list pages: requests for access (inzageverzoeken) as records,
and the index behind a provider's paged claims list

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("requester_name", sa.String(length=160), nullable=False),
        sa.Column(
            "requester_relation",
            sa.Enum(
                "inwoner",
                "wettelijk_vertegenwoordiger",
                "gemachtigde",
                name="requesterrelation",
                native_enum=False,
                create_constraint=True,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "afgehandeld",
                name="accessrequeststate",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("registered_by_id", sa.Integer(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(state = 'afgehandeld') = (closed_at IS NOT NULL)",
            name=op.f("ck_access_requests_closed_iff_afgehandeld"),
        ),
        sa.CheckConstraint(
            "(closed_at IS NULL) = (closed_by_id IS NULL)",
            name=op.f("ck_access_requests_closed_by_someone"),
        ),
        sa.CheckConstraint(
            "due_on >= received_on", name=op.f("ck_access_requests_due_after_received")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_access_requests_resident_id_residents"),
        ),
        sa.ForeignKeyConstraint(
            ["registered_by_id"],
            ["users.id"],
            name=op.f("fk_access_requests_registered_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_access_requests_closed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_access_requests_reference")),
    )
    op.create_index(
        op.f("ix_access_requests_resident_id"), "access_requests", ["resident_id"], unique=False
    )
    op.create_index(
        "ix_access_requests_state_due", "access_requests", ["state", "due_on", "id"], unique=False
    )
    op.create_index(
        "ix_claims_provider_submitted",
        "claims",
        ["provider_id", "submitted_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_claims_provider_submitted", table_name="claims")
    op.drop_index("ix_access_requests_state_due", table_name="access_requests")
    op.drop_index(op.f("ix_access_requests_resident_id"), table_name="access_requests")
    op.drop_table("access_requests")
