"""What the pages show of the message exchange: the beheerder's list of messages (filtered,
one page at a time) and the messages of one trajectory. Bodies are not loaded here — a list
shows the envelope (kind, dates, state, error codes), never the content; showing a body is a
separate, audited step (``app.message_exchange.audit_body``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, defer, selectinload

from models import Message, MessageDirection, MessageState

from .paging import Page, paginate_objects

PER_PAGE = 50


@dataclass(frozen=True)
class MessageFilter:
    provider_id: int | None = None
    kind: str | None = None
    direction: MessageDirection | None = None
    state: MessageState | None = None
    dated_from: date | None = None
    dated_to: date | None = None


def _envelopes(query: Select[Message]) -> Select[Message]:
    return query.options(
        defer(Message.body),
        selectinload(Message.provider),
        selectinload(Message.answered_by).defer(Message.body),
    )


def messages_page(
    session: Session, chosen: MessageFilter, *, page: int = 1, per_page: int = PER_PAGE
) -> Page[Message]:
    """The messages that match ``chosen``, newest first, with their retours."""
    query = select(Message)
    if chosen.provider_id is not None:
        query = query.where(Message.provider_id == chosen.provider_id)
    if chosen.kind:
        query = query.where(Message.kind == chosen.kind)
    if chosen.direction is not None:
        query = query.where(Message.direction == chosen.direction)
    if chosen.state is not None:
        query = query.where(Message.state == chosen.state)
    if chosen.dated_from is not None:
        query = query.where(Message.dated_on >= chosen.dated_from)
    if chosen.dated_to is not None:
        query = query.where(Message.dated_on <= chosen.dated_to)
    return paginate_objects(
        session,
        _envelopes(query.order_by(Message.created_at.desc(), Message.id.desc())),
        ids=query.with_only_columns(Message.id),
        page=page,
        per_page=per_page,
    )


def trajectory_messages(
    session: Session, trajectory_id: int, provider_id: int | None = None
) -> Sequence[Message]:
    """The messages about one trajectory, oldest first. For a provider's user (``provider_id``)
    only that provider's own: a trajectory that went to another provider before keeps those
    messages from it."""
    query = select(Message).where(Message.trajectory_id == trajectory_id)
    if provider_id is not None:
        query = query.where(Message.provider_id == provider_id)
    return session.scalars(_envelopes(query.order_by(Message.created_at, Message.id))).all()
