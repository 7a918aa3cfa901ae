"""The daily scheduler jobs: prompts that keep evaluations, terms and decisions in view.

Each job is a plain function ``(session, today) -> rows inserted`` that the scheduler process,
``flask scheduler tick`` and the tests call alike. Why it is built this way:

* **Set-based.** A few ``INSERT INTO tasks … SELECT … ON CONFLICT DO NOTHING`` per task kind
  and recipient, never a Python loop over trajectories: a tick has to stay within seconds with a
  million active trajectories.
* **High-water marks.** Each evaluation and trajectory records how far it was prompted
  (``prompt_stage``, ``term_prompt_stage``, ``decision_prompted_for``), set by the same run
  that inserts the tasks, and the jobs' indexes lead with those marks. A daily run therefore
  reads only what entered a window since the last run — not every overdue evaluation again —
  and never probes the tasks table per candidate.
* **Idempotent.** The marks make a second run later the same day a no-op; the unique index
  ``uq_tasks_dedupe`` (trajectory, kind, ref, recipient) does the same for a second process
  running at the same moment.
* **Catches up by itself.** The conditions are date *windows* (due within 14 days, overdue, …),
  not equalities with "today", so a day the scheduler did not run leaves nothing behind: the next
  run still finds everything that entered a window in between.
* **Portable dates.** Window bounds are computed here in Python and passed as parameters, so the
  SQL only compares dates and runs unchanged on SQLite and PostgreSQL.

The jobs flush but never commit: the caller commits once per run (docs/architecture.md).
"""

from __future__ import annotations

import enum
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import (
    ColumnElement,
    CursorResult,
    FromClause,
    Integer,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.functions import FunctionElement

from models import (
    Domain,
    Evaluation,
    EvaluationState,
    PromptStage,
    Role,
    Task,
    TaskKind,
    Trajectory,
    TrajectoryState,
    User,
    utcnow,
)

from .inbox import insert_ignoring_duplicates

EVALUATION_WINDOW = timedelta(days=14)
TERM_WINDOW = timedelta(days=30)
JEUGD_18_WINDOW = relativedelta(months=6)
DECISION_WINDOW = timedelta(days=30)

# A decision can only expire, and a client can only turn 18 in care, while the trajectory is
# agreed or running; concept and proposed trajectories have no decision yet.
DECIDED_OPEN_STATES = (TrajectoryState.GEACCEPTEERD, TrajectoryState.ACTIEF)

# pg_advisory_xact_lock key shared by every scheduler run (a fixed 31-bit number).
RUN_LOCK_KEY = zlib.crc32(b"trajectwijzer.scheduler") & 0x7FFFFFFF


SqlValue = ColumnElement[Any] | QueryableAttribute[Any]


class Recipient(enum.Enum):
    """Who a task is addressed to: the trajectory's gids, or its main provider's organisation."""

    GIDS = "user_id"
    PROVIDER = "provider_id"


class date_ordinal(FunctionElement[int]):  # noqa: N801 - reads like an SQL function
    """``date.toordinal()`` in SQL (0001-01-01 is day 1), so a decision task's ``ref`` is the
    decision end and an extended decision gets a fresh task."""

    type = Integer()
    name = "date_ordinal"
    inherit_cache = True


@compiles(date_ordinal, "sqlite")
def _date_ordinal_sqlite(element: date_ordinal, compiler: SQLCompiler, **kw: Any) -> str:
    # julianday('0001-01-01') is 1721425.5; dates are stored as 'YYYY-MM-DD' text.
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 1721424.5 AS INTEGER)"


@compiles(date_ordinal, "postgresql")
def _date_ordinal_postgresql(element: date_ordinal, compiler: SQLCompiler, **kw: Any) -> str:
    # date - date is an integer number of days in PostgreSQL.
    return f"(({compiler.process(element.clauses, **kw)}) - DATE '0001-01-01' + 1)"


@compiles(date_ordinal)
def _date_ordinal_other(element: date_ordinal, compiler: SQLCompiler, **kw: Any) -> str:
    raise NotImplementedError("date_ordinal is written for SQLite and PostgreSQL only")


