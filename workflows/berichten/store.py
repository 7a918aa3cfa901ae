"""Storing messages and reading them back: the outbox, a trajectory's messages, the lists.

Outgoing messages get a fresh identification (``TW`` and the row's id, zero-padded to twelve
characters: unique per message, as the standard asks) and are validated against their schema
when the configured folder has it. An outgoing message that fails its schema is a fault in this
code, not in anyone's input: ``queue_outgoing`` raises ``InvalidOutgoing`` and nothing is sent.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Aanmelding,
    Domain,
    Message,
    MessageDirection,
    MessageState,
    Provider,
    Trajectory,
    utcnow,
)

from . import codes
from .schemas import Schemas
from .xml import Element, serialize

IDENTIFICATION_PREFIX = "TW"


class InvalidOutgoing(RuntimeError):
    """An outgoing message failed its schema: a programming error, never sent."""


@dataclass(frozen=True)
class PartError:
    """What was wrong with a part of a message: a retour code, the part it belongs to (a path
    from ``xml.part_of``; "" or "Header" for the header) and a text (the code's Dutch meaning
    when empty)."""

    code: str
    part: str = ""
    text: str = ""

    def as_dict(self) -> dict[str, str]:
        values = asdict(self)
        values["text"] = self.text or codes.meaning(self.code)
        return values


def is_error(error: PartError) -> bool:
    """Whether ``error`` refuses the message (0200 and 0233 describe parts, they refuse none)."""
    return error.code not in codes.NO_ERROR_CODES


def set_errors(message: Message, errors: Iterable[PartError]) -> None:
    found = [error.as_dict() for error in errors]
    message.errors = json.dumps(found, ensure_ascii=False) if found else None


def errors_of(message: Message) -> list[PartError]:
    if not message.errors:
        return []
    return [PartError(**item) for item in json.loads(message.errors)]


def outgoing_identification(message_id: int) -> str:
    return f"{IDENTIFICATION_PREFIX}{message_id:010d}"


def queue_outgoing(
    session: Session,
    *,
    provider: Provider,
    kind: str,
    domain: Domain,
    dated_on: date,
    build: Callable[[str], Element],
    schemas: Schemas,
    trajectory: Trajectory | None = None,
    aanmelding: Aanmelding | None = None,
    answers: Message | None = None,
) -> Message:
    """Put a message in the provider's outbox (state ``klaar``). ``build(identification)``
    makes the XML with the identification the message gets; it is validated when the schema
    is available (``InvalidOutgoing`` when it fails)."""
    message = Message(
        direction=MessageDirection.UIT,
        kind=kind,
        domain=domain,
        provider=provider,
        identification="~" + secrets.token_hex(5),  # replaced below, once the id is known
        dated_on=dated_on,
        state=MessageState.KLAAR,
        trajectory=trajectory,
        aanmelding=aanmelding,
        answers=answers,
        body=b"",
    )
    session.add(message)
    session.flush()
    message.identification = outgoing_identification(message.id)
    root = build(message.identification)
    problems = schemas.errors(domain, kind, root)
    if problems:
        raise InvalidOutgoing(f"{domain} {kind} fails its schema: " + "; ".join(problems))
    message.body = serialize(root)
    session.flush()
    return message


def outbox(session: Session, provider_id: int) -> Sequence[Message]:
    """The provider's messages not yet collected, oldest first."""
    return session.scalars(
        select(Message)
        .where(
            Message.provider_id == provider_id,
            Message.direction == MessageDirection.UIT,
            Message.state == MessageState.KLAAR,
        )
        .order_by(Message.id)
    ).all()


def mark_collected(session: Session, messages: Iterable[Message]) -> None:
    """The transport handed these over: ``klaar`` → ``verzonden`` (others stay as they are).

    Each row is read again under a lock first: a retour may have confirmed the message since
    it was listed (another transport, a simulator run at the same moment), and writing the
    state read before would put a ``bevestigd`` message back to ``verzonden``."""
    for message in sorted(messages, key=lambda m: m.id):
        if message.state != MessageState.KLAAR:
            continue
        session.refresh(message, attribute_names=["state"], with_for_update=True)
        if message.state == MessageState.KLAAR:
            message.state = MessageState.VERZONDEN
    session.flush()


def incoming_by_identification(
    session: Session, provider_id: int, kind: str, identification: str
) -> Message | None:
    """The message this provider sent earlier with this kind and identification."""
    return session.scalar(
        select(Message).where(
            Message.direction == MessageDirection.IN,
            Message.provider_id == provider_id,
            Message.kind == kind,
            Message.identification == identification,
        )
    )


def outgoing_by_identification(
    session: Session, provider_id: int, kind: str, identification: str
) -> Message | None:
    """Our message of ``kind`` to this provider with this identification (what a retour names
    in its header, BerichtIdentificatie)."""
    return session.scalar(
        select(Message).where(
            Message.direction == MessageDirection.UIT,
            Message.provider_id == provider_id,
            Message.kind == kind,
            Message.identification == identification,
        )
    )


def provider_trajectory(
    session: Session, provider_id: int, number: str | None
) -> Trajectory | None:
    """The trajectory a message names by ToewijzingNummer, when it is this provider's (as main
    provider); None for a number that is not a number, does not exist, or is another
    provider's: the same answer for each, so a message cannot probe others' trajectories."""
    if number is None or not number.isdigit() or len(number) > 9:
        return None
    trajectory = session.get(Trajectory, int(number))
    if trajectory is None or trajectory.provider_id != provider_id:
        return None
    return trajectory


def retour_of(message: Message) -> Message | None:
    """The retour that answered ``message`` (a 306 for a 305, our 302's counterpart...)."""
    kind = codes.RETOUR_OF.get(message.kind)
    return next((m for m in message.answered_by if m.kind == kind), None)


def messages_of_trajectory(session: Session, trajectory_id: int) -> Sequence[Message]:
    """Every message about a trajectory, in order."""
    return session.scalars(
        select(Message).where(Message.trajectory_id == trajectory_id).order_by(Message.id)
    ).all()


def last_toewijzing(session: Session, trajectory_id: int) -> Message | None:
    """The latest 301 about a trajectory, or None when it never went as a message."""
    return session.scalar(
        select(Message)
        .where(
            Message.trajectory_id == trajectory_id,
            Message.direction == MessageDirection.UIT,
            Message.kind == "301",
        )
        .order_by(Message.id.desc())
        .limit(1)
    )


def known_to_provider(session: Session, trajectory_id: int) -> bool:
    """Whether a 301 about the trajectory went out that the provider's system did not reject:
    its changes then go as messages too."""
    found = session.scalar(
        select(Message.id)
        .where(
            Message.trajectory_id == trajectory_id,
            Message.direction == MessageDirection.UIT,
            Message.kind == "301",
            Message.state != MessageState.AFGEKEURD,
        )
        .limit(1)
    )
    return found is not None


def close_incoming(message: Message, errors: Sequence[PartError]) -> None:
    """An incoming message is done: ``geweigerd`` with its errors, or ``verwerkt``."""
    refused = [e for e in errors if is_error(e)]
    message.state = MessageState.GEWEIGERD if refused else MessageState.VERWERKT
    set_errors(message, refused)
    message.handled_at = utcnow()
