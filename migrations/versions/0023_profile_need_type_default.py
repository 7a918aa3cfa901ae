"""a support profile's need type default

``support_profiles.need_type_default``: the need type (eindig/blijvend) a new trajectory with
the profile starts with on the gids's form. Existing profiles get none (NULL): the form keeps
its general default until the beheerder sets one.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # On SQLite the batch rebuilds the table; on PostgreSQL these are two ALTER TABLEs.
    with op.batch_alter_table("support_profiles") as batch:
        batch.add_column(sa.Column("need_type_default", sa.String(length=10), nullable=True))
        batch.create_check_constraint(
            op.f("ck_support_profiles_need_type_default"),
            "need_type_default IN ('eindig', 'blijvend')",
        )


def downgrade() -> None:
    with op.batch_alter_table("support_profiles") as batch:
        batch.drop_constraint(op.f("ck_support_profiles_need_type_default"), type_="check")
        batch.drop_column("need_type_default")
