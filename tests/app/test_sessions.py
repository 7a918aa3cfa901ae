"""Sessions end after 15 minutes idle and after 8 hours in all; a password change ends every
other session of the account; a beheerder's block ends them all at once."""

from __future__ import annotations

from freezegun import freeze_time

from .helpers import csrf_token, login, login_as, post_form

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
    response = post_form(
        client,
        "/account",
        "/account/wachtwoord",
        {
            "password-current_password": "geheim-wachtwoord",
            "password-new_password": "een-nieuw-wachtwoord",
            "password-repeat": "een-nieuw-wachtwoord",
        },
        prefix="password",
    )
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
