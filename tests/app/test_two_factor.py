"""The second factor: required for gids, aanbieder and beheerder, enrolled with a QR code and a
first code, ten recovery codes shown once, a code used only once, a manager without it."""

from __future__ import annotations

import re

import pyotp
import pytest
from freezegun import freeze_time
from sqlalchemy import select

from models import RecoveryCode, Role, User
from workflows.two_factor import new_recovery_codes

from ..factories import TOTP_SECRET, make_user
from .helpers import csrf_token, current_code, enter_code, login, logout

CODE_PAGE = "/inloggen/code"
ENROL_PAGE = "/inloggen/instellen"


def _password(client, email: str):
    page = client.get("/inloggen")
    name, token = csrf_token(page)
    return client.post(
        "/inloggen", data={name: token, "email": email, "password": "geheim-wachtwoord"}
    )


def _post_code(client, url: str, code: str):
    name, token = csrf_token(client.get(url))
    return client.post(url, data={name: token, "code": code})


@pytest.mark.parametrize("role", [Role.GIDS, Role.AANBIEDER, Role.BEHEERDER])
def test_a_role_with_personal_data_needs_the_second_factor(client, world, role):
    user = {
        Role.GIDS: world.gids,
        Role.AANBIEDER: world.aanbieder_a,
        Role.BEHEERDER: world.beheerder,
    }
    response = _password(client, user[role].email)
    assert response.headers["Location"] == CODE_PAGE
    # half-way is not signed in: every page still sends to the login page
    home = {Role.GIDS: "/gids/", Role.AANBIEDER: "/aanbieder/", Role.BEHEERDER: "/beheer/"}
    assert client.get(home[role]).headers["Location"].startswith("/inloggen")
    response = enter_code(client, user[role].email)
    assert response.headers["Location"] == home[role]
    assert client.get(home[role]).status_code == 200


def test_a_manager_signs_in_with_the_password_alone(client, world):
    response = _password(client, world.manager.email)
    assert response.headers["Location"] == "/manager/"


def test_a_wrong_code_is_refused_with_a_message(client, world):
    _password(client, world.gids.email)
    wrong = f"{(int(current_code()) + 1) % 1_000_000:06d}"
    response = _post_code(client, CODE_PAGE, wrong)
    assert response.status_code == 422
    assert "Deze code klopt niet." in response.get_data(as_text=True)
    assert client.get("/gids/").status_code == 302


def test_a_code_works_only_once(client, world):
    with freeze_time("2026-11-02 10:00:05"):
        code = current_code()
        _password(client, world.gids.email)
        assert _post_code(client, CODE_PAGE, code).status_code == 302
        logout(client)
        _password(client, world.gids.email)
        response = _post_code(client, CODE_PAGE, code)
    assert response.status_code == 422  # replayed within its 30 seconds


def test_a_code_of_the_previous_step_is_accepted_but_not_an_older_one(client, world):
    totp = pyotp.TOTP(TOTP_SECRET)
    with freeze_time("2026-11-02 10:00:05") as frozen:
        previous = totp.at(frozen().timestamp() - 30)
        older = totp.at(frozen().timestamp() - 90)
        _password(client, world.gids.email)
        assert _post_code(client, CODE_PAGE, older).status_code == 422
        assert _post_code(client, CODE_PAGE, previous).status_code == 302


def test_the_half_way_state_expires_after_five_minutes(client, world):
    with freeze_time("2026-11-02 10:00:00") as frozen:
        _password(client, world.gids.email)
        frozen.tick(301)
        response = client.get(CODE_PAGE)
    assert response.status_code == 302
    assert response.headers["Location"] == "/inloggen"


@pytest.mark.slow  # Argon2 hashes of every recovery code
def test_enrolment_with_qr_code_first_code_and_recovery_codes(client, world, session):
    user = make_user(session, "nieuw@test.nl", Role.GIDS, second_factor=False)
    response = _password(client, user.email)
    assert response.headers["Location"] == ENROL_PAGE
    page = client.get(ENROL_PAGE)
    body = page.get_data(as_text=True)
    assert 'src="/inloggen/instellen/qr.svg"' in body
    session.refresh(user)
    secret = user.totp_secret
    assert secret and " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in body
    qr = client.get("/inloggen/instellen/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    assert qr.headers["Cache-Control"] == "no-store"
    # a wrong first code: nothing is confirmed
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    assert _post_code(client, ENROL_PAGE, wrong).status_code == 422
    session.refresh(user)
    assert user.totp_confirmed_at is None
    response = _post_code(client, ENROL_PAGE, pyotp.TOTP(secret).now())
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", body)
    assert len(codes) == 10 and len(set(codes)) == 10
    session.expire_all()
    user = session.get(User, user.id)
    assert user.has_second_factor
    stored = session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10
    assert all(code.replace("-", "") not in s.code_hash for s in stored for code in codes)
    assert all(s.code_hash.startswith("$argon2id$") for s in stored)
    assert client.get("/gids/").status_code == 200  # signed in


def test_enrolment_is_not_offered_to_an_enrolled_account(client, world):
    _password(client, world.gids.email)
    assert client.get(ENROL_PAGE).headers["Location"] == CODE_PAGE


@pytest.mark.slow  # Argon2 hashes of every recovery code
def test_a_recovery_code_works_once_instead_of_the_app(client, world, session):
    from datetime import UTC, datetime

    codes = new_recovery_codes(session, world.gids, datetime.now(UTC))
    session.flush()
    _password(client, world.gids.email)
    response = _post_code(client, CODE_PAGE, codes[3].upper())
    assert response.headers["Location"] == "/gids/"
    assert "u heeft er nog 9" in client.get("/gids/").get_data(as_text=True)
    logout(client)
    _password(client, world.gids.email)
    assert _post_code(client, CODE_PAGE, codes[3]).status_code == 422


@pytest.mark.slow  # Argon2 hashes of every recovery code
def test_new_recovery_codes_need_the_password(client, world, session):
    login(client, world.gids.email)
    page = client.get("/account")
    name, token = csrf_token(page, "codes")
    wrong = client.post("/account/herstelcodes", data={name: token, "codes-password": "fout"})
    assert wrong.status_code == 422
    right = client.post(
        "/account/herstelcodes", data={name: token, "codes-password": "geheim-wachtwoord"}
    )
    assert right.status_code == 200
    assert (
        len(re.findall(r"<code>[a-z0-9]{5}-[a-z0-9]{5}</code>", right.get_data(as_text=True))) == 10
    )
