"""Inbox tasks: adding them idempotently, completing them, and reading a user's inbox.

A provider's tasks are addressed to the organisation (``provider_id``): every user of that
provider sees them. A gids's tasks are addressed to the user. Adding uses
``INSERT … ON CONFLICT DO NOTHING`` against the unique index ``uq_tasks_dedupe`` so running the
same step twice, or in two processes at once, never makes a duplicate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from models import Role, Task, TaskKind, Trajectory, User, utcnow

from .errors import N_

TASK_LABELS: dict[TaskKind, str] = {
    TaskKind.EVALUATIE_BINNENKORT: N_("Evaluatie binnenkort"),
    TaskKind.EVALUATIE_TE_LAAT: N_("Evaluatie te laat"),
    TaskKind.TERMIJN_BIJNA: N_("Geplande einddatum nadert, resultaat nog niet behaald"),
    TaskKind.TERMIJN_VERSTREKEN: N_("Termijn verstreken"),
    TaskKind.JEUGD_18: N_("Wordt binnen 6 maanden 18: overgang naar de Wmo voorbereiden"),
    TaskKind.BESCHIKKING_VERLOOPT: N_("Beschikking verloopt binnen 30 dagen"),
    TaskKind.EVALUATIE_BEOORDELEN: N_("Evaluatie beoordelen"),
    TaskKind.OPSCHALING_BESLISSEN: N_("Verzoek om op- of afschalen beslissen"),
    TaskKind.EINDE_ZORG_BEVESTIGEN: N_("Einde zorg bevestigen"),
    TaskKind.VOORSTEL_NIEUW: N_("Nieuw voorstel"),
    TaskKind.TERUGGESTUURD: N_("Teruggestuurd"),
}


def insert_ignoring_duplicates(session: Session) -> postgresql.Insert | sqlite.Insert:
    """The dialect's ``insert(Task)`` that skips rows the dedupe index already holds."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(Task)
    return sqlite.insert(Task)


def add_task(
    session: Session,
    kind: TaskKind,
    trajectory: Trajectory,
    *,
    user_id: int | None = None,
    provider_id: int | None = None,
    ref: int = 0,
    due_on: date | None = None,
) -> None:
    """Add one task unless the same (kind, trajectory, ref, recipient) exists already."""
    assert (user_id is None) != (provider_id is None), "exactly one recipient"
    statement = (
        insert_ignoring_duplicates(session)
        .values(
            kind=kind,
            trajectory_id=trajectory.id,
            ref=ref,
            user_id=user_id,
            provider_id=provider_id,
            due_on=due_on,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing()
    )
    session.execute(statement)


def complete_tasks(
    session: Session,
    trajectory_id: int,
    kinds: Iterable[TaskKind],
    *,
    ref: int | None = None,
    now: datetime | None = None,
) -> None:
    """Mark open tasks of these kinds for the trajectory (and ``ref``, when given) done."""
    query = update(Task).where(
        Task.trajectory_id == trajectory_id,
        Task.kind.in_(list(kinds)),
        Task.done_at.is_(None),
    )
    if ref is not None:
        query = query.where(Task.ref == ref)
    session.execute(
        query.values(done_at=now or utcnow()), execution_options={"synchronize_session": False}
    )


def _recipient(user: User) -> ColumnElement[bool]:
    if user.role == Role.AANBIEDER:
        return Task.provider_id == user.provider_id
    return Task.user_id == user.id


def open_tasks(session: Session, user: User, limit: int = 200) -> Sequence[Task]:
    """The user's open tasks, most urgent first (due date, then newest)."""
    return session.scalars(
        select(Task)
        .where(_recipient(user), Task.done_at.is_(None))
        .options(joinedload(Task.trajectory).joinedload(Trajectory.resident))
        .order_by(Task.due_on.is_(None), Task.due_on, Task.id.desc())
        .limit(limit)
    ).all()


def unread_count(session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count(Task.id)).where(
                _recipient(user), Task.done_at.is_(None), Task.read_at.is_(None)
            )
        )
        or 0
    )


def mark_read(session: Session, user: User, now: datetime | None = None) -> None:
    """Everything in the inbox has been seen (called when the inbox page is shown)."""
    session.execute(
        update(Task)
        .where(_recipient(user), Task.done_at.is_(None), Task.read_at.is_(None))
        .values(read_at=now or utcnow()),
        execution_options={"synchronize_session": False},
    )
