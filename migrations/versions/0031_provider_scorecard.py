"""provider scorecard and waiting statistics: the providers' returned proposals and scaling
requests, and covering indexes

``stats_provider_events`` holds one row per proposal a provider returned (``returned``, for the
provider whose user returned it) and per request to scale a trajectory (``scaling``, for the
trajectory's provider), pseudonymised like the feed (a record key, no client key), derived here
from the existing trajectory events as ``workflows.stats.feed`` derives them (the secret comes
from the app, ``flask db upgrade`` passes it, or the environment; with events to derive and no
secret the upgrade stops). The ended waits (decision → start of care, request → decision) are
kept in ``stats_duration_counts`` and filled here. Covering indexes serve the price per achieved
result per provider, the waits of the period and the unmet demand (docs/statistics.md). The
derivation is copied here on purpose: a migration must not change when the code does.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 05:20:00
"""

import hashlib
import hmac
import os
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_BITS = 30
BATCH = 5_000
FILTER_COLUMNS = ("category_code", "profile_code", "intensity", "provider_agb", "wijk", "age_band")
KINDS = {"terugsturen": "returned", "opschaling_gevraagd": "scaling"}
ZONE = ZoneInfo("Europe/Amsterdam")
# Where ``app.cli.run_migrations`` puts the secret.
PSEUDONYM_KEY_ATTRIBUTE = "stats_pseudonym_key"


def derived_key(*parts: object) -> int:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - KEY_BITS)


def secret() -> bytes | None:
    value = op.get_context().config.attributes.get(PSEUDONYM_KEY_ATTRIBUTE) or os.environ.get(
        "STATS_PSEUDONYM_KEY"
    )
    return value.encode() if value else None


def local_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZONE).date()


