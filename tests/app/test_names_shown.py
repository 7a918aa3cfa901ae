"""A name typed with a bidirectional override is stored and shown without it: "Jan\\u202eevil"
would otherwise show as "Janlive" on every list, page and PDF (``workflows.text``)."""

from __future__ import annotations

from sqlalchemy import select

from models import Provider, Resident

from .helpers import login_as, post_form

OVERRIDES = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"


def _without_overrides(body: str) -> bool:
    return not any(ch in body for ch in OVERRIDES)


def test_a_residents_name_is_stored_and_shown_without_the_override(client, world, session):
    login_as(client, world.gids)
    data = {
        "bsn": "345678904",
        "given_name": "Jan\u202eevil",
        "family_name": "\u2067Visser\u2069",
        "birth_date": "1970-03-04",
    }
    response = post_form(client, "/gids/inwoners/nieuw", "/gids/inwoners/nieuw", data)
    assert response.status_code == 302
    person = session.scalar(select(Resident).where(Resident.bsn == "345678904"))
    assert (person.given_name, person.family_name) == ("Janevil", "Visser")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Janevil Visser" in page and _without_overrides(page)
    found = post_form(client, "/gids/inwoners", "/gids/inwoners", {"q": "visser"})
    assert "Janevil" in found.get_data(as_text=True)
    assert _without_overrides(found.get_data(as_text=True))


def test_a_provider_name_given_at_the_review_is_stored_without_the_override(client, world, session):
    world.zorg_d.imported = True
    session.flush()
    login_as(client, world.beheerder)
    post_form(
        client, "/beheer/geimporteerd", f"/beheer/geimporteerd/aanbieder/{world.zorg_d.id}",
        {"name": "Zorg \u202eDnegrov", "active": "y"},
    )  # fmt: skip
    assert session.scalar(select(Provider.name).where(Provider.id == world.zorg_d.id)) == (
        "Zorg Dnegrov"
    )


def test_a_users_name_from_the_command_line_is_stored_without_the_override(app, world, session):
    from models import User

    with app.app_context():  # as the ``flask`` command pushes it
        result = app.test_cli_runner().invoke(
            args=[
                "users", "create", "--email", "piet@test.nl", "--name", "Piet\u202eevil",
                "--role", "gids", "--password", "een-lang-wachtwoord",
            ]
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert session.scalar(select(User.name).where(User.email == "piet@test.nl")) == "Pietevil"
