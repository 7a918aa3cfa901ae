"""Rate limiting and lockout: five failures lock an e-mail address for 15 minutes (known or not,
so nothing tells an attacker which accounts exist), failed codes count too, and so do wrong
passwords typed on the account pages by someone who holds a session; thirty failures from one
address stop that address, and a beheerder lifts a lockout."""

from __future__ import annotations

import re

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from models import AuditEntry, LoginAttempt
from workflows.signin import ACCOUNT_MAX_FAILURES, IP_MAX_FAILURES, account_key

from .helpers import csrf_token, enter_code, login, login_as, post_form

pytestmark = pytest.mark.slow  # dozens of Argon2 password checks per test

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


# --- wrong passwords on the account pages (a stolen session must not become a guessing tool) --

ACCOUNT_FORMS = {
    "password change": (
        "/account/wachtwoord",
        "password",
        lambda current: {
            "password-current_password": current,
            "password-new_password": "een-nieuw-wachtwoord",
            "password-repeat": "een-nieuw-wachtwoord",
        },
    ),
    "recovery codes": (
        "/account/herstelcodes",
        "codes",
        lambda current: {"codes-password": current},
    ),
}


def _account_form(client, form: str, password: str):
    url, prefix, data = ACCOUNT_FORMS[form]
    return post_form(client, "/account", url, data(password), prefix=prefix)


@pytest.mark.parametrize("form", ACCOUNT_FORMS)
def test_wrong_passwords_on_an_account_page_lock_the_address(client, world, form):
    login(client, world.gids.email)
    for _ in range(ACCOUNT_MAX_FAILURES):
        assert _account_form(client, form, "fout-wachtwoord").status_code == 422
    refused = _account_form(client, form, "geheim-wachtwoord")  # even the right one, now
    assert refused.status_code == 429
    assert LOCKED in refused.get_data(as_text=True)
    stranger = client.application.test_client()
    assert _try(stranger, world.gids.email, "geheim-wachtwoord").status_code == 429


@pytest.mark.parametrize("form", ACCOUNT_FORMS)
def test_account_page_failures_and_login_failures_add_up(client, world, form):
    """One count per address, whichever page the wrong password was typed on."""
    login(client, world.gids.email)
    stranger = client.application.test_client()
    for _ in range(ACCOUNT_MAX_FAILURES - 2):
        assert _try(stranger, world.gids.email, "fout-wachtwoord").status_code == 422
    for _ in range(2):
        assert _account_form(client, form, "fout-wachtwoord").status_code == 422
    assert _try(stranger, world.gids.email, "geheim-wachtwoord").status_code == 429


@pytest.mark.parametrize("form", ACCOUNT_FORMS)
def test_wrong_passwords_on_an_account_page_are_recorded_and_audited(client, world, session, form):
    login(client, world.gids.email)
    _account_form(client, form, "fout-wachtwoord")
    for _ in range(ACCOUNT_MAX_FAILURES):
        _account_form(client, form, "fout-wachtwoord")
    attempts = session.scalars(
        select(LoginAttempt)
        .where(LoginAttempt.account_key == account_key(world.gids.email))
        .order_by(LoginAttempt.id)
    ).all()
    failed = [(a.stage, a.success) for a in attempts if not a.success]
    assert failed == [("bevestiging", False)] * ACCOUNT_MAX_FAILURES + [("geweigerd", False)]
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "account", AuditEntry.object_id == world.gids.id)
        .order_by(AuditEntry.id)
    ).all()
    logged = [(e.action, e.user_id, e.details) for e in entries if e.action != "ingelogd"]
    purpose = "wachtwoord wijzigen" if form == "password change" else "herstelcodes vernieuwen"
    assert logged == [("wachtwoord_onjuist", world.gids.id, purpose)] * ACCOUNT_MAX_FAILURES + [
        ("controle_geweigerd", world.gids.id, purpose)
    ]


def test_a_right_password_on_an_account_page_does_not_reset_the_count(client, world):
    """Only a completed login (or a beheerder) starts the count afresh."""
    login(client, world.gids.email)
    stranger = client.application.test_client()
    for _ in range(ACCOUNT_MAX_FAILURES - 1):
        _try(stranger, world.gids.email, "fout-wachtwoord")
    assert _account_form(client, "recovery codes", "geheim-wachtwoord").status_code == 200
    _try(stranger, world.gids.email, "fout-wachtwoord")
    assert _try(stranger, world.gids.email, "geheim-wachtwoord").status_code == 429


def test_wrong_recovery_codes_at_the_login_count_and_are_audited(client, world, session):
    for _ in range(ACCOUNT_MAX_FAILURES):
        _try(client, world.gids.email, "geheim-wachtwoord")
        response = enter_code(client, world.gids.email, code="aaaaa-bbbbb")
        assert response.status_code == 422
    assert _try(client, world.gids.email, "geheim-wachtwoord").status_code == 429
    actions = session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.object_type == "account",
            AuditEntry.object_id == world.gids.id,
            AuditEntry.details == "herstelcode",
        )
    ).all()
    assert actions == ["code_onjuist"] * ACCOUNT_MAX_FAILURES
