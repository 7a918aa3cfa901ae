"""Declarations (*declaratieberichten*, JW323/WMO323) as the municipality judged them.

A provider's client system claims by message; the claim itself is the ordinary ``Claim`` (one
per trajectory, R11). What the standard adds, and a claim does not hold, is kept here: the
declaration's number, unique per provider and legal domain (retour code 9333), and the product
reference (*ProductReferentie*) of every accepted line, unique likewise (retour code 8021), with
the claim it became. Rejected lines are not kept as rows: the 325 answer that names their codes
is stored as a message (``models.message``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, str_enum, utcnow
from .enums import Domain

if TYPE_CHECKING:
    from .claim import Claim
    from .message import Message


class Declaration(Base):
    __tablename__ = "declarations"
    __table_args__ = (
        UniqueConstraint("provider_id", "domain", "number", name="uq_declarations_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10))
    number: Mapped[str] = mapped_column(String(12))  # DeclaratieNummer
    submitted: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # TotaalIngediendBedrag, euro
    granted: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # TotaalToegekendBedrag, euro
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    message: Mapped[Message] = relationship()
    lines: Mapped[list[DeclarationLine]] = relationship(
        back_populates="declaration", cascade="all, delete-orphan", order_by="DeclarationLine.id"
    )


class DeclarationLine(Base):
    """An accepted line (*Prestatie*): its reference and the claim it became."""

    __tablename__ = "declaration_lines"
    __table_args__ = (
        UniqueConstraint(
            "provider_id", "domain", "reference", name="uq_declaration_lines_reference"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10))
    reference: Mapped[str] = mapped_column(String(20))  # ProductReferentie/ReferentieNummer
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))  # IngediendBedrag, euro

    declaration: Mapped[Declaration] = relationship(back_populates="lines")
    claim: Mapped[Claim] = relationship()
