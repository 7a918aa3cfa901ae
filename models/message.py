"""iWmo/iJw messages (*berichten*) exchanged with the providers' client systems.

One row per message, in either direction: the XML as sent or received (personal data: every
view or download of a body is audited), its header facts, where it stands and, for a retour or
an answer, the message it answers. Check constraints keep an outgoing message to the outgoing
states and an incoming one to the incoming states; a refused or rejected message says why.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, sql_value, str_enum, utcnow
from .enums import Domain

if TYPE_CHECKING:
    from .aanmelding import Aanmelding
    from .provider import Provider
    from .trajectory import Trajectory


class MessageDirection(enum.StrEnum):
    IN = "in"  # provider → municipality
    UIT = "uit"  # municipality → provider


class MessageState(enum.StrEnum):
    KLAAR = "klaar"  # outgoing, in the outbox, not yet collected
    VERZONDEN = "verzonden"  # outgoing, collected or exported
    BEVESTIGD = "bevestigd"  # outgoing, its retour came back without errors
    AFGEKEURD = "afgekeurd"  # outgoing, its retour came back with errors
    VERWERKT = "verwerkt"  # incoming, applied
    GEWEIGERD = "geweigerd"  # incoming, refused (``errors`` says why)


OUTGOING_STATES = (
    MessageState.KLAAR,
    MessageState.VERZONDEN,
    MessageState.BEVESTIGD,
    MessageState.AFGEKEURD,
)
INCOMING_STATES = (MessageState.VERWERKT, MessageState.GEWEIGERD)


def _in(states: tuple[MessageState, ...]) -> str:
    return ", ".join(sql_value(s) for s in states)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(
            f"(direction = {sql_value(MessageDirection.UIT)} AND state IN ({_in(OUTGOING_STATES)}))"
            f" OR (direction = {sql_value(MessageDirection.IN)} "
            f"AND state IN ({_in(INCOMING_STATES)}))",
            name="state_fits_direction",
        ),
        CheckConstraint(
            f"state NOT IN ({_in((MessageState.GEWEIGERD, MessageState.AFGEKEURD))}) "
            "OR errors IS NOT NULL",
            name="refusal_has_errors",
        ),
        CheckConstraint("length(kind) = 3", name="kind_3_digits"),
        # Per the standard (retour code 9056) an identification is unique per sender and kind of
        # message; ours are unique outright. Receiving one again is answered from the first.
        UniqueConstraint(
            "direction", "provider_id", "kind", "identification", name="uq_messages_identification"
        ),
        # The lists: a provider's outbox and messages (newest first), a trajectory's messages.
        Index("ix_messages_provider_direction_state", "provider_id", "direction", "state", "id"),
        Index("ix_messages_trajectory", "trajectory_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[MessageDirection] = mapped_column(str_enum(MessageDirection, 3))
    kind: Mapped[str] = mapped_column(String(3))  # "301" … "325"
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    identification: Mapped[str] = mapped_column(String(12))  # BerichtIdentificatie/Identificatie
    dated_on: Mapped[date] = mapped_column(Date)  # BerichtIdentificatie/Dagtekening
    state: Mapped[MessageState] = mapped_column(str_enum(MessageState))
    trajectory_id: Mapped[int | None] = mapped_column(ForeignKey("trajectories.id"))
    aanmelding_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"), index=True)
    # A retour or answer points to the message it answers.
    answers_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    # JSON: a list of {"code", "part", "text"} (``workflows.berichten.store``).
    errors: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    provider: Mapped[Provider] = relationship()
    trajectory: Mapped[Trajectory | None] = relationship()
    aanmelding: Mapped[Aanmelding | None] = relationship()
    answers: Mapped[Message | None] = relationship(remote_side=[id], back_populates="answered_by")
    answered_by: Mapped[list[Message]] = relationship(
        back_populates="answers", order_by="Message.id"
    )