def upgrade() -> None:
    op.create_table(
        "stats_provider_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_event_id", sa.Integer(), nullable=True),
        sa.Column("source_trajectory_id", sa.Integer(), nullable=True),
        sa.Column("frozen", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("provider_agb", sa.String(length=8), nullable=False),
        sa.Column(
            "domain",
            sa.Enum(
                "wmo", "jeugd", name="domain", native_enum=False, create_constraint=True, length=10
            ),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('returned', 'scaling')", name="provider_event_kind"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_stats_provider_events_kind_month",
        "stats_provider_events",
        ["kind", "month", "domain", "provider_agb", "record_key"],
    )
    op.create_index(
        "ix_stats_provider_events_source", "stats_provider_events", ["source_trajectory_id"]
    )
    op.create_index(
        "ix_stats_requests_domain_requested",
        "stats_requests",
        ["domain", "request_date", "decided_on", "record_key", "wijk", "age_band"],
    )
    op.create_index(
        "ix_stats_requests_domain_outcome",
        "stats_requests",
        ["domain", "outcome", "decided_on", "record_key", "wijk", "age_band"],
    )
    op.create_index(
        "ix_stats_trajectories_domain_decision",
        "stats_trajectories",
        ["domain", "decision_date", "care_start", "record_key", *FILTER_COLUMNS],
    )
    op.create_index(
        "ix_stats_trajectories_domain_achieved",
        "stats_trajectories",
        ["domain", "result_achieved", "end_month", "provider_agb", "price", "record_key"],
    )
    fill()
    fill_waits()


# The kept sets of the durations (set name, the feed columns of its filters in order), and
# those of the requests' waits (the columns of ``stats_requests``).
FILTER_SETS = (
    ("", ()),
    ("intensity", ("intensity",)),
    ("category", ("category_code",)),
    ("profile", ("profile_code",)),
    ("provider", ("provider_agb",)),
    ("wijk", ("wijk",)),
    ("age_band", ("age_band",)),
    ("wijk+age_band", ("wijk", "age_band")),
    ("profile+provider", ("profile_code", "provider_agb")),
)
REQUEST_SETS = (
    ("", ()),
    ("wijk", ("wijk",)),
    ("age_band", ("age_band",)),
    ("wijk+age_band", ("wijk", "age_band")),
)


def fill_waits() -> None:
    """The ended waits into ``stats_duration_counts`` (kinds ``w_start``: decision → start of
    care of the feed's rows, by month of the decision; ``w_decide``: request → decision of
    ``stats_requests``' rows, by month of the request), per kept set, as a rebuild derives
    them."""
    bind = op.get_bind()

    def days(later: str, earlier: str) -> str:
        if bind.dialect.name == "postgresql":
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def month(column: str) -> str:
        if bind.dialect.name == "postgresql":
            return (
                f"CAST(EXTRACT(YEAR FROM {column}) * 12 + EXTRACT(MONTH FROM {column}) - 1"
                " AS BIGINT)"
            )
        return (
            f"CAST(CAST(strftime('%Y', {column}) AS INTEGER) * 12"
            f" + CAST(strftime('%m', {column}) AS INTEGER) - 1 AS BIGINT)"
        )

    for kind, table, sets, began, ended in (
        ("w_start", "stats_trajectories", FILTER_SETS, "decision_date", "care_start"),
        ("w_decide", "stats_requests", REQUEST_SETS, "request_date", "decided_on"),
    ):
        for name, columns in sets:
            values = [f"CAST({c} AS VARCHAR(80))" for c in columns] + ["''"] * (2 - len(columns))
            present = "".join(f" AND {c} IS NOT NULL" for c in columns)
            op.execute(
                f"""INSERT INTO stats_duration_counts
                        (filter_set, value_1, value_2, domain, kind, month, days, n, key_sum,
                         days_sum)
                    SELECT filter_set, value_1, value_2, domain, kind, month, days, count(*),
                           sum(record_key), sum(days)
                    FROM (SELECT '{name}' AS filter_set, {values[0]} AS value_1,
                                 {values[1]} AS value_2, domain, '{kind}' AS kind,
                                 {month(began)} AS month, {days(ended, began)} AS days,
                                 record_key
                          FROM {table}
                          WHERE {began} IS NOT NULL AND {ended} IS NOT NULL{present}) AS waits
                    GROUP BY filter_set, value_1, value_2, domain, kind, month, days"""
            )


def fill() -> None:
    bind = op.get_bind()
    reflected = sa.MetaData()
    events = sa.Table("trajectory_events", reflected, autoload_with=bind)
    trajectories = sa.Table("trajectories", reflected, autoload_with=bind)
    residents = sa.Table("residents", reflected, autoload_with=bind)
    providers = sa.Table("providers", reflected, autoload_with=bind)
    users = sa.Table("users", reflected, autoload_with=bind)
    target = sa.Table("stats_provider_events", reflected, autoload_with=bind)
    acting = providers.alias("acting")
    wanted = events.c.action.in_(list(KINDS))
    source = (
        sa.select(
            events.c.id,
            events.c.trajectory_id,
            events.c.action,
            events.c.at,
            trajectories.c.domain,
            residents.c.bsn,
            providers.c.agb_code,
            acting.c.agb_code.label("acting_agb"),
        )
        .select_from(events)
        .join(trajectories, trajectories.c.id == events.c.trajectory_id)
        .join(residents, residents.c.id == trajectories.c.resident_id)
        .join(providers, providers.c.id == trajectories.c.provider_id)
        .outerjoin(users, users.c.id == events.c.user_id)
        .outerjoin(acting, acting.c.id == users.c.provider_id)
        .where(wanted)
        .order_by(events.c.id)
    )
    if bind.scalar(sa.select(sa.func.count()).select_from(source.subquery())) == 0:
        return
    key = secret()
    if key is None:
        raise RuntimeError(
            "Migration 0031 derives the statistics rows of the providers' returned proposals "
            "and scaling requests and needs the pseudonym secret: set STATS_PSEUDONYM_KEY (or "
            "run `flask --app wsgi db upgrade`)."
        )
    batch: list[dict[str, Any]] = []
    for row in bind.execute(source.execution_options(yield_per=BATCH)):
        kind = KINDS[row.action]
        client_key = hmac.new(key, f"bsn:{row.bsn}".encode(), hashlib.sha256).hexdigest()
        at = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(str(row.at))
        day = local_date(at)
        batch.append(
            {
                "source_event_id": row.id,
                "source_trajectory_id": row.trajectory_id,
                "frozen": False,
                "kind": kind,
                "provider_agb": (
                    row.acting_agb if kind == "returned" and row.acting_agb else row.agb_code
                ),
                "domain": row.domain,
                "day": day,
                "month": day.year * 12 + day.month - 1,
                "record_key": derived_key("provider_event", client_key, row.id),
            }
        )
        if len(batch) >= BATCH:
            bind.execute(target.insert(), batch)
            batch = []
    if batch:
        bind.execute(target.insert(), batch)


def downgrade() -> None:
    op.execute("DELETE FROM stats_duration_counts WHERE kind IN ('w_start', 'w_decide')")
    op.drop_index("ix_stats_trajectories_domain_achieved", table_name="stats_trajectories")
    op.drop_index("ix_stats_trajectories_domain_decision", table_name="stats_trajectories")
    op.drop_index("ix_stats_requests_domain_outcome", table_name="stats_requests")
    op.drop_index("ix_stats_requests_domain_requested", table_name="stats_requests")
    op.drop_index("ix_stats_provider_events_source", table_name="stats_provider_events")
    op.drop_index("ix_stats_provider_events_kind_month", table_name="stats_provider_events")
    op.drop_table("stats_provider_events")
