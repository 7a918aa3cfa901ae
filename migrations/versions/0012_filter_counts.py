"""filter counts: the monthly starts and ends per value of the filters managers use most

``stats_filter_counts`` holds what ``stats_monthly_counts`` holds, per value of a kept filter set
(category, profile, provider, wijk, age band, wijk + age band, profile + provider): the
trajectories per intensity, and the client episodes formed after that filter. It is filled here
from the feed as ``workflows.stats.feed.rebuild_aggregates`` fills it: the traject unit with one
grouped statement per set; the client unit in one ordered pass over the started rows, merging
each client's rows of each set value into episodes (keyed like every episode). Rule, merge and
key are copied here on purpose: a migration must not change when the code does.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 22:40:00
"""

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_BITS = 30
BATCH = 5_000
# The kept sets: (set name, the feed columns of its filters in order).
KEPT_SETS = (
    ("category", ("category_code",)),
    ("profile", ("profile_code",)),
    ("provider", ("provider_agb",)),
    ("wijk", ("wijk",)),
    ("age_band", ("age_band",)),
    ("wijk+age_band", ("wijk", "age_band")),
    ("profile+provider", ("profile_code", "provider_agb")),
)
SET_COLUMNS = sorted({column for _name, columns in KEPT_SETS for column in columns})


def derived_key(*parts: object) -> int:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - KEY_BITS)


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def merge(intervals: list[tuple[date, date | None]]) -> list[tuple[date, date | None]]:
    """A client's care in one domain merged into episodes (docs/statistics.md, unit client)."""
    episodes: list[tuple[date, date | None]] = []
    current_start: date | None = None
    current_end: date | None = None
    for start, end in sorted(intervals, key=lambda i: (i[0], i[1] or date.max)):
        if current_start is None:
            current_start, current_end = start, end
        elif current_end is None or start <= current_end + timedelta(days=1):
            if current_end is not None:
                current_end = None if end is None else max(current_end, end)
        else:
            episodes.append((current_start, current_end))
            current_start, current_end = start, end
    if current_start is not None:
        episodes.append((current_start, current_end))
    return episodes


def upgrade() -> None:
    op.create_table(
        "stats_filter_counts",
        sa.Column("filter_set", sa.String(length=30), nullable=False),
        sa.Column("value_1", sa.String(length=80), nullable=False),
        sa.Column("value_2", sa.String(length=80), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column(
            "domain",
            sa.Enum(
                "wmo", "jeugd", name="domain", native_enum=False, create_constraint=True, length=10
            ),
            nullable=False,
        ),
        sa.Column("intensity", sa.String(length=10), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("starts", sa.Integer(), nullable=False),
        sa.Column("ends", sa.Integer(), nullable=False),
        sa.Column("starts_key", sa.BigInteger(), nullable=False),
        sa.Column("ends_key", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "filter_set",
            "value_1",
            "value_2",
            "unit",
            "domain",
            "intensity",
            "month",
            name=op.f("pk_stats_filter_counts"),
        ),
    )
    bind = op.get_bind()
    # The traject unit, set-based: per set, the rows' starts and ends grouped per value,
    # domain, intensity and month. A row without a value for the set (no wijk) is in none.
    for name, columns in KEPT_SETS:
        value_2 = columns[1] if len(columns) > 1 else "''"
        present = " AND ".join(f"{column} IS NOT NULL" for column in columns)
        flows = " UNION ALL ".join(
            f"SELECT {columns[0]} AS value_1, {value_2} AS value_2, domain, intensity,"
            f" {month} AS month, {s} AS s, {e} AS e, {sk} AS sk, {ek} AS ek"
            f" FROM stats_trajectories WHERE {month} IS NOT NULL AND {present}"
            for month, s, e, sk, ek in (
                ("start_month", 1, 0, "record_key", 0),
                ("end_month", 0, 1, 0, "record_key"),
            )
        )
        bind.execute(
            sa.text(
                "INSERT INTO stats_filter_counts (filter_set, value_1, value_2, unit, domain,"
                " intensity, month, starts, ends, starts_key, ends_key)"
                " SELECT :name, value_1, value_2, 'traject', domain, intensity, month,"
                " SUM(s), SUM(e), SUM(sk), SUM(ek)"
                f" FROM ({flows}) AS flows GROUP BY value_1, value_2, domain, intensity, month"
            ),
            {"name": name},
        )

    # The client unit: one ordered pass over the started rows, a client and domain at a time;
    # per set value that client's rows merged into episodes, each counted with its key.
    facts = sa.Table("stats_trajectories", sa.MetaData(), autoload_with=bind)
    cells: dict[tuple[str, str, str, str, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])

    def count(client_key: str, domain: str, rows: list[sa.Row[tuple[object, ...]]]) -> None:
        groups: dict[tuple[str, str, str], list[tuple[date, date | None]]] = defaultdict(list)
        for row in rows:
            for name, columns in KEPT_SETS:
                values = [getattr(row, column) for column in columns]
                if None not in values:
                    padded = [str(value) for value in values] + [""]
                    groups[(name, padded[0], padded[1])].append((row.care_start, row.care_end))
        keys: dict[date, int] = {}  # an episode often starts the same day under many filters
        for kept, intervals in groups.items():
            for start, end in merge(intervals):
                if start not in keys:
                    keys[start] = derived_key("episode", client_key, domain, start.isoformat())
                key = keys[start]
                cell = cells[(*kept, domain, month_index(start))]
                cell[0] += 1
                cell[2] += key
                if end is not None:
                    cell = cells[(*kept, domain, month_index(end))]
                    cell[1] += 1
                    cell[3] += key

    current: tuple[str, str] | None = None
    client_rows: list[sa.Row[tuple[object, ...]]] = []
    for row in bind.execute(
        sa.select(*[facts.c[c] for c in ("client_key", "domain", "care_start", "care_end")])
        .add_columns(*[facts.c[c] for c in SET_COLUMNS])
        .where(facts.c.care_start.is_not(None))
        .order_by(facts.c.client_key, facts.c.domain)
        .execution_options(yield_per=BATCH)
    ):
        pair = (row.client_key, str(row.domain))
        if pair != current:
            if current is not None:
                count(*current, client_rows)
            current, client_rows = pair, []
        client_rows.append(row)
    if current is not None:
        count(*current, client_rows)
    table = sa.table(
        "stats_filter_counts",
        *(
            sa.column(c)
            for c in (
                "filter_set",
                "value_1",
                "value_2",
                "unit",
                "domain",
                "intensity",
                "month",
                "starts",
                "ends",
                "starts_key",
                "ends_key",
            )
        ),
    )
    rows = [
        {
            "filter_set": filter_set,
            "value_1": value_1,
            "value_2": value_2,
            "unit": "client",
            "domain": domain,
            "intensity": "",
            "month": month,
            "starts": starts,
            "ends": ends,
            "starts_key": starts_key,
            "ends_key": ends_key,
        }
        for (filter_set, value_1, value_2, domain, month), (
            starts,
            ends,
            starts_key,
            ends_key,
        ) in sorted(cells.items())
    ]
    for start in range(0, len(rows), BATCH):
        bind.execute(table.insert(), rows[start : start + BATCH])


def downgrade() -> None:
    op.drop_table("stats_filter_counts")
