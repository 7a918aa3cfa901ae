"""Inbox tasks: adding them idempotently, completing them, and reading a user's inbox.

A provider's tasks are addressed to the organisation (``provider_id``): every user of that
provider sees them. A gids's tasks are addressed to the user. Adding uses
``INSERT … ON CONFLICT DO NOTHING`` against the unique index ``uq_tasks_dedupe`` so running the
same step twice, or in two processes at once, never makes a duplicate.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, UnaryExpression, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload

from models import Domain, Role, Task, TaskKind, Trajectory, User, utcnow

from .errors import N_, DomainError, NotFound
from .paging import Page, count_capped, paginate_objects

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
    TaskKind.VOORSTEL_NIEUW: N_("Nieuw voorstel: accepteren of terugsturen"),
    TaskKind.TERUGGESTUURD: N_("Voorstel teruggestuurd door de aanbieder"),
    TaskKind.EVALUATIE_BESPREKEN: N_("Evaluatie: de gids wil iets bespreken"),
    TaskKind.OPSCHALING_AFGEWEZEN: N_("Verzoek om op- of afschalen afgewezen"),
    TaskKind.EINDE_ZORG_TERUGGESTUURD: N_("Melding einde zorg teruggestuurd"),
    TaskKind.DECLARATIE_BEOORDELEN: N_("Declaratie beoordelen"),
    TaskKind.DECLARATIE_AFGEWEZEN: N_("Declaratie afgewezen"),
}

# Tasks that a step in the workflow completes by itself (submitting the evaluation, deciding
# the request, answering the proposal). The others are signals and notices: the user marks
# them handled (*afgehandeld*) in the inbox once acted upon; closing a trajectory completes all.
COMPLETED_BY_WORKFLOW = frozenset(
    {
        TaskKind.EVALUATIE_BINNENKORT,
        TaskKind.EVALUATIE_TE_LAAT,
        TaskKind.EVALUATIE_BEOORDELEN,
        TaskKind.OPSCHALING_BESLISSEN,
        TaskKind.EINDE_ZORG_BEVESTIGEN,
        TaskKind.VOORSTEL_NIEUW,
        TaskKind.TERUGGESTUURD,
        TaskKind.DECLARATIE_BEOORDELEN,
    }
)
DISMISSIBLE = frozenset(TaskKind) - COMPLETED_BY_WORKFLOW

# Work a colleague hands to the gids (a provider returned a proposal, asks to scale, reports the
# end of care, submitted an evaluation or a claim): shown on the gids's first screen, newest
# first, so new work is never buried under the scheduler's prompts.
HANDOVER_KINDS = (
    TaskKind.TERUGGESTUURD,
    TaskKind.OPSCHALING_BESLISSEN,
    TaskKind.EINDE_ZORG_BEVESTIGEN,
    TaskKind.DECLARATIE_BEOORDELEN,
    TaskKind.EVALUATIE_BEOORDELEN,
)
HANDOVERS_SHOWN = 10


class InboxOrder(enum.StrEnum):
    """How the inbox is sorted: soonest due first (the default) or newest first."""

    DUE = "uiterlijk"
    NEWEST = "nieuwste"


ORDER_LABELS: dict[InboxOrder, str] = {
    InboxOrder.DUE: N_("Uiterlijke datum (eerst)"),
    InboxOrder.NEWEST: N_("Nieuwste eerst"),
}


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox shows: one kind of task, one domain, in one order (all optional)."""

    kind: TaskKind | None = None
    domain: Domain | None = None
    order: InboxOrder = InboxOrder.DUE

    @classmethod
    def parse(cls, kind: str | None, domain: str | None, order: str | None) -> InboxFilter:
        """From query-string values: an unknown value is ignored (that filter is off), so an
        old or edited bookmark still shows the inbox."""
        return cls(
            kind=_member(TaskKind, kind),
            domain=_member(Domain, domain),
            order=_member(InboxOrder, order) or InboxOrder.DUE,
        )


E = TypeVar("E", bound=enum.StrEnum)


def _member(kind: type[E], raw: str | None) -> E | None:
    try:
        return kind(raw) if raw else None
    except ValueError:
        return None


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
    due_on: date,
    user_id: int | None = None,
    provider_id: int | None = None,
    ref: int = 0,
) -> None:
    """Add one task unless the same (kind, trajectory, ref, recipient) exists already.

    Every task has a due date, so the inbox can list any backlog soonest first from its index:
    a prompt is due when its subject is (evaluation, planned end, decision end); work that a
    colleague hands over (a proposal, a report, a claim) is due the day it arrives.
    """
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


def add_or_reopen_task(
    session: Session,
    kind: TaskKind,
    trajectory: Trajectory,
    *,
    due_on: date,
    user_id: int | None = None,
    provider_id: int | None = None,
    ref: int = 0,
) -> None:
    """``add_task``, and when the same task was done before (the same record comes back, e.g. a
    claim submitted again), open it again as new: unread, due on ``due_on``, to be mailed."""
    add_task(
        session, kind, trajectory, due_on=due_on, user_id=user_id, provider_id=provider_id, ref=ref
    )
    recipient = Task.user_id == user_id if user_id is not None else Task.provider_id == provider_id
    session.execute(
        update(Task)
        .where(
            Task.trajectory_id == trajectory.id,
            Task.kind == kind,
            Task.ref == ref,
            recipient,
            Task.done_at.is_not(None),
        )
        .values(done_at=None, read_at=None, mailed_at=None, due_on=due_on, created_at=utcnow())
        .execution_options(synchronize_session=False)
    )


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


def _recipient_column(user: User) -> tuple[InstrumentedAttribute[int | None], int | None]:
    """Where the user's tasks are addressed: a provider's users share their provider's tasks."""
    if user.role == Role.AANBIEDER:
        return Task.provider_id, user.provider_id
    return Task.user_id, user.id


