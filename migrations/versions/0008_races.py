"""double submits give one result and names lose invisible characters

One open extra evaluation, one open scaling request and one open end-of-care report per
trajectory, and one valid API token per manager and name: partial unique indexes, so two
requests at the same moment cannot both pass the workflows' checks
(``workflows.uniqueness``).

Rows that broke these rules before (double submits) are settled first, without losing what
was typed:

* open extra evaluations of one trajectory are merged into the earliest due one (the reasons
  are joined); the prompts for the others are withdrawn;
* a second open scaling request or end-of-care report is answered (*afgewezen*) with the
  reason that it was submitted twice;
* a second valid token with the same name gets its id appended to the name.

Names already stored with bidirectional or other invisible format characters are cleaned
the way ``workflows.text`` cleans new input (a wijk whose cleaned name exists is left alone).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:00:00
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_EXTRA = "kind = 'extra' AND state = 'gepland'"
OPEN_REQUEST = "state = 'ingediend'"
VALID_TOKEN = "revoked_at IS NULL"
TWICE = "Dubbel ingediend: er stond al een verzoek open."
PROMPT_KINDS = ("evaluatie_binnenkort", "evaluatie_te_laat")

# The name columns to clean, per table
NAMES = [
    ("residents", ["given_name", "family_name"]),
    ("users", ["name"]),
    ("providers", ["name"]),
    ("support_profiles", ["name"]),
]


def _duplicates(conn: sa.Connection, table: str, where: str) -> list[list[int]]:
    """Ids of the open rows per trajectory that has more than one, oldest first."""
    rows = conn.execute(
        sa.text(f"SELECT trajectory_id, id FROM {table} WHERE {where} ORDER BY trajectory_id, id")
    ).all()
    groups: dict[int, list[int]] = {}
    for trajectory_id, row_id in rows:
        groups.setdefault(trajectory_id, []).append(row_id)
    return [ids for ids in groups.values() if len(ids) > 1]


def _merge_open_extra_evaluations(conn: sa.Connection) -> None:
    for ids in _duplicates(conn, "evaluations", OPEN_EXTRA):
        rows = conn.execute(
            sa.text("SELECT id, due_on, reason FROM evaluations WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": ids},
        ).all()
        rows = sorted(rows, key=lambda r: (r.due_on, r.id))
        keep, others = rows[0], rows[1:]
        reasons: list[str] = []
        for row in rows:
            if row.reason and row.reason not in reasons:
                reasons.append(row.reason)
        conn.execute(
            sa.text("UPDATE evaluations SET reason = :reason WHERE id = :id"),
            {"reason": "\n\n".join(reasons), "id": keep.id},
        )
        other_ids = [r.id for r in others]
        conn.execute(
            sa.text("DELETE FROM tasks WHERE kind IN :kinds AND ref IN :ids").bindparams(
                sa.bindparam("kinds", expanding=True), sa.bindparam("ids", expanding=True)
            ),
            {"kinds": list(PROMPT_KINDS), "ids": other_ids},
        )
        conn.execute(
            sa.text("DELETE FROM evaluations WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": other_ids},
        )


def _answer_second_requests(conn: sa.Connection, table: str) -> None:
    for ids in _duplicates(conn, table, OPEN_REQUEST):
        conn.execute(
            sa.text(
                f"UPDATE {table} SET state = 'afgewezen', decision_reason = :reason, "
                "decided_at = CURRENT_TIMESTAMP WHERE id IN :ids"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"reason": TWICE, "ids": ids[1:]},
        )


def _rename_second_tokens(conn: sa.Connection) -> None:
    rows = conn.execute(
        sa.text(f"SELECT id, user_id, name FROM api_tokens WHERE {VALID_TOKEN} ORDER BY id")
    ).all()
    seen: set[tuple[int, str]] = set()
    for row in rows:
        if (row.user_id, row.name) in seen:
            conn.execute(
                sa.text("UPDATE api_tokens SET name = :name WHERE id = :id"),
                {"name": f"{row.name[:68]} ({row.id})", "id": row.id},
            )
        seen.add((row.user_id, row.name))


def _clean(text: str) -> str:
    """As ``workflows.text.clean_text`` (a migration does not import application code)."""
    kept = "".join(
        ch
        for ch in text
        if unicodedata.category(ch) != "Cf" and (unicodedata.category(ch) != "Cc" or ch in "\t\n\r")
    )
    return kept.strip()


def _clean_names(conn: sa.Connection) -> None:
    for table, columns in NAMES:
        for row in conn.execute(sa.text(f"SELECT id, {', '.join(columns)} FROM {table}")).all():
            values = {c: getattr(row, c) for c in columns}
            cleaned = {c: _clean(v) for c, v in values.items() if v is not None}
            changed = {c: v for c, v in cleaned.items() if v != values[c] and v}
            if changed:
                assignments = ", ".join(f"{c} = :{c}" for c in changed)
                conn.execute(
                    sa.text(f"UPDATE {table} SET {assignments} WHERE id = :id"),
                    {**changed, "id": row.id},
                )
    names = {name for (name,) in conn.execute(sa.text("SELECT name FROM wijken")).all()}
    for row in conn.execute(sa.text("SELECT id, name FROM wijken")).all():
        cleaned = _clean(row.name)
        if cleaned and cleaned != row.name and cleaned not in names:
            conn.execute(
                sa.text("UPDATE wijken SET name = :name WHERE id = :id"),
                {"name": cleaned, "id": row.id},
            )
            names.add(cleaned)


def upgrade() -> None:
    conn = op.get_bind()
    _merge_open_extra_evaluations(conn)
    _answer_second_requests(conn, "scaling_requests")
    _answer_second_requests(conn, "end_of_care_reports")
    _rename_second_tokens(conn)
    _clean_names(conn)
    op.create_index(
        "uq_evaluations_open_extra",
        "evaluations",
        ["trajectory_id"],
        unique=True,
        sqlite_where=sa.text(OPEN_EXTRA),
        postgresql_where=sa.text(OPEN_EXTRA),
    )
    for table in ("scaling_requests", "end_of_care_reports"):
        op.create_index(
            f"uq_{table}_open",
            table,
            ["trajectory_id"],
            unique=True,
            sqlite_where=sa.text(OPEN_REQUEST),
            postgresql_where=sa.text(OPEN_REQUEST),
        )
    op.create_index(
        "uq_api_tokens_open_name",
        "api_tokens",
        ["user_id", "name"],
        unique=True,
        sqlite_where=sa.text(VALID_TOKEN),
        postgresql_where=sa.text(VALID_TOKEN),
    )


def downgrade() -> None:
    op.drop_index("uq_api_tokens_open_name", table_name="api_tokens")
    op.drop_index("uq_end_of_care_reports_open", table_name="end_of_care_reports")
    op.drop_index("uq_scaling_requests_open", table_name="scaling_requests")
    op.drop_index("uq_evaluations_open_extra", table_name="evaluations")
