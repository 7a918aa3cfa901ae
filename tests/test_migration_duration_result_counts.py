"""Migrations 0016 and 0017 fill the kept duration, result and repeat counts from the feed and the
episodes already there, with set-based statements: exactly what a rebuild derives (so the next
refresh changes nothing). Run on a database of its own (SQLite), migrated to 0011 and filled by
hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text

from app.cli import alembic_config
from workflows.stats.feed import feed_snapshot, rebuild_aggregates

from .migrating import migrate, old_database

FACT = (
    "INSERT INTO stats_trajectories (source_trajectory_id, frozen, client_key, household_key,"
    " age_band, wijk, domain, category_code, profile_code, intensity, provider_agb, need_type,"
    " care_start, planned_end, care_end, start_month, end_month, price, closure_category,"
    " result_achieved, extensions, record_key, client_record_key, household_record_key) VALUES"
    " (NULL, 0, :client, 'hh', '12-17', :wijk, 'jeugd', '45', 'JZ-AMB', 'middel', '12345678',"
    " 'eindig', :start, '2020-06-30', :end, :start_month, :end_month, 100, :category,"
    " :achieved, :extensions, :key, 7, 9)"
)
ROWS = [
    # client, wijk, start, end, start month, end month, category, achieved, extensions, key
    ("c1", "Dronten", "2016-02-29", "2019-03-01", 24193, 24230, "a", 1, 1, 11),
    ("c1", "Dronten", "2024-02-29", None, 24289, None, None, None, 2, 12),
    ("c2", None, "2020-01-10", "2020-07-31", 24240, 24246, "c", 1, 0, 13),
    ("c2", None, "2020-08-02", "2020-08-02", 24247, 24247, "d", 0, 0, 14),
    ("c3", "Biddinghuizen", "2021-12-20", "2022-01-05", 24263, 24264, "b", None, 3, 15),
]
EPISODE = (
    "INSERT INTO stats_episodes (client_key, domain, care_start, care_end, start_month,"
    " end_month, record_key) VALUES (:client, 'jeugd', :start, :end, :start_month, :end_month,"
    " :key)"
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with old_database(tmp_path) as engine:
        yield engine


def test_the_kept_counts_are_filled_as_a_rebuild_derives_them(engine: Engine) -> None:
    migrate(engine, "0011")
    with engine.begin() as conn:
        for client, wijk, start, end, sm, em, category, achieved, ext, key in ROWS:
            conn.execute(
                text(FACT),
                {
                    "client": client, "wijk": wijk, "start": start, "end": end,
                    "start_month": sm, "end_month": em, "category": category,
                    "achieved": achieved, "extensions": ext, "key": key,
                },
            )  # fmt: skip
        # The episodes as the feed merged them (the same keys a rebuild derives, see below).
        for client, start, end, sm, em in (
            ("c1", "2016-02-29", "2019-03-01", 24193, 24230),
            ("c1", "2024-02-29", None, 24289, None),
            ("c2", "2020-01-10", "2020-07-31", 24240, 24246),
            ("c2", "2020-08-02", "2020-08-02", 24247, 24247),
            ("c3", "2021-12-20", "2022-01-05", 24263, 24264),
        ):
            conn.execute(
                text(EPISODE),
                {"client": client, "start": start, "end": end, "start_month": sm,
                 "end_month": em, "key": 0},
            )  # fmt: skip

    migrate(engine, "head")

    with engine.begin() as conn:
        # Episode keys as the feed derives them, so the repeat counts can be compared.
        rebuild_aggregates(conn)
        rebuilt = feed_snapshot(conn)
        conn.execute(text("DELETE FROM stats_duration_counts"))
        conn.execute(text("DELETE FROM stats_result_counts"))
        conn.execute(text("DELETE FROM stats_repeat_counts"))
    # Down to 0011 and up again: the migration fills from the feed and the episodes as they are.
    migrate_down_and_up(engine)
    with engine.begin() as conn:
        migrated = feed_snapshot(conn)
    for table in ("stats_duration_counts", "stats_result_counts", "stats_repeat_counts"):
        assert migrated[table] == rebuilt[table], table
        assert migrated[table], table
    gaps = {
        (month, gap)
        for filter_set, _value_1, _value_2, _domain, month, gap, _n, _key in migrated[
            "stats_repeat_counts"
        ]
        if filter_set == ""
    }
    assert (24289, 5) in gaps  # 2024-02-29 after an end on 2019-03-01: within 5 years
    assert (24247, 1) in gaps


def migrate_down_and_up(engine: Engine) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0011")
        command.upgrade(config, "head")
