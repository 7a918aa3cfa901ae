"""Migration 0031 fills the kept ended waits (``stats_duration_counts`` kinds ``w_start`` and
``w_decide``) from the feed and the requests already there, with set-based statements: exactly
what a rebuild derives. Run on a database of its own (SQLite), migrated to 0025 and filled by
hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from workflows.stats.feed import feed_snapshot, rebuild_aggregates

from .migrating import migrate, old_database

FACT = (
    "INSERT INTO stats_trajectories (source_trajectory_id, frozen, client_key, household_key,"
    " age_band, wijk, domain, category_code, profile_code, intensity, provider_agb, need_type,"
    " decision_date, care_start, planned_end, care_end, start_month, end_month, price,"
    " extensions, record_key, client_record_key, household_record_key) VALUES (NULL, 0, :client,"
    " 'hh', '12-17', :wijk, 'jeugd', '45', 'JZ-AMB', 'middel', :agb, 'eindig', :decided, :start,"
    " '2022-06-30', NULL, :start_month, NULL, 100, 0, :key, 7, 9)"
)
REQUEST = (
    "INSERT INTO stats_requests (source_request_id, frozen, client_key, age_band, wijk, domain,"
    " request_date, decided_on, outcome, record_key) VALUES (NULL, 0, :client, '4-11', :wijk,"
    " 'jeugd', :asked, :decided, :outcome, :key)"
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with old_database(tmp_path) as engine:
        yield engine


def test_the_kept_waits_are_filled_as_a_rebuild_derives_them(engine: Engine) -> None:
    migrate(engine, "0025")
    with engine.begin() as conn:
        for client, wijk, agb, decided, start, month, key in (
            ("c1", "Dronten", "11111111", "2021-02-28", "2021-03-10", 24254, 11),
            ("c2", None, "22222222", "2020-12-31", "2021-01-01", 24252, 12),
            ("c3", "Dronten", "11111111", "2021-05-01", None, None, 13),  # waiting
            ("c4", "Dronten", "11111111", None, "2021-05-01", 24256, 14),  # no decision
        ):
            conn.execute(
                text(FACT),
                {"client": client, "wijk": wijk, "agb": agb, "decided": decided,
                 "start": start, "start_month": month, "key": key},
            )  # fmt: skip
        for client, wijk, asked, decided, outcome, key in (
            ("r1", "Dronten", "2021-01-31", "2021-03-01", "toegekend", 21),
            ("r2", None, "2020-02-29", "2020-03-01", "afgewezen", 22),
            ("r3", "Dronten", "2021-04-01", None, "in_behandeling", 23),
        ):
            conn.execute(
                text(REQUEST),
                {"client": client, "wijk": wijk, "asked": asked, "decided": decided,
                 "outcome": outcome, "key": key},
            )  # fmt: skip

    migrate(engine, "head")

    def waits(snapshot: dict[str, list[tuple[object, ...]]]) -> list[tuple[object, ...]]:
        return [row for row in snapshot["stats_duration_counts"] if row[4] in ("w_start",
                "w_decide")]  # fmt: skip

    with engine.begin() as conn:
        migrated = waits(feed_snapshot(conn))
        rebuild_aggregates(conn)
        rebuilt = waits(feed_snapshot(conn))
    assert migrated == rebuilt
    cells = {(row[0], row[1], row[4], row[5], row[6]) for row in migrated}
    # c1: decided 28 February, started 10 days later; by the month of the decision (2021-02)
    assert ("provider", "11111111", "w_start", 2021 * 12 + 1, 10) in cells
    # r2: requested on a leap day, decided the next day; without a wijk it has no wijk cell
    assert ("", "", "w_decide", 2020 * 12 + 1, 1) in cells
    assert not any(row[0] == "wijk" and row[5] == 2020 * 12 + 1 for row in migrated)
    assert len([row for row in migrated if row[4] == "w_start" and row[0] == ""]) == 2
