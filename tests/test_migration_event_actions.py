"""Migration 0010 keeps a trajectory event's action to ``EventAction``: every action the
application records passes, history included, and anything else is refused. Run on a database
of its own (SQLite), migrated to 0009 and filled by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import IntegrityError

from models import EventAction

from .migrating import migrate, old_database

NOW = "2026-12-05 10:00:00"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with old_database(tmp_path) as engine:
        yield engine


def _add_event(conn: Connection, action: str) -> None:
    # foreign keys are not enforced on this bare connection: no trajectory needed
    conn.execute(
        text("INSERT INTO trajectory_events (trajectory_id, at, action) VALUES (7, :now, :action)"),
        {"now": NOW, "action": action},
    )


def test_every_recorded_action_stays_and_an_unknown_one_is_refused_afterwards(
    engine: Engine,
) -> None:
    migrate(engine, "0009")
    with engine.begin() as conn:
        for action in EventAction:
            _add_event(conn, action.value)

    migrate(engine, "head")

    with engine.begin() as conn:
        stored = conn.execute(text("SELECT action FROM trajectory_events")).scalars().all()
        assert sorted(stored) == sorted(action.value for action in EventAction)
        for action in EventAction:  # every action can still be recorded
            _add_event(conn, action.value)
    with (
        pytest.raises(IntegrityError, match="ck_trajectory_events_eventaction"),
        engine.begin() as conn,
    ):
        _add_event(conn, "verzonnen")


def test_an_action_the_application_never_records_stops_the_upgrade(engine: Engine) -> None:
    migrate(engine, "0009")
    with engine.begin() as conn:
        _add_event(conn, EventAction.VOORSTELLEN.value)
        _add_event(conn, "handmatig")

    with pytest.raises(RuntimeError, match="'handmatig'"):
        migrate(engine, "0010")

    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0009"
