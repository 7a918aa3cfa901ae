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
    AanmeldingOutcome,
    AgreedResult,
    Base,
    ClosureCategory,
    Domain,
    Evaluation,
    Intensity,
    Resident,
    StatsEpisode,
    StatsMonthlyCount,
    StatsRequest,
    StatsTrajectory,
    Task,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
    Wijk,
    derived_key,
)
from workflows import aanmeldingen, scaling
from workflows import trajectories as wf
from workflows.stats import feed, figures, report
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


def kept_equals_rebuild(session: Session) -> dict[str, list[tuple[object, ...]]]:
    """The incrementally kept feed and aggregates equal a rebuild from scratch; returns them."""
    session.flush()
    kept = feed.feed_snapshot(session.connection())
    feed.rebuild(session)
    assert feed.feed_snapshot(session.connection()) == kept
    return kept


def client_cells(
    kept: dict[str, list[tuple[object, ...]]], filter_set: str, value: str
) -> set[tuple[object, ...]]:
    """The client-unit filter counts of one set value: (month, starts, ends)."""
    return {
        (month, starts, ends)
        for name, value_1, _v2, unit, _d, _i, month, starts, ends, *_keys in kept["filter_counts"]
        if (name, value_1, unit) == (filter_set, value, "client")
    }


def test_the_filter_counts_follow_every_change_as_a_rebuild_does(
    session: Session, world: World
) -> None:
    """The counts per kept filter value (traject and client unit) after moves, changes of
    profile and provider, a cancellation, a closing, a deleted and a frozen trajectory, and
    episodes that join and split under a filter while the unfiltered one stays."""
    m = TODAY.year * 12 + TODAY.month - 1
    first = make_trajectory(session, world, S.AFGESLOTEN)  # Zorg A
    second = make_trajectory(
        session, world, S.AFGESLOTEN, provider_id=world.zorg_b.id, provider_user=world.aanbieder_b
    )
    third = make_trajectory(session, world, S.ACTIEF)
    # Zorg A: Jan, then from March (a gap in February); Zorg B fills February: one episode
    # unfiltered, two for provider Zorg A.
    first.care_start, first.care_end = date(2026, 1, 5), date(2026, 1, 31)
    second.care_start, second.care_end = date(2026, 2, 1), date(2026, 2, 28)
    third.care_start, third.care_end = date(2026, 3, 1), None
    kept = kept_equals_rebuild(session)
    assert client_cells(kept, "provider", "12345678") == {(m - 10, 1, 1), (m - 8, 1, 0)}
    assert client_cells(kept, "provider", "87654321") == {(m - 9, 1, 1)}
    assert [(e[2], e[3]) for e in kept["episodes"]] == [(date(2026, 1, 5), None)]

    second.provider_id = world.zorg_a.id  # the gap closes under Zorg A: one episode
    kept = kept_equals_rebuild(session)
    assert client_cells(kept, "provider", "12345678") == {(m - 10, 1, 0)}
    assert client_cells(kept, "provider", "87654321") == set()

    second.care_start = date(2026, 2, 10)  # split again, under every filter and unfiltered
    second.profile_id = world.hh.id  # and another profile (and so category)
    kept = kept_equals_rebuild(session)
    assert client_cells(kept, "profile", "WMO-HH") == {(m - 9, 1, 1)}
    assert len(kept["episodes"]) == 2

    world.adult.wijk = Wijk(name="Swifterbant")  # a move: every row changes wijk
    kept = kept_equals_rebuild(session)
    assert client_cells(kept, "wijk", "Dronten") == set()
    assert client_cells(kept, "wijk", "Swifterbant") == {(m - 10, 1, 1), (m - 9, 1, 0)}

    wf.close(session, third, world.gids, care_end=TODAY, closure_category=ClosureCategory.A,
             end_reason_code="19", result_achieved=True, today=TODAY)  # fmt: skip
    child = make_trajectory(
        session, world, S.ACTIEF, resident_id=world.child.id, profile_id=world.amb.id
    )
    kept_equals_rebuild(session)
    waiting = make_trajectory(session, world, S.VOORGESTELD)
    wf.cancel(session, waiting, world.gids, "Inwoner ziet af van hulp")
    feed.detach(session, [child.id])  # frozen: stays as it is
    world.child.birth_date = date(1900, 1, 1)
    child.provider_id = world.zorg_b.id
    kept = kept_equals_rebuild(session)
    # The frozen row keeps its provider in every set it counts in.
    assert client_cells(kept, "profile", "JZ-AMB") == {(m, 1, 0)}
    assert [r for r in kept["filter_counts"] if r[1:3] == ("JZ-AMB", "12345678")]
    assert not [r for r in kept["filter_counts"] if r[1:3] == ("JZ-AMB", "87654321")]
    session.execute(delete(Task).where(Task.trajectory_id == first.id))
    session.delete(first)  # detached: stays in the feed and counts
    kept_equals_rebuild(session)
    second.care_start = date(2026, 1, 20)  # joins the detached row's January again
    kept = kept_equals_rebuild(session)
    assert len(client_cells(kept, "profile", "WMO-HH")) == 2


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


# --- the requests beside the feed (the waiting list's first stage) ----------------------------


