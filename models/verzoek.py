"""A provider's request by message (*verzoek*): a 315 *verzoek om toewijzing* or a 317
*verzoek om wijziging*, one row per requested product (315) or per request (317).

It keeps what the provider asked for — its reference (``ReferentieAanbieder``), the product,
period and volume — next to what the municipality made of it: the aanmelding a 315 became, the
scaling request a 317 became, the trajectory it concerns, and the answer (``state``,
``refusal_code``). The answer to the provider is a 301 carrying the reference (toegewezen) or a
319 (afgewezen, in onderzoek); ``workflows.berichten.answers`` sends it.

The reference is unique per provider and domain (the standard's rule, retour code 9347): the
unique constraint keeps it so also for two messages at the same moment."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, sql_value, str_enum, utcnow
from .enums import Domain

if TYPE_CHECKING:
    from .aanmelding import Aanmelding
    from .change import ScalingRequest
    from .message import Message
    from .provider import Provider
    from .trajectory import Trajectory


class VerzoekState(enum.StrEnum):
    OPEN = "open"  # waiting for the gids
    IN_ONDERZOEK = "in_onderzoek"  # a 319 "aanvraag in onderzoek" went out; still open
    TOEGEWEZEN = "toegewezen"  # answered with a 301 carrying the reference
    AFGEWEZEN = "afgewezen"  # answered with a 319 "verzoek afgewezen"


class Verzoek(Base):
    __tablename__ = "verzoeken"
    __table_args__ = (
        UniqueConstraint("provider_id", "domain", "reference", name="uq_verzoeken_reference"),
        CheckConstraint(
            f"(state = {sql_value(VerzoekState.AFGEWEZEN)}) = (refusal_code IS NOT NULL)",
            name="refusal_has_code",
        ),
        CheckConstraint("kind IN ('315', '317')", name="kind_315_or_317"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(3))
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    # ReferentieAanbieder: the provider's own key of the request, answered with it.
    reference: Mapped[str] = mapped_column(String(36))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    aanmelding_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"), index=True)
    scaling_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("scaling_requests.id"), index=True
    )
    # 317: the toewijzing to change; 315: the trajectory that granted it.
    trajectory_id: Mapped[int | None] = mapped_column(ForeignKey("trajectories.id"), index=True)
    # What was asked (as the message said it; codes of the iStandaarden).
    product_category: Mapped[str | None] = mapped_column(String(2))
    product_code: Mapped[str | None] = mapped_column(String(5))
    requested_start: Mapped[date | None] = mapped_column(Date)
    requested_end: Mapped[date | None] = mapped_column(Date)
    volume: Mapped[int | None] = mapped_column(Integer)
    unit: Mapped[str | None] = mapped_column(String(2))
    frequency: Mapped[str | None] = mapped_column(String(1))
    state: Mapped[VerzoekState] = mapped_column(str_enum(VerzoekState), default=VerzoekState.OPEN)
    # RedenAfwijzingVerzoek (1-9) of a refusal, and why in words (for the record).
    refusal_code: Mapped[str | None] = mapped_column(String(2))
    refusal_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    provider: Mapped[Provider] = relationship()
    message: Mapped[Message] = relationship()
    aanmelding: Mapped[Aanmelding | None] = relationship()
    scaling_request: Mapped[ScalingRequest | None] = relationship()
    trajectory: Mapped[Trajectory | None] = relationship()
