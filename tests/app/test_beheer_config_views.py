"""The beheerder's configuration pages: accounts with first-login invitations, wijken,
population figures with Dutch thousands, and the *Wijzigingen* page — the happy paths, and what
another role, a double click, a stolen, old or altered link and odd input do."""

from __future__ import annotations

import html
import re
import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import ConfigChange, Invitation, PopulationFigure, Role, User, Wijk
from workflows.users import find_by_email, verify_password

from ..factories import World
from .helpers import csrf_token, field_error, input_value, login, login_as, post_form
from .test_mail import SMTP_CONFIG, FakeSMTP, smtp  # noqa: F401 - the fixture

GOOD = "een-goed-wachtwoord"
LINK_RE = re.compile(r"(?:https?://[^/\s]+)?(/uitnodiging/[A-Za-z0-9_-]+)")

# Every page and post of this module, as (method, url); {id} is an account, {wijk} a wijk.
ENDPOINTS = [
    ("GET", "/beheer/accounts/nieuw"),
    ("POST", "/beheer/accounts/nieuw"),
    ("GET", "/beheer/accounts/{id}"),
    ("POST", "/beheer/accounts/{id}"),
    ("POST", "/beheer/accounts/{id}/uitnodigen"),
    ("GET", "/beheer/wijken"),
    ("POST", "/beheer/wijken"),
    ("GET", "/beheer/wijken/{wijk}"),
    ("POST", "/beheer/wijken/{wijk}"),
    ("POST", "/beheer/wijken/{wijk}/verwijderen"),
    ("GET", "/beheer/wijzigingen"),
    ("GET", "/beheer/bevolking"),
    ("POST", "/beheer/bevolking"),
]


def _new_account(client: FlaskClient, **data: str):
    values = {
        "name": "Nieuwe Gids",
        "email": "nieuw@dronten.nl",
        "role": "gids",
        "provider_agb": "",
    }
    return post_form(client, "/beheer/accounts/nieuw", "/beheer/accounts/nieuw", {**values, **data})


def _shown_link(client: FlaskClient) -> str:
    """The invitation link the beheerder sees when no mail server is configured."""
    page = html.unescape(client.get("/beheer/accounts").get_data(as_text=True))
    match = LINK_RE.search(page)
    assert match, "no invitation link on the page"
    return match.group(1)


def _invite(client: FlaskClient, user: User) -> str:
    response = post_form(client, "/beheer/accounts", f"/beheer/accounts/{user.id}/uitnodigen", {})
    assert response.status_code == 302
    return _shown_link(client)


def _set_password(app, link: str, password: str = GOOD, repeat: str | None = None):
    invitee = app.test_client()
    page = invitee.get(link)
    if page.status_code != 200:
        return invitee, page
    name, token = csrf_token(page)
    data = {name: token, "new_password": password, "repeat": password if repeat is None else repeat}
    return invitee, invitee.post(link, data=data)


@pytest.mark.parametrize("role", ["gids", "aanbieder_a", "manager"])
def test_no_other_role_reaches_any_configuration_page_or_post(
    client: FlaskClient, world: World, role: str
) -> None:
    login_as(client, getattr(world, role))
    name, token = csrf_token(client.get("/", follow_redirects=True))
    for method, url in ENDPOINTS:
        url = url.format(id=world.gids2.id, wijk=world.dronten.id)
        response = client.get(url) if method == "GET" else client.post(url, data={name: token})
        assert response.status_code == 403, (method, url, response.status_code)


