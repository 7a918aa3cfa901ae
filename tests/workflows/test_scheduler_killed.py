"""The scheduler killed mid-run (SIGKILL: no clean-up, no rollback from Python) leaves nothing
half done: the database drops the open transaction, and the next run makes every task exactly
once — also when the kill came after the tasks were committed but before the e-mails went out.

The run happens in a real child process (``flask scheduler tick`` does the same), stalled on
purpose half-way, then killed; the data is committed for real and removed afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.scheduler import run_daily_tick
from models import Task
from workflows.scheduler_jobs import run_all

from ..committed import remove_committed_rows
from ..factories import World, build_world
from .test_scheduler_jobs import D, busy_caseload, evaluation, trajectory

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import sys, time
    from datetime import date

    import app.mail
    import workflows.scheduler_jobs as jobs
    from app import create_app
    from app.scheduler import run_daily_tick

    stage = sys.argv[1]

    def stall(*args, **kwargs):
        print("STALLED", flush=True)
        time.sleep(600)

    if stage == "jobs":  # after two of the four jobs have inserted their rows
        done = jobs.JOBS["term_prompts"]

        def term_then_stall(session, today):
            done(session, today)
            session.flush()
            stall()

        jobs.JOBS["term_prompts"] = term_then_stall
    else:  # tasks committed, e-mails claimed but not sent
        app.mail.send_notifications = stall

    application = create_app({"ENV_NAME": "testing", "TESTING": True,
                              "DATABASE_URL": sys.argv[2], "SECRET_KEY": "x"})
    run_daily_tick(application, date.fromisoformat(sys.argv[3]), send_mail=True)
    """
)


@pytest.fixture
def committed_world(app: Flask) -> Iterator[World]:
    assert db.engine is not None
    with db.sessions() as session:
        world = build_world(session)
        busy_caseload(session, world)
        for i in range(10):
            t = trajectory(session, world)
            evaluation(session, t, D + timedelta(days=i % 10))
        session.commit()
    try:
        yield world
    finally:
        remove_committed_rows(db.engine)


def _expected() -> int:
    with db.sessions() as session:
        count = sum(run_all(session, D).values())
        session.rollback()
    return count


def _kill_mid_run(app: Flask, stage: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, stage, app.config["DATABASE_URL"], D.isoformat()],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline() if child.stdout else ""
        assert line.strip() == "STALLED", child.stderr.read() if child.stderr else line
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        for stream in (child.stdout, child.stderr):
            if stream:
                stream.close()
    assert child.returncode == -signal.SIGKILL


def _tasks(engine) -> tuple[int, int, int]:  # noqa: ANN001
    """(tasks, duplicates by the dedupe key, tasks not yet mailed)."""
    with Session(engine) as session:
        total = session.scalar(select(func.count(Task.id))) or 0
        duplicates = session.execute(
            select(func.count())
            .select_from(Task)
            .group_by(Task.kind, Task.trajectory_id, Task.ref, Task.user_id, Task.provider_id)
            .having(func.count() > 1)
        ).all()
        unmailed = session.scalar(select(func.count()).where(Task.mailed_at.is_(None))) or 0
    return total, len(duplicates), unmailed


def test_a_run_killed_during_the_jobs_leaves_nothing_and_the_next_run_does_it_all(
    app: Flask, committed_world: World
) -> None:
    engine = db.engine
    expected = _expected()
    assert expected > 20
    _kill_mid_run(app, "jobs")
    assert _tasks(engine) == (0, 0, 0)  # the inserts of the first jobs died with the process
    report = run_daily_tick(app, D, send_mail=False)
    assert report.inserted == expected
    assert run_daily_tick(app, D, send_mail=False).inserted == 0
    total, duplicates, _ = _tasks(engine)
    assert (total, duplicates) == (expected, 0)


def test_a_run_killed_before_the_mails_went_out_mails_them_next_time(
    app: Flask, committed_world: World
) -> None:
    engine = db.engine
    expected = _expected()
    _kill_mid_run(app, "mail")
    total, duplicates, unmailed = _tasks(engine)
    assert (total, duplicates, unmailed) == (expected, 0, expected)  # tasks kept, none mailed
    report = run_daily_tick(app, D, send_mail=True)
    assert report.inserted == 0 and report.mails > 0
    assert _tasks(engine) == (expected, 0, 0)
