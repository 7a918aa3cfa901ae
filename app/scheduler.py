"""The scheduler process: APScheduler 3 running the daily jobs at 06:00 in the municipality's
time zone (``TIMEZONE``, default Europe/Amsterdam).

Started only by ``flask --app wsgi scheduler run`` — one dedicated process, never inside
``create_app`` or a web worker, where every worker would run its own copy (docs/architecture.md).
The jobs themselves live in ``workflows.scheduler_jobs`` and are idempotent, so a second
process, a manual ``scheduler tick`` or a coalesced misfire can never make duplicate tasks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from workflows import clock
from workflows.scheduler_jobs import run_all
from workflows.stats.feed import compact_changes

from .extensions import db
from .mail import notify_new_tasks

log = logging.getLogger(__name__)

DAILY_JOB_ID = "trajectwijzer-daily-tasks"


@dataclass(frozen=True)
class TickReport:
    day: date
    counts: dict[str, int]
    mails: int

    @property
    def inserted(self) -> int:
        return sum(self.counts.values())


def local_today(app: Flask) -> date:
    """Today in the municipality's time zone, whatever the server's clock zone is (the one
    clock, ``workflows.clock``)."""
    return clock.today(app.config["TIMEZONE"])


def run_daily_tick(app: Flask, today: date | None = None, *, send_mail: bool = True) -> TickReport:
    """One run: every job for ``today`` in one transaction, committed; then the e-mails about
    tasks not yet mailed, committed after they went out; then the compaction of the statistics
    feed's change log, in a transaction of its own."""
    day = today or local_today(app)
    with app.app_context():
        session = db.session
        try:
            counts = run_all(session, day)
            session.commit()
            mails = notify_new_tasks(session, app.config) if send_mail else 0
            session.commit()
        except Exception:
            session.rollback()
            log.exception("Scheduler run for %s failed; nothing of it was kept.", day)
            raise
        compact_feed_log(session)
    report = TickReport(day, counts, mails)
    log.info(
        "Scheduler run for %s: %d new task(s) %s, %d e-mail(s).",
        day,
        report.inserted,
        counts,
        mails,
    )
    return report


def compact_feed_log(session: Session) -> None:
    """Compact the statistics feed's change log in a transaction of its own (it locks the log
    against feed writers, so it holds no other lock); a failure (a lock not granted in time)
    leaves the log as it is for the next run and does not fail the tick."""
    try:
        compact_changes(session.connection())
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        log.warning("The statistics change log was not compacted; the next run will.")


def build_scheduler(app: Flask, *, run_now: bool = False) -> BlockingScheduler:
    """A blocking scheduler with the daily job registered under a fixed id.

    ``coalesce`` folds runs missed while the process was busy or suspended into one, and
    ``max_instances=1`` keeps a slow run from overlapping the next; a day missed entirely is
    caught up by the next run, because the jobs look at date windows. ``run_now`` makes the
    first run happen at start-up (e.g. after the process was down at 06:00), then daily.
    """
    zone = clock.zone(app.config["TIMEZONE"])
    scheduler = BlockingScheduler(timezone=zone)
    extra = {"next_run_time": datetime.now(zone)} if run_now else {}
    scheduler.add_job(
        run_daily_tick,
        trigger=CronTrigger(
            hour=app.config["SCHEDULER_HOUR"], minute=app.config["SCHEDULER_MINUTE"], timezone=zone
        ),
        args=[app],
        id=DAILY_JOB_ID,
        name="Daily inbox tasks and e-mail notifications",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=app.config["SCHEDULER_MISFIRE_GRACE_TIME"],
        replace_existing=True,
        **extra,
    )
    return scheduler
