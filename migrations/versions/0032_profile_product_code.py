"""A support profile's product code (the iStandaarden LDT_ProductCode) for the toewijzing

``support_profiles.product_code`` (1 to 5 characters, unique within its product category) is
the Code the 301 carries beside the Categorie. Existing profiles get one, deterministically:
the category code followed by the profile's number within its category, three digits, in the
order of the profiles' ids (the first profile of category 02 gets ``02001``, the next
``02002``). The beheerder can change it on the profile's page until a 301 carried it.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06 06:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("support_profiles") as batch:
        batch.add_column(sa.Column("product_code", sa.String(length=5), nullable=True))
    profiles = sa.table(
        "support_profiles",
        sa.column("id", sa.Integer),
        sa.column("category_code", sa.String),
        sa.column("product_code", sa.String),
    )
    bind = op.get_bind()
    numbers: dict[str, int] = {}
    for profile_id, category in bind.execute(
        sa.select(profiles.c.id, profiles.c.category_code).order_by(profiles.c.id)
    ):
        numbers[category] = numbers.get(category, 0) + 1
        bind.execute(
            profiles.update()
            .where(profiles.c.id == profile_id)
            .values(product_code=f"{category}{numbers[category]:03d}")
        )
    with op.batch_alter_table("support_profiles") as batch:
        batch.create_unique_constraint(
            "uq_support_profiles_product_code", ["category_code", "product_code"]
        )


def downgrade() -> None:
    with op.batch_alter_table("support_profiles") as batch:
        batch.drop_constraint("uq_support_profiles_product_code", type_="unique")
        batch.drop_column("product_code")
