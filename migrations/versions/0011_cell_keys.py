"""cell keys: record keys on the statistics feed and key sums beside the monthly counts

Disclosure control moves from suppression to the cell key method (docs/statistics.md,
"Disclosure control"). Every feed row gets a record key (and its client's and household's), every
episode one, and the monthly counts the sums of the keys of their starts and ends. The keys are
derived exactly as ``models.statistics.derived_key`` and ``workflows.stats.feed`` derive them
(SHA-256 over the row's client key, which is itself keyed with the secret, and its trajectory
id), so the next refresh or rebuild finds the same keys and changes nothing. A detached row (no
trajectory any more) is keyed by its own row id instead; it is never derived again, so it keeps
that key. The function is copied here on purpose: a migration must not change when the code does.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 21:00:00
"""

import hashlib
from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_BITS = 30


def derived_key(*parts: object) -> int:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - KEY_BITS)


def month_index(day: object) -> int:
    return day.year * 12 + day.month - 1  # type: ignore[attr-defined]


def upgrade() -> None:
    with op.batch_alter_table("stats_trajectories") as batch:
        for name in ("record_key", "client_record_key", "household_record_key"):
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))
    with op.batch_alter_table("stats_episodes") as batch:
        batch.add_column(sa.Column("record_key", sa.Integer(), nullable=True))
    with op.batch_alter_table("stats_monthly_counts") as batch:
        batch.add_column(sa.Column("starts_key", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("ends_key", sa.BigInteger(), nullable=True))

    bind = op.get_bind()
    reflected = sa.MetaData()
    facts = sa.Table("stats_trajectories", reflected, autoload_with=bind)
    episodes = sa.Table("stats_episodes", reflected, autoload_with=bind)
    counts = sa.Table("stats_monthly_counts", reflected, autoload_with=bind)
    starts: Counter[tuple[str, str, str, int]] = Counter()
    ends: Counter[tuple[str, str, str, int]] = Counter()
    updates = []
    for row in bind.execute(sa.select(facts)):
        source = row.source_trajectory_id
        record_key = derived_key(
            "traject", row.client_key, source if source is not None else f"row{row.id}"
        )
        updates.append(
            {
                "row_id": row.id,
                "record_key": record_key,
                "client_record_key": derived_key("client", row.client_key),
                "household_record_key": derived_key("household", row.household_key),
            }
        )
        if row.start_month is not None:
            starts[(row.domain, "traject", row.intensity, row.start_month)] += record_key
        if row.end_month is not None:
            ends[(row.domain, "traject", row.intensity, row.end_month)] += record_key
    if updates:
        bind.execute(
            facts.update()
            .where(facts.c.id == sa.bindparam("row_id"))
            .values(
                record_key=sa.bindparam("record_key"),
                client_record_key=sa.bindparam("client_record_key"),
                household_record_key=sa.bindparam("household_record_key"),
            ),
            updates,
        )
    updates = []
    for row in bind.execute(sa.select(episodes)):
        record_key = derived_key("episode", row.client_key, row.domain, row.care_start.isoformat())
        updates.append({"row_id": row.id, "record_key": record_key})
        starts[(row.domain, "client", "", month_index(row.care_start))] += record_key
        if row.care_end is not None:
            ends[(row.domain, "client", "", month_index(row.care_end))] += record_key
    if updates:
        bind.execute(
            episodes.update()
            .where(episodes.c.id == sa.bindparam("row_id"))
            .values(record_key=sa.bindparam("record_key")),
            updates,
        )
    bind.execute(counts.update().values(starts_key=0, ends_key=0))
    cells = sorted(set(starts) | set(ends))
    if cells:
        bind.execute(
            counts.update()
            .where(
                counts.c.domain == sa.bindparam("c_domain"),
                counts.c.unit == sa.bindparam("c_unit"),
                counts.c.intensity == sa.bindparam("c_intensity"),
                counts.c.month == sa.bindparam("c_month"),
            )
            .values(starts_key=sa.bindparam("s_key"), ends_key=sa.bindparam("e_key")),
            [
                {
                    "c_domain": domain,
                    "c_unit": unit,
                    "c_intensity": intensity,
                    "c_month": month,
                    "s_key": starts[(domain, unit, intensity, month)],
                    "e_key": ends[(domain, unit, intensity, month)],
                }
                for domain, unit, intensity, month in cells
            ],
        )

    with op.batch_alter_table("stats_trajectories") as batch:
        for name in ("record_key", "client_record_key", "household_record_key"):
            batch.alter_column(name, existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("stats_episodes") as batch:
        batch.alter_column("record_key", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("stats_monthly_counts") as batch:
        batch.alter_column("starts_key", existing_type=sa.BigInteger(), nullable=False)
        batch.alter_column("ends_key", existing_type=sa.BigInteger(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("stats_monthly_counts") as batch:
        batch.drop_column("ends_key")
        batch.drop_column("starts_key")
    with op.batch_alter_table("stats_episodes") as batch:
        batch.drop_column("record_key")
    with op.batch_alter_table("stats_trajectories") as batch:
        for name in ("household_record_key", "client_record_key", "record_key"):
            batch.drop_column(name)
