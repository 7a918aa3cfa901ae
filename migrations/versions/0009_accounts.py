"""accounts: server-side session records; on PostgreSQL the application role, which
may only read and add to the audit log

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:00:00

The application role (PostgreSQL only). The role that runs the migrations owns every table; the
web application and the scheduler connect as a different role, ``<database>_app`` (e.g.
``trajectwijzer_app`` for the database ``trajectwijzer``), that may

* ``SELECT, INSERT, UPDATE, DELETE`` every table, except
* ``audit_log``: only ``SELECT, INSERT`` — no UPDATE, DELETE or TRUNCATE, by privilege, on top
  of migration 0006's triggers (which a table owner could drop);
* ``alembic_version``: only ``SELECT``;
* ``USAGE, SELECT`` on the sequences (ids for new rows);

and the same for tables later migrations create (default privileges of the migrating role).

Roles belong to the whole server, databases do not: the name is derived from the database, so
databases on one server (production and acceptance, or several test databases) never share
it, and it is created only when missing: two migrations of one database take turns (an advisory
lock), and should two databases ever derive the same name, the second takes the role the first
one made a moment ago. Running this twice changes nothing. The role is made ``NOLOGIN``
when this migration creates it; in production a superuser creates it beforehand with a password
(docs/operations.md, Deployment), and the migrating role then needs no right to create roles.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The application role's name, as an SQL expression (a role name has at most 63 bytes).
APPLICATION_ROLE = "left(current_database(), 59) || '_app'"


def application_role_sql(role: str = APPLICATION_ROLE) -> str:
    """The statement that creates the role when missing and grants it exactly its rights.
    ``role`` is an SQL expression for its name (a test passes another one)."""
    return f"""
DO $$
DECLARE
    app_role text := {role};
    owner text := (SELECT tableowner FROM pg_tables
                   WHERE schemaname = 'public' AND tablename = 'audit_log');
BEGIN
    -- Two migrations of one database at once take turns here ('role' as the lock's first key).
    PERFORM pg_advisory_xact_lock(1919904869, hashtext(app_role));
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = app_role) THEN
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', app_role);
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN
                NULL;  -- a parallel migration made it a moment ago
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'The application role % is missing and % may not create roles.',
                    app_role, current_user
                    USING HINT = format('As a superuser: CREATE ROLE %I LOGIN PASSWORD ''...''; '
                                        'then run the migrations again.', app_role);
        END;
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = app_role AND (rolsuper OR rolbypassrls))
       OR pg_has_role(app_role, owner, 'MEMBER') THEN
        RAISE EXCEPTION 'The application role % must not be a superuser nor own audit_log.',
            app_role;
    END IF;
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), app_role);
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I',
                   app_role);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app_role);
    EXECUTE format('REVOKE ALL ON audit_log FROM PUBLIC, %I', app_role);
    EXECUTE format('GRANT SELECT, INSERT ON audit_log TO %I', app_role);
    EXECUTE format('REVOKE ALL ON alembic_version FROM PUBLIC, %I', app_role);
    EXECUTE format('GRANT SELECT ON alembic_version TO %I', app_role);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public '
                   'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', app_role);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public '
                   'GRANT USAGE, SELECT ON SEQUENCES TO %I', app_role);
END
$$
"""


REVOKE_APPLICATION_ROLE = f"""
DO $$
DECLARE
    app_role text := {APPLICATION_ROLE};
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = app_role) THEN
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM %I',
                       app_role);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public '
                       'REVOKE ALL ON SEQUENCES FROM %I', app_role);
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', app_role);
        EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', app_role);
        EXECUTE format('REVOKE ALL ON SCHEMA public FROM %I', app_role);
        EXECUTE format('REVOKE ALL ON DATABASE %I FROM %I', current_database(), app_role);
    END IF;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_user_sessions")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])
    op.create_index(op.f("ix_user_sessions_started_at"), "user_sessions", ["started_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(application_role_sql())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The role itself stays: it belongs to the server, and may hold a login and password.
        op.execute(REVOKE_APPLICATION_ROLE)
    op.drop_index(op.f("ix_user_sessions_started_at"), table_name="user_sessions")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
