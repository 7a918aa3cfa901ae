"""Helpers for view tests: CSRF stays ON, so tokens are read from the rendered forms."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pyotp
from flask.testing import FlaskClient
from sqlalchemy import update
from werkzeug.test import TestResponse

from app.auth.sessions import open_session
from app.extensions import db
from models import User

from ..factories import PASSWORD, TOTP_SECRET, World

TOKEN_RE = re.compile(r'name="(?P<name>(?:[\w-]+-)?csrf_token)"[^>]*value="(?P<value>[^"]+)"')


def csrf_token(response: TestResponse, prefix: str = "") -> tuple[str, str]:
    """The (field name, token) of the form with ``prefix`` on the page."""
    wanted = f"{prefix}-csrf_token" if prefix else "csrf_token"
    for match in TOKEN_RE.finditer(response.get_data(as_text=True)):
        if match.group("name") == wanted:
            return wanted, match.group("value")
    raise AssertionError(f"no {wanted} on the page")


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    """The whole login through the forms: password, then (for gids, aanbieder, beheerder) the
    code from the authenticator app, computed with pyotp. Returns the last response."""
    page = client.get("/inloggen")
    name, token = csrf_token(page)
    response = client.post("/inloggen", data={name: token, "email": email, "password": password})
    if response.status_code == 302 and response.headers["Location"] == "/inloggen/code":
        return enter_code(client, email)
    return response


def forget_used_code(client: FlaskClient, email: str) -> None:
    """Tests log in several times within one 30-second step, and the replay guard refuses a
    code of a step that was used already (tested in test_two_factor.py); forget it first."""
    with client.application.app_context():
        db.session.execute(update(User).where(User.email == email).values(totp_last_step=None))
        db.session.commit()


def current_code(secret: str = TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).now()


def enter_code(client: FlaskClient, email: str, code: str | None = None) -> TestResponse:
    forget_used_code(client, email)
    page = client.get("/inloggen/code")
    name, token = csrf_token(page)
    return client.post(
        "/inloggen/code", data={name: token, "code": code if code is not None else current_code()}
    )


def post_form(
    client: FlaskClient, page_url: str, action_url: str, data: dict[str, Any], prefix: str = ""
) -> TestResponse:
    """GET the page that holds the form, then POST ``data`` with its CSRF token."""
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    name, token = csrf_token(page, prefix)
    return client.post(action_url, data={name: token, **data})


def logout(client: FlaskClient) -> TestResponse:
    page = client.get("/", follow_redirects=True)
    name, token = csrf_token(page)
    return client.post("/uitloggen", data={name: token})


# --- reading rendered forms (added for the access and form tests) ----------------------------


def page_token(client: FlaskClient, url: str = "/") -> tuple[str, str]:
    """A CSRF token from any page (the logout form in the header, or the login form)."""
    page = client.get(url, follow_redirects=True)
    return csrf_token(page)


def _tag(body: str, tag: str, name: str) -> str | None:
    match = re.search(rf'<{tag}\b[^>]*\bname="{re.escape(name)}"[^>]*>', body)
    return match.group(0) if match else None


def input_value(body: str, name: str) -> str | None:
    """The (unescaped) ``value`` of the ``<input name=...>``; None if there is no such input."""
    tag = _tag(body, "input", name)
    if tag is None:
        return None
    match = re.search(r'\bvalue="([^"]*)"', tag)
    return html.unescape(match.group(1)) if match else ""


def textarea_value(body: str, name: str) -> str | None:
    match = re.search(
        rf'<textarea\b[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</textarea>', body, re.S
    )
    return html.unescape(match.group(1)).strip("\r\n") if match else None


def select_options(body: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each option of ``<select name=...>``."""
    match = re.search(rf'<select\b[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</select>', body, re.S)
    assert match, f"no select {name}"
    options = []
    for attrs, label in re.findall(r"<option\b([^>]*)>(.*?)</option>", match.group(1), re.S):
        value = re.search(r'\bvalue="([^"]*)"', attrs)
        options.append(
            (
                html.unescape(value.group(1)) if value else "",
                html.unescape(label).strip(),
                re.search(r"\bselected\b", attrs) is not None,
            )
        )
    return options


def checked_value(body: str, name: str) -> str | None:
    """The value of the checked radio button ``name``."""
    for tag in re.findall(rf'<input\b[^>]*\bname="{re.escape(name)}"[^>]*>', body):
        if re.search(r"\bchecked\b", tag):
            match = re.search(r'\bvalue="([^"]*)"', tag)
            return html.unescape(match.group(1)) if match else None
    return None


def field_error(body: str, field_id: str) -> str:
    """The text of the error paragraph tied to a field (``id="<field_id>-err"``)."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-err">(.*?)</p>', body, re.S)
    assert match, f"no error message at field {field_id}"
    return html.unescape(match.group(1)).strip()


def login_as(client: FlaskClient, user: Any) -> None:
    """Log ``user`` in without the password and the second factor (an Argon2 hash per login):
    a session record and the cookie a completed login makes (``app.auth.sessions.open_session``).
    The login itself is covered by test_auth.py and test_two_factor.py; use ``login`` where the
    way in matters."""
    with client.application.app_context():
        values = open_session(user)
    with client.session_transaction() as sess:
        sess.clear()
        sess.update(values)


def upload_history(client: FlaskClient, world: World, text: str, **extra: str) -> TestResponse:
    """The beheerder's history upload of ``text`` as a CSV file, for ``world``'s gids."""
    page = client.get("/beheer/import")
    name, token = csrf_token(page)
    data = {
        name: token,
        "gids_id": str(world.gids.id),
        "file": (io.BytesIO(text.encode("utf-8")), "historie.csv"),
        **extra,
    }
    return client.post("/beheer/import", data=data, content_type="multipart/form-data")


NEW_PASSWORD = "een-nieuw-wachtwoord"


def change_password(client: FlaskClient, current: str = "geheim-wachtwoord") -> TestResponse:
    """The signed-in user changes the password on the account page (to ``NEW_PASSWORD``)."""
    return post_form(
        client,
        "/account",
        "/account/wachtwoord",
        {
            "password-current_password": current,
            "password-new_password": NEW_PASSWORD,
            "password-repeat": NEW_PASSWORD,
        },
        prefix="password",
    )
