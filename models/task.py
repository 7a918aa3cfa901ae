"""Inbox tasks. A task goes to one user (a gids) or to a provider organisation (all its users).

The scheduler makes tasks with set-based ``INSERT … SELECT … ON CONFLICT DO NOTHING``; the unique
index ``uq_tasks_dedupe`` over (trajectory, kind, ref, recipient) makes every job idempotent, also
when two processes run it at once. ``ref`` tells tasks of one kind for one trajectory apart: the
evaluation id for evaluation tasks, the decision end as an ordinal for decision tasks, else 0.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, str_enum, utcnow
from .enums import TaskKind

if TYPE_CHECKING:
    from .trajectory import Trajectory


OPEN = "done_at IS NULL"
UNREAD = "done_at IS NULL AND read_at IS NULL"


def _where(condition: str) -> dict[str, Any]:
    """A partial index on both databases."""
    return {"sqlite_where": text(condition), "postgresql_where": text(condition)}


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (provider_id IS NULL)", name="one_recipient"),
        # The inbox: open tasks per recipient in due order, and the unread ones among them.
        Index("ix_tasks_user_inbox", "user_id", "due_on", "id", **_where(OPEN)),
        Index("ix_tasks_provider_inbox", "provider_id", "due_on", "id", **_where(OPEN)),
        # The inbox of one kind in due order, and the counts per kind (index-only).
        Index("ix_tasks_user_kind", "user_id", "kind", "due_on", "id", **_where(OPEN)),
        Index("ix_tasks_provider_kind", "provider_id", "kind", "due_on", "id", **_where(OPEN)),
        Index("ix_tasks_user_unread", "user_id", **_where(UNREAD)),
        Index("ix_tasks_provider_unread", "provider_id", **_where(UNREAD)),
        # The e-mail run reads only the tasks not yet mailed, not the whole growing table.
        Index("ix_tasks_unmailed", "id", **_where("mailed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TaskKind] = mapped_column(str_enum(TaskKind, 30))
    # Indexed by uq_tasks_dedupe, which leads with it.
    trajectory_id: Mapped[int] = mapped_column(ForeignKey("trajectories.id"))
    ref: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"))
    due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    done_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    # Set once the e-mail notification went out (or was logged when no SMTP server is set).
    mailed_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    trajectory: Mapped[Trajectory] = relationship()


Index(
    "uq_tasks_dedupe",
    Task.trajectory_id,
    Task.kind,
    Task.ref,
    func.coalesce(Task.user_id, 0),
    func.coalesce(Task.provider_id, 0),
    unique=True,
)
