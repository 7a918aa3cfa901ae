"""Logging in and out through the test client (CSRF on): Dutch messages, each role to its home,
protected pages for anonymous visitors, safe ``next`` targets, missing CSRF tokens."""

from __future__ import annotations

import pytest

from models import Role

from ..factories import make_user
from .helpers import csrf_token, enter_code, input_value, login, logout, page_token

HOMES = {
    "gids": "/gids/",
    "aanbieder_a": "/aanbieder/",
    "manager": "/manager/",
    "beheerder": "/beheer/",
}


def _location(response) -> str:
    return response.headers.get("Location", "")


def test_wrong_password_shows_dutch_message_keeps_email_and_starts_no_session(client, world):
    response = login(client, world.gids.email, "verkeerd-wachtwoord")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Onbekende combinatie van e-mailadres en wachtwoord." in body
    assert input_value(body, "email") == world.gids.email
    assert input_value(body, "password") == ""  # a password is never sent back
    follow = client.get("/gids/")
    assert follow.status_code == 302
    assert _location(follow).startswith("/inloggen")


def test_unknown_email_gives_the_same_message(client, world):
    response = login(client, "niemand@test.nl")
    assert response.status_code == 422
    assert "Onbekende combinatie van e-mailadres en wachtwoord." in response.get_data(as_text=True)


def test_empty_login_form_shows_dutch_messages_at_the_fields(client, world):
    page = client.get("/inloggen")
    name, token = csrf_token(page)
    response = client.post("/inloggen", data={name: token, "email": "", "password": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vul uw e-mailadres in." in body
    assert "Vul uw wachtwoord in." in body


def test_inactive_user_cannot_log_in(client, world, session):
    world.gids.active = False
    session.flush()
    response = login(client, world.gids.email)
    assert response.status_code == 422
    assert "Onbekende combinatie" in response.get_data(as_text=True)


@pytest.mark.parametrize("user", list(HOMES))
def test_login_sends_each_role_to_its_home(client, world, user):
    response = login(client, getattr(world, user).email)
    assert response.status_code == 302
    assert _location(response) == HOMES[user]
    assert client.get(HOMES[user]).status_code == 200
    # the start page and the login page send a logged-in user home as well
    assert _location(client.get("/")) == HOMES[user]
    assert _location(client.get("/inloggen")) == HOMES[user]


def test_login_email_is_case_insensitive(client, world):
    response = login(client, world.gids.email.upper())
    assert response.status_code == 302
    assert _location(response) == "/gids/"


@pytest.mark.parametrize(
    "url", ["/", "/gids/", "/gids/inwoners", "/aanbieder/", "/manager/", "/beheer/aanbieders"]
)
def test_anonymous_visitor_is_sent_to_the_login_page(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert _location(response).startswith("/inloggen")
    page = client.get(_location(response))
    assert page.status_code == 200
    assert "Inloggen" in page.get_data(as_text=True)


def test_next_parameter_brings_the_user_back(client, world):
    response = client.get("/gids/?state=alle")
    assert _location(response).startswith("/inloggen?next=")
    page = client.get(_location(response))
    name, token = csrf_token(page)
    response = client.post(
        _location(client.get("/gids/?state=alle")),
        data={name: token, "email": world.gids.email, "password": "geheim-wachtwoord"},
    )
    assert _location(response) == "/inloggen/code"  # the next page waits for the second factor
    response = enter_code(client, world.gids.email)
    assert response.status_code == 302
    assert _location(response) == "/gids/?state=alle"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/gids/",
        "https://evil.example/",
        "http:/evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_parameter_only_allows_local_paths(client, world, target):
    page = client.get("/inloggen")
    name, token = csrf_token(page)
    client.post(
        "/inloggen",
        query_string={"next": target},
        data={name: token, "email": world.gids.email, "password": "geheim-wachtwoord"},
    )
    response = enter_code(client, world.gids.email)
    assert response.status_code == 302
    assert _location(response) == "/gids/"


@pytest.mark.parametrize(
    "target", ["//evil.example", "/\\evil.example", "/\t/evil.example", "https://evil.example"]
)
def test_language_switch_only_redirects_to_local_paths(client, world, target):
    response = client.get("/taal/en", query_string={"next": target})
    assert response.status_code == 302
    assert _location(response) == "/"


def test_language_switch_returns_to_the_page(client, world):
    login(client, world.gids.email)
    response = client.get("/taal/en", query_string={"next": "/gids/?state=alle"})
    assert _location(response) == "/gids/?state=alle"
    assert '<html lang="en">' in client.get("/gids/").get_data(as_text=True)


def test_login_post_without_csrf_token_is_a_dutch_400(client, world):
    response = client.post(
        "/inloggen", data={"email": world.gids.email, "password": "geheim-wachtwoord"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Het formulier is verlopen of ongeldig." in body
    assert _location(client.get("/gids/")).startswith("/inloggen")  # not logged in


def test_post_with_a_forged_csrf_token_is_a_dutch_400(client, world):
    login(client, world.gids.email)
    response = client.post("/uitloggen", data={"csrf_token": "niet-echt"})
    assert response.status_code == 400
    assert "Het formulier is verlopen of ongeldig." in response.get_data(as_text=True)
    assert client.get("/gids/").status_code == 200  # still logged in


def test_logged_in_post_without_csrf_token_is_a_dutch_400(client, world):
    login(client, world.gids.email)
    response = client.post(f"/gids/inwoners/{world.adult.id}/aanmelding", data={})
    assert response.status_code == 400
    assert "Het formulier is verlopen of ongeldig." in response.get_data(as_text=True)


def test_logout_ends_the_session(client, world):
    login(client, world.gids.email)
    assert client.get("/gids/").status_code == 200
    response = logout(client)
    assert response.status_code == 302
    assert _location(response) == "/inloggen"
    assert "U bent uitgelogd." in client.get("/inloggen").get_data(as_text=True)
    after = client.get("/gids/")
    assert after.status_code == 302
    assert _location(after).startswith("/inloggen")


def test_logout_needs_a_post_with_token(client, world):
    login(client, world.gids.email)
    response = client.get("/uitloggen")
    assert response.status_code == 405
    assert "Deze handeling is hier niet mogelijk." in response.get_data(as_text=True)
    assert client.post("/uitloggen").status_code == 400
    assert client.get("/gids/").status_code == 200


def test_a_session_of_a_deactivated_user_ends(client, world, session):
    login(client, world.gids.email)
    world.gids.active = False
    session.flush()
    response = client.get("/gids/")
    assert response.status_code == 302
    assert _location(response).startswith("/inloggen")


def test_a_new_provider_user_logs_in_to_the_provider_home(client, world, session):
    user = make_user(session, "zorg.c@test.nl", Role.AANBIEDER, world.zorg_c)
    response = login(client, user.email)
    assert _location(response) == "/aanbieder/"
    name, token = page_token(client)
    assert name == "csrf_token" and token
