"""The pseudonymised feed: kept current by the flush hook in the same transaction as every
workflow step, equal to a rebuild from scratch, without personal data, and surviving the
deletion of the trajectory and resident it came from."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from models import (
    KEY_MODULUS,
    Aanmelding,
    AgreedResult,
    Base,
    ClosureCategory,
    Evaluation,
    Intensity,
    Resident,
    StatsEpisode,
    StatsMonthlyCount,
    StatsTrajectory,
    Task,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
    Wijk,
    derived_key,
)
from workflows import scaling
from workflows import trajectories as wf
from workflows.stats import feed, report
from workflows.stats.anonymity import Disclosure
from workflows.stats.selection import parse_query

from ..factories import TODAY, World, make_trajectory

S = TrajectoryState


def feed_rows(session: Session) -> list[StatsTrajectory]:
    session.expire_all()
    return list(session.scalars(select(StatsTrajectory).order_by(StatsTrajectory.id)))


def test_a_trajectory_enters_the_feed_when_proposed_and_leaves_it_when_cancelled(
    session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world, S.CONCEPT)
    assert feed_rows(session) == []
    wf.propose(session, trajectory, world.gids, TODAY)
    (row,) = feed_rows(session)
    assert (row.source_trajectory_id, row.decision_date, row.care_start) == (
        trajectory.id,
        TODAY,
        None,
    )
    wf.cancel(session, trajectory, world.gids, "Inwoner ziet af van hulp")
    assert feed_rows(session) == []


def test_the_feed_row_follows_start_and_close_within_the_transaction(
    session: Session, world: World
) -> None:
    make_trajectory(session, world, S.AFGESLOTEN)
    (row,) = feed_rows(session)
    assert (row.care_start, row.care_end, row.closure_category) == (TODAY, TODAY, "a")
    assert row.result_achieved is True
    assert (row.domain, row.category_code, row.profile_code, row.intensity) == (
        "wmo",
        "02",
        "WMO-BG",
        "middel",
    )
    assert (row.provider_agb, row.wijk, row.age_band, row.need_type) == (
        "12345678",
        "Dronten",
        "75-84",  # born 1950-05-05, 76 on 2026-11-02
        "eindig",
    )
    assert row.client_key == feed.pseudonym(feed.pseudonym_key(session), "bsn", world.adult.bsn)
    assert len(row.client_key) == 64 and world.adult.bsn not in row.client_key
    counts = session.scalars(select(StatsMonthlyCount)).all()
    assert {(c.unit, c.intensity, c.starts, c.ends) for c in counts} == {
        ("traject", "middel", 1, 1),
        ("client", "", 1, 1),
    }


def test_the_feed_holds_nothing_personal(session: Session, world: World) -> None:
    make_trajectory(session, world, S.AFGESLOTEN)
    columns = {c.name for c in StatsTrajectory.__table__.columns}
    assert not columns & {"bsn", "given_name", "family_name", "birth_date", "postcode", "name"}
    (row,) = feed_rows(session)
    text = repr([getattr(row, c) for c in columns])
    for secret in (world.adult.bsn, world.adult.family_name, "1950-05-05", "8251AB"):
        assert secret not in text


def test_a_follow_up_after_scaling_is_linked_and_one_episode(
    session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    decided = TODAY + timedelta(days=40)
    request = scaling.request_scaling(
        session, trajectory, world.aanbieder_a, world.bg.id, Intensity.ZWAAR, "Meer nodig", decided
    )
    follow_up = scaling.decide_scaling(
        session, request, world.gids, accept=True, reason=None, today=decided
    )
    assert follow_up is not None
    rows = {r.source_trajectory_id: r for r in feed_rows(session)}
    assert rows[follow_up.id].follows_source_id == trajectory.id
    assert rows[trajectory.id].end_reason_code == "37"
    episodes = session.scalars(select(StatsEpisode)).all()
    assert [(e.care_start, e.care_end) for e in episodes] == [(TODAY, None)]


def test_the_kept_feed_equals_a_rebuild_from_scratch(session: Session, world: World) -> None:
    make_trajectory(session, world, S.AFGESLOTEN)
    make_trajectory(session, world, S.GEACCEPTEERD)
    child = make_trajectory(
        session,
        world,
        S.ACTIEF,
        resident_id=world.child.id,
        profile_id=world.amb.id,
        intensity=Intensity.LAAG,
    )
    wf.close(
        session,
        child,
        world.gids,
        care_end=TODAY + timedelta(days=3),
        closure_category=ClosureCategory.D,
        end_reason_code="32",
        result_achieved=False,
        today=TODAY + timedelta(days=5),
    )
    world.adult.wijk = Wijk(name="Swifterbant")  # a resident moves: all rows follow
    session.flush()
    assert {r.wijk for r in feed_rows(session) if r.domain == "wmo"} == {"Swifterbant"}
    kept = feed.feed_snapshot(session.connection())
    report_ = feed.rebuild(session)
    assert report_.rows == 3
    assert feed.feed_snapshot(session.connection()) == kept


def test_a_row_keeps_its_record_key_through_changes_and_rebuilds(
    session: Session, world: World
) -> None:
    """The cell key method needs a fixed key per row: derived from the client key and the
    trajectory, it survives an edit of the trajectory and a rebuild; the monthly counts carry
    the sums of the keys they count."""
    trajectory = make_trajectory(session, world, S.AFGESLOTEN)
    (row,) = feed_rows(session)
    key = row.record_key
    assert 0 <= key < KEY_MODULUS
    assert row.client_record_key == derived_key("client", row.client_key)
    trajectory.price = trajectory.price + 1
    session.flush()
    (row,) = feed_rows(session)
    assert (row.price, row.record_key) == (trajectory.price, key)
    feed.rebuild(session)
    (row,) = feed_rows(session)
    assert row.record_key == key
    counts = session.scalars(
        select(StatsMonthlyCount).where(StatsMonthlyCount.unit == "traject")
    ).all()
    assert [(c.starts, c.starts_key, c.ends, c.ends_key) for c in counts] == [(1, key, 1, key)]
    (episode,) = session.scalars(select(StatsEpisode)).all()
    client = session.scalars(
        select(StatsMonthlyCount).where(StatsMonthlyCount.unit == "client")
    ).one()
    assert client.starts_key == client.ends_key == episode.record_key


def test_the_figures_survive_deleting_the_trajectory_and_the_resident(
    session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world, S.AFGESLOTEN)
    query = parse_query(
        session, {"from": "2026-11", "to": "2026-11", "domain": "wmo"}, date(2027, 1, 5)
    )
    exact = Disclosure(exact=True)
    before = report.flows(session, query, exact).to_json()
    published = report.flows(session, query).to_json()  # perturbed: the record key is kept
    assert before["months"][0]["uitstroom"] == 1
    # A retention purge removes the personal rows (through the ORM here; with plain SQL the
    # rows would stay attached until `stats rebuild` detaches them).
    session.execute(delete(Task).where(Task.trajectory_id == trajectory.id))
    session.delete(trajectory)  # its results, evaluations and events go with it
    session.flush()
    session.delete(world.adult)
    session.flush()
    (row,) = feed_rows(session)
    assert row.source_trajectory_id is None
    assert report.flows(session, query, exact).to_json() == before
    assert report.flows(session, query).to_json() == published
    feed.rebuild(session)
    assert report.flows(session, query, exact).to_json() == before
    assert report.flows(session, query).to_json() == published


def test_a_frozen_row_stays_as_it_is_when_the_resident_is_anonymised(
    session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    kept = feed.feed_snapshot(session.connection())
    feed.detach(session, [trajectory.id])
    world.adult.bsn = "000000019"  # an anonymisation
    world.adult.birth_date = date(1900, 1, 1)
    trajectory.care_start = TODAY - timedelta(days=1)
    session.flush()
    assert feed.feed_snapshot(session.connection()) == kept
    feed.rebuild(session)
    assert feed.feed_snapshot(session.connection()) == kept


def test_a_reused_trajectory_id_does_not_take_over_a_detached_row(
    session: Session, world: World
) -> None:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    old_id = trajectory.id
    # A purge with plain SQL (the hook does not see it) leaves the row attached ...
    session.execute(delete(Task).where(Task.trajectory_id == old_id))
    for model in (TrajectoryEvent, Evaluation, AgreedResult):
        session.execute(delete(model).where(model.trajectory_id == old_id))
    session.execute(delete(Trajectory).where(Trajectory.id == old_id))
    session.expunge(trajectory)
    # ... and SQLite may hand the same id to the next trajectory.
    reused = make_trajectory(session, world, S.VOORGESTELD)
    if reused.id != old_id:
        feed.rebuild(session)
    rows = feed_rows(session)
    assert sorted((r.source_trajectory_id is None, r.care_start is None) for r in rows) == [
        (False, True),  # the new trajectory, proposed
        (True, False),  # the purged one, detached, still counted
    ]


def test_an_extension_event_is_counted(session: Session, world: World) -> None:
    trajectory = make_trajectory(session, world, S.ACTIEF)
    trajectory.events.append(TrajectoryEvent(action=feed.EXTENSION_ACTION, reason="04"))
    session.flush()
    (row,) = feed_rows(session)
    assert row.extensions == 1


def test_a_changed_request_date_reaches_the_feed(session: Session, world: World) -> None:
    aanmelding = Aanmelding(
        resident=world.adult, gids=world.gids, request_date=date(2026, 10, 1), domain="wmo",
        question="Hulp",
    )  # fmt: skip
    session.add(aanmelding)
    session.flush()
    make_trajectory(session, world, S.VOORGESTELD, request_id=aanmelding.id)
    aanmelding.request_date = date(2026, 10, 5)
    session.flush()
    (row,) = feed_rows(session)
    assert row.request_date == date(2026, 10, 5)


PERSONAL_TABLES = {
    t.name
    for t in Base.metadata.sorted_tables
    if t.name
    not in {
        "stats_trajectories",
        "stats_episodes",
        "stats_monthly_counts",
        "stats_duration_counts",
        "stats_result_counts",
        "stats_repeat_counts",
        "stats_outlier_months",
        "population_figures",
        # the catalogue, for checking filter values
        "product_categories",
        "support_profiles",
        "providers",
        "wijken",
    }
}


def uses(statement: str, table: str) -> bool:
    """Whether SQL reads ``table``: named after FROM/JOIN, or a column qualified with it."""
    return bool(
        re.search(rf"\b(?:FROM|JOIN)\s+{table}\b", statement)
        or re.search(rf"(?<![\w.]){table}\.\w", statement)
    )


@contextmanager
def captured_sql(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = session.get_bind()

    def capture(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def test_no_statistics_query_touches_a_personal_table(session: Session, world: World) -> None:
    make_trajectory(session, world, S.AFGESLOTEN)
    assert {"residents", "trajectories", "requests", "households"} <= PERSONAL_TABLES
    with captured_sql(session) as statements:
        for params in (
            {"unit": "traject"},
            {"unit": "client"},
            {"unit": "client", "wijk": "Dronten", "profile": "WMO-BG", "provider": "12345678"},
            {"unit": "traject", "category": "02", "age_band": "75-84", "intensity": "middel"},
        ):
            query = parse_query(
                session, {"from": "2026-01", "to": "2026-12", **params}, date(2027, 2, 1)
            )
            report.flows(session, query)
            report.intensity(session, query)
            report.durations(session, query)
            report.waiting_times(session, query)
            report.results(session, query)
    assert len(statements) > 20
    used = {name for statement in statements for name in PERSONAL_TABLES if uses(statement, name)}
    assert used == set()


def test_the_residents_table_is_really_what_the_check_looks_for(session: Session) -> None:
    with captured_sql(session) as statements:
        session.execute(select(Resident.id)).all()
    assert any(uses(s, "residents") for s in statements)
    assert not uses("SELECT stats_trajectories.id FROM stats_trajectories", "trajectories")
    assert not uses("SELECT population_figures.households FROM x", "households")
    assert uses("SELECT a.id FROM x JOIN households ON 1", "households")
    assert Trajectory.__tablename__ in PERSONAL_TABLES
