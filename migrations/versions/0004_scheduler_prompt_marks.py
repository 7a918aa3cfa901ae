"""scheduler high-water marks; inbox: due dates, in-order indexes, new task kinds

Prompt stages on evaluations and trajectories: the daily jobs no longer look up the tasks table
for every candidate in a window; each evaluation and trajectory records how far it was prompted,
and indexes lead with that stage so a daily run reads only what entered a window since the last
run. Existing rows start at stage 0:
the first run after the upgrade finds their prompts present (``ON CONFLICT DO NOTHING``) and
sets the marks.

Tasks: every task gets a due date and the inbox reads partial indexes of open (and unread) tasks
in due order; the dedupe index leads with the trajectory, so it also serves look-ups by
trajectory. New task kinds: proposals for the provider, returned proposals for the gids, claims
to decide, and the notices a provider gets when the gids returns or refuses something.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OLD_TASK_KINDS = [
    "evaluatie_binnenkort",
    "evaluatie_te_laat",
    "termijn_bijna",
    "termijn_verstreken",
    "jeugd_18",
    "beschikking_verloopt",
    "evaluatie_beoordelen",
    "opschaling_beslissen",
    "einde_zorg_bevestigen",
    "voorstel_nieuw",
    "teruggestuurd",
]
NEW_TASK_KINDS = [
    *OLD_TASK_KINDS,
    "evaluatie_bespreken",
    "opschaling_afgewezen",
    "einde_zorg_teruggestuurd",
    "declaratie_beoordelen",
    "declaratie_afgewezen",
]


def _quoted(kinds: list[str]) -> str:
    return ", ".join(f"'{kind}'" for kind in kinds)


OPEN = "done_at IS NULL"
UNREAD = "done_at IS NULL AND read_at IS NULL"


def _partial(name: str, columns: list[str], where: str) -> None:
    condition = sa.text(where)
    op.create_index(name, "tasks", columns, sqlite_where=condition, postgresql_where=condition)


def _dedupe_index(lead: list[str]) -> None:
    op.create_index(
        "uq_tasks_dedupe",
        "tasks",
        [*lead, "ref", sa.text("coalesce(user_id, 0)"), sa.text("coalesce(provider_id, 0)")],
        unique=True,
    )


def _add_stage_column(table: str, column: str) -> None:
    """A prompt-stage column (0…2, default 0) with its check constraint, without rebuilding the
    table on SQLite: a rebuild drops the table, which other tables' foreign keys forbid once it
    holds rows; SQLite's ADD COLUMN takes a column check constraint instead."""
    check = f"ck_{table}_{column}_range"
    condition = f"{column} BETWEEN 0 AND 2"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            sa.text(
                f"ALTER TABLE {table} ADD COLUMN {column} SMALLINT NOT NULL DEFAULT 0 "
                f"CONSTRAINT {check} CHECK ({condition})"
            )
        )
    else:
        op.add_column(
            table, sa.Column(column, sa.SmallInteger(), server_default="0", nullable=False)
        )
        op.create_check_constraint(op.f(check), table, condition)


def _drop_stage_column(table: str, column: str) -> None:
    if op.get_bind().dialect.name != "sqlite":  # SQLite drops a column check with its column
        op.drop_constraint(op.f(f"ck_{table}_{column}_range"), table, type_="check")
    op.drop_column(table, column)


