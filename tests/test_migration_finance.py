"""Migration 0030 fills the feed's money columns (the tariff's price, the claim's state, amount
and months, the expected month, the pro-rata amount) and ``stats_finance_counts`` from the
trajectories, tariffs and claims already there: exactly what ``stats rebuild`` derives, so no
rebuild is needed after the upgrade and the finance figure is right from the start.

The database is filled through the workflows at the head (a claim in each state, one of them
corrected and submitted again, a price that deviates from the tariff, care closed without the
result and not claimed, a frozen row whose trajectory has a claim), taken down to 0029 (which
drops the money and the kept counts) and migrated up again; on SQLite and, with
``TEST_DATABASE_URL``, in a schema of its own on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from freezegun import freeze_time
from sqlalchemy import Connection, Engine, Table, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from models import ClosureCategory, StatsTrajectory, Trajectory, TrajectoryState
from workflows import claims
from workflows import trajectories as wf
from workflows.session_factory import make_session_factory
from workflows.stats import feed, money
from workflows.stats.episodes import month_index

from .factories import World, build_world, make_trajectory, trajectory_input
from .migrating import downgrade, migrate, scratch_database

FACTS = cast(Table, StatsTrajectory.__table__)
KEY = "migration-finance-key"
PLANNED_START = date(2026, 11, 9)
MONEY_COLUMNS = (
    "commit_month",
    "tariff_price",
    "claim_state",
    "claim_amount",
    "claim_submitted_month",
    "claim_decided_month",
    "expected_month",
    "pro_rata_amount",
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with scratch_database(tmp_path) as engine:
        yield engine


def closed(
    session: Session, world: World, care_end: date, *, achieved: bool, **overrides: Any
) -> Trajectory:
    data = trajectory_input(world, planned_start=PLANNED_START, **overrides)
    trajectory = wf.create_trajectory(session, data, world.gids, today=date(2026, 11, 2))
    wf.propose(session, trajectory, world.gids, PLANNED_START)
    wf.accept(session, trajectory, world.aanbieder_a)
    wf.start_care(session, trajectory, world.aanbieder_a, PLANNED_START, PLANNED_START)
    wf.close(
        session,
        trajectory,
        world.gids,
        care_end=care_end,
        closure_category=ClosureCategory.A if achieved else ClosureCategory.D,
        end_reason_code="19" if achieved else "21",
        result_achieved=achieved,
        today=care_end,
    )
    return trajectory


def submitted(session: Session, world: World, trajectory: Trajectory, at: str) -> Any:
    with freeze_time(at):
        return claims.submit_claim(
            session, trajectory, world.aanbieder_a, date.fromisoformat(at[:10])
        )


def decided(session: Session, world: World, claim: Any, at: str, *, approve: bool) -> None:
    with freeze_time(at):
        claims.decide_claim(
            session,
            claim,
            world.gids,
            approve=approve,
            reason=None if approve else "Verslag ontbreekt",
            today=date.fromisoformat(at[:10]),
        )


def fill(factory: sessionmaker[Session]) -> dict[str, int]:
    """The trajectories of the test, by what they show; committed."""
    with factory() as session:
        world = build_world(session)
        made: dict[str, Trajectory] = {}
        # Submitted at 23:30 UTC on 31 January: 1 February on the municipality's calendar.
        made["submitted"] = closed(session, world, date(2027, 1, 15), achieved=True)
        submitted(session, world, made["submitted"], "2027-01-31 23:30:00")
        # Approved at 23:45 UTC on 28 February: 1 March in Amsterdam.
        made["approved"] = closed(session, world, date(2027, 1, 20), achieved=True)
        claim = submitted(session, world, made["approved"], "2027-01-25 10:00:00")
        decided(session, world, claim, "2027-02-28 23:45:00", approve=True)
        made["refused"] = closed(session, world, date(2027, 1, 31), achieved=False)
        claim = submitted(session, world, made["refused"], "2027-02-01 10:00:00")
        decided(session, world, claim, "2027-03-03 10:00:00", approve=False)
        made["resubmitted"] = closed(session, world, date(2027, 2, 10), achieved=False)
        claim = submitted(session, world, made["resubmitted"], "2027-02-11 10:00:00")
        decided(session, world, claim, "2027-02-20 10:00:00", approve=False)
        with freeze_time("2027-04-04 10:00:00"):
            claims.resubmit_claim(
                session,
                claim,
                world.aanbieder_a,
                amount=Decimal("1000.00"),
                correction="Bedrag verlaagd",
                today=date(2027, 4, 4),
            )
        # Closed without the result and not claimed: the pro-rata amount is expected.
        made["pro_rata"] = closed(session, world, date(2027, 1, 31), achieved=False)
        made["deviating"] = make_trajectory(
            session,
            world,
            TrajectoryState.GEACCEPTEERD,
            price=Decimal("4100.00"),
            price_reason="Extra reistijd",
        )
        made["at_tariff"] = make_trajectory(session, world, TrajectoryState.ACTIEF)
        made["jeugd"] = make_trajectory(
            session,
            world,
            TrajectoryState.VOORGESTELD,
            resident_id=world.child.id,
            profile_id=world.amb.id,
        )
        # Frozen with a claim: it keeps none (it is never derived again).
        made["frozen"] = closed(session, world, date(2027, 1, 10), achieved=True)
        submitted(session, world, made["frozen"], "2027-01-12 10:00:00")
        feed.detach(session, [made["frozen"].id])
        session.commit()
        return {name: trajectory.id for name, trajectory in made.items()}


def money_rows(connection: Connection) -> dict[int, tuple[Any, ...]]:
    """Every feed row's money columns, by the row's record key."""
    return {
        row.record_key: tuple(row)
        for row in connection.execute(
            select(
                FACTS.c.record_key,
                FACTS.c.source_trajectory_id,
                FACTS.c.frozen,
                *(FACTS.c[name] for name in MONEY_COLUMNS),
            ).order_by(FACTS.c.record_key)
        )
    }


def finance_rows(connection: Connection) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in connection.execute(select(money.finance_table)))


def test_the_money_and_the_finance_counts_are_filled_as_a_rebuild_derives_them(
    engine: Engine,
) -> None:
    migrate(engine, "head")
    factory = make_session_factory(engine, pseudonym_key=KEY, expire_on_commit=False)
    ids = fill(factory)
    downgrade(engine, "0029")
    with engine.connect() as conn:
        assert "commit_month" not in {c["name"] for c in inspect(conn).get_columns(FACTS.name)}
        assert not inspect(conn).has_table(money.finance_table.name)

    migrate(engine, "0030")
    with engine.connect() as conn:
        migrated, migrated_counts = money_rows(conn), finance_rows(conn)
    migrate(engine, "head")
    with factory() as session:
        connection = session.connection()
        assert money_rows(connection) == migrated
        assert finance_rows(connection) == migrated_counts
        upgraded = feed.feed_snapshot(connection)
        feed.rebuild(session)
        session.flush()
        rebuilt, rebuilt_counts = money_rows(connection), finance_rows(connection)
        everything = feed.feed_snapshot(connection)
        session.rollback()

    # Row by row: the feed's money, then the kept counts, then all the statistics.
    assert sorted(migrated.items()) == sorted(rebuilt.items())
    assert migrated_counts == rebuilt_counts
    assert upgraded == everything

    by_source = {row[1]: row[3:] for row in migrated.values()}
    columns = {name: dict(zip(MONEY_COLUMNS, by_source[i], strict=True)) for name, i in ids.items()}
    assert columns["submitted"]["claim_state"] == "ingediend"
    assert columns["submitted"]["claim_submitted_month"] == month_index(date(2027, 2, 1))
    assert columns["approved"]["claim_state"] == "goedgekeurd"
    assert columns["approved"]["claim_decided_month"] == month_index(date(2027, 3, 1))
    assert columns["refused"]["claim_state"] == "afgewezen"
    assert columns["resubmitted"]["claim_state"] == "ingediend"
    assert columns["resubmitted"]["claim_amount"] == Decimal("1000.00")
    assert columns["resubmitted"]["claim_submitted_month"] == month_index(date(2027, 4, 4))
    assert columns["pro_rata"]["expected_month"] == month_index(date(2027, 1, 31))
    assert columns["pro_rata"]["pro_rata_amount"] == Decimal("1753.85")  # 84 of 182 days
    deviating = columns["deviating"]
    assert deviating["tariff_price"] is not None and deviating["tariff_price"] != Decimal("4100")
    assert columns["frozen"]["claim_state"] is None
    kinds = {row[4] for row in migrated_counts}
    assert kinds >= {"committed", "claimed", "approved", "refused", "tariff", "deviating"}
    assert kinds >= {"expected_open", "expected_partial"}
