"""The catalogue: which tariff version applies on a date, which providers may deliver a profile,
which intensities a profile allows, and adding tariff versions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from models import (
    Contract,
    ContractRole,
    Domain,
    Intensity,
    Provider,
    SupportProfile,
)
from workflows.catalogue import (
    active_profiles,
    add_tariff,
    contracted_providers,
    has_contract,
    set_allowed_intensities,
    tariff_on,
)
from workflows.errors import DomainError

from ..factories import World

L, M, Z = Intensity.LAAG, Intensity.MIDDEL, Intensity.ZWAAR
MAIN, SUB = ContractRole.HOOFDAANNEMER, ContractRole.ONDERAANNEMER


def names(providers: Iterable[Provider]) -> list[str]:
    return [p.name for p in providers]


# --- tariff_on --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "price"),
    [
        (date(2018, 12, 31), None),
        (date(2019, 1, 1), Decimal("3500.00")),
        (date(2020, 12, 31), Decimal("3500.00")),
        (date(2021, 1, 1), Decimal("3800.00")),
        (date(2099, 12, 31), Decimal("3800.00")),
    ],
)
def test_tariff_on_picks_the_version_valid_on_the_date(
    session: Session, world: World, day: date, price: Decimal | None
) -> None:
    tariff = tariff_on(session, world.bg.id, M, day)
    assert (tariff.price if tariff else None) == price


def test_tariff_on_knows_nothing_before_2019(session: Session, world: World) -> None:
    assert tariff_on(session, world.amb.id, Z, date(1999, 1, 1)) is None


def test_tariff_on_keeps_intensities_apart(session: Session, world: World) -> None:
    day = date(2021, 1, 1)
    prices = [tariff_on(session, world.bg.id, i, day) for i in (L, M, Z)]
    assert [t.price if t else None for t in prices] == [
        Decimal("2200.00"),
        Decimal("3800.00"),
        Decimal("5400.00"),
    ]


def test_household_help_has_no_tariff_for_middel(session: Session, world: World) -> None:
    assert tariff_on(session, world.hh.id, M, date(2021, 1, 1)) is None


def test_a_version_added_inside_a_closed_period_splits_it(session: Session, world: World) -> None:
    """The version it starts in is closed the day before; it ends the day before the next."""
    new = add_tariff(session, world.bg, M, date(2020, 7, 1), Decimal("3600.00"), 26, 6)
    assert new.valid_to == date(2020, 12, 31)

    def price_on(day: date) -> Decimal | None:
        tariff = tariff_on(session, world.bg.id, M, day)
        return tariff.price if tariff else None

    assert price_on(date(2020, 6, 30)) == Decimal("3500.00")
    assert price_on(date(2020, 7, 1)) == Decimal("3600.00")
    assert price_on(date(2021, 1, 1)) == Decimal("3800.00")


# --- contracted_providers / has_contract ------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "day", "role", "expected"),
    [
        ("bg", date(2021, 1, 1), MAIN, ["Zorg A", "Zorg B"]),
        ("hh", date(2020, 12, 31), MAIN, ["Zorg A", "Zorg D"]),
        ("hh", date(2021, 1, 1), MAIN, ["Zorg A"]),
        ("amb", date(2026, 11, 2), MAIN, ["Zorg A"]),
        ("amb", date(2026, 11, 2), SUB, ["Zorg C"]),
        ("bg", date(2018, 12, 31), MAIN, []),
    ],
)
def test_contracted_providers_lists_main_contractors_valid_on_the_date(
    session: Session,
    world: World,
    profile: str,
    day: date,
    role: ContractRole,
    expected: list[str],
) -> None:
    profile_id = getattr(world, profile).id
    assert names(contracted_providers(session, profile_id, day, role)) == expected


def test_contracted_providers_are_ordered_by_name(session: Session, world: World) -> None:
    first = Provider(name="Aa Thuiszorg", agb_code="55556666")
    first.contracts = [Contract(profile=world.bg, role=MAIN, valid_from=date(2019, 1, 1))]
    session.add(first)
    session.flush()
    assert names(contracted_providers(session, world.bg.id, date(2026, 11, 2))) == [
        "Aa Thuiszorg",
        "Zorg A",
        "Zorg B",
    ]


def test_contracted_providers_excludes_inactive_providers(session: Session, world: World) -> None:
    world.zorg_b.active = False
    session.flush()
    assert names(contracted_providers(session, world.bg.id, date(2026, 11, 2))) == ["Zorg A"]
    assert not has_contract(session, world.zorg_b.id, world.bg.id, date(2026, 11, 2), MAIN)


def test_a_provider_with_two_valid_contracts_is_listed_once(session: Session, world: World) -> None:
    world.zorg_b.contracts.append(
        Contract(profile=world.bg, role=MAIN, valid_from=date(2020, 1, 1))
    )
    session.flush()
    assert names(contracted_providers(session, world.bg.id, date(2026, 11, 2))) == [
        "Zorg A",
        "Zorg B",
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2018, 12, 31), False),
        (date(2019, 1, 1), True),
        (date(2020, 12, 31), True),
        (date(2021, 1, 1), False),
    ],
)
def test_has_contract_includes_both_ends_of_the_contract(
    session: Session, world: World, day: date, expected: bool
) -> None:
    assert has_contract(session, world.zorg_d.id, world.hh.id, day, MAIN) is expected


def test_a_subcontract_is_no_main_contract(session: Session, world: World) -> None:
    day = date(2026, 11, 2)
    assert has_contract(session, world.zorg_c.id, world.amb.id, day, SUB)
    assert not has_contract(session, world.zorg_c.id, world.amb.id, day, MAIN)


# --- profiles and their intensities -----------------------------------------------------------


def test_active_profiles_lists_active_profiles_by_domain_and_name(
    session: Session, world: World
) -> None:
    assert [p.code for p in active_profiles(session)] == ["JZ-AMB", "WMO-BG", "WMO-HH"]
    assert [p.code for p in active_profiles(session, Domain.JEUGD)] == ["JZ-AMB"]
    world.bg.active = False
    session.flush()
    assert [p.code for p in active_profiles(session, Domain.WMO)] == ["WMO-HH"]


def test_household_help_cannot_allow_middel(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as refused:
        set_allowed_intensities(session, world.hh, [L, M, Z])
    assert [p.field for p in refused.value.problems] == ["intensities"]
    assert (
        str(refused.value) == "Hulp bij het huishouden kent alleen de intensiteiten Laag en Zwaar."
    )
    assert world.hh.allowed_intensities == [L, Z]


def test_a_profile_needs_at_least_one_intensity(session: Session, world: World) -> None:
    with pytest.raises(DomainError, match="Kies ten minste één intensiteit."):
        set_allowed_intensities(session, world.bg, [])
    assert world.bg.allowed_intensities == [L, M, Z]


def test_allowed_intensities_are_replaced_and_listed_in_order(
    session: Session, world: World
) -> None:
    set_allowed_intensities(session, world.bg, [Z, L])
    session.expire(world.bg)
    assert world.bg.allowed_intensities == [L, Z]
    set_allowed_intensities(session, world.bg, [Z, M, L])
    session.expire(world.bg)
    assert world.bg.allowed_intensities == [L, M, Z]


def test_household_help_may_allow_laag_only(session: Session, world: World) -> None:
    set_allowed_intensities(session, world.hh, [L])
    assert world.hh.allowed_intensities == [L]


def test_a_profile_in_category_01_is_household_help(session: Session, world: World) -> None:
    assert world.hh.is_household_help
    assert not world.bg.is_household_help
    extra = SupportProfile(code="WMO-HH2", name="Huishouden plus", domain=Domain.WMO)
    extra.category_code = "01"
    assert extra.is_household_help


# --- tariff versions --------------------------------------------------------------------------


def test_adding_a_tariff_closes_the_open_version_the_day_before(
    session: Session, world: World
) -> None:
    open_version = tariff_on(session, world.bg.id, M, date(2024, 12, 31))
    assert open_version is not None and open_version.valid_to is None

    new = add_tariff(session, world.bg, M, date(2025, 1, 1), Decimal("3950.00"), 26, 6)

    assert open_version.valid_to == date(2024, 12, 31)
    assert new.valid_to is None
    assert tariff_on(session, world.bg.id, M, date(2024, 12, 31)) is open_version
    assert tariff_on(session, world.bg.id, M, date(2025, 1, 1)) is new


def test_adding_a_tariff_leaves_closed_versions_and_other_intensities_alone(
    session: Session, world: World
) -> None:
    add_tariff(session, world.bg, M, date(2025, 1, 1), Decimal("3950.00"), 26, 6)
    versions = {(t.intensity, t.valid_from): t.valid_to for t in world.bg.tariffs}
    assert versions[(M, date(2019, 1, 1))] == date(2020, 12, 31)
    assert versions[(L, date(2021, 1, 1))] is None
    assert versions[(Z, date(2021, 1, 1))] is None


def test_a_tariff_for_an_intensity_the_profile_does_not_allow_is_refused(
    session: Session, world: World
) -> None:
    with pytest.raises(DomainError) as refused:
        add_tariff(session, world.hh, M, date(2025, 1, 1), Decimal("1800.00"), 26, 6)
    assert [p.field for p in refused.value.problems] == ["intensity"]
    assert len(world.hh.tariffs) == 4


def test_a_second_version_with_the_same_start_is_refused(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as refused:
        add_tariff(session, world.bg, M, date(2021, 1, 1), Decimal("3900.00"), 26, 6)
    assert [p.field for p in refused.value.problems] == ["valid_from"]
    assert "01-01-2021" in str(refused.value)
    current = tariff_on(session, world.bg.id, M, date(2021, 1, 1))
    assert current is not None and current.price == Decimal("3800.00")