def register(session: Session, world: World, days_ago: int, question: str) -> Aanmelding:
    return aanmeldingen.register_aanmelding(
        session,
        world.adult,
        world.gids,
        request_date=TODAY - timedelta(days=days_ago),
        domain=Domain.WMO,
        question=question,
        today=TODAY,
    )


def test_the_waiting_list_follows_the_workflow_and_the_kept_rows_equal_a_rebuild(
    session: Session, world: World
) -> None:
    register(session, world, 21, "Open, nog niets gedaan")  # (a)
    concept = register(session, world, 7, "Een concepttraject")  # (a): a concept decides nothing
    make_trajectory(session, world, S.CONCEPT, request_id=concept.id)
    refused = register(session, world, 30, "Afgewezen")
    aanmeldingen.decide_aanmelding(
        session, refused, world.gids, outcome=AanmeldingOutcome.AFGEWEZEN, reason="Voorliggend",
        today=TODAY,
    )  # fmt: skip
    waiting = register(session, world, 1, "Besloten, wacht op start")  # (b), through its trajectory
    make_trajectory(session, world, S.GEACCEPTEERD, request_id=waiting.id)
    started = register(session, world, 1, "Gestart")
    make_trajectory(session, world, S.ACTIEF, request_id=started.id)
    cancelled = register(session, world, 1, "Besloten, daarna geannuleerd")
    proposed = make_trajectory(session, world, S.VOORGESTELD, request_id=cancelled.id)
    wf.cancel(session, proposed, world.gids, "Inwoner ziet af van hulp")
    assert len(session.scalars(select(StatsRequest)).all()) == 6

    # Cut-off 2026-11: the reference date is 30 November, 28 days after TODAY.
    query = parse_query(session, {"domain": "wmo"}, date(2026, 12, 3))
    result = figures.waiting_now(session, query)
    assert result.reference_date == date(2026, 11, 30)
    request_stage, decision_stage = result.stages["request"], result.stages["decision"]
    assert request_stage is not None and decision_stage is not None
    # 21 + 28 = 49 days (6-8 weeks) and 7 + 28 = 35 days (2-6 weeks)
    assert request_stage.counts == {"0-2": 0, "2-6": 1, "6-8": 1, "8-13": 0, "13+": 0}
    # decided on TODAY, 28 days before the reference date; the started and cancelled are gone
    assert decision_stage.counts == {"0-2": 0, "2-6": 1, "6-8": 0, "8-13": 0, "13+": 0}
    assert result.total == 3

    world.adult.wijk = Wijk(name="Swifterbant")  # a move reaches the requests' rows too
    session.flush()
    assert {r.wijk for r in session.scalars(select(StatsRequest))} == {"Swifterbant"}
    kept = feed.feed_snapshot(session.connection())
    assert len(kept["requests"]) == 6
    assert feed.rebuild(session).requests == 6
    assert feed.feed_snapshot(session.connection()) == kept
    assert figures.waiting_now(session, query).stages["request"] == request_stage


def test_a_request_row_holds_nothing_personal_and_keeps_its_key(
    session: Session, world: World
) -> None:
    aanmelding = register(session, world, 3, "Hulp bij het huishouden")
    row = session.scalars(select(StatsRequest)).one()
    assert row.client_key == feed.pseudonym(feed.pseudonym_key(session), "bsn", world.adult.bsn)
    assert row.record_key == feed.request_key(row.client_key, aanmelding.id)
    assert (row.age_band, row.wijk, row.outcome, row.decided_on) == (
        "75-84", "Dronten", "in_behandeling", None
    )  # fmt: skip
    text = repr([getattr(row, c.name) for c in StatsRequest.__table__.columns])
    for secret in (world.adult.bsn, world.adult.family_name, "1950-05-05", "Hulp bij"):
        assert secret not in text


def test_a_frozen_or_deleted_request_keeps_its_row(session: Session, world: World) -> None:
    frozen = register(session, world, 3, "Wordt bevroren")
    deleted = register(session, world, 5, "Wordt verwijderd")
    feed.detach(session, [], [frozen.id])
    before = {
        r.request_date: (r.client_key, r.record_key) for r in session.scalars(select(StatsRequest))
    }
    session.delete(deleted)
    session.flush()
    world.adult.bsn = "000000019"  # an anonymisation: the frozen row stays as it was
    frozen.request_date = TODAY
    session.flush()
    session.expire_all()
    rows = session.scalars(select(StatsRequest).order_by(StatsRequest.request_date)).all()
    assert [(r.source_request_id, r.frozen) for r in rows] == [(None, False), (frozen.id, True)]
    assert {r.request_date: (r.client_key, r.record_key) for r in rows} == before
    kept = feed.feed_snapshot(session.connection())
    feed.rebuild(session)
    assert feed.feed_snapshot(session.connection()) == kept


PERSONAL_TABLES = {
    t.name
    for t in Base.metadata.sorted_tables
    if t.name
    not in {
        "stats_trajectories",
        "stats_requests",
        "stats_episodes",
        "stats_monthly_counts",
        "stats_filter_counts",
        "stats_feed_changes",  # the feed's change log: ids, kinds, times, random tokens
        "stats_duration_counts",
        "stats_result_counts",
        "stats_year_counts",
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
