"""On PostgreSQL the web application connects as a role of its own (migration 0009) that may read
and add to the audit log but never change, remove or empty it — refused by the privileges
themselves, before migration 0006's triggers are even asked — and that owns no table. The app's
normal work runs as that role. Roles are shared by all databases of a server: the role's name
comes from the database, and making it is safe twice and in parallel.

SQLite has no roles; its triggers (migration 0006) already refuse UPDATE and DELETE of the log
for every client, and SQLite has no TRUNCATE."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from types import ModuleType

import pytest
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from app.cli import alembic_config
from app.extensions import db
from models import AuditEntry, Base, Resident, TrajectoryState
from workflows.scheduler_jobs import run_all

from .app.helpers import change_password, login, logout, post_form
from .factories import TODAY, World, make_trajectory

APPEND_ONLY = ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"]


@pytest.fixture(autouse=True)
def _postgresql_only(app: Flask) -> None:
    assert db.engine is not None
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no roles; migration 0006's triggers refuse changes to the log")


def _migration() -> ModuleType:
    """The migration that makes the application role (found by what it offers, not its id)."""
    for revision in ScriptDirectory.from_config(alembic_config()).walk_revisions():
        if hasattr(revision.module, "application_role_sql"):
            return revision.module
    raise AssertionError("no migration makes the application role")


def _role(connection: Connection) -> str:
    return str(connection.scalar(text(f"SELECT {_migration().APPLICATION_ROLE}")))


@pytest.fixture
def as_application(connection: Connection) -> Iterator[str]:
    """This test's connection acts as the application role until the test is rolled back."""
    role = _role(connection)
    connection.execute(text(f'SET LOCAL ROLE "{role}"'))
    assert connection.scalar(text("SELECT current_user")) == role
    yield role


@pytest.mark.parametrize("statement", APPEND_ONLY)
def test_the_application_role_may_not_change_remove_or_empty_the_audit_log(
    connection: Connection, as_application: str, statement: str
) -> None:
    connection.execute(
        text("INSERT INTO audit_log (at, action, object_type) VALUES (now(), 'test', 'account')")
    )
    nested = connection.begin_nested()
    with pytest.raises(DBAPIError) as refused:
        connection.execute(text(statement))
    nested.rollback()
    # 42501 insufficient_privilege: the privilege check, not the trigger's exception (P0001)
    assert refused.value.orig.sqlstate == "42501"  # type: ignore[union-attr]
    assert "permission denied for table audit_log" in str(refused.value.orig)


def test_the_application_role_owns_nothing_and_has_exactly_its_rights(
    connection: Connection,
) -> None:
    role = _role(connection)
    assert role == connection.scalar(text("SELECT current_database()")) + "_app"
    assert not connection.scalar(
        text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": role}
    )
    owners = dict(
        connection.execute(
            text("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'")
        ).all()
    )
    assert set(owners) == {table.name for table in Base.metadata.sorted_tables} | {
        "alembic_version"
    }
    for table, owner in owners.items():
        assert owner != role, table
        assert not connection.scalar(
            text("SELECT pg_has_role(:r, :o, 'MEMBER')"), {"r": role, "o": owner}
        ), table

    def may(table: str, privilege: str) -> bool:
        return bool(
            connection.scalar(
                text("SELECT has_table_privilege(:r, :t, :p)"),
                {"r": role, "t": f"public.{table}", "p": privilege},
            )
        )

    writes = ("INSERT", "UPDATE", "DELETE", "TRUNCATE")
    rights = {t: {p for p in ("SELECT", *writes) if may(t, p)} for t in owners}
    assert rights.pop("audit_log") == {"SELECT", "INSERT"}
    assert rights.pop("alembic_version") == {"SELECT"}
    # every other table, also one a later migration adds (default privileges)
    assert {t: r for t, r in rights.items() if r != {"SELECT", "INSERT", "UPDATE", "DELETE"}} == {}
    sequences = connection.scalars(
        text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
    ).all()
    assert sequences
    for sequence in sequences:
        assert connection.scalar(
            text("SELECT has_sequence_privilege(:r, :s, 'USAGE')"),
            {"r": role, "s": f"public.{sequence}"},
        ), sequence


def test_the_app_does_its_normal_work_as_the_application_role(
    app: Flask, client, world: World, session, connection: Connection, as_application: str
) -> None:
    """Sign in (attempts, the session record, the second factor), register a resident (the
    audit log's change entries, the statistics feed), read pages (the read entries, in one
    statement), change the password (the other sessions end), run the scheduler's jobs, log
    out — all as the application role."""
    trajectory = make_trajectory(session, world, TrajectoryState.ACTIEF)
    session.flush()
    before = session.query(AuditEntry).count()
    other = app.test_client()
    login(other, world.gids.email)
    assert login(client, world.gids.email).headers["Location"] == "/gids/"
    resident = {
        "bsn": "345678904",
        "given_name": "Robert",
        "family_name": "Visser",
        "birth_date": "1970-03-04",
        "postcode": "",
        "wijk_id": "",
        "household_member_bsn": "",
    }
    created = post_form(client, "/gids/inwoners/nieuw", "/gids/inwoners/nieuw", resident)
    assert created.status_code == 302
    assert session.query(Resident).filter_by(bsn="345678904").count() == 1
    assert client.get("/gids/").status_code == 200
    assert client.get(f"/gids/trajecten/{trajectory.id}").status_code == 200
    changed = change_password(client)
    assert changed.status_code == 302
    assert other.get("/gids/").status_code == 302
    run_all(session, TODAY)
    assert logout(client).status_code == 302
    assert client.get("/gids/").status_code == 302
    assert session.query(AuditEntry).count() > before
    assert connection.scalar(text("SELECT current_user")) == as_application


def test_making_the_role_is_safe_twice_and_in_parallel(app: Flask) -> None:
    """Twice in one database; and two migrations at the same moment making the same role (one
    waits for the other). Databases of one server get different roles (the name test above).
    Committed for real: a test transaction holding the grants would make the two wait."""
    assert db.engine is not None
    engine = db.engine
    migration = _migration()
    for _ in range(2):
        with engine.begin() as conn:
            conn.execute(text(migration.application_role_sql()))

    name = f"test_role_{uuid.uuid4().hex[:12]}"
    statement = text(migration.application_role_sql(f"'{name}'"))
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def migrate() -> None:
        try:
            with engine.begin() as conn:
                start.wait()
                conn.execute(statement)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=migrate) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert not any(thread.is_alive() for thread in threads)
    finally:
        with engine.begin() as conn:
            if conn.scalar(text("SELECT count(*) FROM pg_roles WHERE rolname = :n"), {"n": name}):
                conn.execute(text(f'DROP OWNED BY "{name}"'))
                conn.execute(text(f'DROP ROLE "{name}"'))
