"""budgets and spend: money in the statistics feed, the kept finance counts, the budgets

The feed (``stats_trajectories``) gets what the finance figure needs of a trajectory: the month
its commitment began, the tariff's price (for the deviation flag), its claim (state, amount,
months submitted and decided), the month a claim is expected while there is none, and the
pro-rata amount for care closed without the result. ``stats_finance_counts`` keeps the money
per kept set (none, and the sets of the results' kept counts), domain, kind and month.

``budgets`` holds the beheerder's yearly budget per product category (euros; the domain is the
category's), one per year and category.

The rows that exist get their money columns here, as ``workflows.stats.money`` derives them
(``money_columns``): a live row (one with its trajectory, not frozen) from its trajectory, the
trajectory's tariff and its claim, the claim's instants as months of the municipality's calendar
(Europe/Amsterdam, as the feed takes them); a detached or frozen row only the months that follow
from its own columns (the commitment month from the decision, else the start; the expected month
as if no claim was made). A frozen row keeps no claim: its trajectory is about to lose its
personal data, and it is never derived again. ``stats_finance_counts`` is then filled from the
feed per kept set, one grouped statement per set, as ``money.rebuild`` fills it, so the next
refresh or ``stats rebuild`` changes nothing and no rebuild is needed after the upgrade (no key
is derived here: the rows keep their record keys). The rule, the pro-rata amount and the kept
sets are copied here on purpose: a migration must not change when the code does.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 06:00:00
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000
CLAIM_STATES = ("ingediend", "goedgekeurd", "afgewezen")
APPROVED_STATE, REFUSED_STATE = "goedgekeurd", "afgewezen"
# The municipality's calendar, in which the feed takes a claim's instants.
ZONE = ZoneInfo("Europe/Amsterdam")
CENT = Decimal("0.01")
# The kept sets of the results (set name, the feed columns of its filters in order).
FILTER_SETS = (
    ("", ()),
    ("intensity", ("intensity",)),
    ("category", ("category_code",)),
    ("profile", ("profile_code",)),
    ("provider", ("provider_agb",)),
    ("wijk", ("wijk",)),
    ("age_band", ("age_band",)),
    ("wijk+age_band", ("wijk", "age_band")),
    ("profile+provider", ("profile_code", "provider_agb")),
)
MONEY = sa.Numeric(precision=10, scale=2)
facts = sa.table(
    "stats_trajectories",
    sa.column("id", sa.Integer),
    sa.column("source_trajectory_id", sa.Integer),
    sa.column("frozen", sa.Boolean),
    sa.column("domain", sa.String),
    *(sa.column(name, sa.String) for name in ("category_code", "profile_code", "intensity")),
    *(sa.column(name, sa.String) for name in ("provider_agb", "wijk", "age_band")),
    sa.column("decision_date", sa.Date),
    sa.column("care_start", sa.Date),
    sa.column("planned_end", sa.Date),
    sa.column("care_end", sa.Date),
    sa.column("end_month", sa.Integer),
    sa.column("price", MONEY),
    sa.column("result_achieved", sa.Boolean),
    sa.column("record_key", sa.Integer),
    sa.column("commit_month", sa.Integer),
    sa.column("tariff_price", MONEY),
    sa.column("claim_state", sa.String),
    sa.column("claim_amount", MONEY),
    sa.column("claim_submitted_month", sa.Integer),
    sa.column("claim_decided_month", sa.Integer),
    sa.column("expected_month", sa.Integer),
    sa.column("pro_rata_amount", MONEY),
)
MONEY_COLUMNS = (
    "commit_month",
    "tariff_price",
    "claim_state",
    "claim_amount",
    "claim_submitted_month",
    "claim_decided_month",
    "expected_month",
    "pro_rata_amount",
)
# kind → (the feed column of its month, the feed column of its amount)
KIND_COLUMNS = {
    "committed": ("commit_month", "price"),
    "released": ("end_month", "price"),
    "claimed": ("claim_submitted_month", "claim_amount"),
    "approved": ("claim_decided_month", "claim_amount"),
    "refused": ("claim_decided_month", "claim_amount"),
    "tariff": ("commit_month", "price"),
    "deviating": ("commit_month", "price"),
    "expected_open": ("expected_month", "price"),
    "expected_achieved": ("expected_month", "price"),
    "expected_partial": ("expected_month", "pro_rata_amount"),
}
FINANCE_COLUMNS = ("filter_set", "value_1", "value_2", "domain", "kind", "month", "n",
                   "key_sum", "cents")  # fmt: skip


def _month(day: date | None) -> int | None:
    return None if day is None else day.year * 12 + day.month - 1


def _local_month(moment: datetime | str | None) -> int | None:
    """The month of an instant on the municipality's calendar (SQLite hands it back without a
    zone: it is stored in UTC)."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        moment = datetime.fromisoformat(str(moment))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _month(moment.astimezone(ZONE).date())


