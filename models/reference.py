"""National code lists (iStandaarden iWmo/iJw 3.2), inserted as reference data by migrations.

The Wmo and Jeugd lists of reasons a care episode ended differ, so each row carries its domain.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, str_enum
from .enums import Domain


class EndReason(Base):
    """RedenBeeindiging: WMO588 (domain wmo) and JZ588 (domain jeugd)."""

    __tablename__ = "end_reasons"

    domain: Mapped[Domain] = mapped_column(str_enum(Domain, 10), primary_key=True)
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    meaning: Mapped[str] = mapped_column(String(120))


class ChangeReason(Base):
    """RedenWijziging (WMO002 = JZ002): why a decision changed, e.g. 04 verlenging."""

    __tablename__ = "change_reasons"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    meaning: Mapped[str] = mapped_column(String(120))


class Wijk(Base):
    """A district or village (*wijk/kern*) of the municipality; statistics group by it."""

    __tablename__ = "wijken"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
