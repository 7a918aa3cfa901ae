"""kept waiting times by month of start and the closed trajectories' prices

``stats_duration_counts`` gets two kinds of the feed's started rows by month of start of care
(``s_start``: decision → start; ``s_decide``: request → decision, rows with both dates), per
kept filter set, so the waiting times by month read grouped cells instead of the feed's rows.
``stats_result_counts`` gets ``cents``: the sum of the prices (whole cents) of the trajectories
closed with an outcome, so the scorecard's price per achieved result reads the kept cells; the
feed's covering index that served it is dropped. Both are filled here as a rebuild derives them
(the derivation is copied on purpose: a migration must not change when the code does).

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-06 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The kept sets (set name, the feed columns of its filters in order).
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
OUTCOMES = ("achieved_on_time", "achieved_late", "not_achieved")


def upgrade() -> None:
    op.add_column(
        "stats_result_counts",
        sa.Column("cents", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.drop_index("ix_stats_trajectories_domain_achieved", table_name="stats_trajectories")
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"

    def days(later: str, earlier: str) -> str:
        if postgresql:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    outcome = (
        "CASE WHEN result_achieved AND care_end <= planned_end THEN 'achieved_on_time'"
        " WHEN result_achieved THEN 'achieved_late' ELSE 'not_achieved' END"
    )
    if not postgresql:
        outcome = outcome.replace("result_achieved", "result_achieved = 1")
    kinds = "', '".join(OUTCOMES)
    op.execute(f"DELETE FROM stats_result_counts WHERE kind IN ('{kinds}')")
    for name, columns in FILTER_SETS:
        values = [f"CAST({c} AS VARCHAR(80))" for c in columns] + ["''"] * (2 - len(columns))
        present = "".join(f" AND {c} IS NOT NULL" for c in columns)
        for kind, began, ended, needed in (
            ("s_start", "decision_date", "care_start", ""),
            ("s_decide", "request_date", "decision_date", " AND care_start IS NOT NULL"),
        ):
            op.execute(
                f"""INSERT INTO stats_duration_counts
                        (filter_set, value_1, value_2, domain, kind, month, days, n, key_sum,
                         days_sum)
                    SELECT filter_set, value_1, value_2, domain, kind, month, days, count(*),
                           sum(record_key), sum(days)
                    FROM (SELECT '{name}' AS filter_set, {values[0]} AS value_1,
                                 {values[1]} AS value_2, domain, '{kind}' AS kind,
                                 start_month AS month, {days(ended, began)} AS days, record_key
                          FROM stats_trajectories
                          WHERE {began} IS NOT NULL AND {ended} IS NOT NULL
                                AND start_month IS NOT NULL{needed}{present}) AS waits
                    GROUP BY filter_set, value_1, value_2, domain, kind, month, days"""
            )
        op.execute(
            f"""INSERT INTO stats_result_counts
                    (filter_set, value_1, value_2, domain, kind, category, month, n, key_sum,
                     extensions, extensions_key, cents)
                SELECT filter_set, value_1, value_2, domain, kind, category, month, count(*),
                       sum(record_key), 0, 0, sum(cents)
                FROM (SELECT '{name}' AS filter_set, {values[0]} AS value_1,
                             {values[1]} AS value_2, domain, {outcome} AS kind,
                             coalesce(closure_category, '') AS category, end_month AS month,
                             record_key,
                             CAST(round(coalesce(price, 0) * 100) AS BIGINT) AS cents
                      FROM stats_trajectories
                      WHERE end_month IS NOT NULL{present}) AS closed
                GROUP BY filter_set, value_1, value_2, domain, kind, category, month"""
        )


def downgrade() -> None:
    op.execute("DELETE FROM stats_duration_counts WHERE kind IN ('s_start', 's_decide')")
    op.create_index(
        "ix_stats_trajectories_domain_achieved",
        "stats_trajectories",
        ["domain", "result_achieved", "end_month", "provider_agb", "price", "record_key"],
    )
    op.drop_column("stats_result_counts", "cents")
