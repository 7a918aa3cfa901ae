"""Extensions, created without an app and bound in ``create_app``."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, has_request_context, request
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from workflows.berichten.schemas import Schemas
from workflows.berichten.settings import SETTINGS_INFO, Settings
from workflows.claims import ClaimPolicy
from workflows.session_factory import make_session_factory

# Requests that may write (a form sent, a task dismissed) begin their transaction as a writer.
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Database:
    """One engine per app and one session factory, ``sessions``; one SQLAlchemy session per
    request (or CLI command), closed at the end of the app context. Views commit once after the
    workflow returns.

    ``sessions`` is made by ``workflows.session_factory.make_session_factory``: the statistics
    feed and audit listeners are attached to it (not to SQLAlchemy's ``Session`` class), and it
    carries ``STATS_PSEUDONYM_KEY`` in its ``info``. The request's session, the CLI's, the
    scheduler's, the tests' and the benchmarks' sessions all come from it; a plain
    ``Session(engine)`` has no feed, no audit and no key (see that module for why).

    On SQLite a request that writes begins ``IMMEDIATE``: it takes the write lock at its first
    statement and parallel writers wait for it (the 30-second busy timeout). A transaction that
    began as a reader cannot become a writer once another writer committed (SQLite answers
    "database is locked" at once, without waiting), so ten parallel posts of one form would
    otherwise give nine 500s where PostgreSQL gives one result and nine clear answers."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._writer: Engine | None = None
        # Tests: where ``session`` binds instead of the engine (``bind_to_connection``).
        self._test_binding: dict[str, Any] | None = None

    def init_app(self, app: Flask) -> None:
        url = app.config["DATABASE_URL"]
        # hide_parameters: a database error in the log shows the statement, never the values
        # (a BSN or a name); pool_pre_ping: a connection the database dropped is replaced.
        kwargs: dict[str, Any] = {"hide_parameters": True, "pool_pre_ping": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        self.engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
            # Let SQLAlchemy, not the sqlite3 module, emit BEGIN so SAVEPOINTs behave.
            event.listen(self.engine, "begin", _sqlite_begin)
        # The message exchange's settings, one per app: every session carries them
        # (``workflows.berichten.settings.settings_of``), the schemas load once.
        berichten = Settings(
            municipality_code=app.config["MUNICIPALITY_CODE"],
            schemas=Schemas(app.config.get("ISTANDAARDEN_XSD_DIR")),
            timezone=app.config["TIMEZONE"],
            claim_policy=ClaimPolicy(app.config["CLAIM_POLICY"]),
        )
        app.extensions["berichten"] = berichten
        self._sessions = make_session_factory(
            self.engine,
            pseudonym_key=app.config["STATS_PSEUDONYM_KEY"],
            expire_on_commit=False,
            info={SETTINGS_INFO: berichten},
        )
        self._writer = self.engine.execution_options(writer=True)
        self._test_binding = None
        app.extensions["database"] = self
        app.teardown_appcontext(self._close)

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The app's session factory: ``db.sessions()`` for a session of one's own (a script,
        a thread, a test's committed data) with the feed, the audit hooks and the key."""
        assert self._sessions is not None, "Database.init_app was not called"
        return self._sessions

    def bind_to_connection(self, connection: Connection) -> None:
        """Tests: make every session join ``connection``'s outer transaction (commits become
        savepoint releases), so each test is rolled back at the end."""
        self._test_binding = {"bind": connection, "join_transaction_mode": "create_savepoint"}

    def unbind(self) -> None:
        self._test_binding = None

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            if self._test_binding is not None:
                g.db_session = self.sessions(**self._test_binding)
            elif has_request_context() and request.method in WRITING_METHODS:
                g.db_session = self.sessions(bind=self._writer)
            else:
                g.db_session = self.sessions()
        session: Session = g.db_session
        return session

    def _close(self, exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("writer", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def berichten_settings(app: Flask) -> Settings:
    """The app's message exchange settings (municipality code, schemas); sessions of
    ``db.sessions`` carry the same object."""
    settings: Settings = app.extensions["berichten"]
    return settings


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
