"""year counts: the results' per-year distinct clients and households, kept

``stats_year_counts`` holds the per-calendar-year figures of the results (distinct clients with
a trajectory that started, distinct clients in care, distinct households with a decision
running, each with the sum of their record keys, and the started trajectories' prices), without
filters and per kept filter set of the results, per domain and for all domains. A client
(household) counts in a year at the first and at the last month of the year it counts in, so
a whole year and a year's first or last months add up; open care counts from the year after
the last one in which any of its rows starts or ends (``open`` cells). Filled here in one
ordered pass per client and per household over the feed, as
``workflows.stats.feed.rebuild_aggregates`` fills it. Rule and set names are copied here on
purpose: a migration must not change when the code does.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 03:00:00
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000
FOLD = 200_000  # patterns gathered before they are spread over their cells
# The kept sets of the results: (set name, the feed columns of its filters in order).
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
SET_COLUMNS = sorted({column for _name, columns in FILTER_SETS for column in columns})
# figure: (unit, the row's first day column, its last day column)
FIGURES = {
    "started": ("client", "care_start", "care_start"),
    "in_care": ("client", "care_start", "care_end"),
    "households": ("household", "decision_date", "care_end"),
}
UNITS = {
    "client": ("client_key", "client_record_key", "care_start", "care_end", "price"),
    "household": ("household_key", "household_record_key", "decision_date", "care_end"),
}
COLUMNS = (
    "filter_set",
    "value_1",
    "value_2",
    "domain",
    "figure",
    "year",
    "edge",
    "month",
    "n",
    "key_sum",
    "cents",
)


def year_cells(intervals: Iterable[tuple[date, date | None]]) -> list[tuple[int, str, int]]:
    rows = list(intervals)
    if not rows:
        return []
    horizon = max(max(since.year, (until or since).year) for since, until in rows)
    firsts: dict[int, int] = {}
    lasts: dict[int, int] = {}
    for since, until in rows:
        for year in range(since.year, (until.year if until is not None else horizon) + 1):
            first = since.month if year == since.year else 1
            last = until.month if until is not None and year == until.year else 12
            firsts[year] = min(firsts.get(year, 13), first)
            lasts[year] = max(lasts.get(year, 0), last)
    cells = [(year, "first", month) for year, month in firsts.items()]
    cells += [(year, "last", month) for year, month in lasts.items()]
    if any(until is None for _since, until in rows):
        cells.append((horizon + 1, "open", 0))
    return cells


def set_values(row: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    found = []
    for name, columns in FILTER_SETS:
        values = [row[column] for column in columns]
        if None not in values:
            padded = [str(value) for value in values] + ["", ""]
            found.append((name, padded[0], padded[1]))
    return found


class Tally:
    """The cells, gathered per (group, figure, a unit's cells): units with the same cells in
    the same group add up before they are spread over the cells (``sums``)."""

    def __init__(self) -> None:
        self.patterns: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
        self.groups_of: dict[tuple[Any, ...], list[tuple[str, str, str, str]]] = {}
        self.cells: dict[tuple[Any, ...], list[int]] = {}

    def row_groups(self, row: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
        values = (row["domain"], *(row[column] for column in SET_COLUMNS))
        if values not in self.groups_of:
            self.groups_of[values] = [
                group
                for set_cell in set_values(row)
                for group in ((*set_cell, str(row["domain"])), (*set_cell, ""))
            ]
        return self.groups_of[values]

    def add_unit(self, unit: str, rows: list[Mapping[str, Any]]) -> None:
        units: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
        for row in rows:
            units[int(row[UNITS[unit][1]])].append(row)
        for record_key, unit_rows in units.items():
            masks: dict[tuple[str, str, str, str], int] = defaultdict(int)
            for bit, row in enumerate(unit_rows):
                for group in self.row_groups(row):
                    masks[group] |= 1 << bit
            found: dict[int, list[tuple[str, tuple[Any, ...]]]] = {}
            for group, mask in masks.items():
                if mask not in found:
                    chosen = [row for bit, row in enumerate(unit_rows) if mask >> bit & 1]
                    found[mask] = patterns(unit, chosen)
                for name, cells in found[mask]:
                    sums = self.patterns[(group, name, cells)]
                    sums[0] += 1
                    sums[1] += record_key

    def fold(self) -> None:
        """Spread the patterns gathered so far over their cells (far fewer than patterns)."""
        self.cells = self.sums()
        self.patterns.clear()

    def sums(self) -> dict[tuple[Any, ...], list[int]]:
        cells: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
        for cell, found in self.cells.items():
            cells[cell] = list(found)
        for (group, name, found), (n, key_sum) in self.patterns.items():
            if name == "price":
                for (year, month), amount in found:
                    sums = cells[(*group, "price", year, "", month)]
                    sums[0] += n
                    sums[2] += n * amount
                continue
            for year, edge, month in found:
                sums = cells[(*group, name, year, edge, month)]
                sums[0] += n
                sums[1] += key_sum
        return cells


def patterns(unit: str, rows: list[Mapping[str, Any]]) -> list[tuple[str, tuple[Any, ...]]]:
    made: list[tuple[str, tuple[Any, ...]]] = []
    for name, (whose, since, until) in FIGURES.items():
        if whose != unit:
            continue
        cells = tuple(
            year_cells({(row[since], row[until]) for row in rows if row[since] is not None})
        )
        if cells:
            made.append((name, cells))
    if unit == "client":
        started = tuple(
            sorted(
                (
                    (row["care_start"].year, row["care_start"].month),
                    int((Decimal(str(row["price"] or 0)) * 100).to_integral_value()),
                )
                for row in rows
                if row["care_start"] is not None
            )
        )
        if started:
            made.append(("price", started))
    return made


def upgrade() -> None:
    op.create_table(
        "stats_year_counts",
        sa.Column("filter_set", sa.String(length=40), nullable=False),
        sa.Column("value_1", sa.String(length=80), nullable=False),
        sa.Column("value_2", sa.String(length=80), nullable=False),
        sa.Column("domain", sa.String(length=10), nullable=False),
        sa.Column("figure", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("edge", sa.String(length=5), nullable=False),
        sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("key_sum", sa.BigInteger(), nullable=False),
        sa.Column("cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "filter_set",
            "value_1",
            "value_2",
            "domain",
            "figure",
            "year",
            "edge",
            "month",
            name=op.f("pk_stats_year_counts"),
        ),
    )
    bind = op.get_bind()
    facts = sa.Table("stats_trajectories", sa.MetaData(), autoload_with=bind)
    tally = Tally()
    for unit, columns in UNITS.items():
        current: str | None = None
        rows: list[Mapping[str, Any]] = []
        for row in bind.execute(
            sa.select(*[facts.c[c] for c in (*columns, "domain", *SET_COLUMNS)])
            .order_by(facts.c[columns[0]])
            .execution_options(yield_per=BATCH)
        ):
            mapping = row._mapping
            if mapping[columns[0]] != current:
                tally.add_unit(unit, rows)
                current, rows = mapping[columns[0]], []
                if len(tally.patterns) >= FOLD:
                    tally.fold()
            rows.append(mapping)
        tally.add_unit(unit, rows)
    table = sa.table("stats_year_counts", *(sa.column(c) for c in COLUMNS))
    rows_out = [
        dict(zip(COLUMNS, (*cell, *sums), strict=True))
        for cell, sums in sorted(tally.sums().items())
        if sums[0]
    ]
    for start in range(0, len(rows_out), BATCH):
        bind.execute(table.insert(), rows_out[start : start + BATCH])


def downgrade() -> None:
    op.drop_table("stats_year_counts")
