"""Messages for the transport tests: incoming XML as a provider's system sends it, and stored
outgoing messages as the outbox holds them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from models import Domain, Message, MessageDirection, MessageState, Provider
from workflows.berichten import incoming
from workflows.berichten.store import PartError

from ..berichten.samples import start_of_care

DAY = date(2026, 3, 2)


def incoming_xml(provider: Provider, identification: str, **values: object) -> bytes:
    """A start of care (305) from ``provider``'s system, as the core's samples build it."""
    return start_of_care(agb=provider.agb_code, identification=identification, **values)  # type: ignore[arg-type]


@pytest.fixture
def accepting_305(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A stand-in handler for the 305 that accepts every message (the real one is another
    helper's module); records the identifications it saw."""
    seen: list[str] = []

    def handler(*args: object) -> list[PartError]:
        seen.append(args[2].identification)  # type: ignore[attr-defined]
        return []

    monkeypatch.setitem(incoming.HANDLERS, "305", handler)
    return seen


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
