"""security, privacy and reliability: second factor, login attempts, session
generation, the append-only audit log, caseload indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_MESSAGE = "audit_log is append-only"

POSTGRESQL_TRIGGERS = [
    f"""
    CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{APPEND_ONLY_MESSAGE} (% refused)', TG_OP;
    END;
    $$
    """,
    "CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()",
]
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
    for verb in ("UPDATE", "DELETE")
]


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_generation", sa.Integer(), server_default="1", nullable=False)
        )
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("totp_secret", sa.String(length=64)))
        batch.add_column(sa.Column("totp_confirmed_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("totp_last_step", sa.Integer()))

    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
    )
    op.create_index(op.f("ix_recovery_codes_user_id"), "recovery_codes", ["user_id"])

    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=45)),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index(op.f("ix_login_attempts_at"), "login_attempts", ["at"])
    op.create_index("ix_login_attempts_account_at", "login_attempts", ["account_key", "at"])
    op.create_index("ix_login_attempts_ip_at", "login_attempts", ["ip", "at"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer()),
        sa.Column("role", sa.String(length=20)),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("object_type", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.Integer()),
        sa.Column("resident_id", sa.Integer()),
        sa.Column("ip", sa.String(length=45)),
        sa.Column("endpoint", sa.String(length=80)),
        sa.Column("status", sa.SmallInteger()),
        sa.Column("details", sa.Text()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_resident_at", "audit_log", ["resident_id", "at"])
    op.create_index("ix_audit_log_user_at", "audit_log", ["user_id", "at"])
    op.create_index(
        "ix_trajectories_gids_planned_end", "trajectories", ["gids_id", "planned_end", "id"]
    )
    triggers = (
        POSTGRESQL_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    )
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE audit_log")
        op.execute("DROP FUNCTION audit_log_refuse_change()")
    else:
        op.drop_table("audit_log")
    op.drop_index("ix_trajectories_gids_planned_end", table_name="trajectories")
    op.drop_table("login_attempts")
    op.drop_table("recovery_codes")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_confirmed_at")
        batch.drop_column("totp_secret")
        batch.drop_column("password_changed_at")
        batch.drop_column("session_generation")
