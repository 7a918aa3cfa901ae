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
from .errors import N_, DomainError, NotFound, Problem, VersionConflict
from .paging import Page, paginate_objects
from .text import clean_text
from .uniqueness import duplicate, refusing_duplicates

POSTCODE_RE = re.compile(r"^[1-9][0-9]{3}[A-Z]{2}$")
ADDRESS_MAX = 200
# A Dutch phone number in its stored form: the ten digits of the national notation, a 0 and no
# second 0 (that would be an international access code): 0612345678, 0321123456, 0201234567.
PHONE_RE = re.compile(r"^0[1-9][0-9]{8}$")
PHONE_SEPARATORS = re.compile(r"[\s\-./()]")
COUNTRY_CODES = ("+31", "0031")


def normalise_postcode(raw: str | None) -> str | None:
    if raw is None:
        return None
    cleaned = raw.replace(" ", "").upper()
    return cleaned or None


def normalise_phone(raw: str | None) -> str | None:
    """A phone number as typed, in the form it is stored: only its digits, in the national
    notation. Spaces, hyphens, dots, slashes and brackets go; the country code +31 or 0031
    becomes the 0 of the national notation, also when the 0 was kept after it ("+31 (0)6 ...").
    So ``06-12345678``, ``+31 6 12345678`` and ``0031 6 1234 5678`` are all ``0612345678``, and
    ``(0321) 12 34 56`` is ``0321123456``. None when no digit or sign was typed; whether the
    result is a Dutch number at all, ``PHONE_RE`` decides."""
    cleaned = clean_text(raw)
    if cleaned is None:
        return None
    compact = PHONE_SEPARATORS.sub("", cleaned)
    if not compact:
        return None  # only a dash or brackets: no number
    for code in COUNTRY_CODES:
        if compact.startswith(code):
            national = compact[len(code) :]
            return national if national.startswith("0") else "0" + national
    return compact


@dataclass
class ResidentInput:
    bsn: str
    given_name: str
    family_name: str
    birth_date: date
    postcode: str | None = None
    wijk_id: int | None = None
    address: str | None = None
    phone: str | None = None
    # BSN of a resident whose household the new resident joins; empty = a new household.
    household_member_bsn: str | None = None


def may_change(household: Household, actor: User) -> bool:
    """Who corrects a household's residents, moves them or hands the household over: its own
    gids (the single contact); when that gids's account is blocked, any gids, so a household is
    never stuck with someone who left. Any gids may still look a resident up."""
    if actor.role != Role.GIDS:
        return False
    return household.gids_id == actor.id or not household.gids.active


def require_may_change(household: Household, actor: User) -> None:
    if not may_change(household, actor):
        raise DomainError(N_("Alleen de gids van het huishouden kan dit doen."))


def departed_problems(resident: Resident) -> list[Problem]:
    """No new request or trajectory for someone who died or moved out of the municipality."""
    if resident.died_on is not None:
        return [Problem(N_("Deze inwoner is overleden; er kan geen nieuwe zorg meer bij."), None)]
    if resident.moved_out_on is not None:
        return [
            Problem(
                N_(
                    "Deze inwoner is verhuisd buiten de gemeente; er kan geen nieuwe zorg meer bij."
                ),
                None,
            )
        ]
    return []


def check_resident_version(resident: Resident, expected_version: int | None) -> None:
    """The version the gids's page showed is still the resident's (optimistic locking)."""
    if expected_version is not None and expected_version != resident.version:
        raise VersionConflict(
            N_(
                "De gegevens van deze inwoner zijn intussen door iemand anders gewijzigd. Uw "
                "wijziging is niet opgeslagen; bekijk de nieuwe stand en probeer het opnieuw."
            )
        )


@dataclass
class Details:
    """What a gids types about a resident besides the BSN and the birth date, cleaned."""

    given_name: str
    family_name: str
    address: str | None
    postcode: str | None
    phone: str | None


