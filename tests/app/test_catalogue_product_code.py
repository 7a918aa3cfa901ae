"""The product code on the beheerder's profile pages: saved and logged, a wrong one named in
Dutch at the field with everything typed kept, and fixed once a 301 carried it."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Channel, ConfigChange, SupportProfile, TrajectoryState

from ..factories import World, make_trajectory
from .helpers import field_error, input_value, login_as, post_form
from .test_catalogue_views import profile_data


def test_a_new_profile_gets_its_product_code_on_the_form(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    page = "/beheer/profielen/nieuw"
    typed = {
        "code": "WMO-DB", "name": "Dagbesteding", "category_code": "07",
        "intensities": ["laag"], "product_code": "07A1",
    }  # fmt: skip
    assert post_form(client, page, page, typed).status_code == 302
    profile = session.scalar(select(SupportProfile).where(SupportProfile.code == "WMO-DB"))
    assert profile is not None and profile.product_code == "07A1"
    shown = client.get(f"/beheer/profielen/{profile.id}").get_data(as_text=True)
    assert input_value(shown, "product_code") == "07A1"


def test_a_wrong_product_code_is_named_at_the_field_and_the_form_keeps_what_was_typed(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    page = f"/beheer/profielen/{world.bg.id}"
    typed = profile_data(world.bg, name="Begeleiding nieuw", product_code="02-0001")
    response = post_form(client, page, page, typed)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "1 tot en met 5 tekens" in field_error(body, "product_code")
    assert input_value(body, "product_code") == "02-0001"
    assert input_value(body, "name") == "Begeleiding nieuw"
    session.refresh(world.bg)
    assert (world.bg.product_code, world.bg.name) == ("02001", "Begeleiding individueel")
    taken = post_form(client, page, page, profile_data(world.bg, product_code="02001"))
    assert taken.status_code == 302  # its own code
    world.hh.category_code = "02"
    session.commit()
    other = f"/beheer/profielen/{world.hh.id}"
    refused = post_form(client, other, other, profile_data(world.hh, product_code="02001"))
    assert "in deze productcategorie" in field_error(refused.get_data(as_text=True), "product_code")


def test_a_changed_product_code_is_logged_with_who_changed_it(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    page = f"/beheer/profielen/{world.bg.id}"
    assert post_form(client, page, page, profile_data(world.bg, product_code="02B7")).status_code
    logged = session.scalars(select(ConfigChange).where(ConfigChange.field == "product_code")).all()
    assert [(c.object_id, c.old, c.new, c.user_id) for c in logged] == [
        (world.bg.id, "02001", "02B7", world.beheerder.id)
    ]


def test_once_a_301_carried_the_code_the_page_says_it_is_fixed_and_refuses_a_change(
    client: FlaskClient, session: Session, world: World
) -> None:
    for contract in world.zorg_a.contracts:
        contract.channel = Channel.BERICHTENVERKEER
    make_trajectory(session, world, TrajectoryState.VOORGESTELD)
    session.commit()
    login_as(client, world.beheerder)
    page = f"/beheer/profielen/{world.bg.id}"
    assert "een toewijzing (301) met deze code is al verstuurd" in client.get(page).get_data(
        as_text=True
    )
    refused = post_form(client, page, page, profile_data(world.bg, product_code="02B7"))
    assert "ligt vast" in field_error(refused.get_data(as_text=True), "product_code")
    session.refresh(world.bg)
    assert world.bg.product_code == "02001"
