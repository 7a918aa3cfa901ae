"""event actions: a trajectory event's action is one of a known list (``models.EventAction``)

The column stays a string; a check constraint keeps it to the list, as for the state columns.
Every step the application has recorded since the first revision is on the list (the
trajectory's own steps, evaluations, scaling, end of care, claims, the extension and the
history import; the demo seed writes the same ones), so existing rows need no mapping. A row
with any other action was not written by the application: the upgrade stops and names the
actions found, rather than rewrite a history it cannot read.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# models.EventAction at this revision.
EVENT_ACTIONS = [
    "aangemaakt",
    "wijzigen",
    "voorstellen",
    "accepteren",
    "terugsturen",
    "zorg_starten",
    "afsluiten",
    "annuleren",
    "verlengd",
    "evaluaties_gepland",
    "evaluatie_interval",
    "evaluatie_extra",
    "evaluatie_ingediend",
    "evaluatie_beoordeeld",
    "zrm_gewijzigd",
    "opschaling_gevraagd",
    "opschaling_toegekend",
    "opschaling_afgewezen",
    "einde_zorg_gemeld",
    "einde_zorg_teruggestuurd",
    "gedeclareerd",
    "declaratie_goedgekeurd",
    "declaratie_afgewezen",
    "geimporteerd",
]

CHECK = "ck_trajectory_events_eventaction"


def _known() -> str:
    return ", ".join(f"'{action}'" for action in EVENT_ACTIONS)


def upgrade() -> None:
    unknown = (
        op.get_bind()
        .execute(
            sa.text(
                f"SELECT DISTINCT action FROM trajectory_events WHERE action NOT IN ({_known()}) "
                "ORDER BY action"
            )
        )
        .scalars()
        .all()
    )
    if unknown:
        raise RuntimeError(
            "trajectory_events holds actions the application never records: "
            + ", ".join(repr(action) for action in unknown)
        )
    # On SQLite the batch rebuilds the table (no other table refers to it).
    with op.batch_alter_table("trajectory_events") as batch:
        batch.create_check_constraint(op.f(CHECK), f"action IN ({_known()})")


def downgrade() -> None:
    with op.batch_alter_table("trajectory_events") as batch:
        batch.drop_constraint(op.f(CHECK), type_="check")
