"""budgets and spend: money in the statistics feed, the kept finance counts, the budgets

The feed (``stats_trajectories``) gets what the finance figure needs of a trajectory: the month
its commitment began, the tariff's price (for the deviation flag), its claim (state, amount,
months submitted and decided), the month a claim is expected while there is none, and the
pro-rata amount for care closed without the result. ``stats_finance_counts`` keeps the money
per kept set (none, and the sets of the results' kept counts), domain, kind and month.

``budgets`` holds the beheerder's yearly budget per product category (euros; the domain is the
category's), one per year and category.

The rows that exist get the months that follow from their own columns here (the commitment
month from the decision, else the start; the expected month as if no claim was made); the claim
and tariff columns of live rows, and the kept counts, come from ``flask --app wsgi stats
rebuild``, which the upgrade note in docs/operations.md asks for (it needs the pseudonym key and
reads the claims). A frozen row keeps no claim: its trajectory is about to lose its personal
data, and it is never derived again.

Revision ID: 0030
Revises: 0025
Create Date: 2026-12-06 06:00:00
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000
CLAIM_STATES = ("ingediend", "goedgekeurd", "afgewezen")


def _month(day: date | None) -> int | None:
    return None if day is None else day.year * 12 + day.month - 1


def upgrade() -> None:
    with op.batch_alter_table("stats_trajectories") as batch:
        batch.add_column(sa.Column("commit_month", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("tariff_price", sa.Numeric(precision=10, scale=2), nullable=True)
        )
        batch.add_column(
            sa.Column(
                "claim_state",
                sa.Enum(
                    *CLAIM_STATES,
                    name="claimstate",
                    native_enum=False,
                    create_constraint=False,
                    length=12,
                ),
                nullable=True,
            )
        )
        batch.add_column(
            sa.Column("claim_amount", sa.Numeric(precision=10, scale=2), nullable=True)
        )
        batch.add_column(sa.Column("claim_submitted_month", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("claim_decided_month", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("expected_month", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("pro_rata_amount", sa.Numeric(precision=10, scale=2), nullable=True)
        )
        batch.create_check_constraint(
            op.f("ck_stats_trajectories_claimstate"),
            "claim_state IN ('ingediend', 'goedgekeurd', 'afgewezen')",
        )
    op.create_table(
        "stats_finance_counts",
        sa.Column("filter_set", sa.String(length=40), nullable=False),
        sa.Column("value_1", sa.String(length=80), nullable=False),
        sa.Column("value_2", sa.String(length=80), nullable=False),
        sa.Column(
            "domain",
            sa.Enum("wmo", "jeugd", name="domain", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("key_sum", sa.BigInteger(), nullable=False),
        sa.Column("cents", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "domain IN ('wmo', 'jeugd')", name=op.f("ck_stats_finance_counts_domain")
        ),
        sa.PrimaryKeyConstraint(
            "filter_set",
            "value_1",
            "value_2",
            "domain",
            "kind",
            "month",
            name=op.f("pk_stats_finance_counts"),
        ),
    )
    op.create_table(
        "budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("category_code", sa.String(length=2), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_budgets_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["category_code"],
            ["product_categories.code"],
            name=op.f("fk_budgets_category_code_product_categories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
        sa.UniqueConstraint("year", "category_code", name="one_budget_per_year_category"),
    )
    op.create_index(op.f("ix_budgets_category_code"), "budgets", ["category_code"], unique=False)
    connection = op.get_bind()
    facts = sa.table(
        "stats_trajectories",
        sa.column("id", sa.Integer),
        sa.column("decision_date", sa.Date),
        sa.column("care_start", sa.Date),
        sa.column("care_end", sa.Date),
        sa.column("planned_end", sa.Date),
        sa.column("commit_month", sa.Integer),
        sa.column("expected_month", sa.Integer),
    )
    updates = []
    for row in connection.execute(
        sa.select(
            facts.c.id,
            facts.c.decision_date,
            facts.c.care_start,
            facts.c.care_end,
            facts.c.planned_end,
        )
    ):
        updates.append(
            {
                "row_id": row.id,
                "commit": _month(row.decision_date or row.care_start),
                "expected": _month(row.care_end or row.planned_end),
            }
        )
    statement = (
        sa.update(facts)
        .where(facts.c.id == sa.bindparam("row_id"))
        .values(commit_month=sa.bindparam("commit"), expected_month=sa.bindparam("expected"))
    )
    for start in range(0, len(updates), BATCH):
        connection.execute(statement, updates[start : start + BATCH])


def downgrade() -> None:
    op.drop_index(op.f("ix_budgets_category_code"), table_name="budgets")
    op.drop_table("budgets")
    op.drop_table("stats_finance_counts")
    with op.batch_alter_table("stats_trajectories") as batch:
        batch.drop_constraint(op.f("ck_stats_trajectories_claimstate"), type_="check")
        for name in (
            "pro_rata_amount",
            "expected_month",
            "claim_decided_month",
            "claim_submitted_month",
            "claim_amount",
            "claim_state",
            "tariff_price",
            "commit_month",
        ):
            batch.drop_column(name)
