"""The municipality's yearly budget (*begroting*) per product category, kept by the beheerder:
the finance figure sets committed spend, claims and a year-end forecast beside it. The domain
is the category's (``ProductCategory.domain``); a domain's budget is the sum of its
categories'. Amounts in euros."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .catalogue import ProductCategory


class Budget(Base):
    __tablename__ = "budgets"
    __table_args__ = (
        UniqueConstraint("year", "category_code", name="one_budget_per_year_category"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    category_code: Mapped[str] = mapped_column(
        String(2), ForeignKey("product_categories.code"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))

    category: Mapped[ProductCategory] = relationship()