def pro_rata(
    price: Decimal, planned_start: date, planned_end: date, care_start: date, care_end: date
) -> Decimal:
    """The share of the price for the days of the planned period in which care was given."""
    planned_days = (planned_end - planned_start).days + 1
    elapsed_days = max(0, (min(care_end, planned_end) - care_start).days + 1)
    if planned_days <= 0:
        return Decimal("0.00")
    counted = min(elapsed_days, planned_days)
    amount = (price * counted / planned_days).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(amount, price)


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENT)


def money_columns(row: Any) -> dict[str, Any]:
    """The money columns of a feed row: of a live row from its trajectory (``t_…``), tariff and
    claim; of a detached or frozen row (no ``t_id``) the months of its own columns."""
    if row.t_id is None:
        return {
            **dict.fromkeys(MONEY_COLUMNS),
            "commit_month": _month(row.decision_date or row.care_start),
            "expected_month": _month(row.care_end or row.planned_end),
        }
    start, end = row.t_care_start, row.t_care_end
    committed_from = row.t_decision_date or start
    claimed = row.claim_state is not None
    partial = None
    if end is not None and start is not None and not row.t_result_achieved:
        price = Decimal(str(row.t_price)).quantize(CENT)
        partial = pro_rata(price, row.t_planned_start, row.t_planned_end, start, end)
    return {
        "commit_month": _month(committed_from),
        "tariff_price": _decimal(row.tariff_price),
        "claim_state": row.claim_state,
        "claim_amount": _decimal(row.claim_amount),
        "claim_submitted_month": _local_month(row.claim_submitted_at) if claimed else None,
        "claim_decided_month": _local_month(row.claim_decided_at) if claimed else None,
        "expected_month": None if claimed else _month(end or row.t_planned_end),
        "pro_rata_amount": partial,
    }


def fill_money() -> None:
    """The money columns of every feed row, a page of rows at a time in the order of their ids."""
    bind = op.get_bind()
    t = sa.table(
        "trajectories",
        *(sa.column(name, sa.Integer) for name in ("id", "tariff_id")),
        *(sa.column(name, sa.Date) for name in ("decision_date", "care_start", "care_end")),
        *(sa.column(name, sa.Date) for name in ("planned_start", "planned_end")),
        sa.column("price", MONEY),
        sa.column("result_achieved", sa.Boolean),
    )
    tariffs = sa.table("tariffs", sa.column("id", sa.Integer), sa.column("price", MONEY))
    claims = sa.table(
        "claims",
        sa.column("trajectory_id", sa.Integer),
        sa.column("state", sa.String),
        sa.column("amount", MONEY),
        sa.column("submitted_at", sa.DateTime(timezone=True)),
        sa.column("decided_at", sa.DateTime(timezone=True)),
    )
    f = facts.c
    source = (
        sa.select(
            f.id,
            f.decision_date,
            f.care_start,
            f.care_end,
            f.planned_end,
            *(t.c[name].label(f"t_{name}") for name in ("id", "decision_date", "care_start")),
            *(t.c[name].label(f"t_{name}") for name in ("care_end", "planned_start")),
            *(t.c[name].label(f"t_{name}") for name in ("planned_end", "price")),
            t.c.result_achieved.label("t_result_achieved"),
            tariffs.c.price.label("tariff_price"),
            claims.c.state.label("claim_state"),
            claims.c.amount.label("claim_amount"),
            claims.c.submitted_at.label("claim_submitted_at"),
            claims.c.decided_at.label("claim_decided_at"),
        )
        .select_from(facts)
        .outerjoin(t, sa.and_(t.c.id == f.source_trajectory_id, f.frozen.is_(False)))
        .outerjoin(tariffs, tariffs.c.id == t.c.tariff_id)
        .outerjoin(claims, claims.c.trajectory_id == t.c.id)
        .order_by(f.id)
        .limit(BATCH)
    )
    statement = (
        sa.update(facts)
        .where(f.id == sa.bindparam("row_id"))
        .values({name: sa.bindparam(f"new_{name}") for name in MONEY_COLUMNS})
    )
    last = 0
    while True:
        rows = bind.execute(source.where(f.id > last)).all()
        if not rows:
            return
        bind.execute(
            statement,
            [
                {"row_id": row.id, **{f"new_{k}": v for k, v in money_columns(row).items()}}
                for row in rows
            ],
        )
        last = rows[-1].id


