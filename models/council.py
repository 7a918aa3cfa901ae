"""A manager's written commentary on a figure of the council report (*raadsrapportage*): one
text per year, domain and figure, with who wrote it last and when (docs/statistics.md,
"Council report"). Every change also goes to the change log (``workflows.council``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, TZDateTime, str_enum, utcnow
from .enums import Domain
from .user import User


class CouncilComment(Base):
    __tablename__ = "council_comments"
    __table_args__ = (
        UniqueConstraint("year", "domain", "figure", name="one_comment_per_year_domain_figure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10))
    figure: Mapped[str] = mapped_column(String(40))  # a row key of the report
    text: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    updated_by: Mapped[User | None] = relationship()
