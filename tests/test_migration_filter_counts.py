"""Migration 0012 fills ``stats_filter_counts`` on a feed that is already there exactly as
``rebuild_aggregates`` fills it: the trajectories per kept set value, intensity and month, and
the client episodes formed after each kept filter, with their key sums. Run on a database of its
own (SQLite), migrated to 0011 and filled by hand with random rows (detached, frozen, without a
wijk, not started)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from workflows.stats.episodes import month_index
from workflows.stats.feed import feed_snapshot, rebuild_aggregates

from .migrating import migrate, old_database

FACT = (
    "INSERT INTO stats_trajectories (source_trajectory_id, frozen, client_key, household_key,"
    " age_band, wijk, domain, category_code, profile_code, intensity, provider_agb, need_type,"
    " care_start, planned_end, care_end, start_month, end_month, price, extensions, record_key,"
    " client_record_key, household_record_key) VALUES (:source, :frozen, :client, 'hh', :age,"
    " :wijk, :domain, :category, :profile, :intensity, :provider, 'eindig', :start, '2030-01-01',"
    " :end, :start_month, :end_month, 100, 0, :key, 1, 2)"
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with old_database(tmp_path) as engine:
        yield engine


def test_the_migration_fills_the_filter_counts_as_a_rebuild_does(engine: Engine) -> None:
    migrate(engine, "0011")
    rng = random.Random(12)
    rows = []
    for n in range(300):
        start = date(2020, 1, 1) + timedelta(days=rng.randrange(0, 700))
        end = None if rng.random() < 0.3 else start + timedelta(days=rng.randrange(0, 90))
        if rng.random() < 0.05:
            start = end = None  # waiting: counted nowhere
        rows.append(
            {
                "source": None if rng.random() < 0.2 else n,  # detached
                "frozen": rng.random() < 0.1,
                "client": f"c{rng.randrange(60)}",
                "age": rng.choice(["4-11", "12-17"]),
                "wijk": rng.choice(["Dronten", "Lelystad", None]),
                "domain": rng.choice(["jeugd", "wmo"]),
                "category": rng.choice(["45", "46"]),
                "profile": rng.choice(["JZ-AMB", "JZ-DAG"]),
                "intensity": rng.choice(["laag", "middel", "zwaar"]),
                "provider": rng.choice(["12345678", "87654321"]),
                "start": start,
                "end": end,
                "start_month": month_index(start) if start else None,
                "end_month": month_index(end) if end else None,
                "key": rng.getrandbits(30),
            }
        )
    with engine.begin() as conn:
        conn.execute(text(FACT), rows)

    migrate(engine, "head")

    with engine.begin() as conn:
        migrated = feed_snapshot(conn)["filter_counts"]
        rebuild_aggregates(conn)
        rebuilt = feed_snapshot(conn)["filter_counts"]
    assert migrated == rebuilt
    units = {(row[0], row[3]) for row in migrated}
    assert {("wijk+age_band", "client"), ("profile+provider", "traject")} <= units
    assert all(row[1] != "None" for row in migrated)  # no cell for a row without a wijk
