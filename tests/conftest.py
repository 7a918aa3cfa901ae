"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when
``TEST_DATABASE_URL`` is set (``make test`` does both). Each test runs inside a transaction that
is rolled back; the browser tests, which need real commits, clean up after themselves."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from app import create_app
from app.cli import run_migrations
from app.extensions import db

from .committed import remove_committed_rows
from .factories import World, build_world


def _database_url(tmp_dir: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = _database_url(tmp_path_factory.mktemp("db"))
    application = create_app(
        {
            "ENV_NAME": "testing",
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "test-secret-key",
            "SESSION_COOKIE_SECURE": False,
        }
    )
    assert db.engine is not None
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    with application.app_context():
        run_migrations()
    yield application
    db.engine.dispose()


@pytest.fixture
def connection(app: Flask) -> Iterator[Connection]:
    assert db.engine is not None
    with db.engine.connect() as conn:
        outer = conn.begin()
        db.bind_to_connection(conn)
        try:
            yield conn
        finally:
            db.unbind()
            if outer.is_active:
                outer.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """A session for arranging and checking data, from the app's factory (the statistics feed
    and the audit hooks follow it as in the app); rolled back after the test."""
    with db.sessions(bind=connection, join_transaction_mode="create_savepoint") as s:
        yield s


@pytest.fixture
def world(session: Session) -> World:
    """A small municipality: catalogue, tariffs, providers with contracts, users, residents."""
    world = build_world(session)
    session.flush()
    return world


@pytest.fixture
def committed_world(app: Flask) -> Iterator[World]:
    """The small municipality committed for real, for tests where several connections or
    threads must see it (races, double submits, a live server); removed afterwards
    (``tests.committed``). A test module may override it with a larger world."""
    assert db.engine is not None
    with db.sessions() as s:
        world = build_world(s)
        s.commit()
    try:
        yield world
    finally:
        remove_committed_rows(db.engine)


@pytest.fixture
def client(app: Flask, connection: Connection) -> FlaskClient:
    """A test client with CSRF protection ON, as in production."""
    return app.test_client()
