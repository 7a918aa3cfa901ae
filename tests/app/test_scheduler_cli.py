"""The scheduler's command line (`flask scheduler tick|run`) and the rule that the web app never
starts a scheduler."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.config import ROOT
from app.scheduler import DAILY_JOB_ID, build_scheduler
from models import Evaluation, EvaluationKind, Task, TaskKind, Trajectory, TrajectoryState

from ..factories import World, make_trajectory

D = date(2026, 11, 2)


def active_trajectory_with_evaluation_due(session: Session, world: World, due_on: date) -> int:
    t: Trajectory = make_trajectory(session, world, TrajectoryState.ACTIEF)
    for planned in list(t.evaluations):  # whatever care start planned: this test decides
        session.delete(planned)
    session.flush()
    session.execute(delete(Task).where(Task.trajectory_id == t.id))
    e = Evaluation(trajectory=t, kind=EvaluationKind.REGULIER, due_on=due_on)
    session.add(e)
    session.flush()
    return e.id


def test_tick_runs_every_job_for_the_date_commits_and_prints_counts(
    app: Flask, session: Session, world: World
) -> None:
    evaluation_id = active_trajectory_with_evaluation_due(session, world, D + timedelta(days=3))

    result = app.test_cli_runner().invoke(args=["scheduler", "tick", "--date", "2026-11-02"])

    assert result.exit_code == 0, result.output
    assert "Scheduler tick for 2026-11-02" in result.output
    for name in ("evaluation_prompts", "term_prompts", "jeugd_18", "wmo_decision_expiring"):
        assert name in result.output
    assert re.search(r"evaluation_prompts\s+2 new task\(s\)", result.output)
    # The command's own session committed: the tasks outlive it, and they were mailed (logged).
    tasks = session.execute(
        select(Task.kind, Task.ref, Task.mailed_at.is_not(None)).where(
            Task.kind == TaskKind.EVALUATIE_BINNENKORT
        )
    ).all()
    assert sorted(tasks) == [(TaskKind.EVALUATIE_BINNENKORT, evaluation_id, True)] * 2


def test_tick_twice_for_the_same_date_adds_nothing_the_second_time(
    app: Flask, session: Session, world: World
) -> None:
    active_trajectory_with_evaluation_due(session, world, D - timedelta(days=3))
    runner = app.test_cli_runner()
    runner.invoke(args=["scheduler", "tick", "--date", "2026-11-02", "--no-mail"])
    count = session.scalar(select(func.count(Task.id)))

    result = runner.invoke(args=["scheduler", "tick", "--date", "2026-11-02", "--no-mail"])

    assert result.exit_code == 0, result.output
    assert re.search(r"total\s+0 new task\(s\)", result.output)
    assert "(skipped)" in result.output
    assert session.scalar(select(func.count(Task.id))) == count
    assert session.scalar(select(func.count()).where(Task.mailed_at.is_(None))) == count


@pytest.mark.parametrize("bad", ["2026-13-01", "2026-02-30", "02-11-2026", "morgen"])
def test_tick_with_an_impossible_date_fails_with_a_clear_message(
    app: Flask, connection: object, bad: str
) -> None:
    result = app.test_cli_runner().invoke(args=["scheduler", "tick", "--date", bad])

    assert result.exit_code != 0
    assert f"Invalid value for '--date': '{bad}' does not match the format '%Y-%m-%d'" in (
        result.output
    )


def test_tick_without_a_date_runs_for_today_in_amsterdam(
    app: Flask, session: Session, world: World
) -> None:
    from app.scheduler import local_today

    result = app.test_cli_runner().invoke(args=["scheduler", "tick", "--no-mail"])

    assert result.exit_code == 0, result.output
    assert f"Scheduler tick for {local_today(app).isoformat()}" in result.output


def test_the_scheduler_runs_the_daily_job_at_six_in_amsterdam(app: Flask) -> None:
    scheduler = build_scheduler(app)

    job = scheduler.get_job(DAILY_JOB_ID)
    assert isinstance(scheduler, BlockingScheduler)
    assert not scheduler.running
    assert str(scheduler.timezone) == "Europe/Amsterdam"
    assert isinstance(job.trigger, CronTrigger)
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("6", "0")
    assert str(job.trigger.timezone) == "Europe/Amsterdam"
    assert job.coalesce is True
    assert job.max_instances == 1
    assert job.misfire_grace_time >= 3600
    assert [j.id for j in scheduler.get_jobs()] == [DAILY_JOB_ID]


def test_scheduler_run_starts_the_blocking_scheduler_and_stops_on_ctrl_c(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[list[str]] = []

    def fake_start(self: BlockingScheduler) -> None:
        started.append([job.id for job in self.get_jobs()])
        raise KeyboardInterrupt

    monkeypatch.setattr(BlockingScheduler, "start", fake_start)

    result = app.test_cli_runner().invoke(args=["scheduler", "run"])

    assert result.exit_code == 0, result.output
    assert started == [[DAILY_JOB_ID]]
    assert "Scheduler started" in result.output and "Scheduler stopped." in result.output


# --- the web app never starts a scheduler -----------------------------------------------------


def test_the_web_app_runs_no_scheduler_thread(app: Flask) -> None:
    # APScheduler names its threads "APScheduler" (background scheduler) or uses a thread pool.
    names = [t.name for t in threading.enumerate()]
    assert not [name for name in names if "apscheduler" in name.lower()]


@pytest.mark.parametrize("path", ["app/__init__.py", "wsgi.py"])
def test_the_web_entry_points_do_not_import_the_scheduler(path: str) -> None:
    modules = set()
    for node in ast.walk(ast.parse((ROOT / path).read_text())):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            modules.add(base)
            if not node.module:  # from . import x
                modules |= {base + alias.name for alias in node.names}
    forbidden = {".scheduler", "app.scheduler", "apscheduler"}
    assert not {m for m in modules if m in forbidden or m.startswith("apscheduler.")}


def test_loading_the_wsgi_app_does_not_even_load_apscheduler(tmp_path: Path) -> None:
    """In a fresh interpreter, as gunicorn would: `wsgi.app` exists and APScheduler is not in
    memory (so no web worker can have started one)."""
    env = {
        **os.environ,
        "TRAJECTWIJZER_ENV": "testing",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'wsgi.sqlite3'}",
        "SECRET_KEY": "x",
    }
    code = (
        "import sys, threading, wsgi; "
        "assert wsgi.app.name == 'app'; "
        "print(sorted(m for m in sys.modules if 'apscheduler' in m or m == 'app.scheduler')); "
        "print([t.name for t in threading.enumerate()])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    modules, threads = done.stdout.splitlines()
    assert modules == "[]"
    assert threads == "['MainThread']"
