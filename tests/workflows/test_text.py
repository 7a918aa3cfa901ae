"""Typed text is cleaned in one place (``workflows.text``): the characters that make text show
in another order than it was stored, or hide part of it, go; everything a person types stays."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from models import Role
from workflows import trajectories as wf
from workflows.areas import add_wijk
from workflows.residents import ResidentInput, add_resident
from workflows.stats.admin import review_imported
from workflows.text import clean_text, has_control_characters
from workflows.users import create_user

from ..factories import TODAY, World, trajectory_input

# Bidirectional embeddings, overrides and isolates, direction marks, zero-width characters,
# the byte-order mark, the soft hyphen and a tag character.
INVISIBLE = [
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
    "\u200e",
    "\u200f",
    "\u061c",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\U000e0041",
]


@pytest.mark.parametrize("ch", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_invisible_format_characters_are_removed(ch: str) -> None:
    assert clean_text(f"Jan{ch}evil") == "Janevil"


def test_what_a_person_types_stays() -> None:
    typed = "  Zoë van 't Hof-Çelik, 2e regel:\r\n\tß Ø ł 日本 🎉  "
    assert clean_text(typed) == typed.strip()


def test_control_characters_go_and_only_invisible_text_is_nothing() -> None:
    assert clean_text("Anna\x00 de\x1b[31m Vries\x85") == "Anna de[31m Vries"
    assert clean_text("\u202e\u200b ") is None
    assert clean_text(None) is None


def test_the_web_refuses_the_same_control_characters_the_workflows_remove() -> None:
    assert has_control_characters("a\x00") and has_control_characters("a\x7f")
    assert has_control_characters("a\x85") and has_control_characters("\ud800")
    assert not has_control_characters("regel 1\r\nregel 2\tZoë \u202e")


def test_a_residents_name_is_stored_without_the_override(session: Session, world: World) -> None:
    data = ResidentInput(
        bsn="999990019",
        given_name="Jan\u202eevil",
        family_name="\u2067de Vries\u2069",
        birth_date=date(1960, 3, 4),
    )
    resident = add_resident(session, data, world.gids, TODAY)
    assert (resident.given_name, resident.family_name) == ("Janevil", "de Vries")


def test_a_name_of_nothing_but_invisible_characters_is_refused(
    session: Session, world: World
) -> None:
    from workflows.errors import DomainError

    data = ResidentInput(
        bsn="999990019", given_name="\u202e", family_name="Visser", birth_date=date(1960, 3, 4)
    )
    with pytest.raises(DomainError) as error:
        add_resident(session, data, world.gids, TODAY)
    assert [p.field for p in error.value.problems] == ["given_name"]


def test_users_providers_and_wijken_lose_the_override_too(session: Session, world: World) -> None:
    user = create_user(
        session,
        email="nieuw@test.nl",
        name="Piet\u202eevil",
        role=Role.GIDS,
        password="een-lang-wachtwoord",
    )
    assert user.name == "Pietevil"
    world.zorg_d.imported = True
    review_imported(
        session, world.beheerder, kind="aanbieder", item_id=world.zorg_d.id,
        name="Zorg\u202eD", active=False,
    )  # fmt: skip
    assert world.zorg_d.name == "ZorgD"
    assert add_wijk(session, "Swifter\u200bbant").name == "Swifterbant"


def test_agreed_results_and_reasons_lose_the_override(session: Session, world: World) -> None:
    result = wf.ResultInput("Anna doet \u202ezelf haar administratie", "Elke\u200b week")
    t = wf.create_trajectory(
        session, trajectory_input(world, results=[result]), world.gids, today=TODAY
    )
    assert (t.results[0].description, t.results[0].measure) == (
        "Anna doet zelf haar administratie",
        "Elke week",
    )
