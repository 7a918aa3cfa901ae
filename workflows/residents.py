"""Residents and households: registering, finding, and the household view across domains."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from models import Household, Resident, Role, User, Wijk

from .bsn import is_valid_bsn, normalise_bsn
from .eligibility import birth_date_problems
from .errors import N_, DomainError, NotFound, Problem
from .paging import Page, paginate_objects
from .text import clean_text
from .uniqueness import duplicate, refusing_duplicates

POSTCODE_RE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")


def normalise_postcode(raw: str | None) -> str | None:
    if raw is None:
        return None
    cleaned = raw.replace(" ", "").upper()
    return cleaned or None


@dataclass
class ResidentInput:
    bsn: str
    given_name: str
    family_name: str
    birth_date: date
    postcode: str | None = None
    wijk_id: int | None = None
    # BSN of a resident whose household the new resident joins; empty = a new household.
    household_member_bsn: str | None = None


def add_resident(session: Session, data: ResidentInput, actor: User, today: date) -> Resident:
    """Register a resident. A new household gets the acting gids as its single contact."""
    if actor.role != Role.GIDS:
        raise DomainError(N_("Alleen een gids kan een inwoner registreren."))
    problems: list[Problem] = []
    bsn = normalise_bsn(data.bsn)
    if not is_valid_bsn(bsn):
        problems.append(Problem(N_("Dit is geen geldig BSN (9 cijfers en de elfproef)."), "bsn"))
    elif session.scalar(select(Resident.id).where(Resident.bsn == bsn)) is not None:
        problems.append(duplicate("uq_residents_bsn"))
    given_name = clean_text(data.given_name)
    family_name = clean_text(data.family_name)
    if not given_name:
        problems.append(Problem(N_("Vul de voornaam in."), "given_name"))
    if not family_name:
        problems.append(Problem(N_("Vul de achternaam in."), "family_name"))
    problems += birth_date_problems(data.birth_date, today)
    postcode = normalise_postcode(data.postcode)
    if postcode is not None and not POSTCODE_RE.match(postcode):
        problems.append(Problem(N_("Een postcode heeft de vorm 1234AB."), "postcode"))
    if data.wijk_id is not None and session.get(Wijk, data.wijk_id) is None:
        problems.append(Problem(N_("Kies een wijk of kern uit de lijst."), "wijk_id"))
    household: Household | None = None
    member_bsn = normalise_bsn(data.household_member_bsn or "")
    if member_bsn:
        member = session.scalar(select(Resident).where(Resident.bsn == member_bsn))
        if member is None:
            problems.append(
                Problem(N_("Er is geen inwoner met dit BSN bekend."), "household_member_bsn")
            )
        else:
            household = member.household
    if problems:
        raise DomainError.from_problems(problems)
    assert given_name and family_name
    with refusing_duplicates(session):  # two registrations of one BSN at the same moment
        if household is None:
            household = Household(gids=actor)
            session.add(household)
        resident = Resident(
            bsn=bsn,
            given_name=given_name,
            family_name=family_name,
            birth_date=data.birth_date,
            postcode=postcode,
            wijk_id=data.wijk_id,
            household=household,
        )
        session.add(resident)
    return resident


def resident_matches(text: str | None) -> ColumnElement[bool] | None:
    """The condition on ``Resident`` for a search by BSN or by name, or None for no text: nine
    digits (spaces, dots and dashes ignored) match the BSN exactly — never a part of it — and
    anything else matches part of the name in any case. The resident search and the work lists'
    search both use it."""
    if not text or not text.strip():
        return None
    digits = normalise_bsn(text)
    if digits.isdigit() and len(digits) == 9:
        return Resident.bsn == digits
    pattern = f"%{text.strip().lower()}%"
    full_name = func.lower(Resident.given_name + " " + Resident.family_name)
    return or_(full_name.like(pattern), func.lower(Resident.family_name).like(pattern))


def search_residents(
    session: Session, query: str, *, page: int = 1, per_page: int = 50
) -> Page[Resident]:
    """Residents found by exact BSN or by (part of) the name, by family name, one page at a
    time (a search for "de" finds thousands)."""
    match = resident_matches(query)
    if match is None:
        return Page(items=[], total=0, page=1, per_page=per_page)
    return paginate_objects(
        session,
        select(Resident)
        .where(match)
        .order_by(Resident.family_name, Resident.given_name, Resident.id),
        page=page,
        per_page=per_page,
        ids=select(Resident.id).where(match),
    )


def get_resident(session: Session, resident_id: int) -> Resident:
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound(N_("Inwoner niet gevonden."))
    return resident