def _recipient(user: User) -> ColumnElement[bool]:
    column, value = _recipient_column(user)
    return column == value


INBOX_PAGE_SIZE = 50
# The header shows "99+" beyond this: counting further would read the whole backlog on every page.
UNREAD_SHOWN_UP_TO = 99


def _conditions(user: User, wanted: InboxFilter) -> list[ColumnElement[bool]]:
    conditions = [_recipient(user), Task.done_at.is_(None)]
    if wanted.kind is not None:
        conditions.append(Task.kind == wanted.kind)
    if wanted.domain is not None:
        conditions.append(
            Task.trajectory_id.in_(select(Trajectory.id).where(Trajectory.domain == wanted.domain))
        )
    return conditions


def open_tasks(
    session: Session,
    user: User,
    page: int = 1,
    per_page: int = INBOX_PAGE_SIZE,
    wanted: InboxFilter = InboxFilter(),
) -> Page[Task]:
    """The user's open tasks, soonest due first (then oldest) or newest first, one page at a time,
    optionally of one kind and one domain.

    Unfiltered in due order, both the count (up to ``paging.COUNT_CAP``) and the page read the
    partial indexes ``ix_tasks_user_inbox`` / ``ix_tasks_provider_inbox`` (open tasks only, in due
    order), so a backlog of hundreds of thousands of prompts costs a short index count and a
    short index scan, never a sort; the pager goes on past the count while tasks do. One kind in
    due order reads ``ix_tasks_user_kind`` / ``ix_tasks_provider_kind`` the same way; newest
    first and the domain filter sort what they select.
    """
    mine = _conditions(user, wanted)
    order: tuple[UnaryExpression[Any], ...]
    if wanted.order == InboxOrder.NEWEST:
        order = (Task.created_at.desc(), Task.id.desc())
    else:
        order = (Task.due_on.asc(), Task.id.asc())
    return paginate_objects(
        session,
        select(Task)
        .where(*mine)
        .options(joinedload(Task.trajectory).joinedload(Trajectory.resident))
        .order_by(*order),
        page=page,
        per_page=per_page,
        ids=select(Task.id).where(*mine),
    )


def counts_by_kind(
    session: Session, user: User, domain: Domain | None = None
) -> dict[TaskKind, int]:
    """The number of the user's open tasks of each kind (kinds without any left out), within
    the domain when given: the counts next to the kind filter (without a domain an index-only
    count on ``ix_tasks_user_kind`` / ``ix_tasks_provider_kind``)."""
    rows = session.execute(
        select(Task.kind, func.count())
        .where(*_conditions(user, InboxFilter(domain=domain)))
        .group_by(Task.kind)
    ).all()
    return {TaskKind(kind): count for kind, count in rows}


def new_handovers(
    session: Session, user: User, limit: int = HANDOVERS_SHOWN
) -> tuple[list[Task], int]:
    """Open work handed over to the user (``HANDOVER_KINDS``), newest first, at most ``limit``,
    and how many there are in all (counted up to the inbox's cap)."""
    mine = [_recipient(user), Task.done_at.is_(None), Task.kind.in_(HANDOVER_KINDS)]
    tasks = session.scalars(
        select(Task)
        .where(*mine)
        .options(joinedload(Task.trajectory).joinedload(Trajectory.resident))
        .order_by(Task.created_at.desc(), Task.id.desc())
        .limit(limit)
    ).all()
    total, _more = count_capped(session, select(Task.id).where(*mine))
    return list(tasks), total


def _unread_count_statement(recipient: InstrumentedAttribute[int | None]) -> Select[int]:
    unread = (
        select(Task.id)
        .where(recipient == bindparam("recipient"), Task.done_at.is_(None), Task.read_at.is_(None))
        .limit(UNREAD_SHOWN_UP_TO + 1)
        .subquery()
    )
    return select(func.count()).select_from(unread)


# Built once: the header counts on every page, and building the statement cost about as much as
# running it (bench/load.py).
_UNREAD_BY_RECIPIENT = {
    column.key: _unread_count_statement(column) for column in (Task.user_id, Task.provider_id)
}


def unread_count(session: Session, user: User) -> int:
    """Open tasks not yet shown to the user, counted up to ``UNREAD_SHOWN_UP_TO + 1``."""
    column, recipient = _recipient_column(user)
    statement = _UNREAD_BY_RECIPIENT[column.key]
    count: int = session.execute(statement, {"recipient": recipient}).scalar_one()
    return count


def mark_read(session: Session, tasks: Iterable[Task], now: datetime | None = None) -> None:
    """The tasks just shown in the inbox have been seen (one page: the rest stay unread)."""
    ids = [task.id for task in tasks if task.read_at is None]
    if ids:
        session.execute(
            update(Task).where(Task.id.in_(ids)).values(read_at=now or utcnow()),
            execution_options={"synchronize_session": False},
        )


def dismiss_task(session: Session, user: User, task_id: int, now: datetime | None = None) -> Task:
    """The user marks a signal or notice handled (*afgehandeld*); it leaves the inbox.

    Only the recipient can, and only for kinds no workflow step completes (``DISMISSIBLE``):
    an evaluation prompt goes when the evaluation is submitted, not when it is clicked away.
    """
    task = session.scalars(select(Task).where(Task.id == task_id, _recipient(user))).first()
    if task is None:
        raise NotFound(N_("Deze taak bestaat niet (meer)."))
    if task.kind not in DISMISSIBLE:
        raise DomainError(N_("Deze taak verdwijnt vanzelf zodra het werk gedaan is."))
    if task.done_at is None:
        task.done_at = now or utcnow()
    session.flush()
    return task
