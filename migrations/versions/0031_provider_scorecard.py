"""waiting statistics: covering indexes for the waits with the still-waiting censored and the
unmet demand

The waits that began in a period (requests made in it, trajectories decided in it) and the
requests refused or closed without follow-up per day of that decision are read from these
indexes alone (docs/statistics.md, "Waits with the still-waiting censored", "Unmet demand").

Revision ID: 0031
Revises: 0025
Create Date: 2026-12-06 05:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0031"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILTER_COLUMNS = ("category_code", "profile_code", "intensity", "provider_agb", "wijk", "age_band")


def upgrade() -> None:
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


def downgrade() -> None:
    op.drop_index("ix_stats_trajectories_domain_decision", table_name="stats_trajectories")
    op.drop_index("ix_stats_requests_domain_outcome", table_name="stats_requests")
    op.drop_index("ix_stats_requests_domain_requested", table_name="stats_requests")
