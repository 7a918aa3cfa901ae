"""resident changes: the address and phone, a move out of the municipality or a death, a version

A gids corrects a resident (name, address, phone, postcode, wijk) and records a move out of the
municipality or a death (at most one of the two). ``version`` is the resident's optimistic lock,
as on trajectories: existing rows start at 1.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.add_column(sa.Column("address", sa.String(200), nullable=True))
        batch.add_column(sa.Column("phone", sa.String(20), nullable=True))
        batch.add_column(sa.Column("moved_out_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("died_on", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch.create_check_constraint(
            op.f("ck_residents_one_departure"), "moved_out_on IS NULL OR died_on IS NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.drop_constraint(op.f("ck_residents_one_departure"), type_="check")
        batch.drop_column("version")
        batch.drop_column("died_on")
        batch.drop_column("moved_out_on")
        batch.drop_column("phone")
        batch.drop_column("address")
