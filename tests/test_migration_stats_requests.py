"""Migration 0015 creates ``stats_requests`` and derives a row for every request that is
already there, exactly as the feed would (so the next refresh or rebuild changes nothing), with
the pseudonym secret the app passes; without the secret it refuses rather than guess. Run on a
database of its own (SQLite), migrated to 0011 and filled by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text

from app.cli import alembic_config
from workflows.stats.feed import REQUEST_COLUMNS, derive_requests, feed_snapshot

from .migrating import migrate, old_database

SECRET = "migration-test-secret"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with old_database(tmp_path) as engine:
        yield engine


def fill_old(engine: Engine) -> None:
    migrate(engine, "0011")
    with engine.begin() as conn:
        for statement in (
            "INSERT INTO wijken (id, name) VALUES (1, 'Dronten')",
            "INSERT INTO users (id, email, name, password_hash, role, active, created_at,"
            " session_generation) VALUES (1, 'g@x.nl', 'G', 'x', 'gids', 1, '2026-01-01', 1)",
            "INSERT INTO households (id, gids_id, created_at) VALUES (1, 1, '2026-01-01')",
            "INSERT INTO residents (id, bsn, given_name, family_name, birth_date, wijk_id,"
            " household_id, created_at) VALUES (1, '111222333', 'A', 'B', '2010-06-30', 1, 1,"
            " '2026-01-01'), (2, '123456782', 'C', 'D', '1950-05-05', NULL, 1, '2026-01-01')",
            "INSERT INTO requests (id, resident_id, gids_id, request_date, domain, question,"
            " outcome, decided_on, created_at) VALUES"
            " (7, 1, 1, '2026-06-30', 'jeugd', 'q', 'in_behandeling', NULL, '2026-06-30'),"
            " (8, 2, 1, '2026-03-01', 'wmo', 'q', 'toegekend', '2026-03-20', '2026-03-01')",
        ):
            conn.execute(text(statement))


def test_the_existing_requests_get_the_rows_the_feed_would_derive(engine: Engine) -> None:
    fill_old(engine)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["stats_pseudonym_key"] = SECRET
        command.upgrade(config, "head")
    with engine.begin() as conn:
        stored = feed_snapshot(conn)["requests"]
        derived = sorted(
            (
                tuple(row[c] for c in REQUEST_COLUMNS)
                for row in derive_requests(conn, None, key=SECRET.encode())
            ),
            key=repr,
        )
    assert stored == derived
    assert [(r[0], r[3], r[4], r[6]) for r in stored] == [
        (7, "12-17", "Dronten", date(2026, 6, 30)),  # 16 on the request date
        (8, "75-84", None, date(2026, 3, 1)),
    ]


def test_without_the_secret_the_upgrade_refuses(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STATS_PSEUDONYM_KEY", raising=False)
    fill_old(engine)
    with pytest.raises(RuntimeError, match="STATS_PSEUDONYM_KEY"):
        migrate(engine, "head")
