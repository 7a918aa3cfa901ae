"""The statistics feed and the audit log follow only the sessions of the app's factory
(``workflows.session_factory``): a plain ``Session`` in a script has no hidden behaviour, and it
cannot write the feed, least of all under the development key — the pseudonym key travels with
the session and its absence raises."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from app.config import DEV_PSEUDONYM_KEY
from app.extensions import db
from models import Resident, StatsTrajectory, Trajectory, TrajectoryState, User
from workflows import trajectories as wf
from workflows.audit import CONTEXT_KEY, AuditContext, set_context
from workflows.session_factory import make_session_factory
from workflows.stats import feed

from ..factories import TODAY, World, make_trajectory

DEV_KEY = DEV_PSEUDONYM_KEY.encode()


def _plain_session(connection: Connection) -> Session:
    return Session(bind=connection, join_transaction_mode="create_savepoint")


def _factory_session(connection: Connection) -> Session:
    return db.sessions(bind=connection, join_transaction_mode="create_savepoint")


def _feed_rows(connection: Connection) -> list[tuple[int | None, str]]:
    rows = connection.execute(
        select(StatsTrajectory.source_trajectory_id, StatsTrajectory.client_key)
    )
    return [(row.source_trajectory_id, row.client_key) for row in rows]


def _propose(session: Session, trajectory_id: int, gids_id: int) -> None:
    trajectory = session.get(Trajectory, trajectory_id)
    gids = session.get(User, gids_id)
    assert trajectory is not None and gids is not None
    wf.propose(session, trajectory, gids, TODAY)
    session.flush()


def test_a_session_made_without_the_factory_cannot_write_the_feed(
    connection: Connection, session: Session, world: World
) -> None:
    concept = make_trajectory(session, world, TrajectoryState.CONCEPT)
    session.flush()
    assert _feed_rows(connection) == []
    with _plain_session(connection) as plain:
        # A step that puts a trajectory in the feed: the plain session has no hidden hook ...
        _propose(plain, concept.id, world.gids.id)
        state = plain.scalar(select(Trajectory.state).where(Trajectory.id == concept.id))
        assert state == TrajectoryState.VOORGESTELD
        assert _feed_rows(connection) == []
        # ... and writing the feed by hand raises before anything is written.
        with pytest.raises(feed.MissingPseudonymKey, match="pseudonym key"):
            feed.refresh(plain, [concept.id])
        with pytest.raises(feed.MissingPseudonymKey, match="pseudonym key"):
            feed.rebuild(plain)
    assert _feed_rows(connection) == []
    dev_client_key = feed.pseudonym(DEV_KEY, "bsn", world.adult.bsn)
    written = select(func.count()).where(StatsTrajectory.client_key == dev_client_key)
    assert connection.scalar(written) == 0


def test_a_factory_session_that_lost_its_key_raises_instead_of_writing_the_feed(
    connection: Connection, session: Session, world: World
) -> None:
    concept = make_trajectory(session, world, TrajectoryState.CONCEPT)
    session.flush()
    with _factory_session(connection) as keyless:
        del keyless.info[feed.PSEUDONYM_KEY_INFO]
        with pytest.raises(feed.MissingPseudonymKey):
            _propose(keyless, concept.id, world.gids.id)
    assert _feed_rows(connection) == []


def test_the_pseudonym_key_travels_with_the_session(
    connection: Connection, session: Session, world: World
) -> None:
    concept = make_trajectory(session, world, TrajectoryState.CONCEPT)
    session.flush()
    factory = make_session_factory(
        connection, pseudonym_key="another-secret", join_transaction_mode="create_savepoint"
    )
    client_key = feed.pseudonym(b"another-secret", "bsn", world.adult.bsn)
    assert client_key != feed.pseudonym(DEV_KEY, "bsn", world.adult.bsn)
    with factory() as other:
        assert feed.pseudonym_key(other) == b"another-secret"
        _propose(other, concept.id, world.gids.id)
        assert _feed_rows(connection) == [(concept.id, client_key)]


def test_a_factory_needs_a_pseudonym_key(connection: Connection) -> None:
    with pytest.raises(feed.MissingPseudonymKey):
        make_session_factory(connection, pseudonym_key="")


def test_what_a_session_puts_in_its_info_stays_in_that_session(session: Session) -> None:
    set_context(session, AuditContext(user_id=None, role="systeem"))
    with db.sessions() as fresh:
        assert CONTEXT_KEY not in fresh.info
        assert fresh.info[feed.PSEUDONYM_KEY_INFO] == session.info[feed.PSEUDONYM_KEY_INFO]


def test_only_the_factory_sessions_note_their_reads_for_the_audit_log(
    connection: Connection, world: World
) -> None:
    resident_id = world.adult.id
    with _plain_session(connection) as plain:
        context = AuditContext(user_id=None, role="systeem")
        set_context(plain, context)
        assert plain.get(Resident, resident_id) is not None
        assert context.reads == {}
    with _factory_session(connection) as made:
        context = AuditContext(user_id=None, role="systeem")
        set_context(made, context)
        assert made.get(Resident, resident_id) is not None
        assert list(context.reads) == [("inwoner", resident_id)]