def _cents(amount: object) -> int:
    return int((Decimal(str(amount or 0)) * 100).to_integral_value())


def _kind_conditions(kind: str) -> list[sa.ColumnElement[bool]]:
    """Which feed rows count in ``kind``, as ``money.cells`` decides."""
    c = facts.c
    committed, ended = c.commit_month.is_not(None), c.care_end.is_not(None)
    with_tariff = [committed, c.tariff_price.is_not(None)]
    return {
        "committed": [committed],
        "released": [committed, c.end_month.is_not(None)],
        "claimed": [c.claim_state.is_not(None)],
        "approved": [c.claim_state == APPROVED_STATE],
        "refused": [c.claim_state == REFUSED_STATE],
        "tariff": with_tariff,
        "deviating": [*with_tariff, c.tariff_price != c.price],
        "expected_open": [c.expected_month.is_not(None), c.care_end.is_(None)],
        "expected_achieved": [c.expected_month.is_not(None), ended, c.result_achieved.is_(True)],
        "expected_partial": [
            c.expected_month.is_not(None),
            ended,
            c.result_achieved.is_(False) | c.result_achieved.is_(None),
        ],
    }[kind]


def fill_finance_counts() -> None:
    """``stats_finance_counts`` from the feed: per kept set one statement over the rows with its
    values, per value(s), domain, kind and month the rows, their key sum and amount."""
    bind = op.get_bind()
    finance = sa.table("stats_finance_counts", *(sa.column(name) for name in FINANCE_COLUMNS))
    for name, columns in FILTER_SETS:
        group = [facts.c[column] for column in columns]
        present = [column.is_not(None) for column in group]
        parts = []
        for kind, (month_name, amount_name) in KIND_COLUMNS.items():
            month = facts.c[month_name]
            parts.append(
                sa.select(
                    *group,
                    facts.c.domain,
                    sa.literal(kind).label("kind"),
                    month.label("month"),
                    sa.func.count().label("n"),
                    sa.func.sum(facts.c.record_key).label("key_sum"),
                    sa.func.sum(facts.c[amount_name]).label("amount"),
                )
                .where(*_kind_conditions(kind), *present)
                .group_by(*group, facts.c.domain, month)
            )
        rows = []
        for row in bind.execute(sa.union_all(*parts)):
            values = [str(value) for value in row[: len(group)]] + ["", ""]
            domain, kind, month, n, key_sum, amount = row[len(group) :]
            rows.append(
                dict(
                    zip(
                        FINANCE_COLUMNS,
                        (name, values[0], values[1], str(domain), kind, month, n,
                         int(key_sum or 0), _cents(amount)),
                        strict=True,
                    )
                )
            )  # fmt: skip
        for start in range(0, len(rows), BATCH):
            bind.execute(finance.insert(), rows[start : start + BATCH])


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
    fill_money()
    fill_finance_counts()


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
