"""The catalogue: product categories, support profiles, allowed intensities and tariffs.

Tariffs are versioned by ``valid_from``/``valid_to`` (R5): the price and standard duration that
apply to a trajectory are those valid on its planned start date.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, str_enum
from .enums import Domain, Intensity, NeedType

if TYPE_CHECKING:
    from .provider import Contract

HOUSEHOLD_HELP_CATEGORY = "01"


class ProductCategory(Base):
    """WMO020 / JZ020 product categories; codes are unique across both domains."""

    __tablename__ = "product_categories"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10))
    name: Mapped[str] = mapped_column(String(120))


class SupportProfile(Base):
    """An *ondersteuningsprofiel*: what kind of support, in which domain and category."""

    __tablename__ = "support_profiles"
    __table_args__ = (
        # A product code names one product within its category (the standard's Categorie +
        # Code): two profiles with the same pair could not be told apart in a message.
        UniqueConstraint("category_code", "product_code", name="uq_support_profiles_product_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10))
    category_code: Mapped[str] = mapped_column(ForeignKey("product_categories.code"))
    # The iStandaarden product code (LDT_ProductCode, 1 to 5 characters) the toewijzing (301)
    # carries with the category; None: not set (such a profile cannot go as a message).
    product_code: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    imported: Mapped[bool] = mapped_column(Boolean, default=False)
    # The need type a new trajectory with this profile starts with on the gids's form (R7);
    # None: no default of its own (the form's general default).
    need_type_default: Mapped[NeedType | None] = mapped_column(
        str_enum(NeedType, 10, name="need_type_default")
    )

    category: Mapped[ProductCategory] = relationship()
    intensities: Mapped[list[ProfileIntensity]] = relationship(
        back_populates="profile", cascade="all, delete-orphan"
    )
    tariffs: Mapped[list[Tariff]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="Tariff.valid_from"
    )
    contracts: Mapped[list[Contract]] = relationship(back_populates="profile")

    @property
    def allowed_intensities(self) -> list[Intensity]:
        order = list(Intensity)
        return sorted((pi.intensity for pi in self.intensities), key=order.index)

    @property
    def is_household_help(self) -> bool:
        return self.category_code == HOUSEHOLD_HELP_CATEGORY


class ProfileIntensity(Base):
    __tablename__ = "profile_intensities"

    profile_id: Mapped[int] = mapped_column(ForeignKey("support_profiles.id"), primary_key=True)
    intensity: Mapped[Intensity] = mapped_column(str_enum(Intensity, 10), primary_key=True)

    profile: Mapped[SupportProfile] = relationship(back_populates="intensities")


class Tariff(Base):
    __tablename__ = "tariffs"
    __table_args__ = (
        UniqueConstraint("profile_id", "intensity", "valid_from", name="one_version_per_start"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="dates_in_order"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("standard_duration_weeks > 0", name="duration_positive"),
        CheckConstraint("evaluation_interval_months > 0", name="interval_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("support_profiles.id"), index=True)
    intensity: Mapped[Intensity] = mapped_column(str_enum(Intensity, 10))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    standard_duration_weeks: Mapped[int] = mapped_column(Integer)
    evaluation_interval_months: Mapped[int] = mapped_column(Integer)

    profile: Mapped[SupportProfile] = relationship(back_populates="tariffs")
