"""Migration 0008 settles what double submits left behind before it adds the unique
indexes, without losing what was typed, and cleans invisible characters out of stored names.
Run on a database of its own (SQLite), migrated to 0006 and filled by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text

from .migrating import migrate, old_database

NOW = "2026-11-16 10:00:00"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with old_database(tmp_path) as engine:
        yield engine


def _rows(conn: Connection, sql: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in conn.execute(text(sql)).all()]


def test_old_double_submits_are_settled_and_names_cleaned(engine: Engine) -> None:
    migrate(engine, "0006")
    with engine.begin() as conn:  # foreign keys are not enforced on this bare connection
        for evaluation_id, due_on, reason in [
            (1, "2026-12-05", "De mantelzorger valt weg"),
            (2, "2026-12-01", "Verhuizing"),
            (3, "2026-12-01", "De mantelzorger valt weg"),
        ]:
            conn.execute(
                text(
                    "INSERT INTO evaluations (id, trajectory_id, kind, due_on, state, reason, "
                    "with_inwoner, with_gids, with_aanbieder, with_netwerk, created_at, "
                    "prompt_stage) VALUES (:id, 7, 'extra', :due_on, 'gepland', :reason, "
                    "0, 0, 0, 0, :now, 0)"
                ),
                {"id": evaluation_id, "due_on": due_on, "reason": reason, "now": NOW},
            )
        conn.execute(
            text(
                "INSERT INTO tasks (trajectory_id, kind, ref, user_id, due_on, created_at) "
                "VALUES (7, 'evaluatie_te_laat', 3, 1, '2026-12-01', :now)"
            ),
            {"now": NOW},
        )
        for request_id in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO scaling_requests (id, trajectory_id, requested_by_id, "
                    "requested_at, new_profile_id, new_intensity, reason, state) VALUES "
                    "(:id, 7, 1, :now, 1, 'zwaar', 'Meer nodig', 'ingediend')"
                ),
                {"id": request_id, "now": NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO end_of_care_reports (id, trajectory_id, reported_by_id, "
                    "reported_at, care_end, closure_category, end_reason_code, "
                    "result_achieved, state) VALUES "
                    "(:id, 7, 1, :now, '2026-11-16', 'a', '19', 1, 'ingediend')"
                ),
                {"id": request_id, "now": NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO api_tokens (id, user_id, name, prefix, token_hash, "
                    "created_by_id, created_at) VALUES "
                    "(:id, 1, 'Dashboard', 'tw_x', :hash, 2, :now)"
                ),
                {"id": request_id, "hash": f"hash{request_id}", "now": NOW},
            )
        conn.execute(
            text(
                "INSERT INTO residents (id, bsn, given_name, family_name, birth_date, "
                "household_id, created_at) VALUES "
                "(1, '111222333', 'Jan\u202eevil', '\u200bde Vries\u2066', '1950-05-05', 1, :now)"
            ),
            {"now": NOW},
        )

    migrate(engine, "head")

    with engine.connect() as conn:
        assert _rows(conn, "SELECT id, due_on, reason FROM evaluations") == [
            (2, "2026-12-01", "Verhuizing\n\nDe mantelzorger valt weg")
        ]  # the earliest due one stays, with every reason given
        assert _rows(conn, "SELECT ref FROM tasks") == []  # no prompt for a removed one
        for table in ("scaling_requests", "end_of_care_reports"):
            assert _rows(conn, f"SELECT id, state, decision_reason FROM {table}") == [
                (1, "ingediend", None),
                (2, "afgewezen", "Dubbel ingediend: er stond al een verzoek open."),
            ]
        assert _rows(conn, "SELECT name FROM api_tokens ORDER BY id") == [
            ("Dashboard",),
            ("Dashboard (2)",),
        ]
        assert _rows(conn, "SELECT given_name, family_name FROM residents") == [
            ("Janevil", "de Vries")
        ]
