"""The figure cache: a repeated query is answered without reading the feed, any change to the
feed (through a workflow, a rebuild, concurrent transactions committing out of order) makes it
compute afresh, and a cached answer is always the one computed without the cache."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Connection, event, func, insert, select, text
from sqlalchemy.orm import Session

from app.extensions import db
from app.scheduler import run_daily_tick
from models import ClosureCategory, StatsFeedChange, StatsTrajectory
from workflows import trajectories as wf
from workflows.stats import cache, feed, figures

from ..committed import remove_committed_rows
from ..factories import TODAY, World, make_trajectory
from .stats_helpers import fact, jeugd_times_five, load, query

S = figures.StatsQuery


@contextmanager
def feed_reads(session: Session) -> Iterator[list[str]]:
    """The statements that read the feed itself while the block runs."""
    statements: list[str] = []
    engine = session.get_bind()

    def capture(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "stats_trajectories" in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def flows(session: Session, q: S) -> list[tuple[int, ...]]:
    return [
        (m.beginstand, m.instroom, m.uitstroom, m.eindstand, *m.keys.values())
        for m in figures.flows(session, q).months
    ]


def fresh(call: Any, *args: Any) -> Any:
    with cache.disabled():
        return call(*args)


def test_a_repeated_query_is_answered_from_the_cache(session: Session) -> None:
    load(session, *jeugd_times_five())
    q = query("2021-01", "2021-04", unit="client", wijk="Dronten", profile="JZ-AMB")
    with feed_reads(session) as reads:
        first = flows(session, q)
    assert reads  # computed from the feed
    with feed_reads(session) as reads:
        again = flows(session, q)
        durations = figures.durations(session, q)
        durations_again = figures.durations(session, q)
    assert again == first == fresh(flows, session, q)
    assert durations_again is durations and durations == fresh(figures.durations, session, q)
    assert len(reads) == 1  # the durations, once; the flows not at all
    # Another query is another entry.
    other = query("2021-01", "2021-03", unit="client", wijk="Dronten", profile="JZ-AMB")
    with feed_reads(session) as reads:
        flows(session, other)
    assert reads


def test_a_change_through_a_workflow_is_seen_at_once(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, wf.TrajectoryState.ACTIEF)
    q = query("2026-01", "2026-11", cutoff="2026-11", domain="wmo", unit="client")
    q = S(**{**q.__dict__, "filters": {"wijk": "Dronten", "profile": "WMO-BG"}})
    before = flows(session, q)
    assert before[-1][:4] == (0, 1, 0, 1)  # November: one episode started
    version = feed.feed_version(session.connection())
    wf.close(
        session,
        trajectory,
        world.gids,
        care_end=TODAY,
        closure_category=ClosureCategory.A,
        end_reason_code="19",
        result_achieved=True,
        today=TODAY,
    )
    session.flush()
    assert feed.feed_version(session.connection()) != version
    after = flows(session, q)
    assert after[-1][:4] == (0, 1, 1, 0)
    assert after == fresh(flows, session, q)


def test_only_a_change_of_the_feed_moves_the_version(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, wf.TrajectoryState.ACTIEF)
    connection = session.connection()
    version = feed.feed_version(connection)
    feed.refresh(session, [trajectory.id])  # nothing changed
    feed.detach(session, [trajectory.id])  # frozen: the figures stay as they are
    assert feed.feed_version(connection) == version
    feed.rebuild(session)
    rebuilt = feed.feed_version(connection)
    assert rebuilt != version
    assert feed.compact_changes(connection) > 1
    compacted = feed.feed_version(connection)
    assert compacted[0] == 1 and compacted != rebuilt
    assert compacted[1] is not None and rebuilt[1] is not None and compacted[1] > rebuilt[1]
    assert feed.compact_changes(connection) == 0  # nothing to compact: the version stays
    assert feed.feed_version(connection) == compacted


def test_the_daily_run_compacts_the_change_log(app: Flask, session: Session) -> None:
    load(session, fact("a", date(2021, 1, 1)))
    load(session, fact("b", date(2021, 1, 1)))
    session.commit()
    assert session.scalar(select(func.count()).select_from(StatsFeedChange)) >= 2
    run_daily_tick(app, TODAY, send_mail=False)
    (row,) = session.scalars(select(StatsFeedChange)).all()
    assert row.kind == "compaction"


def test_the_cache_keeps_a_bounded_number_of_answers() -> None:
    store = cache.FigureCache(2)
    for n in range(3):
        store.put(n, n)
    assert store.get(0) == (False, None)
    assert store.get(1) == (True, 1)
    store.put(3, 3)  # 1 was used last: 2 goes
    assert (store.get(1), store.get(2), len(store)) == ((True, 1), (False, None), 2)


def insert_row(conn: Connection, client: str) -> None:
    row = fact(client, date(2021, 2, 1), wijk="Swifterbant")
    values = {
        c.name: getattr(row, c.key) for c in StatsTrajectory.__table__.columns if c.name != "id"
    }
    values.update(frozen=False, extensions=0, client_record_key=1, household_record_key=1)
    conn.execute(insert(StatsTrajectory.__table__).values(**values))
    feed.record_change(conn, "refresh")


def test_a_transaction_committing_after_a_later_one_is_not_missed(app: Flask) -> None:
    """T1 writes, T2 writes and commits, a reader caches, T1 commits: the reader must see T1."""
    assert db.engine is not None
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    # Wijk with category is no kept set, so the figure is read from the feed and cached.
    q = query("2021-01", "2021-03", unit="client", wijk="Swifterbant", category="45")
    assert figures.kept_set(q, q.unit) is None
    try:
        with db.engine.connect() as t1, db.engine.connect() as t2:
            t1.begin()
            insert_row(t1, "t1")
            with t2.begin():
                # T2 must not wait for T1 (no row that every writer updates).
                t2.execute(text("SET LOCAL lock_timeout = '5s'"))
                insert_row(t2, "t2")
            with db.sessions() as reader:
                assert flows(reader, q)[1][1] == 1  # February: t2's only
                assert flows(reader, q)[1][1] == 1
            t1.commit()
        with db.sessions() as reader:
            assert flows(reader, q)[1][1] == 2
            assert flows(reader, q) == fresh(flows, reader, q)
    finally:
        remove_committed_rows(db.engine)