def _serialise_runs(session: Session) -> None:
    """On PostgreSQL let one scheduler run at a time hold the task tables until it commits.

    The unique index alone already prevents duplicates; the lock prevents two runs that insert
    the same rows in a different order (e.g. synchronised sequential scans) from deadlocking,
    and spares the second run the work: it waits, then finds every row present. SQLite
    serialises writers by itself.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RUN_LOCK_KEY})


def _probe_per_candidate(session: Session) -> None:
    """On PostgreSQL join each job's candidates to their trajectory by primary key (this
    transaction only).

    A daily run's candidates are the few rows that entered a window since the last run (the
    marks see to that), but the planner, guessing tens of thousands, reads all trajectories
    into a hash table for every statement — with a million active trajectories that was most
    of the run. JIT compilation, which the same guess switches on, only adds start-up time.
    SQLite always probes by primary key.
    """
    if session.get_bind().dialect.name == "postgresql":
        for setting in ("enable_hashjoin", "enable_mergejoin", "jit"):
            session.execute(text(f"SET LOCAL {setting} = off"))


def _insert_tasks(
    session: Session,
    kind: TaskKind,
    recipient: Recipient,
    *,
    source: FromClause,
    ref: SqlValue,
    due_on: SqlValue,
    where: list[ColumnElement[bool]],
    now: datetime,
) -> int:
    """One ``INSERT INTO tasks … SELECT … ON CONFLICT DO NOTHING``; returns rows inserted.

    ``where`` selects only rows whose prompt stage says this prompt has not gone out, so the
    tasks table is never probed per candidate; ``ON CONFLICT`` still settles a race between two
    runs and the first run after an upgrade, when the marks start at zero.
    """
    recipient_id = Trajectory.gids_id if recipient is Recipient.GIDS else Trajectory.provider_id
    rows = (
        select(
            literal(kind, Task.kind.type),
            Trajectory.id,
            ref,
            recipient_id,
            due_on,
            literal(now, Task.created_at.type),
        )
        .select_from(source)
        .where(*where)
    )
    columns = ["kind", "trajectory_id", "ref", recipient.value, "due_on", "created_at"]
    statement = (
        insert_ignoring_duplicates(session).from_select(columns, rows).on_conflict_do_nothing()
    )
    # preserve_rowcount: SQLAlchemy memoises rowcount for UPDATE/DELETE only; psycopg's cursor
    # forgets it once closed.
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        statement, execution_options={"preserve_rowcount": True}
    )
    return result.rowcount


def _prompt(
    session: Session,
    kind: TaskKind,
    recipients: tuple[Recipient, ...],
    *,
    source: FromClause,
    ref: SqlValue,
    due_on: SqlValue,
    where: list[ColumnElement[bool]],
    mark: Update,
    now: datetime,
) -> int:
    """Insert the prompt for every recipient, then ``mark`` the rows as prompted (the next
    run's high-water mark; same transaction, so both happen or neither)."""
    inserted = sum(
        _insert_tasks(
            session, kind, recipient, source=source, ref=ref, due_on=due_on, where=where, now=now
        )
        for recipient in recipients
    )
    session.execute(mark, execution_options={"synchronize_session": False})
    return inserted


def _evaluations_of_trajectories() -> FromClause:
    return Evaluation.__table__.join(
        Trajectory.__table__, Evaluation.trajectory_id == Trajectory.id
    )


BOTH = (Recipient.PROVIDER, Recipient.GIDS)
GIDS_ONLY = (Recipient.GIDS,)


def evaluation_prompts(session: Session, today: date) -> int:
    """R8: the provider and the gids get a task for each planned evaluation of an active
    trajectory due within 14 days, and an escalation for each one already overdue.

    Submitted evaluations (state ingediend/beoordeeld) are never prompted; ``ref`` is the
    evaluation id. ``prompt_stage`` records what went out for the current due date, so each
    evaluation is prompted once per kind and a daily run reads only the evaluations that entered
    a window since the last run (the index leads with state and stage).
    """
    # One statement per stage: an equality on the index's second column keeps every plan an
    # index range scan (SQLite picked a scan of all trajectories for ``prompt_stage IN (…)``).
    soon = Evaluation.due_on.between(today, today + EVALUATION_WINDOW)
    overdue = Evaluation.due_on < today
    windows = [
        (TaskKind.EVALUATIE_BINNENKORT, PromptStage.NONE, soon, PromptStage.SOON),
        (TaskKind.EVALUATIE_TE_LAAT, PromptStage.NONE, overdue, PromptStage.PASSED),
        (TaskKind.EVALUATIE_TE_LAAT, PromptStage.SOON, overdue, PromptStage.PASSED),
    ]
    now = utcnow()
    inserted = 0
    for kind, stage, window, new_stage in windows:
        planned_in_window = [
            Evaluation.state == EvaluationState.GEPLAND,
            Evaluation.prompt_stage == stage,
            window,
        ]
        of_active = (
            select(Trajectory.id)
            .where(
                Trajectory.id == Evaluation.trajectory_id,
                Trajectory.state == TrajectoryState.ACTIEF,
            )
            .exists()
        )
        inserted += _prompt(
            session,
            kind,
            BOTH,
            source=_evaluations_of_trajectories(),
            ref=Evaluation.id,
            due_on=Evaluation.due_on,
            where=[*planned_in_window, Trajectory.state == TrajectoryState.ACTIEF],
            mark=update(Evaluation)
            .where(*planned_in_window, of_active)
            .values(prompt_stage=new_stage),
            now=now,
        )
    return inserted


def _mark_trajectories(where: list[ColumnElement[bool]], **values: Any) -> Update:
    """An UPDATE of the scheduler's marks that leaves ``updated_at`` (and the version) alone:
    the marks are bookkeeping, not a change of the agreement."""
    return update(Trajectory).where(*where).values(updated_at=Trajectory.updated_at, **values)


def term_prompts(session: Session, today: date) -> int:
    """R1/R4: an active trajectory (result not yet achieved) whose planned end is within 30 days
    prompts the gids and the provider; once the planned end has passed, the gids gets
    *termijn verstreken* — care goes on, but no extra period may be claimed.

    ``term_prompt_stage`` records what went out, so a daily run reads only the trajectories
    that entered a window since the last run."""
    active = Trajectory.state == TrajectoryState.ACTIEF
    soon = Trajectory.planned_end.between(today, today + TERM_WINDOW)
    passed = Trajectory.planned_end < today
    jobs = [
        (TaskKind.TERMIJN_BIJNA, BOTH, PromptStage.NONE, soon, PromptStage.SOON),
        (TaskKind.TERMIJN_VERSTREKEN, GIDS_ONLY, PromptStage.NONE, passed, PromptStage.PASSED),
        (TaskKind.TERMIJN_VERSTREKEN, GIDS_ONLY, PromptStage.SOON, passed, PromptStage.PASSED),
    ]
    now = utcnow()
    inserted = 0
    for kind, recipients, stage, window, new_stage in jobs:
        where = [active, Trajectory.term_prompt_stage == stage, window]
        inserted += _prompt(
            session,
            kind,
            recipients,
            source=Trajectory.__table__,
            ref=literal(0, Integer()),
            due_on=Trajectory.planned_end,
            where=where,
            mark=_mark_trajectories(where, term_prompt_stage=new_stage),
            now=now,
        )
    return inserted


def _decision_prompts(
    session: Session,
    kind: TaskKind,
    domain: Domain,
    today: date,
    window: timedelta | relativedelta,
    ref: SqlValue,
) -> int:
    """Prompt the gids about open decisions of ``domain`` ending within ``window`` for which
    the prompt has not gone out yet. The mark is the decision end itself, so a new decision end
    (an extension) is prompted again."""
    where = [
        Trajectory.domain == domain,
        Trajectory.state.in_(DECIDED_OPEN_STATES),
        Trajectory.decision_end.between(today, today + window),
        Trajectory.decision_prompted_for.is_(None)
        | (Trajectory.decision_prompted_for != Trajectory.decision_end),
    ]
    return _prompt(
        session,
        kind,
        GIDS_ONLY,
        source=Trajectory.__table__,
        ref=ref,
        due_on=Trajectory.decision_end,
        where=where,
        mark=_mark_trajectories(where, decision_prompted_for=Trajectory.decision_end),
        now=utcnow(),
    )


def jeugd_18(session: Session, today: date) -> int:
    """R6: a Jeugd decision runs until the day before the 18th birthday, so a decision end
    within six months (inclusive) means the move to the Wmo must be prepared: a task for the
    gids, due on the decision end."""
    return _decision_prompts(
        session, TaskKind.JEUGD_18, Domain.JEUGD, today, JEUGD_18_WINDOW, literal(0, Integer())
    )


def wmo_decision_expiring(session: Session, today: date) -> int:
    """R6 (*einde beschikking is einde traject*): a Wmo decision ending within 30 days prompts
    the gids to extend it or to prepare the closure. ``ref`` is the decision end's ordinal, so
    an extended decision that nears its new end prompts again."""
    return _decision_prompts(
        session,
        TaskKind.BESCHIKKING_VERLOOPT,
        Domain.WMO,
        today,
        DECISION_WINDOW,
        date_ordinal(Trajectory.decision_end),
    )


JOBS: dict[str, Callable[[Session, date], int]] = {
    "evaluation_prompts": evaluation_prompts,
    "term_prompts": term_prompts,
    "jeugd_18": jeugd_18,
    "wmo_decision_expiring": wmo_decision_expiring,
}


def run_all(session: Session, today: date) -> dict[str, int]:
    """Run every job for ``today`` in a fixed order; returns the rows each inserted.

    Flushes, never commits: the caller commits once, so a failed run leaves nothing half done.
    """
    _serialise_runs(session)
    _probe_per_candidate(session)
    counts = {name: job(session, today) for name, job in JOBS.items()}
    session.flush()
    return counts


# --- e-mail notifications --------------------------------------------------------------------


@dataclass
class Notification:
    """What one user is told about new tasks: counts per kind, no personal data of residents."""

    user_id: int
    email: str
    role: Role
    counts: Counter[TaskKind] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def claim_unmailed_tasks(session: Session, now: datetime | None = None) -> list[Notification]:
    """Mark every task not yet mailed as mailed and return one notification per active user
    with the open ones among them, grouped by kind.

    One ``UPDATE … RETURNING`` both marks and reads the tasks, so a task added meanwhile is
    either in this summary or left for the next. Marking in the caller's transaction makes the
    claim safe against a second run: on PostgreSQL the advisory lock (and the row locks of the
    ``UPDATE``) hold it back until this run commits, after which it finds nothing unmailed.
    Commit only after the mails went out, so a failure to send leaves the tasks unmailed for the
    next run (at-least-once delivery). Provider tasks go to every active user of the provider;
    tasks of a recipient without an active account are marked too, so they do not pile up.
    """
    _serialise_runs(session)
    claimed = session.execute(
        update(Task)
        .where(Task.mailed_at.is_(None))
        .values(mailed_at=now or utcnow())
        .returning(Task.user_id, Task.provider_id, Task.kind, Task.done_at),
        execution_options={"synchronize_session": False},
    )
    by_user: dict[int, Counter[TaskKind]] = defaultdict(Counter)
    by_provider: dict[int, Counter[TaskKind]] = defaultdict(Counter)
    for user_id, provider_id, kind, done_at in claimed:
        if done_at is not None:
            continue
        if user_id is not None:
            by_user[user_id][kind] += 1
        elif provider_id is not None:
            by_provider[provider_id][kind] += 1
    if not by_user and not by_provider:
        return []
    notifications: dict[int, Notification] = {}
    users = session.scalars(
        select(User)
        .where(User.active.is_(True))
        .where(User.id.in_(list(by_user)) | User.provider_id.in_(list(by_provider)))
        .order_by(User.id)
    ).all()
    for user in users:
        note = notifications.setdefault(user.id, Notification(user.id, user.email, user.role))
        note.counts.update(by_user.get(user.id, Counter()))
        if user.provider_id is not None:
            note.counts.update(by_provider.get(user.provider_id, Counter()))
    return [n for n in notifications.values() if n.total]
