"""Messages for the transport tests: incoming XML as a provider's system sends it, and stored
outgoing messages as the outbox holds them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from models import Domain, Provider
from models.message import Message, MessageDirection, MessageState

DAY = date(2026, 3, 2)


def incoming_xml(provider: Provider, identification: str, kind: str = "305") -> bytes:
    """A well-formed incoming message (stub format until the core's builders are merged)."""
    return (
        f"<Bericht><Kind>{kind}</Kind><Afzender>{provider.agb_code}</Afzender>"
        f"<Identificatie>{identification}</Identificatie></Bericht>"
    ).encode()


def outgoing(
    session: Session,
    provider: Provider,
    identification: str,
    *,
    kind: str = "301",
    state: MessageState = MessageState.KLAAR,
    trajectory_id: int | None = None,
    errors: str = "[]",
) -> Message:
    message = Message(
        direction=MessageDirection.UIT,
        kind=kind,
        domain=Domain.WMO,
        provider_id=provider.id,
        identification=identification,
        dated_on=DAY,
        state=state,
        trajectory_id=trajectory_id,
        body=f"<Toewijzing><Id>{identification}</Id></Toewijzing>".encode(),
        errors=errors,
        created_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    )
    session.add(message)
    session.flush()
    return message
