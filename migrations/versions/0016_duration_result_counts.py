"""duration and result counts: kept aggregates for the durations and results figures

Three tables kept beside the feed by the flush hook (``workflows.stats.kept``):
``stats_duration_counts`` (the traject unit's durations per domain and month),
``stats_result_counts`` (starts, ends with their extensions, and closed trajectories per outcome
and closure category, per kept filter set) and ``stats_repeat_counts`` (client episodes per
month of start by how many years back the previous episode ended). The indexes on (domain, start
month) and (domain, end month) of the feed become covering for the figures with filters, and two
more cover the per-year figures of results in client and household order.

The tables are filled from the feed and the episodes as they stand, with set-based statements
that follow ``workflows.stats.kept`` (copied here on purpose: a migration must not change when
the code does), so the next refresh or rebuild changes nothing.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILTER_COLUMNS = [
    "category_code",
    "profile_code",
    "intensity",
    "provider_agb",
    "wijk",
    "age_band",
]
COVERED = ["care_start", "care_end", "record_key", *FILTER_COLUMNS]
PER_CLIENT = ["start_month", "care_start", "care_end", "price"]
# workflows.stats.kept at this revision: (set name, its columns in the feed).
FILTER_SETS = [
    ("", []),
    ("category", ["category_code"]),
    ("profile", ["profile_code"]),
    ("intensity", ["intensity"]),
    ("provider", ["provider_agb"]),
    ("wijk", ["wijk"]),
    ("age_band", ["age_band"]),
    ("wijk+age_band", ["wijk", "age_band"]),
    ("profile+provider", ["profile_code", "provider_agb"]),
]
OUTCOME = (
    "CASE WHEN result_achieved IS TRUE AND care_end <= planned_end THEN 'achieved_on_time'"
    " WHEN result_achieved IS TRUE THEN 'achieved_late' ELSE 'not_achieved' END"
)


def _domain() -> sa.Enum:
    return sa.Enum(
        "wmo", "jeugd", name="domain", native_enum=False, create_constraint=True, length=10
    )


def upgrade() -> None:
    op.create_table(
        "stats_duration_counts",
        sa.Column("domain", _domain(), nullable=False),
        sa.Column("kind", sa.String(length=6), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("key_sum", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "domain", "kind", "month", "days", name=op.f("pk_stats_duration_counts")
        ),
    )
    op.create_index(
        "ix_stats_duration_counts_covering",
        "stats_duration_counts",
        ["domain", "kind", "month", "days", "n", "key_sum"],
    )
    op.create_table(
        "stats_result_counts",
        sa.Column("filter_set", sa.String(length=40), nullable=False),
        sa.Column("value_1", sa.String(length=80), nullable=False),
        sa.Column("value_2", sa.String(length=80), nullable=False),
        sa.Column("domain", _domain(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=1), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("key_sum", sa.BigInteger(), nullable=False),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("extensions_key", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "filter_set",
            "value_1",
            "value_2",
            "domain",
            "kind",
            "category",
            "month",
            name=op.f("pk_stats_result_counts"),
        ),
    )
    op.create_table(
        "stats_repeat_counts",
        sa.Column("domain", _domain(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("gap_years", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("key_sum", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "domain", "month", "gap_years", name=op.f("pk_stats_repeat_counts")
        ),
    )
    for name, column in (("start", "start_month"), ("end", "end_month")):
        op.drop_index(f"ix_stats_trajectories_domain_{name}", table_name="stats_trajectories")
        op.create_index(
            f"ix_stats_trajectories_domain_{name}",
            "stats_trajectories",
            ["domain", column, *COVERED],
        )
    op.create_index(
        "ix_stats_trajectories_domain_client",
        "stats_trajectories",
        ["domain", "client_key", "client_record_key", *PER_CLIENT, *FILTER_COLUMNS],
    )
    op.create_index(
        "ix_stats_trajectories_domain_household",
        "stats_trajectories",
        [
            "domain",
            "household_key",
            "household_record_key",
            "decision_date",
            "care_end",
            *FILTER_COLUMNS,
        ],
    )
    _fill(op.get_bind())


def _fill(bind: sa.Connection) -> None:
    postgres = bind.dialect.name == "postgresql"

    def part(what: str, column: str) -> str:
        if postgres:
            return f"CAST(EXTRACT({what} FROM {column}) AS INTEGER)"
        code = {"year": "%Y", "month": "%m", "day": "%d"}[what]
        return f"CAST(strftime('{code}', {column}) AS INTEGER)"

    if postgres:
        days = "(care_end - care_start + 1)"
    else:
        days = "(CAST(julianday(care_end) - julianday(care_start) AS INTEGER) + 1)"
    for kind, month, detail, condition in (
        ("ended", "end_month", days, "care_end IS NOT NULL"),
        ("closed", "start_month", days, "care_end IS NOT NULL"),
        ("open", "start_month", part("day", "care_start"), "care_start IS NOT NULL"
         " AND care_end IS NULL"),
    ):  # fmt: skip
        bind.execute(
            sa.text(
                "INSERT INTO stats_duration_counts (domain, kind, month, days, n, key_sum)"
                f" SELECT domain, '{kind}', {month}, {detail}, count(*), sum(record_key)"
                f" FROM stats_trajectories WHERE {condition} GROUP BY domain, {month}, {detail}"
            )
        )
    for name, columns in FILTER_SETS:
        values = [*columns, "''", "''"][:2]
        present = "".join(f" AND {column} IS NOT NULL" for column in columns)
        weighted_key = "extensions * CAST(record_key AS BIGINT)"
        for kind, category, month, extensions, weighted in (
            ("'started'", "''", "start_month", "extensions", weighted_key),
            ("'ended'", "''", "end_month", "extensions", weighted_key),
            (OUTCOME, "coalesce(closure_category, '')", "end_month", "0", "0"),
        ):
            bind.execute(
                sa.text(
                    "INSERT INTO stats_result_counts (filter_set, value_1, value_2, domain, kind,"
                    " category, month, n, key_sum, extensions, extensions_key)"
                    f" SELECT '{name}', {values[0]}, {values[1]}, domain, {kind}, {category},"
                    f" {month}, count(*), sum(record_key), sum({extensions}), sum({weighted})"
                    f" FROM stats_trajectories WHERE {month} IS NOT NULL{present}"
                    " GROUP BY 1, 2, 3, 4, 5, 6, 7"
                )
            )
    # An episode's gap: the smallest N >= 1 with (start - N years) <= the previous episode's
    # end, 29 February counting as 1 March in a year without it; 0 for a first episode.
    start_md = f"{part('month', 'care_start')} * 100 + {part('day', 'care_start')}"
    previous_md = f"{part('month', 'previous_end')} * 100 + {part('day', 'previous_end')}"
    years = (
        f"{part('year', 'care_start')} - {part('year', 'previous_end')}"
        f" + CASE WHEN {previous_md} < {start_md} THEN 1 ELSE 0 END"
    )
    larger = "GREATEST" if postgres else "max"
    bind.execute(
        sa.text(
            "INSERT INTO stats_repeat_counts (domain, month, gap_years, n, key_sum)"
            " SELECT domain, start_month,"
            f" CASE WHEN previous_end IS NULL THEN 0 ELSE {larger}(1, {years}) END,"
            " count(*), sum(record_key)"
            " FROM (SELECT domain, start_month, care_start, record_key,"
            " lag(care_end) OVER (PARTITION BY client_key, domain ORDER BY care_start)"
            " AS previous_end FROM stats_episodes) AS e"
            " GROUP BY 1, 2, 3"
        )
    )


def downgrade() -> None:
    for name in ("ix_stats_trajectories_domain_client", "ix_stats_trajectories_domain_household"):
        op.drop_index(name, table_name="stats_trajectories")
    for name, column in (("start", "start_month"), ("end", "end_month")):
        op.drop_index(f"ix_stats_trajectories_domain_{name}", table_name="stats_trajectories")
        op.create_index(
            f"ix_stats_trajectories_domain_{name}", "stats_trajectories", ["domain", column]
        )
    op.drop_table("stats_repeat_counts")
    op.drop_table("stats_result_counts")
    op.drop_table("stats_duration_counts")
