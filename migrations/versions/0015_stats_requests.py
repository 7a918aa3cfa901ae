"""stats requests: the aanmeldingen for the waiting list, pseudonymised beside the feed

The waiting list (docs/statistics.md, "The waiting list now") has a first stage, a request
without a decision yet, and such a request has no row in ``stats_trajectories``. This creates
``stats_requests`` — one row per aanmelding: client key (HMAC of the BSN), age band at the request
date, wijk, domain, request date, decision date, outcome and a record key — and fills it with the
rows ``workflows.stats.feed`` derives, so the next refresh or rebuild changes nothing. It also
adds a small partial index on the feed's rows without a start of care (the waiting list's
decisions).

The client key is a keyed hash whose secret (``STATS_PSEUDONYM_KEY``) the database does not
have, so the rows cannot come from one INSERT … SELECT: the requests are read in one streamed
query and written in batches (COPY on PostgreSQL), as ``flask stats rebuild`` does. The secret
comes from the app (``flask db upgrade`` passes it) or the environment; with requests to derive
and no secret the upgrade stops rather than write rows that the next refresh would replace. The
derivation is copied here on purpose: a migration must not change when the code does.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 23:00:00
"""

import hashlib
import hmac
import os
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_BITS = 30
BATCH = 5_000
AGE_BANDS = ((0, "0-3"), (4, "4-11"), (12, "12-17"), (18, "18-26"), (27, "27-64"),
             (65, "65-74"), (75, "75-84"), (85, "85+"))  # fmt: skip
# Where ``app.cli.run_migrations`` puts the secret.
PSEUDONYM_KEY_ATTRIBUTE = "stats_pseudonym_key"


def derived_key(*parts: object) -> int:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - KEY_BITS)


def age_on(birth: date, on: date) -> int:
    try:
        birthday = birth.replace(year=on.year)
    except ValueError:  # 29 February in a common year: 1 March
        birthday = date(on.year, 3, 1)
    return on.year - birth.year - (0 if on >= birthday else 1)


def age_band(birth: date, on: date) -> str:
    age = max(0, age_on(birth, on))
    return [code for lower, code in AGE_BANDS if age >= lower][-1]


def secret() -> bytes | None:
    value = op.get_context().config.attributes.get(PSEUDONYM_KEY_ATTRIBUTE) or os.environ.get(
        "STATS_PSEUDONYM_KEY"
    )
    return value.encode() if value else None


def upgrade() -> None:
    op.create_table(
        "stats_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_request_id", sa.Integer(), nullable=True),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("age_band", sa.String(length=10), nullable=False),
        sa.Column("wijk", sa.String(length=80), nullable=True),
        sa.Column(
            "domain",
            sa.Enum(
                "wmo", "jeugd", name="domain", native_enum=False, create_constraint=True, length=10
            ),
            nullable=False,
        ),
        sa.Column("request_date", sa.Date(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "in_behandeling",
                "toegekend",
                "afgewezen",
                "geen_vervolg",
                name="aanmeldingoutcome",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("record_key", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_requests")),
    )
    op.create_index("ix_stats_requests_domain_decided", "stats_requests", ["domain", "decided_on"])
    # The waiting list's decisions without a start of care, a small part of the feed.
    op.create_index(
        "ix_stats_trajectories_waiting",
        "stats_trajectories",
        ["domain", "decision_date"],
        sqlite_where=sa.text("care_start IS NULL"),
        postgresql_where=sa.text("care_start IS NULL"),
    )
    op.create_index(
        "uq_stats_requests_source",
        "stats_requests",
        ["source_request_id"],
        unique=True,
        sqlite_where=sa.text("source_request_id IS NOT NULL"),
        postgresql_where=sa.text("source_request_id IS NOT NULL"),
    )
    fill()


def fill() -> None:
    bind = op.get_bind()
    reflected = sa.MetaData()
    requests = sa.Table("requests", reflected, autoload_with=bind)
    residents = sa.Table("residents", reflected, autoload_with=bind)
    wijken = sa.Table("wijken", reflected, autoload_with=bind)
    target = sa.Table("stats_requests", reflected, autoload_with=bind)
    if not bind.scalar(sa.select(sa.func.count()).select_from(requests)):
        return
    key = secret()
    if key is None:
        raise RuntimeError(
            "Migration 0015 derives the statistics rows of the existing requests and needs the "
            "pseudonym secret: set STATS_PSEUDONYM_KEY (or run `flask --app wsgi db upgrade`)."
        )
    source = (
        sa.select(
            requests.c.id,
            residents.c.bsn,
            residents.c.birth_date,
            wijken.c.name.label("wijk"),
            requests.c.domain,
            requests.c.request_date,
            requests.c.decided_on,
            requests.c.outcome,
        )
        .select_from(requests)
        .join(residents, residents.c.id == requests.c.resident_id)
        .outerjoin(wijken, wijken.c.id == residents.c.wijk_id)
        .order_by(requests.c.id)
    )
    batch: list[dict[str, Any]] = []
    for row in bind.execute(source.execution_options(yield_per=BATCH)):
        client_key = hmac.new(key, f"bsn:{row.bsn}".encode(), hashlib.sha256).hexdigest()
        batch.append(
            {
                "source_request_id": row.id,
                "frozen": False,
                "client_key": client_key,
                "age_band": age_band(row.birth_date, row.request_date),
                "wijk": row.wijk,
                "domain": row.domain,
                "request_date": row.request_date,
                "decided_on": row.decided_on,
                "outcome": row.outcome,
                "record_key": derived_key("aanmelding", client_key, row.id),
            }
        )
        if len(batch) >= BATCH:
            bind.execute(target.insert(), batch)
            batch = []
    if batch:
        bind.execute(target.insert(), batch)


def downgrade() -> None:
    op.drop_index("ix_stats_trajectories_waiting", table_name="stats_trajectories")
    op.drop_index("uq_stats_requests_source", table_name="stats_requests")
    op.drop_index("ix_stats_requests_domain_decided", table_name="stats_requests")
    op.drop_table("stats_requests")