def test_a_new_gids_chooses_a_password_then_sets_up_the_second_factor(
    app, client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    assert _new_account(client).status_code == 302
    user = find_by_email(session, "nieuw@dronten.nl")
    assert user is not None and user.role == Role.GIDS
    link = _shown_link(client)  # testing: no mail server, so the beheerder passes it on
    invitee, done = _set_password(app, link)
    assert done.status_code == 302 and done.headers["Location"] == "/inloggen/instellen"
    assert invitee.get("/inloggen/instellen").status_code == 200  # the QR code to scan
    session.refresh(user)
    assert verify_password(user, GOOD)
    _again, replay = _set_password(app, link, "nog-een-wachtwoord")
    assert replay.status_code == 404 and "werkt niet" in replay.get_data(as_text=True)
    session.refresh(user)
    assert verify_password(user, GOOD)


def test_a_new_manager_signs_in_with_the_chosen_password(
    app, client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    _new_account(client, name="Nieuwe Manager", email="m@dronten.nl", role="manager")
    _invitee, done = _set_password(app, _shown_link(client))
    assert done.status_code == 302 and done.headers["Location"] == "/inloggen"
    fresh = app.test_client()
    assert login(fresh, "m@dronten.nl", GOOD).status_code == 302
    assert fresh.get("/manager/").status_code == 200


def test_a_weak_or_unequal_password_is_refused_and_the_link_keeps_working(
    app, client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    _new_account(client)
    link = _shown_link(client)
    _i, short = _set_password(app, link, "kort")
    assert short.status_code == 422
    assert "ten minste 10 tekens" in field_error(short.get_data(as_text=True), "new_password")
    _i, own = _set_password(app, link, "nieuw@dronten.nl")
    assert "niet uw e-mailadres" in field_error(own.get_data(as_text=True), "new_password")
    _i, unequal = _set_password(app, link, GOOD, "iets-anders-dan-dat")
    assert "niet gelijk" in field_error(unequal.get_data(as_text=True), "repeat")
    _i, done = _set_password(app, link)
    assert done.status_code == 302


def test_sending_again_invalidates_the_older_link(
    app, client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    _new_account(client)
    user = find_by_email(session, "nieuw@dronten.nl")
    first = _shown_link(client)
    second = _invite(client, user)
    assert first != second
    _i, old = _set_password(app, first)
    assert old.status_code == 404
    _i, new = _set_password(app, second)
    assert new.status_code == 302
    logged = session.scalars(
        select(ConfigChange.action).where(ConfigChange.object_id == user.id)
    ).all()
    assert logged.count("uitgenodigd") == 2 and "wachtwoord_ingesteld" in logged


def test_an_expired_or_altered_link_and_one_of_another_account(
    app, client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    link = _invite(client, world.gids2)
    for altered in (link[:-1], link + "x", link.upper(), "/uitnodiging/" + "A" * 43, link + "/"):
        _i, response = _set_password(app, altered)
        assert response.status_code == 404, altered
    other = _invite(client, world.manager)
    _i, done = _set_password(app, other)  # the manager's link sets the manager's password only
    assert done.status_code == 302
    session.refresh(world.gids2)
    session.refresh(world.manager)
    assert verify_password(world.manager, GOOD) and not verify_password(world.gids2, GOOD)
    session.execute(
        update(Invitation)
        .where(Invitation.user_id == world.gids2.id)
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    session.flush()
    _i, expired = _set_password(app, link)
    assert expired.status_code == 404 and "verlopen" in expired.get_data(as_text=True)


def test_a_signed_in_user_is_asked_to_sign_out_first(
    app, client: FlaskClient, world: World
) -> None:
    login_as(client, world.beheerder)
    link = _invite(client, world.gids2)
    assert client.get(link).status_code == 409


def test_hostile_input_on_the_invitation_form_never_fails(
    app, client: FlaskClient, world: World
) -> None:
    login_as(client, world.beheerder)
    for value in ["", "\x00", "a" * 10_000, "'; drop table users; --", "\u202e" * 20, "€" * 300]:
        link = _invite(client, world.gids2)  # a value that is a good password uses its link
        invitee = app.test_client()
        name, token = csrf_token(invitee.get(link))
        response = invitee.post(link, data={name: token, "new_password": value, "repeat": value})
        assert response.status_code in (200, 302, 400, 422), (value[:10], response.status_code)
    link = _invite(client, world.gids2)
    assert app.test_client().post(link, data={}).status_code == 400  # no CSRF token


def test_a_double_submit_makes_one_account_and_names_the_address(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    page = client.get("/beheer/accounts/nieuw")
    name, token = csrf_token(page)
    data = {name: token, "name": "Twee Keer", "email": "twee@dronten.nl", "role": "manager"}
    assert client.post("/beheer/accounts/nieuw", data=data).status_code == 302
    again = client.post("/beheer/accounts/nieuw", data={**data, "email": "TWEE@dronten.nl"})
    assert again.status_code == 422
    body = again.get_data(as_text=True)
    assert "Er bestaat al een account met dit e-mailadres." in field_error(body, "email")
    assert input_value(body, "name") == "Twee Keer"
    count = select(func.count()).select_from(User).where(User.email == "twee@dronten.nl")
    assert session.scalar(count) == 1


def test_a_zorgaanbieder_needs_a_provider_and_a_gids_may_have_none(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    without = _new_account(client, role="aanbieder", name="Zonder Aanbieder")
    assert without.status_code == 422
    body = without.get_data(as_text=True)
    assert "hoort bij een aanbieder" in field_error(body, "provider_agb")
    assert input_value(body, "name") == "Zonder Aanbieder"
    gids = _new_account(client, provider_agb=world.zorg_a.agb_code)
    assert "Alleen een aanbieder-account" in field_error(
        gids.get_data(as_text=True), "provider_agb"
    )
    assert find_by_email(session, "nieuw@dronten.nl") is None
    made = _new_account(client, role="aanbieder", provider_agb=world.zorg_a.agb_code)
    assert made.status_code == 302
    assert find_by_email(session, "nieuw@dronten.nl").provider_id == world.zorg_a.id


@pytest.mark.parametrize(
    "data",
    [
        {"role": "root"},
        {"provider_agb": "<script>"},
        {"email": "geen-adres"},
        {"email": "a@b.nl" * 60},
        {"name": ""},
        {"name": "x" * 500},
    ],
)
def test_odd_account_input_is_refused_with_a_message(
    client: FlaskClient, session: Session, world: World, data: dict[str, str]
) -> None:
    login_as(client, world.beheerder)
    response = _new_account(client, **data)
    assert response.status_code in (200, 422)
    assert 'class="error"' in response.get_data(as_text=True)
    assert find_by_email(session, "nieuw@dronten.nl") is None


def test_the_beheerder_changes_a_role_but_not_their_own(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    url = f"/beheer/accounts/{world.gids2.id}"
    data = {"name": world.gids2.name, "role": "manager", "provider_agb": ""}
    assert post_form(client, url, url, data).status_code == 302
    session.refresh(world.gids2)
    assert world.gids2.role == Role.MANAGER
    own = f"/beheer/accounts/{world.beheerder.id}"
    refused = post_form(client, own, own, {"name": "B", "role": "gids", "provider_agb": ""})
    assert refused.status_code == 422
    assert "eigen rol" in field_error(refused.get_data(as_text=True), "role")
    assert client.get("/beheer/accounts/999999").status_code == 404


def test_the_mail_goes_out_and_the_link_is_not_shown(
    app,
    client: FlaskClient,
    session: Session,
    world: World,
    smtp: type[FakeSMTP],  # noqa: F811 - the fixture of test_mail
    monkeypatch,
) -> None:
    for key, value in SMTP_CONFIG.items():
        monkeypatch.setitem(app.config, key, value)
    login_as(client, world.beheerder)
    assert _new_account(client).status_code == 302
    page = client.get("/beheer/accounts").get_data(as_text=True)
    assert "gemaild naar nieuw@dronten.nl" in page and "/uitnodiging/" not in page
    (message,) = smtp.instances[0].sent
    body = message.get_content()
    assert message["To"] == "nieuw@dronten.nl"
    assert "https://trajectwijzer.gemeente.test/uitnodiging/" in body
    assert "wachtwoord" in body.lower() and GOOD not in body
    link = LINK_RE.search(body)
    assert link is not None
    _i, done = _set_password(app, link.group(1))
    assert done.status_code == 302


def test_a_mail_server_that_fails_leaves_no_account(
    app,
    client: FlaskClient,
    session: Session,
    world: World,
    smtp: type[FakeSMTP],  # noqa: F811 - the fixture of test_mail
    monkeypatch,
) -> None:
    for key, value in SMTP_CONFIG.items():
        monkeypatch.setitem(app.config, key, value)
    smtp.fail_on_send = True
    login_as(client, world.beheerder)
    response = _new_account(client)
    assert response.status_code == 422 and "mailserver" in response.get_data(as_text=True)
    assert input_value(response.get_data(as_text=True), "email") == "nieuw@dronten.nl"
    assert find_by_email(session, "nieuw@dronten.nl") is None
    assert issubclass(smtplib.SMTPServerDisconnected, OSError)


def test_in_production_without_a_mail_server_no_link_is_made_in_the_browser(
    app, client: FlaskClient, session: Session, world: World, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    login_as(client, world.beheerder)
    assert _new_account(client).status_code == 302
    page = client.get("/beheer/accounts").get_data(as_text=True)
    assert "geen uitnodiging verstuurd" in page and "/uitnodiging/" not in page
    assert "uitnodigen" not in page
    user = find_by_email(session, "nieuw@dronten.nl")
    post_form(client, "/beheer/accounts", f"/beheer/accounts/{user.id}/uitnodigen", {})
    assert session.scalar(select(func.count()).select_from(Invitation)) == 0


# --- population figures -------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["39.800", "39800", " 39 800 ", "39.800 "])
def test_population_accepts_dutch_thousands(
    client: FlaskClient, session: Session, world: World, typed: str
) -> None:
    login_as(client, world.beheerder)
    data = {"year": "2024", "inhabitants": typed, "households": "17.300"}
    assert post_form(client, "/beheer/bevolking", "/beheer/bevolking", data).status_code == 302
    row = session.get(PopulationFigure, 2024)
    assert row is not None and (row.inhabitants, row.households) == (39_800, 17_300)
    logged = session.scalars(
        select(ConfigChange).where(ConfigChange.object_type == "bevolking")
    ).all()
    assert {(c.field, c.new) for c in logged} == {("inhabitants", "39800"), ("households", "17300")}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("39,8", "zonder komma"),
        ("39,800", "zonder komma"),
        ("-5", "niet negatief"),
        ("\u22125", "niet negatief"),
        ("39.8", "heel getal"),
        ("3.98.00", "heel getal"),
        ("abc", "heel getal"),
        ("٣٩٨٠٠", "heel getal"),
        ("", "Vul een aantal in"),
        ("1" * 30, ""),
        ("0", "meer dan 0"),
    ],
)
def test_population_names_a_bad_number(
    client: FlaskClient, session: Session, world: World, typed: str, message: str
) -> None:
    login_as(client, world.beheerder)
    data = {"year": "2024", "inhabitants": typed, "households": "100"}
    response = post_form(client, "/beheer/bevolking", "/beheer/bevolking", data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in field_error(body, "inhabitants")
    assert input_value(body, "inhabitants") == typed[:30] or len(typed) > 20
    assert session.get(PopulationFigure, 2024) is None


# --- wijken --------------------------------------------------------------------------------------


def test_the_beheerder_adds_renames_and_deletes_wijken(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    added = post_form(client, "/beheer/wijken", "/beheer/wijken", {"name": "Swifterbant"})
    assert added.status_code == 302
    wijk = session.scalar(select(Wijk).where(Wijk.name == "Swifterbant"))
    assert wijk is not None
    twice = post_form(client, "/beheer/wijken", "/beheer/wijken", {"name": "Swifterbant"})
    assert twice.status_code == 422
    assert "Er is al een wijk" in field_error(twice.get_data(as_text=True), "name")
    url = f"/beheer/wijken/{wijk.id}"
    assert post_form(client, url, url, {"name": "Swifterbant-Dorp"}).status_code == 302
    session.refresh(wijk)
    assert wijk.name == "Swifterbant-Dorp"
    in_use = post_form(
        client, "/beheer/wijken", f"/beheer/wijken/{world.dronten.id}/verwijderen", {}
    )
    assert in_use.status_code == 302
    page = client.get("/beheer/wijken").get_data(as_text=True)
    assert "Dronten is in gebruik" in html.unescape(page)
    assert session.get(Wijk, world.dronten.id) is not None
    wijk_id = wijk.id
    post_form(client, "/beheer/wijken", f"/beheer/wijken/{wijk_id}/verwijderen", {})
    session.expire_all()
    assert session.scalar(select(func.count()).where(Wijk.id == wijk_id)) == 0
    assert client.get("/beheer/wijken/999999").status_code == 404


# --- the change log ------------------------------------------------------------------------------


def test_the_change_log_shows_who_when_what_old_and_new_in_dutch(
    client: FlaskClient, session: Session, world: World
) -> None:
    login_as(client, world.beheerder)
    post_form(client, "/beheer/wijken", "/beheer/wijken", {"name": "Ketelhaven"})
    data = {"year": "2025", "inhabitants": "42.000", "households": "18.000"}
    post_form(client, "/beheer/bevolking", "/beheer/bevolking", data)
    session.add(
        ConfigChange(
            user_id=world.beheerder.id,
            batch="x",
            object_type="tarief",
            object_id=1,
            object_label="T",
            action="gewijzigd",
            field="iets_nieuws",
            old="1",
            new="2",
        )
    )
    session.flush()
    page = html.unescape(client.get("/beheer/wijzigingen").get_data(as_text=True))
    assert world.beheerder.name in page
    for text in ("Wijk of kern: Ketelhaven", "Inwoners", "42000", "Bevolkingscijfers: 2025"):
        assert text in page, text
    assert "iets_nieuws" in page  # a field without a label shows its own name
    assert page.index("iets_nieuws") < page.index("Ketelhaven")  # newest first
    only = html.unescape(client.get("/beheer/wijzigingen?soort=wijk").get_data(as_text=True))
    assert "Ketelhaven" in only and "Inwoners" not in only
    for query in ("?soort=<script>", "?page=abc", "?page=99999999999", "?soort=wijk&page=-1"):
        assert client.get("/beheer/wijzigingen" + query).status_code == 200, query
    assert "Wijzigingen" in client.get("/beheer/").get_data(as_text=True)


# --- the command line ----------------------------------------------------------------------------


def test_the_operator_creates_and_invites_at_the_command_line(
    app, session: Session, world: World
) -> None:
    with app.app_context():  # the ``flask`` command pushes one for every command
        _command_line(app, session)


def _command_line(app, session: Session) -> None:
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=["users", "create", "--email", "cli@dronten.nl", "--name", "Cli Manager"]
        + ["--role", "manager", "--password", GOOD]
    )
    assert created.exit_code == 0, created.output
    user = find_by_email(session, "cli@dronten.nl")
    assert user is not None and verify_password(user, GOOD)
    logged = session.scalars(select(ConfigChange).where(ConfigChange.object_id == user.id)).all()
    assert logged and {c.user_id for c in logged} == {None}
    invited = runner.invoke(args=["users", "invite", "cli@dronten.nl"])
    assert invited.exit_code == 0, invited.output
    link = LINK_RE.search(invited.output)
    assert link is not None
    _i, done = _set_password(app, link.group(1), "een-ander-wachtwoord")
    assert done.status_code == 302
    session.refresh(user)
    assert verify_password(user, "een-ander-wachtwoord")
    unknown = runner.invoke(args=["users", "invite", "niemand@dronten.nl"])
    assert unknown.exit_code != 0 and "No account" in unknown.output
    weak = runner.invoke(
        args=["users", "create", "--email", "k@dronten.nl", "--name", "K"]
        + ["--role", "gids", "--password", "kort"]
    )
    assert weak.exit_code != 0 and "10 tekens" in weak.output
