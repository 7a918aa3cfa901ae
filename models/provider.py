"""Care providers (*zorgaanbieders*) and their contracts per support profile."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, str_enum
from .enums import Channel, ContractRole

if TYPE_CHECKING:
    from .catalogue import SupportProfile
    from .user import User


class Provider(Base):
    __tablename__ = "providers"
    __table_args__ = (CheckConstraint("length(agb_code) = 8", name="agb_code_8_digits"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    agb_code: Mapped[str] = mapped_column(String(8), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when a history import created the provider; the beheerder reviews these.
    imported: Mapped[bool] = mapped_column(Boolean, default=False)

    contracts: Mapped[list[Contract]] = relationship(
        back_populates="provider", cascade="all, delete-orphan"
    )
    users: Mapped[list[User]] = relationship(back_populates="provider")


class Contract(Base):
    """A provider may deliver a profile from ``valid_from`` to ``valid_to`` (inclusive, open-ended
    when empty), as main contractor (*hoofdaannemer*) or as subcontractor (*onderaannemer*)."""

    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("support_profiles.id"), index=True)
    role: Mapped[ContractRole] = mapped_column(str_enum(ContractRole))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    # Whether the provider's client system exchanges this contract's trajectories as iWmo/iJw
    # messages, or the provider works in the portal (``workflows.providers.channel_of``).
    channel: Mapped[Channel] = mapped_column(
        str_enum(Channel), default=Channel.PORTAAL, server_default=Channel.PORTAAL.value
    )

    provider: Mapped[Provider] = relationship(back_populates="contracts")
    profile: Mapped[SupportProfile] = relationship(back_populates="contracts")
