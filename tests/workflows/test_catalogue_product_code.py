"""A profile's product code (the iStandaarden LDT_ProductCode the 301 carries): checked, unique
within its category, logged, and fixed once a toewijzing carried it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from models import Channel, Intensity, TrajectoryState
from workflows import catalogue
from workflows.errors import DomainError

from ..factories import World, make_trajectory
from .test_catalogue_beheer import fields_of, log_rows

L, M, Z = Intensity.LAAG, Intensity.MIDDEL, Intensity.ZWAAR


def _update(session: Session, world: World, product_code: str | None) -> None:
    catalogue.update_profile(
        session, world.beheerder, world.bg, code="WMO-BG", name="Begeleiding individueel",
        category_code="02", intensities=[L, M, Z], active=True, need_type_default=None,
        product_code=product_code,
    )  # fmt: skip


def test_a_new_profile_keeps_its_product_code_and_logs_it(session: Session, world: World) -> None:
    profile = catalogue.create_profile(
        session, world.beheerder, code="WMO-DB", name="Dagbesteding", category_code="07",
        intensities=[L, M], product_code=" 07A01 ",
    )  # fmt: skip
    assert profile.product_code == "07A01"
    assert ("product_code", None, "07A01") in {
        (r.field, r.old, r.new) for r in log_rows(session, "profiel")
    }


@pytest.mark.parametrize("typed", ["123456", "02-01", "é1", "0 1", "<b>"])
def test_a_product_code_is_one_to_five_letters_or_digits(
    session: Session, world: World, typed: str
) -> None:
    with pytest.raises(DomainError) as refused:
        _update(session, world, typed)
    assert "1 tot en met 5 tekens" in fields_of(refused)["product_code"]
    assert world.bg.product_code == "02001"


def test_a_product_code_is_unique_within_its_category_only(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as refused:
        catalogue.create_profile(
            session, world.beheerder, code="WMO-BG2", name="Begeleiding groep",
            category_code="02", intensities=[L], product_code="02001",
        )  # fmt: skip
    assert "productcode in deze productcategorie" in fields_of(refused)["product_code"]
    other = catalogue.create_profile(
        session, world.beheerder, code="WMO-DB", name="Dagbesteding", category_code="07",
        intensities=[L], product_code="02001",
    )  # fmt: skip
    assert other.product_code == "02001"


def test_the_beheerder_changes_or_clears_the_code_and_each_change_is_logged(
    session: Session, world: World
) -> None:
    make_trajectory(session, world, TrajectoryState.VOORGESTELD)  # by portal: no 301
    _update(session, world, "02B01")
    assert world.bg.product_code == "02B01"
    _update(session, world, "")
    assert world.bg.product_code is None
    changed = {(r.field, r.old, r.new) for r in log_rows(session, "profiel")}
    assert ("product_code", "02001", "02B01") in changed
    assert ("product_code", "02B01", None) in changed


def test_an_update_without_a_product_code_keeps_it(session: Session, world: World) -> None:
    _update(session, world, None)
    assert world.bg.product_code == "02001"


def test_the_product_code_is_fixed_once_a_301_carried_it(session: Session, world: World) -> None:
    for contract in world.zorg_a.contracts:
        contract.channel = Channel.BERICHTENVERKEER
    make_trajectory(session, world, TrajectoryState.VOORGESTELD)
    assert catalogue.product_code_sent(session, world.bg)
    with pytest.raises(DomainError) as refused:
        _update(session, world, "02B01")
    assert "ligt vast" in fields_of(refused)["product_code"]
    assert world.bg.product_code == "02001"
    _update(session, world, "02001")  # the rest of the profile can still change
    assert not catalogue.product_code_sent(session, world.hh)
