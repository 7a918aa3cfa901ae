"""Sessions end after 15 minutes idle and after 8 hours in all; a password change ends every
other session of the account; a beheerder's block ends them all at once. Sessions live on the
server: a copy of the cookie is refused once its session was ended (logout, timeout, password
change, block), while the user's other devices stay signed in after a logout."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time

from .helpers import change_password, csrf_token, login, login_as, logout, post_form

EXPIRED = "Uw sessie is verlopen. Log opnieuw in."


def test_a_session_ends_after_fifteen_idle_minutes(client, world):
    with freeze_time("2026-11-02 09:00:00") as frozen:
        login(client, world.gids.email)
        frozen.tick(14 * 60)
        assert client.get("/gids/").status_code == 200  # activity restarts the idle clock
        frozen.tick(14 * 60)
        assert client.get("/gids/").status_code == 200
        frozen.tick(15 * 60 + 1)
        response = client.get("/gids/")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/inloggen?next=/gids/")
        assert EXPIRED in client.get("/inloggen").get_data(as_text=True)
        assert client.get("/gids/").status_code == 302  # gone, not just refused once


def test_a_session_ends_after_eight_hours_however_busy(client, world):
    with freeze_time("2026-11-02 08:00:00") as frozen:
        login(client, world.gids.email)
        for _ in range(47):  # every ten minutes for 7 h 50 min
            frozen.tick(10 * 60)
            assert client.get("/gids/").status_code == 200
        frozen.tick(10 * 60 + 1)  # 8 h and a second
        assert client.get("/gids/").status_code == 302


def test_the_idle_clock_is_written_back_at_most_once_a_minute(client, world):
    with freeze_time("2026-11-02 09:00:00") as frozen:
        login_as(client, world.gids)
        client.get("/gids/")
        frozen.tick(10)
        assert "Set-Cookie" not in client.get("/gids/").headers
        frozen.tick(60)
        assert "Set-Cookie" in client.get("/gids/").headers


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, client, world):
    other = app.test_client()
    login(other, world.gids.email)
    login(client, world.gids.email)
    response = change_password(client)
    assert response.status_code == 302
    assert client.get("/gids/").status_code == 200
    assert "op alle andere apparaten uitgelogd" in client.get("/account").get_data(as_text=True)
    assert other.get("/gids/").status_code == 302
    # the old password no longer works, the new one does
    third = app.test_client()
    page = third.get("/inloggen")
    name, token = csrf_token(page)
    old = third.post(
        "/inloggen",
        data={name: token, "email": world.gids.email, "password": "geheim-wachtwoord"},
    )
    assert old.status_code == 422
    assert login(third, world.gids.email, "een-nieuw-wachtwoord").headers["Location"] == "/gids/"


def test_a_password_change_checks_the_current_password_and_the_new_one(client, world):
    login_as(client, world.gids)
    for current, new, repeat, message in [
        ("fout", "een-nieuw-wachtwoord", "een-nieuw-wachtwoord", "Het huidige wachtwoord klopt"),
        ("geheim-wachtwoord", "kort", "kort", "ten minste 10 tekens"),
        ("geheim-wachtwoord", "een-nieuw-wachtwoord", "iets-anders-dus", "niet gelijk"),
        ("geheim-wachtwoord", "geheim-wachtwoord", "geheim-wachtwoord", "anders zijn"),
    ]:
        response = post_form(
            client,
            "/account",
            "/account/wachtwoord",
            {
                "password-current_password": current,
                "password-new_password": new,
                "password-repeat": repeat,
            },
            prefix="password",
        )
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True)


def test_a_beheerder_blocks_an_account_and_its_sessions_end(app, client, world, session):
    login(client, world.gids.email)
    admin = app.test_client()
    login_as(admin, world.beheerder)
    url = f"/beheer/accounts/{world.gids.id}/blokkeren"
    assert post_form(admin, "/beheer/accounts", url, {}).status_code == 302
    assert "geblokkeerd" in admin.get("/beheer/accounts").get_data(as_text=True)
    assert client.get("/gids/").status_code == 302
    page = client.get("/inloggen")
    name, token = csrf_token(page)
    refused = client.post(
        "/inloggen",
        data={name: token, "email": world.gids.email, "password": "geheim-wachtwoord"},
    )
    assert refused.status_code == 422
    assert "Onbekende combinatie" in refused.get_data(as_text=True)
    url = f"/beheer/accounts/{world.gids.id}/deblokkeren"
    assert post_form(admin, "/beheer/accounts", url, {}).status_code == 302
    assert login(client, world.gids.email).headers["Location"] == "/gids/"


def test_a_beheerder_cannot_block_the_own_account(app, world):
    admin = app.test_client()
    login_as(admin, world.beheerder)
    url = f"/beheer/accounts/{world.beheerder.id}/blokkeren"
    response = post_form(admin, "/beheer/accounts", url, {})
    assert "U kunt uw eigen account niet blokkeren." in admin.get("/beheer/accounts").get_data(
        as_text=True
    )
    assert response.status_code == 302
    assert admin.get("/beheer/").status_code == 200


def test_resetting_the_second_factor_makes_the_user_enrol_again(app, client, world):
    admin = app.test_client()
    login_as(admin, world.beheerder)
    login(client, world.gids.email)
    url = f"/beheer/accounts/{world.gids.id}/tweede-factor-wissen"
    assert post_form(admin, "/beheer/accounts", url, {}).status_code == 302
    assert client.get("/gids/").status_code == 302  # its sessions ended
    page = client.get("/inloggen")
    name, token = csrf_token(page)
    response = client.post(
        "/inloggen",
        data={name: token, "email": world.gids.email, "password": "geheim-wachtwoord"},
    )
    assert response.headers["Location"] == "/inloggen/instellen"


# --- the session lives on the server: a copied cookie ------------------------------------------


def _copy(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie (stolen, or left behind)."""
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(name, cookie.value)
    return thief


