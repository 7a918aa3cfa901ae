"""The columns of the history format (docs/statistics.md, "History import and export"), one
row each: its name, whether a cell may be empty, the parser that turns its text into a value,
what the export writes there, and the Dutch message for a cell that holds no such value. The one
place that knows a column: the header check, the row check, the comparison with a live
trajectory and the export all read them here.

A parser judges a cell on its own (a date, a BSN, an amount). What a cell means next to other
cells or to the catalogue — a profile of the row's domain, an end after the start, a reason from
the domain's code list — is decided in ``check`` and ``rules``; where a column's value is a code
from the catalogue (category, reason), its message is the one said of an unknown code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from models import (
    Aanmelding,
    ClosureCategory,
    Domain,
    Intensity,
    Provider,
    Resident,
    SupportProfile,
    Trajectory,
)

from ...bsn import is_valid_bsn
from ...csv_format import looks_like_formula
from ...eligibility import EARLIEST_DATE, is_agb_code
from ...errors import N_
from ...residents import POSTCODE_RE, normalise_postcode
from .common import RowProblem

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PRICE_RE = re.compile(r"^\d{1,8}([.,]\d{1,2})?$")
KEY_MAX = 64
PROFILE_MAX = 20
NO_DATE = N_("Geen geldige datum; gebruik JJJJ-MM-DD.")


class Invalid(ValueError):
    """A parser's verdict: the cell holds no such value. ``message`` replaces the column's own
    where a cell fails in a way of its own (a date in the future, a key that looks like a
    formula)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message)
        self.message = message


Parser = Callable[[str, date], Any]  # (the cell's text, stripped; today) -> its value


@dataclass(frozen=True)
class Column:
    name: str
    required: bool  # an empty cell is a problem (else its value is None)
    parse: Parser  # raises ``Invalid``
    source: Any  # the attribute the export writes (``export.export_query`` joins its table)
    message: str  # may show the cell as %(value)s: its first ``shown`` characters
    missing: str | None = None  # for an empty required cell, where ``message`` does not fit
    shown: int = 20
    comparable: Callable[[str], object] = str  # the same value written another way is equal

    def read(self, text: str, today: date) -> Any:
        """The cell's value; None for an empty optional cell. Raises ``Invalid``."""
        if not text:
            if self.required:
                raise Invalid(self.missing)
            return None
        return self.parse(text, today)

    def problem(self, line: int, text: str, message: str | None = None) -> RowProblem:
        """The problem with this column's cell on ``line`` (the column's message by default)."""
        message = message or self.message
        params = {"value": text[: self.shown]} if "%(value)s" in message else {}
        return RowProblem(line, self.name, message, params)


# --- parsers ------------------------------------------------------------------------------------


def text(value: str, today: date) -> str:
    return value


def import_key(value: str, today: date) -> str:
    if len(value) > KEY_MAX:
        raise Invalid(N_("De import_id is langer dan 64 tekens."))
    if looks_like_formula(value):
        raise Invalid(
            N_(
                "Een import_id mag niet beginnen met =, +, - of @: een spreadsheet leest "
                "zo'n waarde als formule."
            )
        )
    return value


def bsn(value: str, today: date) -> str:
    if not is_valid_bsn(value):
        raise Invalid
    return value


def iso_date(value: str) -> date | None:
    """A ``JJJJ-MM-DD`` date; None for anything else."""
    if not DATE_RE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def refusing_none(read: Callable[[str], Any]) -> Parser:
    """A parser from a reader that returns None for text that is no such value."""

    def parse(value: str, today: date) -> Any:
        parsed = read(value)
        if parsed is None:
            raise Invalid
        return parsed

    return parse


def postcode(value: str, today: date) -> str | None:
    normalised = normalise_postcode(value)
    if normalised is not None and not POSTCODE_RE.match(normalised):
        raise Invalid
    return normalised


def profile_code(value: str, today: date) -> str:
    if len(value) > PROFILE_MAX:
        raise Invalid
    return value


def agb_code(value: str, today: date) -> str:
    if not is_agb_code(value):
        raise Invalid
    return value


