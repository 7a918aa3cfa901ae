"""Migration 0025 fills ``stats_year_counts`` from the feed already there, exactly as a rebuild
derives it (so the next refresh changes nothing). Run on a database of its own (SQLite),
migrated to 0018 and filled with a random feed."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import Engine, Table, inspect, select

from models import StatsTrajectory
from workflows.stats import kept
from workflows.stats.feed import feed_snapshot, rebuild_aggregates

from .migrating import migrate, old_database
from .workflows.test_stats_year_counts import random_rows

FACTS = cast(Table, StatsTrajectory.__table__)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with old_database(tmp_path) as engine:
        yield engine


def test_the_year_counts_are_filled_as_a_rebuild_derives_them(engine: Engine) -> None:
    migrate(engine, "0018")
    with engine.connect() as conn:
        # The feed's columns at 0018 (later migrations add the money columns).
        then = {c["name"] for c in inspect(conn).get_columns(FACTS.name)}
    rows: list[dict[str, Any]] = []
    for n, row in enumerate(random_rows(8)):
        values = {c.name: getattr(row, c.name) for c in FACTS.columns if c.name in then}
        values.update(frozen=False, source_trajectory_id=None, extensions=0, need_type="eindig")
        values["id"] = n + 1
        rows.append(values)
    with engine.begin() as conn:
        conn.execute(FACTS.insert(), rows)

    migrate(engine, "head")

    with engine.begin() as conn:
        migrated = feed_snapshot(conn)["stats_year_counts"]
        rebuild_aggregates(conn)
        assert feed_snapshot(conn)["stats_year_counts"] == migrated
        figures = {row.figure for row in conn.execute(select(kept.years_table))}
    assert figures == {"started", "in_care", "households", "price"}
    assert len(migrated) > 1000


def test_folding_the_gathered_patterns_changes_no_cell() -> None:
    """The migration spreads its gathered patterns over the cells now and then (at a million
    rows there are far more patterns than cells); folding after every unit gives what one fold
    at the end gives."""
    path = Path(__file__).parent.parent / "migrations" / "versions" / "0025_year_counts.py"
    spec = importlib.util.spec_from_file_location("year_counts_0025", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    rows = [
        {c.name: getattr(row, c.name) for c in FACTS.columns if c.name != "id"}
        for row in random_rows(9)
    ]
    tallies = migration.Tally(), migration.Tally()
    for unit, (key_column, *_rest) in migration.UNITS.items():
        ordered = sorted(rows, key=lambda row: row[key_column])
        for _key, grouped in groupby(ordered, key=lambda row: row[key_column]):
            unit_rows = list(grouped)
            for tally in tallies:
                tally.add_unit(unit, unit_rows)
            tallies[1].fold()
    folded = tallies[1].sums()
    assert tallies[0].sums() == folded
    assert len(folded) > 1000
