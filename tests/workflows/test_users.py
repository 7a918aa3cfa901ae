"""Accounts: creating them and checking passwords (Argon2id)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from models import Role
from workflows.errors import DomainError
from workflows.users import authenticate, create_user, find_by_email, verify_password

from ..factories import PASSWORD, World


def test_a_new_gids_account_stores_a_hash_and_a_lower_case_address(
    session: Session, world: World
) -> None:
    user = create_user(
        session,
        email="  Nieuwe.Gids@Dronten.NL ",
        name=" Nieuwe Gids ",
        role=Role.GIDS,
        password="een-lang-wachtwoord",
    )
    assert user.email == "nieuwe.gids@dronten.nl"
    assert user.name == "Nieuwe Gids"
    assert user.provider is None
    assert user.active is True
    assert "een-lang-wachtwoord" not in user.password_hash
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user, "een-lang-wachtwoord")
    assert not verify_password(user, "een-ander-wachtwoord")


def test_an_aanbieder_account_belongs_to_the_provider_with_that_agb_code(
    session: Session, world: World
) -> None:
    user = create_user(
        session,
        email="planner@zorgb.nl",
        name="Planner",
        role=Role.AANBIEDER,
        password="0123456789",
        provider_agb="87654321",
    )
    assert user.provider is world.zorg_b


@pytest.mark.parametrize(
    "email", ["", "geen-apenstaartje", "a@b", "twee woorden@test.nl", "@test.nl"]
)
def test_a_malformed_email_address_is_refused(session: Session, world: World, email: str) -> None:
    with pytest.raises(DomainError) as refused:
        create_user(session, email=email, name="X", role=Role.GIDS, password=PASSWORD)
    assert [p.field for p in refused.value.problems] == ["email"]
    assert str(refused.value) == "Ongeldig e-mailadres."


def test_an_email_address_in_use_is_refused_whatever_its_case(
    session: Session, world: World
) -> None:
    with pytest.raises(DomainError, match="Er bestaat al een account") as refused:
        create_user(session, email="GIDS@Test.nl", name="X", role=Role.GIDS, password=PASSWORD)
    assert [p.field for p in refused.value.problems] == ["email"]


def test_a_password_shorter_than_ten_characters_is_refused(session: Session, world: World) -> None:
    with pytest.raises(DomainError) as refused:
        create_user(session, email="kort@test.nl", name="X", role=Role.GIDS, password="123456789")
    assert [p.field for p in refused.value.problems] == ["password"]
    assert str(refused.value) == "Het wachtwoord moet ten minste 10 tekens hebben."
    assert find_by_email(session, "kort@test.nl") is None


@pytest.mark.parametrize("agb", [None, "", "99999999"])
def test_an_aanbieder_account_needs_a_known_agb_code(
    session: Session, world: World, agb: str | None
) -> None:
    with pytest.raises(DomainError):
        create_user(
            session,
            email="x@zorg.nl",
            name="X",
            role=Role.AANBIEDER,
            password=PASSWORD,
            provider_agb=agb,
        )
    assert find_by_email(session, "x@zorg.nl") is None


def test_an_unknown_agb_code_is_named_in_the_message(session: Session, world: World) -> None:
    with pytest.raises(DomainError, match="Onbekende AGB-code: 99999999."):
        create_user(
            session,
            email="x@zorg.nl",
            name="X",
            role=Role.AANBIEDER,
            password=PASSWORD,
            provider_agb="99999999",
        )


@pytest.mark.parametrize("role", [Role.GIDS, Role.MANAGER, Role.BEHEERDER])
def test_only_an_aanbieder_account_belongs_to_a_provider(
    session: Session, world: World, role: Role
) -> None:
    with pytest.raises(DomainError, match="Alleen een aanbieder-account"):
        create_user(
            session,
            email="x@test.nl",
            name="X",
            role=role,
            password=PASSWORD,
            provider_agb="12345678",
        )


# --- authenticate -----------------------------------------------------------------------------


def test_the_right_password_signs_in(session: Session, world: World) -> None:
    assert authenticate(session, "gids@test.nl", PASSWORD) is world.gids


def test_the_email_address_is_matched_without_regard_to_case_or_spaces(
    session: Session, world: World
) -> None:
    assert authenticate(session, "  Aanbieder.A@TEST.nl ", PASSWORD) is world.aanbieder_a


def test_a_wrong_password_signs_nobody_in(session: Session, world: World) -> None:
    assert authenticate(session, "gids@test.nl", PASSWORD + "x") is None
    assert authenticate(session, "gids@test.nl", "") is None


def test_an_unknown_address_signs_nobody_in(session: Session, world: World) -> None:
    assert authenticate(session, "onbekend@test.nl", PASSWORD) is None


def test_an_inactive_user_cannot_sign_in(session: Session, world: World) -> None:
    world.gids2.active = False
    session.flush()
    assert authenticate(session, "gids2@test.nl", PASSWORD) is None


def test_a_damaged_hash_never_verifies(session: Session, world: World) -> None:
    world.manager.password_hash = "geen-argon2-hash"
    assert not verify_password(world.manager, PASSWORD)
    assert authenticate(session, "manager@test.nl", PASSWORD) is None