def upgrade() -> None:
    # Every task gets a due date (work handed over is due the day it arrives), so the inbox
    # lists any backlog in due order straight from a partial index.
    day = "date(created_at)" if op.get_bind().dialect.name == "sqlite" else "created_at::date"
    op.execute(sa.text(f"UPDATE tasks SET due_on = {day} WHERE due_on IS NULL"))
    # On SQLite the batch rebuilds the table, which cannot carry an expression index along.
    op.drop_index("uq_tasks_dedupe", table_name="tasks")
    with op.batch_alter_table("tasks") as batch:
        batch.alter_column("due_on", existing_type=sa.Date(), nullable=False)
        batch.drop_index("ix_tasks_user_open")
        batch.drop_index("ix_tasks_provider_open")
        batch.drop_index("ix_tasks_trajectory_id")
        batch.drop_constraint(op.f("ck_tasks_taskkind"), type_="check")
        batch.create_check_constraint(
            op.f("ck_tasks_taskkind"), f"kind IN ({_quoted(NEW_TASK_KINDS)})"
        )
    _dedupe_index(["trajectory_id", "kind"])  # also serves look-ups by trajectory
    _partial("ix_tasks_user_inbox", ["user_id", "due_on", "id"], OPEN)
    _partial("ix_tasks_provider_inbox", ["provider_id", "due_on", "id"], OPEN)
    _partial("ix_tasks_user_unread", ["user_id"], UNREAD)
    _partial("ix_tasks_provider_unread", ["provider_id"], UNREAD)

    _add_stage_column("evaluations", "prompt_stage")
    op.drop_index("ix_evaluations_state_due_on", table_name="evaluations")
    # Read by no query; the prompting index leads with the state. Fewer indexes, cheaper marks.
    op.drop_index("ix_evaluations_state", table_name="evaluations")
    op.drop_index("ix_evaluations_due_on", table_name="evaluations")
    op.create_index("ix_evaluations_prompting", "evaluations", ["state", "prompt_stage", "due_on"])
    _add_stage_column("trajectories", "term_prompt_stage")
    op.add_column("trajectories", sa.Column("decision_prompted_for", sa.Date(), nullable=True))
    op.drop_index("ix_trajectories_state_planned_end", table_name="trajectories")
    op.create_index(
        "ix_trajectories_term_prompting",
        "trajectories",
        ["state", "term_prompt_stage", "planned_end"],
    )
    op.drop_index("ix_trajectories_state_decision_end", table_name="trajectories")
    op.create_index(
        "ix_trajectories_decision_prompting",
        "trajectories",
        ["domain", "state", "decision_end", "decision_prompted_for"],
    )


def downgrade() -> None:
    op.execute(sa.text(f"DELETE FROM tasks WHERE kind NOT IN ({_quoted(OLD_TASK_KINDS)})"))
    for name in ("user_inbox", "provider_inbox", "user_unread", "provider_unread"):
        op.drop_index(f"ix_tasks_{name}", table_name="tasks")
    op.drop_index("uq_tasks_dedupe", table_name="tasks")
    with op.batch_alter_table("tasks") as batch:
        batch.alter_column("due_on", existing_type=sa.Date(), nullable=True)
        batch.create_index("ix_tasks_user_open", ["user_id", "done_at"])
        batch.create_index("ix_tasks_provider_open", ["provider_id", "done_at"])
        batch.create_index("ix_tasks_trajectory_id", ["trajectory_id"])
        batch.drop_constraint(op.f("ck_tasks_taskkind"), type_="check")
        batch.create_check_constraint(
            op.f("ck_tasks_taskkind"), f"kind IN ({_quoted(OLD_TASK_KINDS)})"
        )
    _dedupe_index(["kind", "trajectory_id"])
    op.drop_index("ix_trajectories_decision_prompting", table_name="trajectories")
    op.create_index("ix_trajectories_state_decision_end", "trajectories", ["state", "decision_end"])
    op.drop_index("ix_trajectories_term_prompting", table_name="trajectories")
    op.create_index("ix_trajectories_state_planned_end", "trajectories", ["state", "planned_end"])
    op.drop_column("trajectories", "decision_prompted_for")
    _drop_stage_column("trajectories", "term_prompt_stage")
    op.drop_index("ix_evaluations_prompting", table_name="evaluations")
    op.create_index(
        "ix_evaluations_state_due_on", "evaluations", ["state", "due_on", "trajectory_id"]
    )
    op.create_index("ix_evaluations_due_on", "evaluations", ["due_on"])
    op.create_index("ix_evaluations_state", "evaluations", ["state"])
    _drop_stage_column("evaluations", "prompt_stage")
