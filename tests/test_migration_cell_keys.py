"""Migration 0011 keys the statistics feed that is already there: each row gets the record key
the feed itself would derive (so the next refresh or rebuild changes nothing), each episode its
key, and the monthly counts the sums of the keys of their starts and ends. Run on a database of
its own (SQLite), migrated to 0010 and filled by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from models import derived_key, episode_key
from workflows.stats.feed import trajectory_key

from .migrating import migrate, old_database

FACT = (
    "INSERT INTO stats_trajectories (id, source_trajectory_id, frozen, client_key, household_key,"
    " age_band, wijk, domain, category_code, profile_code, intensity, provider_agb, need_type,"
    " care_start, planned_end, care_end, start_month, end_month, price, extensions) VALUES"
    " (:id, :source, 0, :client, 'hh', '12-17', 'Dronten', 'jeugd', '45', 'JZ-AMB', 'middel',"
    " '12345678', 'eindig', '2021-02-03', '2021-12-31', :end, 24253, :end_month, 100, 0)"
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with old_database(tmp_path) as engine:
        yield engine


def test_the_existing_feed_gets_the_keys_the_feed_would_derive(engine: Engine) -> None:
    migrate(engine, "0010")
    with engine.begin() as conn:
        conn.execute(text(FACT), {"id": 1, "source": 41, "client": "c1", "end": None,
                                  "end_month": None})  # fmt: skip
        conn.execute(text(FACT), {"id": 2, "source": None, "client": "c2", "end": "2021-03-09",
                                  "end_month": 24254})  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO stats_episodes (client_key, domain, care_start, care_end,"
                " start_month, end_month) VALUES ('c2', 'jeugd', '2021-02-03', '2021-03-09',"
                " 24253, 24254)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO stats_monthly_counts (domain, unit, intensity, month, starts, ends)"
                " VALUES ('jeugd', 'traject', 'middel', 24253, 2, 0),"
                " ('jeugd', 'traject', 'middel', 24254, 0, 1),"
                " ('jeugd', 'client', '', 24253, 1, 0), ('jeugd', 'client', '', 24254, 0, 1)"
            )
        )

    migrate(engine, "head")

    with engine.begin() as conn:
        keys = dict(conn.execute(text("SELECT id, record_key FROM stats_trajectories")).all())
        assert keys[1] == trajectory_key("c1", 41)  # as a refresh derives it: nothing changes
        assert keys[2] == derived_key("traject", "c2", "row2")  # detached: its own, kept
        client_keys = conn.execute(
            text("SELECT client_record_key, household_record_key FROM stats_trajectories")
        ).all()
        assert client_keys[0] == (derived_key("client", "c1"), derived_key("household", "hh"))
        episode = episode_key("c2", "jeugd", date(2021, 2, 3))
        assert conn.execute(text("SELECT record_key FROM stats_episodes")).scalar() == episode
        counts = {
            (unit, month): (starts_key, ends_key)
            for unit, month, starts_key, ends_key in conn.execute(
                text("SELECT unit, month, starts_key, ends_key FROM stats_monthly_counts")
            )
        }
        assert counts == {
            ("traject", 24253): (keys[1] + keys[2], 0),
            ("traject", 24254): (0, keys[2]),
            ("client", 24253): (episode, 0),
            ("client", 24254): (0, episode),
        }
