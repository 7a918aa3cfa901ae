"""Rate limiting and lockout: five failures lock an e-mail address for 15 minutes (known or not,
so nothing tells an attacker which accounts exist), failed codes count too, thirty failures
from one address stop that address, and a beheerder lifts a lockout."""

from __future__ import annotations

import re

from freezegun import freeze_time

from workflows.signin import ACCOUNT_MAX_FAILURES, IP_MAX_FAILURES

from .helpers import csrf_token, enter_code, login, login_as, post_form

LOCKED = "Te veel mislukte pogingen voor dit e-mailadres."
THROTTLED = "Te veel mislukte inlogpogingen vanaf uw netwerkadres."


def _try(client, email: str, password: str, ip: str = "127.0.0.1"):
    page = client.get("/inloggen")
    name, token = csrf_token(page)
    return client.post(
        "/inloggen",
        data={name: token, "email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_five_wrong_passwords_lock_the_address_for_fifteen_minutes(client, world):
    with freeze_time("2026-11-02 10:00:00") as frozen:
        for _ in range(ACCOUNT_MAX_FAILURES):
            assert _try(client, world.gids.email, "fout-wachtwoord").status_code == 422
        refused = _try(client, world.gids.email, "geheim-wachtwoord")
        assert refused.status_code == 429
        assert LOCKED in refused.get_data(as_text=True)
        assert client.get("/gids/").status_code == 302
        frozen.tick(14 * 60)
        assert _try(client, world.gids.email, "geheim-wachtwoord").status_code == 429
        frozen.tick(61)
        response = login(client, world.gids.email)
    assert response.headers["Location"] == "/gids/"


def test_an_unknown_address_is_locked_the_same_way(client, world):
    answers = []
    for email in (world.gids.email, "niemand@test.nl"):
        for _ in range(ACCOUNT_MAX_FAILURES):
            _try(client, email, "fout-wachtwoord")
        answers.append(_try(client, email, "geheim-wachtwoord"))
    known, unknown = answers
    assert known.status_code == unknown.status_code == 429

    def text(response) -> str:  # without the typed address and the per-request CSRF token
        body = response.get_data(as_text=True)
        body = body.replace(world.gids.email, "").replace("niemand@test.nl", "")
        return re.sub(r'name="csrf_token"[^>]*>', "", body)

    assert text(known) == text(unknown)


def test_wrong_codes_count_toward_the_lockout(client, world):
    for _ in range(ACCOUNT_MAX_FAILURES):
        _try(client, world.gids.email, "geheim-wachtwoord")
        response = enter_code(client, world.gids.email, code="000000")
        assert response.status_code in (302, 422)
    assert _try(client, world.gids.email, "geheim-wachtwoord").status_code == 429


def test_a_success_resets_the_count(client, world):
    for _ in range(ACCOUNT_MAX_FAILURES - 1):
        _try(client, world.gids.email, "fout-wachtwoord")
    assert login(client, world.gids.email).headers["Location"] == "/gids/"
    client.delete_cookie("trajectwijzer")
    for _ in range(ACCOUNT_MAX_FAILURES - 1):
        _try(client, world.gids.email, "fout-wachtwoord")
    assert _try(client, world.gids.email, "geheim-wachtwoord").status_code == 302


def test_many_failures_from_one_address_stop_that_address(client, world):
    for i in range(IP_MAX_FAILURES):
        _try(client, f"onbekend{i}@test.nl", "fout", ip="10.0.0.7")
    refused = _try(client, world.gids.email, "geheim-wachtwoord", ip="10.0.0.7")
    assert refused.status_code == 429
    assert THROTTLED in refused.get_data(as_text=True)
    elsewhere = _try(client, world.gids.email, "geheim-wachtwoord", ip="10.0.0.8")
    assert elsewhere.status_code == 302


def test_a_beheerder_lifts_a_lockout(app, client, world):
    for _ in range(ACCOUNT_MAX_FAILURES):
        _try(client, world.gids.email, "fout-wachtwoord")
    assert _try(client, world.gids.email, "geheim-wachtwoord").status_code == 429
    admin = app.test_client()
    login_as(admin, world.beheerder)
    page = admin.get("/beheer/accounts")
    assert "vergrendeld tot" in page.get_data(as_text=True)
    url = f"/beheer/accounts/{world.gids.id}/deblokkeren"
    assert post_form(admin, "/beheer/accounts", url, {}).status_code == 302
    assert _try(client, world.gids.email, "geheim-wachtwoord").status_code == 302
