"""repeat counts per kept filter set: repeat use after a filter without forming episodes per call

``stats_repeat_counts`` counted each client episode (no filters) by how many years back the
client's previous episode in the domain ended. It now holds the same for the episodes formed
after each kept filter set (category, profile, provider, wijk, age band, wijk + age band,
profile + provider), like ``stats_filter_counts``, so repeat use with such a filter reads a few
rows. The table gets the set columns in its primary key, so it is made again and filled here in
one ordered pass over the started feed rows, as ``workflows.stats.feed.rebuild_aggregates``
fills it. Rule, merge and keys are copied here on purpose: a migration must not change when the
code does.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 00:20:00
"""

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_BITS = 30
BATCH = 5_000
# The kept sets: (set name, the feed columns of its filters in order); "" = no filter.
KEPT_SETS = (
    ("", ()),
    ("category", ("category_code",)),
    ("profile", ("profile_code",)),
    ("provider", ("provider_agb",)),
    ("wijk", ("wijk",)),
    ("age_band", ("age_band",)),
    ("wijk+age_band", ("wijk", "age_band")),
    ("profile+provider", ("profile_code", "provider_agb")),
)
SET_COLUMNS = sorted({column for _name, columns in KEPT_SETS for column in columns})
COLUMNS = ("filter_set", "value_1", "value_2", "domain", "month", "gap_years", "n", "key_sum")


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


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return date(day.year - years, 3, 1)


def gap_years(start: date, previous_end: date | None) -> int:
    if previous_end is None:
        return 0
    years = max(1, start.year - previous_end.year)
    while years_before(start, years) > previous_end:
        years += 1
    return years


def _domain() -> sa.Enum:
    return sa.Enum(
        "wmo", "jeugd", name="domain", native_enum=False, create_constraint=True, length=10
    )


def _create(with_sets: bool) -> None:
    sets = (
        [
            sa.Column("filter_set", sa.String(length=30), nullable=False),
            sa.Column("value_1", sa.String(length=80), nullable=False),
            sa.Column("value_2", sa.String(length=80), nullable=False),
        ]
        if with_sets
        else []
    )
    key = ["filter_set", "value_1", "value_2"] if with_sets else []
    op.create_table(
        "stats_repeat_counts",
        *sets,
        sa.Column("domain", _domain(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("gap_years", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("key_sum", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            *key, "domain", "month", "gap_years", name=op.f("pk_stats_repeat_counts")
        ),
    )


def upgrade() -> None:
    op.drop_table("stats_repeat_counts")
    _create(with_sets=True)
    bind = op.get_bind()
    facts = sa.Table("stats_trajectories", sa.MetaData(), autoload_with=bind)
    cells: dict[tuple[str, str, str, str, int, int], list[int]] = defaultdict(lambda: [0, 0])

    def count(client_key: str, domain: str, rows: list[sa.Row[tuple[object, ...]]]) -> None:
        groups: dict[tuple[str, str, str], list[tuple[date, date | None]]] = defaultdict(list)
        for row in rows:
            for name, columns in KEPT_SETS:
                values = [getattr(row, column) for column in columns]
                if None not in values:
                    padded = [str(value) for value in values] + ["", ""]
                    groups[(name, padded[0], padded[1])].append((row.care_start, row.care_end))
        keys: dict[date, int] = {}  # an episode often starts the same day under many filters
        for kept, intervals in groups.items():
            previous_end: date | None = None
            for start, end in merge(intervals):
                if start not in keys:
                    keys[start] = derived_key("episode", client_key, domain, start.isoformat())
                cell = cells[(*kept, domain, month_index(start), gap_years(start, previous_end))]
                cell[0] += 1
                cell[1] += keys[start]
                previous_end = end

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
    table = sa.table("stats_repeat_counts", *(sa.column(c) for c in COLUMNS))
    rows = [
        dict(zip(COLUMNS, (*cell, n, key_sum), strict=True))
        for cell, (n, key_sum) in sorted(cells.items())
    ]
    for start in range(0, len(rows), BATCH):
        bind.execute(table.insert(), rows[start : start + BATCH])


def downgrade() -> None:
    bind = op.get_bind()
    kept = bind.execute(
        sa.text(
            "SELECT domain, month, gap_years, n, key_sum FROM stats_repeat_counts"
            " WHERE filter_set = ''"
        )
    ).all()
    op.drop_table("stats_repeat_counts")
    _create(with_sets=False)
    table = sa.table(
        "stats_repeat_counts",
        *(sa.column(c) for c in ("domain", "month", "gap_years", "n", "key_sum")),
    )
    rows = [dict(row._mapping) for row in kept]
    for start in range(0, len(rows), BATCH):
        bind.execute(table.insert(), rows[start : start + BATCH])