def details_problems(
    session: Session,
    given_name: str | None,
    family_name: str | None,
    address: str | None,
    postcode: str | None,
    wijk_id: int | None,
    phone: str | None,
) -> tuple[Details | None, list[Problem]]:
    """Names, address, postcode, wijk and phone, cleaned and checked: for a new resident and a
    correction alike. The phone is stored in its national digits (``normalise_phone``)."""
    problems: list[Problem] = []
    given = clean_text(given_name)
    family = clean_text(family_name)
    if not given:
        problems.append(Problem(N_("Vul de voornaam in."), "given_name"))
    if not family:
        problems.append(Problem(N_("Vul de achternaam in."), "family_name"))
    street = clean_text(address)
    if street is not None and len(street) > ADDRESS_MAX:
        problems.append(
            Problem(
                N_("Het adres is te lang (hoogstens %(max)s tekens)."),
                "address",
                {"max": ADDRESS_MAX},
            )
        )
    code = normalise_postcode(postcode)
    if code is not None and not POSTCODE_RE.match(code):
        problems.append(Problem(N_("Een postcode heeft de vorm 1234AB."), "postcode"))
    if wijk_id is not None and session.get(Wijk, wijk_id) is None:
        problems.append(Problem(N_("Kies een wijk of kern uit de lijst."), "wijk_id"))
    number = normalise_phone(phone)
    if number is not None and not PHONE_RE.match(number):
        problems.append(
            Problem(
                N_(
                    "Dit is geen Nederlands telefoonnummer. Vul tien cijfers in, bijvoorbeeld "
                    "06-12345678 of 0321-123456 (of met +31)."
                ),
                "phone",
            )
        )
    if problems or not given or not family:
        return None, problems
    return Details(given, family, street, code, number), []


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
    details, detail_problems = details_problems(
        session,
        data.given_name,
        data.family_name,
        data.address,
        data.postcode,
        data.wijk_id,
        data.phone,
    )
    # The form's order: the names, the birth date, then the address, postcode, wijk and phone.
    names = [p for p in detail_problems if p.field in ("given_name", "family_name")]
    problems += names
    problems += birth_date_problems(data.birth_date, today)
    problems += [p for p in detail_problems if p not in names]
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
    assert details is not None
    with refusing_duplicates(session):  # two registrations of one BSN at the same moment
        if household is None:
            household = Household(gids=actor)
            session.add(household)
        resident = Resident(
            bsn=bsn,
            given_name=details.given_name,
            family_name=details.family_name,
            birth_date=data.birth_date,
            address=details.address,
            postcode=details.postcode,
            wijk_id=data.wijk_id,
            phone=details.phone,
            household=household,
        )
        session.add(resident)
    return resident


@dataclass
class ResidentChanges:
    """A correction of a resident: names, address, postcode, wijk and phone. A move within the
    municipality is this too (a new address and wijk); the BSN and the birth date come from the
    registration and are not corrected here."""

    given_name: str
    family_name: str
    address: str | None = None
    postcode: str | None = None
    wijk_id: int | None = None
    phone: str | None = None


def change_resident(
    session: Session,
    resident: Resident,
    data: ResidentChanges,
    actor: User,
    expected_version: int | None = None,
) -> None:
    """Correct a resident's details. Only the household's gids (``may_change``); a page older
    than the last change is refused (``VersionConflict``) instead of overwriting it. The audit log
    records which fields changed, and the statistics feed follows a new wijk by itself."""
    require_may_change(resident.household, actor)
    check_resident_version(resident, expected_version)
    details, problems = details_problems(
        session,
        data.given_name,
        data.family_name,
        data.address,
        data.postcode,
        data.wijk_id,
        data.phone,
    )
    if problems:
        raise DomainError.from_problems(problems)
    assert details is not None
    resident.given_name = details.given_name
    resident.family_name = details.family_name
    resident.address = details.address
    resident.postcode = details.postcode
    resident.wijk_id = data.wijk_id
    resident.phone = details.phone
    session.flush()


def get_resident_for_change(session: Session, resident_id: int) -> Resident:
    """A resident about to change, its row locked and read again: two changes at the same
    moment take turns, and the second sees the first."""
    resident = session.get(Resident, resident_id, with_for_update=True, populate_existing=True)
    if resident is None:
        raise NotFound(N_("Inwoner niet gevonden."))
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
