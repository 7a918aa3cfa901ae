"""Signed-in sessions on the server: a session lives exactly as long as its row; the database
keeps only a hash of the cookie's key; ending one session leaves the others alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import UserSession
from workflows.sessions import end_session, end_sessions, signed_in_user, start_session
from workflows.users import set_blocked

from ..factories import World

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LIFETIME = timedelta(hours=8)


def _rows(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(UserSession)) or 0


def test_a_session_lives_exactly_as_long_as_its_row(session: Session, world: World) -> None:
    key = start_session(session, world.gids, NOW, LIFETIME)
    assert signed_in_user(session, key) is world.gids
    assert session.scalar(select(UserSession.key_hash)) != key  # only a hash is stored
    end_session(session, key)
    assert signed_in_user(session, key) is None
    assert signed_in_user(session, "a-key-that-was-never-given") is None


def test_ending_the_accounts_sessions_keeps_the_one_named(session: Session, world: World) -> None:
    here = start_session(session, world.gids, NOW, LIFETIME)
    phone = start_session(session, world.gids, NOW, LIFETIME)
    colleague = start_session(session, world.aanbieder_a, NOW, LIFETIME)
    generation = world.gids.session_generation
    end_sessions(session, world.gids, keep=here)
    assert signed_in_user(session, here) is world.gids
    assert signed_in_user(session, phone) is None
    assert signed_in_user(session, colleague) is world.aanbieder_a
    assert world.gids.session_generation == generation + 1  # a half-way login ends too


def test_a_blocked_account_has_no_session(session: Session, world: World) -> None:
    key = start_session(session, world.gids, NOW, LIFETIME)
    set_blocked(session, world.gids, True, world.beheerder)
    assert signed_in_user(session, key) is None
    set_blocked(session, world.gids, False, world.beheerder)
    assert signed_in_user(session, key) is None  # lifting the block revives nothing


def test_a_login_removes_the_rows_past_the_absolute_lifetime(
    session: Session, world: World
) -> None:
    old = start_session(session, world.gids, NOW - LIFETIME - timedelta(seconds=1), LIFETIME)
    recent = start_session(session, world.gids, NOW - LIFETIME + timedelta(minutes=1), LIFETIME)
    start_session(session, world.aanbieder_a, NOW, LIFETIME)
    assert signed_in_user(session, old) is None
    assert signed_in_user(session, recent) is world.gids
    assert _rows(session) == 2
