"""Registering and finding residents; a new household gets the acting gids as its contact."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Household, Resident
from workflows.errors import DomainError, NotFound
from workflows.residents import (
    PHONE_RE,
    ResidentInput,
    add_resident,
    get_resident,
    normalise_phone,
    normalise_postcode,
    search_residents,
)

from ..factories import TODAY, World

NEW_BSN = "100000009"


def resident_input(**overrides: Any) -> ResidentInput:
    data = ResidentInput(
        bsn=NEW_BSN,
        given_name="Cor",
        family_name="Bakker",
        birth_date=date(1961, 4, 12),
        postcode="8251 EF",
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def refused_fields(session: Session, world: World, **overrides: Any) -> list[str | None]:
    count = session.scalar(select(func.count()).select_from(Resident))
    with pytest.raises(DomainError) as refused:
        add_resident(session, resident_input(**overrides), world.gids, TODAY)
    assert session.scalar(select(func.count()).select_from(Resident)) == count
    return [p.field for p in refused.value.problems]


# --- add_resident -----------------------------------------------------------------------------


def test_a_new_resident_gets_a_new_household_with_the_acting_gids(
    session: Session, world: World
) -> None:
    resident = add_resident(
        session,
        resident_input(given_name="  Cor ", family_name=" Bakker  ", wijk_id=world.dronten.id),
        world.gids2,
        TODAY,
    )
    assert (resident.bsn, resident.given_name, resident.family_name) == (
        NEW_BSN,
        "Cor",
        "Bakker",
    )
    assert resident.postcode == "8251EF"
    assert resident.wijk is world.dronten
    assert resident.household.gids is world.gids2
    assert resident.household.members == [resident]
    assert resident.household is not world.adult.household


def test_a_resident_joins_the_household_of_a_member_by_bsn(session: Session, world: World) -> None:
    households = session.scalar(select(func.count()).select_from(Household))
    resident = add_resident(
        session, resident_input(household_member_bsn="111.222.333"), world.gids2, TODAY
    )
    assert resident.household is world.adult.household
    assert resident.household.gids is world.gids  # the household keeps its own contact
    assert session.scalar(select(func.count()).select_from(Household)) == households


def test_an_unknown_household_member_is_refused(session: Session, world: World) -> None:
    assert refused_fields(session, world, household_member_bsn="123456782 0") == [
        "household_member_bsn"
    ]


@pytest.mark.parametrize("bsn", ["111222334", "12345678", "1234567890", "12345678a", "000000000"])
def test_an_invalid_bsn_is_refused(session: Session, world: World, bsn: str) -> None:
    assert refused_fields(session, world, bsn=bsn) == ["bsn"]


def test_a_bsn_typed_with_spaces_and_dots_is_normalised(session: Session, world: World) -> None:
    resident = add_resident(session, resident_input(bsn=" 100.000.009 "), world.gids, TODAY)
    assert resident.bsn == "100000009"


@pytest.mark.parametrize("bsn", ["111222333", "111 222 333", "111-222-333"])
def test_a_known_bsn_is_refused(session: Session, world: World, bsn: str) -> None:
    with pytest.raises(DomainError, match="Er is al een inwoner met dit BSN."):
        add_resident(session, resident_input(bsn=bsn), world.gids, TODAY)


@pytest.mark.parametrize(("field", "blank"), [("given_name", "  "), ("family_name", "")])
def test_blank_names_are_refused(session: Session, world: World, field: str, blank: str) -> None:
    assert refused_fields(session, world, **{field: blank}) == [field]


def test_a_birth_date_in_the_future_is_refused(session: Session, world: World) -> None:
    assert refused_fields(session, world, birth_date=date(2026, 11, 3)) == ["birth_date"]


def test_a_baby_born_today_is_registered(session: Session, world: World) -> None:
    resident = add_resident(session, resident_input(birth_date=TODAY), world.gids, TODAY)
    assert resident.birth_date == TODAY


def test_a_birth_date_before_1900_is_refused(session: Session, world: World) -> None:
    assert refused_fields(session, world, birth_date=date(1899, 12, 31)) == ["birth_date"]


@pytest.mark.parametrize("postcode", ["12AB34", "0251AB", "8251A", "8251ABC", "8251-AB", "8251 4B"])
def test_a_malformed_postcode_is_refused(session: Session, world: World, postcode: str) -> None:
    assert refused_fields(session, world, postcode=postcode) == ["postcode"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("8251 ab", "8251AB"),
        ("8251AB", "8251AB"),
        ("825 1 a b", "8251AB"),
        ("  ", None),
        ("", None),
        (None, None),
    ],
)
def test_the_postcode_is_normalised(typed: str | None, stored: str | None) -> None:
    assert normalise_postcode(typed) == stored


def test_a_postcode_typed_with_a_space_and_lower_case_is_stored_normalised(
    session: Session, world: World
) -> None:
    resident = add_resident(session, resident_input(postcode="8251 ab"), world.gids, TODAY)
    assert resident.postcode == "8251AB"


# --- the phone number -------------------------------------------------------------------------

GOOD_PHONES = [
    ("0612345678", "0612345678"),
    ("06-12345678", "0612345678"),
    ("06 12 34 56 78", "0612345678"),
    ("06-1234 5678", "0612345678"),
    ("+31 6 12345678", "0612345678"),
    ("+31612345678", "0612345678"),
    ("+31 (0)6 12345678", "0612345678"),
    ("+31 06 12345678", "0612345678"),
    ("0031 6 1234 5678", "0612345678"),
    ("0321 123456", "0321123456"),
    ("0321-123456", "0321123456"),
    ("(0321) 12 34 56", "0321123456"),
    ("0321.12.34.56", "0321123456"),
    ("020-1234567", "0201234567"),
    ("+31 20 123 4567", "0201234567"),
    ("088 123 4567", "0881234567"),
    ("\u200e06\u00a012345678 ", "0612345678"),  # a direction mark and a no-break space
]
BAD_PHONES = [
    "061234567",  # nine digits
    "06123456789",  # eleven
    "612345678",  # no 0 in front
    "0012345678",  # an international access code, no Dutch number
    "+32 2 123 45 67",  # Belgian
    "0032 2 123 4567",
    "+31 6 1234567",  # a digit short after the country code
    "+3100612345678",
    "06-1234567a",
    "zes-twaalf",
    "06+12345678",
    "06_12345678",
    "０６１２３４５６７８",  # full-width digits
    "٠٦١٢٣٤٥٦٧٨",  # Arabic-Indic digits
    "0800-1234",  # a service number, no resident's
    "1" * 31,
]


@pytest.mark.parametrize(("typed", "stored"), GOOD_PHONES)
def test_common_dutch_notations_are_stored_as_ten_digits(
    session: Session, world: World, typed: str, stored: str
) -> None:
    assert normalise_phone(typed) == stored and PHONE_RE.match(stored)
    resident = add_resident(session, resident_input(phone=typed), world.gids, TODAY)
    assert resident.phone == stored


@pytest.mark.parametrize("typed", BAD_PHONES)
def test_anything_else_is_refused_at_the_phone_field_in_dutch(
    session: Session, world: World, typed: str
) -> None:
    with pytest.raises(DomainError) as refused:
        add_resident(session, resident_input(phone=typed), world.gids, TODAY)
    assert [p.field for p in refused.value.problems] == ["phone"]
    assert "geen Nederlands telefoonnummer" in refused.value.problems[0].message
    assert session.scalar(select(Resident.id).where(Resident.bsn == NEW_BSN)) is None


@pytest.mark.parametrize("typed", [None, "", "   ", " - ", "\u200b"])
def test_no_phone_is_fine(session: Session, world: World, typed: str | None) -> None:
    resident = add_resident(session, resident_input(phone=typed), world.gids, TODAY)
    assert resident.phone is None


def test_an_unknown_wijk_is_refused(session: Session, world: World) -> None:
    assert refused_fields(session, world, wijk_id=987654) == ["wijk_id"]


def test_every_problem_is_reported_at_once(session: Session, world: World) -> None:
    fields = refused_fields(
        session,
        world,
        bsn="111222334",
        given_name="",
        family_name=" ",
        birth_date=date(2027, 1, 1),
        postcode="12AB34",
    )
    assert fields == ["bsn", "given_name", "family_name", "birth_date", "postcode"]


@pytest.mark.parametrize("role_name", ["aanbieder_a", "manager", "beheerder"])
def test_only_a_gids_may_register_a_resident(
    session: Session, world: World, role_name: str
) -> None:
    with pytest.raises(DomainError, match="Alleen een gids kan een inwoner registreren."):
        add_resident(session, resident_input(), getattr(world, role_name), TODAY)


# --- search and lookup ------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["111222333", " 111 222 333 ", "111.222.333"])
def test_search_finds_a_resident_by_exact_bsn(session: Session, world: World, query: str) -> None:
    assert search_residents(session, query).items == [world.adult]


def test_search_by_bsn_is_exact(session: Session, world: World) -> None:
    assert search_residents(session, "111222334").items == []
    assert search_residents(session, "11122233").items == []


@pytest.mark.parametrize("query", ["anna de", "Anna de Vries", "DE VRIES", "vries", "nna"])
def test_search_finds_a_resident_by_part_of_the_name_in_any_case(
    session: Session, world: World, query: str
) -> None:
    assert search_residents(session, query).items == [world.adult]


@pytest.mark.parametrize("query", ["", "   ", "Pietersen", "anna jansen"])
def test_search_without_a_match_or_text_finds_nobody(
    session: Session, world: World, query: str
) -> None:
    assert search_residents(session, query).items == []


def test_search_results_are_ordered_by_family_name_and_paged(
    session: Session, world: World
) -> None:
    for bsn, given, family in [
        ("200000007", "Zoë", "Annema"),
        ("300000005", "Annie", "Zwart"),
        ("400000003", "Anne", "Annema"),
    ]:
        add_resident(
            session,
            resident_input(bsn=bsn, given_name=given, family_name=family),
            world.gids,
            TODAY,
        )
    found = [r.full_name for r in search_residents(session, "ann").items]
    assert found[:2] == ["Anne Annema", "Zoë Annema"]
    assert sorted(found[2:]) == ["Anna de Vries", "Annie Zwart"]  # case order differs per DB
    first = search_residents(session, "ann", per_page=2)
    assert [r.full_name for r in first.items] == found[:2] and first.has_next
    second = search_residents(session, "ann", page=2, per_page=2)
    assert [r.full_name for r in second.items] == found[2:] and not second.has_next


def test_get_resident_raises_not_found_for_an_unknown_id(session: Session, world: World) -> None:
    assert get_resident(session, world.adult.id) is world.adult
    with pytest.raises(NotFound, match="Inwoner niet gevonden."):
        get_resident(session, 987654)
