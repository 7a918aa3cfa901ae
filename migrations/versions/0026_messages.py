"""iWmo/iJw messages: the messages table, a contract's channel and the Jeugd referrer

``messages`` keeps every message exchanged with a provider's client system, either way: its
header facts, its state, the XML itself and what it answers. ``contracts.channel`` says whether
a contract's trajectories go as messages (``berichtenverkeer``) or through the portal
(``portaal``, every existing contract). ``trajectories`` and ``requests`` (aanmeldingen) get
the referrer (*Verwijzer*: the iJw type code and a name). The referrer codes are an enum, kept
by a check constraint; the values are copied here on purpose.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 05:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFERRER_TYPES = ("01", "02", "03", "04", "05", "06", "08")
OUTGOING = "'klaar', 'verzonden', 'bevestigd', 'afgekeurd'"
INCOMING = "'verwerkt', 'geweigerd'"


def _enum(name: str, length: int, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("direction", _enum("messagedirection", 3, "in", "uit"), nullable=False),
        sa.Column("kind", sa.String(length=3), nullable=False),
        sa.Column("domain", _enum("domain", 10, "wmo", "jeugd"), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("identification", sa.String(length=12), nullable=False),
        sa.Column("dated_on", sa.Date(), nullable=False),
        sa.Column(
            "state",
            _enum(
                "messagestate",
                20,
                "klaar",
                "verzonden",
                "bevestigd",
                "afgekeurd",
                "verwerkt",
                "geweigerd",
            ),
            nullable=False,
        ),
        sa.Column("trajectory_id", sa.Integer(), nullable=True),
        sa.Column("aanmelding_id", sa.Integer(), nullable=True),
        sa.Column("answers_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("errors", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            f"(direction = 'uit' AND state IN ({OUTGOING})) "
            f"OR (direction = 'in' AND state IN ({INCOMING}))",
            name=op.f("ck_messages_state_fits_direction"),
        ),
        sa.CheckConstraint(
            "state NOT IN ('geweigerd', 'afgekeurd') OR errors IS NOT NULL",
            name=op.f("ck_messages_refusal_has_errors"),
        ),
        sa.CheckConstraint("length(kind) = 3", name=op.f("ck_messages_kind_3_digits")),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_messages_provider_id_providers")
        ),
        sa.ForeignKeyConstraint(
            ["trajectory_id"],
            ["trajectories.id"],
            name=op.f("fk_messages_trajectory_id_trajectories"),
        ),
        sa.ForeignKeyConstraint(
            ["aanmelding_id"], ["requests.id"], name=op.f("fk_messages_aanmelding_id_requests")
        ),
        sa.ForeignKeyConstraint(
            ["answers_id"], ["messages.id"], name=op.f("fk_messages_answers_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint(
            "direction", "provider_id", "kind", "identification", name="uq_messages_identification"
        ),
    )
    op.create_index(
        "ix_messages_provider_direction_state",
        "messages",
        ["provider_id", "direction", "state", "id"],
    )
    op.create_index("ix_messages_trajectory", "messages", ["trajectory_id", "id"])
    op.create_index(op.f("ix_messages_aanmelding_id"), "messages", ["aanmelding_id"])
    op.create_index(op.f("ix_messages_answers_id"), "messages", ["answers_id"])

    # On SQLite the batches rebuild the tables; on PostgreSQL these are ALTER TABLEs.
    with op.batch_alter_table("contracts") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(length=20), nullable=False, server_default="portaal")
        )
        batch.create_check_constraint(
            op.f("ck_contracts_channel"), "channel IN ('berichtenverkeer', 'portaal')"
        )
    codes = ", ".join(f"'{code}'" for code in REFERRER_TYPES)
    for table in ("trajectories", "requests"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("referrer_type", sa.String(length=2), nullable=True))
            batch.add_column(sa.Column("referrer_name", sa.String(length=64), nullable=True))
            batch.create_check_constraint(
                op.f(f"ck_{table}_referrertype"), f"referrer_type IN ({codes})"
            )


def downgrade() -> None:
    for table in ("requests", "trajectories"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_referrertype"), type_="check")
            batch.drop_column("referrer_name")
            batch.drop_column("referrer_type")
    with op.batch_alter_table("contracts") as batch:
        batch.drop_constraint(op.f("ck_contracts_channel"), type_="check")
        batch.drop_column("channel")
    op.drop_index(op.f("ix_messages_answers_id"), table_name="messages")
    op.drop_index(op.f("ix_messages_aanmelding_id"), table_name="messages")
    op.drop_index("ix_messages_trajectory", table_name="messages")
    op.drop_index("ix_messages_provider_direction_state", table_name="messages")
    op.drop_table("messages")
