"""On SQLite a batch ALTER rebuilds the table (copy, drop, rename), and the app turns foreign
keys on for every connection: dropping a table that other rows refer to (residents, support
profiles, claims) then fails. ``flask db upgrade`` and ``downgrade`` migrate with the foreign
keys off and check every reference before they commit (``app.cli.migration_connection``). Here
on a filled demo database, through the commands an operator runs, in processes of their own."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ROOT

pytestmark = pytest.mark.slow


def _flask(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TRAJECTWIJZER_ENV": "development",
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "test-secret-key",
    }
    env.pop("TEST_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_migrations_that_rebuild_referenced_tables_run_on_a_filled_sqlite_database(
    tmp_path: Path,
) -> None:
    database = tmp_path / "filled.sqlite3"
    for args in (("db", "upgrade"), ("seed", "demo")):
        done = _flask(database, *args)
        assert done.returncode == 0, done.stderr[-2000:]
    # Back to before the residents, claims and profiles got their new columns, and up again:
    # each step rebuilds a table that trajectories, claims or contracts refer to.
    for args in (("db", "downgrade", "0019"), ("db", "upgrade")):
        done = _flask(database, *args)
        assert done.returncode == 0, done.stderr[-2000:]
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("SELECT count(*) FROM trajectories").fetchone()[0] > 0
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    heads = _flask(database, "db", "current")
    assert version in heads.stdout
