"""duration counts per kept filter set: durations with a kept filter from grouped cells

``stats_duration_counts`` kept the traject unit's durations (ended per month of end, closed and
open per month of start) without filters only; a durations figure with filters read the
period's feed rows. It now holds the same cells per kept filter set and value, the sets of
``stats_result_counts`` (none, the intensity, category, profile, provider, wijk, age band,
wijk + age band, profile + provider), and the ended and closed durations also in spans of 32
(kinds ``ended_s``, ``closed_s``, with the sum of the durations in ``days_sum``), so a figure
reads single durations only where a median lies. The table gets the set columns in its primary
key: it is made again and filled from the feed with set-based statements, as
``workflows.stats.kept`` rebuilds it. The rule (duration = end − start + 1 days; a span's first
duration a multiple of 32; open care by its start day; a row without a value of a set is in none
of its cells) is copied here on purpose: a migration must not change when the code does.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# workflows.stats.kept.FILTER_SETS at this revision: (set name, its columns in the feed).
FILTER_SETS = [
    ("", []),
    ("intensity", ["intensity"]),
    ("category", ["category_code"]),
    ("profile", ["profile_code"]),
    ("provider", ["provider_agb"]),
    ("wijk", ["wijk"]),
    ("age_band", ["age_band"]),
    ("wijk+age_band", ["wijk", "age_band"]),
    ("profile+provider", ["profile_code", "provider_agb"]),
]
SET_COLUMNS = ["filter_set", "value_1", "value_2"]
SPAN = 32
CELL = ["domain", "kind", "month", "days"]


def _domain() -> sa.Enum:
    return sa.Enum(
        "wmo", "jeugd", name="domain", native_enum=False, create_constraint=True, length=10
    )


def _create(with_sets: bool, key_later: bool = False) -> None:
    """The table of this revision (``with_sets``) or of the one before; without its primary key
    when ``key_later`` (``_key`` adds it)."""
    sets = SET_COLUMNS if with_sets else []
    key = (
        []
        if key_later
        else [sa.PrimaryKeyConstraint(*sets, *CELL, name=op.f("pk_stats_duration_counts"))]
    )
    op.create_table(
        "stats_duration_counts",
        *(
            sa.Column(name, sa.String(length=40 if name == "filter_set" else 80), nullable=False)
            for name in sets
        ),
        sa.Column("domain", _domain(), nullable=False),
        sa.Column("kind", sa.String(length=8 if with_sets else 6), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("key_sum", sa.BigInteger(), nullable=False),
        *([sa.Column("days_sum", sa.BigInteger(), nullable=False)] if with_sets else []),
        *key,
    )


def _index(with_sets: bool) -> None:
    sets = SET_COLUMNS if with_sets else []
    op.create_index(
        "ix_stats_duration_counts_covering",
        "stats_duration_counts",
        [*sets, *CELL, "n", "key_sum", *(["days_sum"] if with_sets else [])],
    )


def _fill(bind: sa.Connection, with_sets: bool) -> None:
    """The cells of each set (without the set columns: of no filter) from the feed: ended per
    month of end and closed per month of start with their duration, open per month of start
    with the start's day."""
    if bind.dialect.name == "postgresql":
        days = "(care_end - care_start + 1)"
        start_day = "CAST(EXTRACT(day FROM care_start) AS INTEGER)"
    else:
        days = "(CAST(julianday(care_end) - julianday(care_start) AS INTEGER) + 1)"
        start_day = "CAST(strftime('%d', care_start) AS INTEGER)"
    closed = "care_end IS NOT NULL"
    kinds = [
        ("ended", "end_month", days, closed),
        ("closed", "start_month", days, closed),
        ("open", "start_month", start_day, "care_start IS NOT NULL AND care_end IS NULL"),
    ]
    if with_sets:
        kinds += [
            ("ended_s", "end_month", f"({days} / {SPAN} * {SPAN})", closed),
            ("closed_s", "start_month", f"({days} / {SPAN} * {SPAN})", closed),
        ]
    for name, columns in FILTER_SETS if with_sets else FILTER_SETS[:1]:
        values = [*columns, "''", "''"][:2]
        present = "".join(f" AND {column} IS NOT NULL" for column in columns)
        for kind, month, detail, condition in kinds:
            if with_sets:
                target = "filter_set, value_1, value_2, "
                source = f"'{name}', {values[0]}, {values[1]}, "
                grouped = "1, 2, 3, 4, 5, 6, 7"
                length = "0" if kind == "open" else days
                total = f", days_sum) SELECT {source}domain, '{kind}', {month}, {detail},"
                sums = f" count(*), sum(record_key), sum({length})"
            else:
                target = ""
                grouped = "1, 2, 3, 4"
                total = f") SELECT domain, '{kind}', {month}, {detail},"
                sums = " count(*), sum(record_key)"
            bind.execute(
                sa.text(
                    f"INSERT INTO stats_duration_counts ({target}domain, kind, month, days, n,"
                    f" key_sum{total}{sums} FROM stats_trajectories WHERE {condition}{present}"
                    f" GROUP BY {grouped}"
                )
            )


def upgrade() -> None:
    op.drop_index("ix_stats_duration_counts_covering", table_name="stats_duration_counts")
    op.drop_table("stats_duration_counts")
    bind = op.get_bind()
    # Filled before the indexes are made (on PostgreSQL the primary key's too; SQLite cannot
    # add one later, and inserts in the grouping's order): one sort each at the end instead of
    # some ten million inserts into them, the grouping in memory.
    postgres = bind.dialect.name == "postgresql"
    _create(with_sets=True, key_later=postgres)
    if postgres:
        bind.execute(sa.text("SET LOCAL work_mem = '256MB'"))
        bind.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
    _fill(bind, with_sets=True)
    if postgres:
        op.create_primary_key(
            op.f("pk_stats_duration_counts"), "stats_duration_counts", [*SET_COLUMNS, *CELL]
        )
    _index(with_sets=True)


def downgrade() -> None:
    op.drop_index("ix_stats_duration_counts_covering", table_name="stats_duration_counts")
    op.drop_table("stats_duration_counts")
    _create(with_sets=False)
    _fill(op.get_bind(), with_sets=False)
    _index(with_sets=False)