def amount(value: str) -> Decimal | None:
    """``1234.56`` or ``1234,56`` (spaces ignored); None for anything else."""
    value = value.replace(" ", "")
    if not PRICE_RE.match(value):
        return None
    return Decimal(value.replace(",", ".")).quantize(Decimal("0.01"))


any_date = refusing_none(iso_date)
price = refusing_none(amount)


def past_date(value: str, today: date) -> date:
    """A date that has happened: from 1900 up to today."""
    day: date = any_date(value, today)
    if not EARLIEST_DATE <= day <= today:
        raise Invalid(N_("De datum ligt in de toekomst of vóór 1900."))
    return day


def yes_or_no(value: str, today: date) -> bool:
    if value not in ("ja", "nee"):
        raise Invalid
    return value == "ja"


def one_of(enum: Any) -> Parser:
    """A parser for the values of a string enum."""

    def parse(value: str, today: date) -> Any:
        if value not in {member.value for member in enum}:
            raise Invalid
        return enum(value)

    return parse


def comparable_amount(value: str) -> object:
    parsed = amount(value)
    return value if parsed is None else parsed


def comparable_postcode(value: str) -> object:
    return normalise_postcode(value)


# --- the table ----------------------------------------------------------------------------------

# (name, required or not, parser, what the export writes, message)
REQUIRED, OPTIONAL = True, False
TABLE = (
    Column("import_id", REQUIRED, import_key, Trajectory.import_id, N_("Vul de import_id in.")),
    Column("bsn", REQUIRED, bsn, Resident.bsn,
           N_("Geen geldig BSN (9 cijfers die de elfproef doorstaan).")),
    Column("geboortedatum", REQUIRED, past_date, Resident.birth_date, NO_DATE,
           missing=N_("Vul een datum in (JJJJ-MM-DD).")),
    Column("postcode", OPTIONAL, postcode, Resident.postcode,
           N_("Een postcode heeft de vorm 1234AB."), comparable=comparable_postcode),
    Column("domein", REQUIRED, one_of(Domain), Trajectory.domain,
           N_("Onbekend domein '%(value)s': kies wmo of jeugd.")),
    Column("productcategorie", REQUIRED, text, SupportProfile.category_code,
           N_("Onbekende productcategorie '%(value)s'.")),
    Column("profiel", REQUIRED, profile_code, SupportProfile.code,
           N_("Vul een profielcode in (ten hoogste 20 tekens).")),
    Column("intensiteit", REQUIRED, one_of(Intensity), Trajectory.intensity,
           N_("Onbekende intensiteit '%(value)s': kies laag, middel of zwaar.")),
    Column("aanbieder", REQUIRED, agb_code, Provider.agb_code, N_("Een AGB-code heeft 8 cijfers.")),
    Column("aanmelddatum", OPTIONAL, past_date, Aanmelding.request_date, NO_DATE),
    Column("besluitdatum", OPTIONAL, past_date, Trajectory.decision_date, NO_DATE),
    Column("startdatum", OPTIONAL, past_date, Trajectory.care_start, NO_DATE),
    Column("geplande_einddatum", REQUIRED, any_date, Trajectory.planned_end, NO_DATE),
    Column("einddatum", OPTIONAL, past_date, Trajectory.care_end, NO_DATE),
    Column("trajectprijs", REQUIRED, price, Trajectory.price,
           N_("De trajectprijs is geen bedrag; schrijf bijvoorbeeld 1234.56 of 1234,56."),
           comparable=comparable_amount),
    Column("resultaat_behaald", OPTIONAL, yes_or_no, Trajectory.result_achieved,
           N_("Vul ja, nee of niets in.")),
    Column("afsluitcategorie", OPTIONAL, one_of(ClosureCategory), Trajectory.closure_category,
           N_("Kies a, b, c of d.")),
    Column("reden_beeindiging", OPTIONAL, text, Trajectory.end_reason_code,
           N_("Onbekende reden van beëindiging '%(value)s' voor dit domein."), shown=10),
)  # fmt: skip
COLUMN = {column.name: column for column in TABLE}
COLUMNS = tuple(COLUMN)