def _refused(client: FlaskClient, url: str = "/gids/") -> bool:
    response = client.get(url)
    return response.status_code == 302 and response.headers["Location"].startswith("/inloggen")


def test_a_copied_cookie_is_refused_after_logout(app, client, world):
    login(client, world.gids.email)
    thief = _copy(app, client)
    assert thief.get("/gids/").status_code == 200  # the copy works while the session lives
    logout(client)
    assert _refused(thief)
    assert _refused(thief, "/account")
    assert _refused(client)


def test_logging_out_ends_only_this_session_not_the_other_devices(app, client, world):
    phone = app.test_client()
    login(phone, world.gids.email)
    login(client, world.gids.email)
    logout(client)
    assert phone.get("/gids/").status_code == 200


def test_a_copy_made_after_a_password_change_is_refused_after_logout(app, client, world):
    login(client, world.gids.email)
    response = change_password(client)
    assert response.status_code == 302
    thief = _copy(app, client)
    assert thief.get("/gids/").status_code == 200
    logout(client)
    assert _refused(thief)


def test_a_copy_stays_refused_after_a_block_is_lifted(app, client, world):
    login(client, world.gids.email)
    thief = _copy(app, client)
    admin = app.test_client()
    login_as(admin, world.beheerder)
    block = f"/beheer/accounts/{world.gids.id}/blokkeren"
    assert post_form(admin, "/beheer/accounts", block, {}).status_code == 302
    assert _refused(thief)
    unblock = f"/beheer/accounts/{world.gids.id}/deblokkeren"
    assert post_form(admin, "/beheer/accounts", unblock, {}).status_code == 302
    assert _refused(thief)
    assert _refused(client)
    # a new login after the block makes a new session; its copy too ends with its logout
    login(client, world.gids.email)
    thief = _copy(app, client)
    logout(client)
    assert _refused(thief)


def test_a_session_that_timed_out_in_the_browser_ends_for_its_copy_too(app, client, world):
    """The thief keeps the copy busy while the user's browser sits idle: when the browser comes
    back after the idle timeout, the session ends on the server, so the busy copy ends too."""
    with freeze_time("2026-11-02 09:00:00") as frozen:
        login(client, world.gids.email)
        thief = _copy(app, client)
        for _ in range(4):
            frozen.tick(5 * 60)
            assert thief.get("/gids/").status_code == 200
        assert _refused(client)  # 20 idle minutes in the user's browser
        assert _refused(thief)
