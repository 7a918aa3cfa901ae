"""Migration 0034 fills the kept waits by month of start (``stats_duration_counts`` kinds
``s_start`` and ``s_decide``) and the closed trajectories' prices in cents
(``stats_result_counts.cents``) from the feed already there, with set-based statements: exactly
what a rebuild derives. Run on a database of its own (SQLite), migrated to 0032 and filled by
hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from workflows.stats.feed import feed_snapshot, rebuild_aggregates
from workflows.stats.kept import OUTCOMES, STARTED_WAIT_DECISION, STARTED_WAIT_START

from .migrating import migrate, old_database

FACT = (
    "INSERT INTO stats_trajectories (source_trajectory_id, frozen, client_key, household_key,"
    " age_band, wijk, domain, category_code, profile_code, intensity, provider_agb, need_type,"
    " request_date, decision_date, care_start, planned_end, care_end, start_month, end_month,"
    " price, closure_category, result_achieved, extensions, record_key, client_record_key,"
    " household_record_key) VALUES (NULL, 0, :client, 'hh', '12-17', :wijk, 'jeugd', '45',"
    " 'JZ-AMB', 'middel', :agb, 'eindig', :asked, :decided, :start, '2021-06-30', :end,"
    " :start_month, :end_month, :price, :category, :achieved, 0, :key, 7, 9)"
)
MARCH, JULY = 2021 * 12 + 2, 2021 * 12 + 6
ROWS = [
    # client, wijk, agb, asked, decided, start, end, start month, end month, price, cat, achieved
    ("c1", "Dronten", "11111111", "2021-01-31", "2021-02-28", "2021-03-10", "2021-07-01",
     MARCH, JULY, "1234.56", "a", 1),
    ("c2", None, "22222222", None, "2020-12-31", "2021-03-01", "2021-07-31",
     MARCH, JULY, "0.07", "b", 1),
    ("c3", "Dronten", "11111111", "2021-04-01", "2021-05-01", None, None,
     None, None, "50.00", None, None),  # waiting
    ("c4", "Dronten", "11111111", None, None, "2021-03-01", "2021-07-02",
     MARCH, JULY, "99.99", "c", 0),  # no decision (imported), not achieved
]  # fmt: skip
WAITS = (STARTED_WAIT_START, STARTED_WAIT_DECISION)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with old_database(tmp_path) as engine:
        yield engine


def test_the_kept_waits_by_start_and_the_prices_are_filled_as_a_rebuild_derives_them(
    engine: Engine,
) -> None:
    migrate(engine, "0032")
    with engine.begin() as conn:
        for client, wijk, agb, asked, decided, start, end, sm, em, price, cat, ok in ROWS:
            conn.execute(
                text(FACT),
                {"client": client, "wijk": wijk, "agb": agb, "asked": asked,
                 "decided": decided, "start": start, "end": end, "start_month": sm,
                 "end_month": em, "price": price, "category": cat, "achieved": ok, "key": 11},
            )  # fmt: skip

    migrate(engine, "head")

    def kept(snapshot: dict[str, list[tuple[object, ...]]]) -> list[list[tuple[object, ...]]]:
        return [
            [row for row in snapshot["stats_duration_counts"] if row[4] in WAITS],
            [row for row in snapshot["stats_result_counts"] if row[4] in OUTCOMES],
        ]

    with engine.begin() as conn:
        waits, results = kept(feed_snapshot(conn))
        rebuild_aggregates(conn)
        assert [waits, results] == kept(feed_snapshot(conn))
    cells = {(row[0], row[1], row[4], row[5], row[6]): row[7] for row in waits}
    # c1 by its month of start (March): decided 28 days after the request, started 10 days later
    assert cells[("provider", "11111111", STARTED_WAIT_DECISION, MARCH, 28)] == 1
    assert cells[("provider", "11111111", STARTED_WAIT_START, MARCH, 10)] == 1
    # c2 has no request date: only the wait from decision to start (60 days, over New Year)
    assert cells[("", "", STARTED_WAIT_START, MARCH, 60)] == 1
    assert len([c for c in cells if c[:2] == ("", "") and c[2] == STARTED_WAIT_DECISION]) == 1
    # the prices in cents of the closed trajectories, per outcome
    prices = {(row[0], row[4], row[5]): row[-1] for row in results if row[0] == ""}
    assert prices == {  # nothing ended on time (planned 30 June); c3 is not closed
        ("", "achieved_late", "a"): 123456,
        ("", "achieved_late", "b"): 7,
        ("", "not_achieved", "c"): 9999,
    }
